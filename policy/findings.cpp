#include "policy/findings.h"

#include <array>

#include "common/error.h"

namespace inkan::policy {
namespace {

struct CodeEntry {
    std::string_view code;
    int service_code;
    std::string_view message_ja;
    std::string_view message_en;
};

// The six institution messages are copied verbatim from the operator manual,
// section 1-2-3 ("エラーメッセージ" column); everything else is Inkan's wording.
constexpr std::array kCodes{
    CodeEntry{"file_empty", 101, "ファイルが空です。", "The file is empty."},
    CodeEntry{"encoding_invalid", 102, "文字コードがShift_JISでもUTF-8でもありません。",
              "The file is neither Shift_JIS (CP932) nor UTF-8."},
    CodeEntry{"file_too_large", 103, "ファイルが大きすぎます。", "The file is too large."},
    CodeEntry{"download_type_mixed", 104, "1つのファイルに異なるダウンロード種別が含まれています。",
              "The file mixes download types; one file must hold one download type."},
    CodeEntry{"line_too_long", 111, "行が長すぎます。", "The line is too long."},
    CodeEntry{"nul_byte", 112, "行にNUL文字が含まれています。", "The line contains a NUL byte."},
    CodeEntry{"column_count", 113, "項目数が15ではありません。",
              "The line does not have exactly 15 tab-separated columns."},
    CodeEntry{"dn_required", 201, "主体者DNが指定されていません。", "The subject DN is missing."},
    CodeEntry{"dn_too_long", 202, "主体者DNが250文字を超えています。",
              "The subject DN is longer than 250 characters."},
    CodeEntry{"dn_syntax", 203, "主体者DNの形式が正しくありません。",
              "The subject DN is not of the form CN=...,OU=...,O=...,L=...,ST=...,C=JP."},
    CodeEntry{"dn_order", 204, "主体者DNの属性の順序が正しくありません。",
              "The subject DN attributes are not in the order CN, OU, O, L, ST, C."},
    CodeEntry{"dn_attribute_missing", 205, "主体者DNに必須の属性がありません。",
              "The subject DN lacks a required attribute (CN, O or C)."},
    CodeEntry{"dn_chars", 206, "主体者DNに使用できない文字が含まれています。",
              "The subject DN contains a character not allowed in that attribute."},
    CodeEntry{"dn_attribute_too_long", 207, "主体者DNの属性値が64文字を超えています。",
              "A subject DN attribute value is longer than 64 characters."},
    CodeEntry{"dn_country", 208, "主体者DNのCはJPでなければなりません。",
              "The subject DN country must be C=JP."},
    CodeEntry{"dn_locality_forbidden", 209, "主体者DNのLに使用できない値が指定されています。",
              "The subject DN L must not contain Academe or Default and must not be just City."},
    CodeEntry{"dn_st_l_missing", 210, "主体者DNにSTまたはLのいずれかが必要です。",
              "The subject DN needs at least one of ST and L."},
    CodeEntry{"dn_duplicate", 212, "指定したDNはすでに存在しています。",
              "The subject DN already exists."},
    CodeEntry{"dn_attribute_unsupported", 213,
              "主体者DNに使用できない属性が含まれています（CN, OU, O, L, ST, Cのみ使用できます）。",
              "The subject DN holds an attribute type other than CN, OU, O, L, ST and C."},
    CodeEntry{"dn_multivalued_rdn", 214, "主体者DNに複数値のRDNが含まれています。",
              "The subject DN holds a multi-valued RDN; use one attribute per RDN."},
    CodeEntry{"dn_attribute_repeated", 215, "主体者DNの属性が重複しています（OU以外は1つのみ）。",
              "An attribute of the subject DN is repeated (only OU may appear more than once)."},
    CodeEntry{
        "dn_ambiguous", 216, "主体者DNの属性値に区切りとして解釈される文字列が含まれています。",
        "A subject DN value contains text that reads as an attribute separator (\",CN=\" ...); "
        "remove it."},
    CodeEntry{"field_required", 301, "必須項目が指定されていません。",
              "A required column is empty."},
    CodeEntry{"field_must_be_empty", 302, "この項目は空でなければなりません。",
              "This column must be empty for this action."},
    CodeEntry{"field_too_long", 303, "項目の文字数が上限を超えています。",
              "The column is longer than allowed."},
    CodeEntry{"profile_unknown", 304, "証明書プロファイルIDが正しくありません。",
              "The certificate profile id is unknown."},
    CodeEntry{"profile_disabled", 305, "指定した証明書プロファイルは利用できません。",
              "The certificate profile is not enabled."},
    CodeEntry{"download_type_invalid", 306, "ダウンロード種別が正しくありません。",
              "The download type must be 1, 2 or 3."},
    CodeEntry{"mail_invalid", 307, "メールアドレスの形式が正しくありません。",
              "The mail address is not valid."},
    CodeEntry{"serial_invalid", 308, "シリアル番号が正しくありません。",
              "The serial number must be a positive decimal number of at most 160 bits."},
    CodeEntry{"revocation_reason_invalid", 309, "失効理由が正しくありません。",
              "The revocation reason must be one of 0, 1, 3, 4, 5."},
    CodeEntry{"revocation_comment_required", 310, "失効理由が0の場合は失効理由コメントが必要です。",
              "A revocation comment is required when the reason is 0 (unspecified)."},
    CodeEntry{"pin_invalid", 311, "アクセスPINの形式が正しくありません。",
              "The access PIN must be 8 to 32 printable ASCII characters without spaces."},
    CodeEntry{"serial_duplicate", 312, "同じシリアル番号がファイル内で重複しています。",
              "The serial number appears more than once in the file."},
    CodeEntry{"file_name_invalid", 313, "P12ダウンロードファイル名が正しくありません。",
              "The P12 file name may hold only ASCII letters, digits, '-', '_' and '.'."},
    CodeEntry{"smime_mail_missing", 314, "S/MIME証明書には利用者メールアドレスが必要です。",
              "An S/MIME certificate needs the user mail address (column 14)."},
    CodeEntry{"serial_unknown", 315, "指定したシリアル番号の証明書は見つかりません。",
              "There is no certificate with this serial number for your institution."},
    CodeEntry{"serial_dn_mismatch", 316, "主体者DNが指定したシリアル番号の証明書と一致しません。",
              "The subject DN does not match the certificate with this serial number."},
    CodeEntry{"already_revoked", 317, "指定したシリアル番号の証明書はすでに失効しています。",
              "The certificate with this serial number is already revoked; nothing to do."},
    CodeEntry{"renewal_pending", 318, "指定したシリアル番号の証明書はすでに更新申請中です。",
              "A renewal of the certificate with this serial number is already pending; "
              "download it, or wait until its URLs expire."},
    CodeEntry{"institution_unknown", 400, "主体者DNのOが登録された機関名と一致しません。",
              "The subject DN O is not a registered institution."},
    CodeEntry{
        "domain_not_approved", 401,
        "対象のドメインは許可されていないため発行できません。サービス窓口にお問い合わせください。",
        "The domain is not approved for issuance. Please contact the service desk."},
    CodeEntry{"approval_expired", 402,
              "機関の証明書発行有効期限が切れています。サービス窓口にお問い合わせください。",
              "The institution's certificate issuance approval has expired. Please contact the "
              "service desk."},
    CodeEntry{"whois_connection_failed", 403,
              "WHOISサーバへの接続に失敗しました。時間をおいて再度申請してください。"
              "再度申請しても接続に失敗するようでしたら、サービス窓口にお問い合わせください。",
              "Connecting to the WHOIS server failed. Please apply again later; if it keeps "
              "failing, contact the service desk."},
    CodeEntry{"whois_mismatch", 404,
              "WHOISサーバに登録されている情報と一致しません。サービス窓口にお問い合わせください。",
              "The information registered in WHOIS does not match. Please contact the service "
              "desk."},
    CodeEntry{"locality_mismatch", 405, "主体者DNのLが登録された値と一致しません。",
              "The subject DN L does not match the registered value."},
    CodeEntry{"state_mismatch", 406, "主体者DNのSTが登録された値と一致しません。",
              "The subject DN ST does not match the registered value."},
    CodeEntry{"profile_not_enabled_for_institution", 407,
              "指定した証明書プロファイルは機関で利用できません。",
              "The certificate profile is not enabled for this institution."},
    CodeEntry{"institution_mismatch", 408,
              "主体者DNのOが申請者の機関と一致しません。自機関の証明書のみ申請できます。",
              "The subject DN O is not your institution. An RA operator may request "
              "certificates only for its own institution."},
};

constexpr std::array<std::string_view, 16> kColumnJa{"ファイル",
                                                     "主体者DN",
                                                     "証明書プロファイルID",
                                                     "ダウンロード種別",
                                                     "シリアル番号",
                                                     "失効理由",
                                                     "失効理由コメント",
                                                     "項目7",
                                                     "利用管理者氏名",
                                                     "利用管理者所属",
                                                     "利用管理者メールアドレス",
                                                     "利用者氏名",
                                                     "P12ダウンロードファイル名",
                                                     "利用者所属",
                                                     "利用者メールアドレス",
                                                     "アクセスPIN"};
constexpr std::array<std::string_view, 16> kColumnEn{"file",
                                                     "subject DN",
                                                     "profile id",
                                                     "download type",
                                                     "serial number",
                                                     "revocation reason",
                                                     "revocation comment",
                                                     "column 7",
                                                     "subscriber admin name",
                                                     "subscriber admin department",
                                                     "subscriber admin mail",
                                                     "user name",
                                                     "P12 file name",
                                                     "user department",
                                                     "user mail",
                                                     "access PIN"};

const CodeEntry* find_code(std::string_view code) noexcept {
    for (const auto& entry : kCodes)
        if (entry.code == code) return &entry;
    return nullptr;
}

}  // namespace

std::string_view column_name_ja(std::size_t column) noexcept {
    return column < kColumnJa.size() ? kColumnJa[column] : std::string_view{};
}
std::string_view column_name_en(std::size_t column) noexcept {
    return column < kColumnEn.size() ? kColumnEn[column] : std::string_view{};
}

int service_code_of(std::string_view code) noexcept {
    const CodeEntry* entry = find_code(code);
    return entry ? entry->service_code : 0;
}

Finding make_finding(std::string_view code, std::size_t line, std::size_t column,
                     std::string_view detail_en) {
    const CodeEntry* entry = find_code(code);
    if (!entry)
        throw Error(ErrorCategory::Internal, "policy_unknown_code",
                    "unknown policy finding code: " + std::string(code));
    Finding f;
    f.line = line;
    f.column = column;
    f.column_ja = column_name_ja(column);
    f.column_en = column_name_en(column);
    f.code = entry->code;
    f.service_code = entry->service_code;
    f.message_ja = entry->message_ja;
    f.message_en = entry->message_en;
    if (!detail_en.empty()) {
        f.message_en += " (";
        f.message_en += detail_en;
        f.message_en += ")";
    }
    return f;
}

Error to_error(const Finding& f) {
    ErrorCategory category = ErrorCategory::Forbidden;
    if (f.code == "whois_connection_failed") {
        category = ErrorCategory::Unavailable;
    } else if (f.code == "dn_duplicate") {
        category = ErrorCategory::Conflict;
    } else if (f.service_code < 400) {
        category = ErrorCategory::InvalidInput;
    }
    return Error(category, f.code, f.message_en + " / " + f.message_ja);
}

}  // namespace inkan::policy
