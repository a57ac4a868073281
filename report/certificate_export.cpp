#include "report/certificate_export.h"

#include <zip.h>

#include <array>
#include <ctime>
#include <fstream>
#include <functional>
#include <optional>

#include "common/error.h"
#include "common/utc_time.h"
#include "pki/encoding.h"
#include "policy/request_text.h"

namespace inkan::report {
namespace {

[[noreturn]] void export_failed(const std::string& what) {
    throw Error(ErrorCategory::Internal, "export_failed",
                "certificate export: " + what +
                    "; check free space and permissions of the state folder, then retry");
}

std::string time_text(std::optional<int64_t> t) { return t ? utc_text(*t) : ""; }

std::string number_text(std::optional<int64_t> n) { return n ? std::to_string(*n) : ""; }

// A field never breaks the line: tabs and line breaks become spaces.
std::string field(std::string value) {
    for (char& c : value) {
        if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    }
    return value;
}

std::string common_name(const std::string& subject) {
    if (subject.rfind("CN=", 0) != 0) return "";
    return subject.substr(
        3, subject.find(',') == std::string::npos ? std::string::npos : subject.find(',') - 3);
}

const char* status_name(ExportStatus s) {
    switch (s) {
        case ExportStatus::Valid:
            return "valid";
        case ExportStatus::Undelivered:
            return "undelivered";
        case ExportStatus::Revoked:
            return "revoked";
        case ExportStatus::Expired:
            return "expired";
    }
    return "valid";
}

using Column = std::function<std::string(const store::CertificateExportRow&, int64_t now)>;
struct ColumnSpec {
    const char* header;  // UTF-8 (Japanese, as the service's file)
    Column value;
};

std::string pem_name(const std::string& serial_dec) { return "certs/" + serial_dec + ".pem"; }

// README "Certificate information download" documents each column.
const std::array<ColumnSpec, 29>& columns() {
    using R = const store::CertificateExportRow&;
    static const std::array<ColumnSpec, 29> kColumns = {{
        {"シリアル番号(16進)", [](R r, int64_t) { return r.record.serial_hex; }},
        {"機関名", [](R r, int64_t) { return r.record.institution.value_or(""); }},
        {"プロファイルID", [](R r, int64_t) { return number_text(r.record.profile_id); }},
        {"サブジェクトDN", [](R r, int64_t) { return r.record.subject; }},
        {"CN", [](R r, int64_t) { return common_name(r.record.subject); }},
        {"発行日時", [](R r, int64_t) { return time_text(r.record.created_at); }},
        {"ダウンロード種別", [](R r, int64_t) { return number_text(r.download_type); }},
        {"申請ID",
         [](R r, int64_t) { return r.record.row ? r.record.row->batch_id : std::string(); }},
        {"申請行番号",
         [](R r, int64_t) {
             return r.record.row ? std::to_string(r.record.row->row_no) : std::string();
         }},
        {"申請種別", [](R r, int64_t) { return r.action.value_or("csr"); }},
        {"登録担当者", [](R r, int64_t) { return r.record.requested_by; }},
        {"状態",
         [](R r, int64_t now) {
             return std::to_string(static_cast<int>(export_status(r.record, now)));
         }},
        {"状態名", [](R r, int64_t now) { return status_name(export_status(r.record, now)); }},
        {"利用管理者メールアドレス", [](R r, int64_t) { return r.admin_mail; }},
        {"利用者メールアドレス", [](R r, int64_t) { return r.user_mail; }},
        {"利用管理者氏名", [](R r, int64_t) { return r.admin_name; }},
        {"利用者氏名", [](R r, int64_t) { return r.user_name; }},
        {"配付状態", [](R r, int64_t) { return store::to_string(r.record.delivery); }},
        {"ダウンロード日時", [](R r, int64_t) { return time_text(r.downloaded_at); }},
        {"失効日時", [](R r, int64_t) { return time_text(r.record.revoked_at); }},
        {"失効理由", [](R r, int64_t) { return number_text(r.record.revocation_reason); }},
        {"失効コメント", [](R r, int64_t) { return r.record.revocation_comment.value_or(""); }},
        {"更新元シリアル番号", [](R r, int64_t) { return r.renews_serial_dec.value_or(""); }},
        {"シリアル番号", [](R r, int64_t) { return r.record.serial_dec; }},
        {"有効期間開始", [](R r, int64_t) { return time_text(r.record.not_before); }},
        {"発行者DN", [](R r, int64_t) { return r.record.issuer; }},
        {"有効期限", [](R r, int64_t) { return time_text(r.record.not_after); }},
        {"取得URL有効期限", [](R r, int64_t) { return time_text(r.url_expires_at); }},
        {"証明書ファイル", [](R r, int64_t) { return pem_name(r.record.serial_dec); }},
    }};
    return kColumns;
}

// UTF-8 to CP932; a character CP932 lacks (from a UTF-8 upload) becomes '?'.
class Cp932Writer {
  public:
    std::string operator()(const std::string& utf8) {
        if (auto whole = converter_.convert(utf8)) return *whole;
        std::string out;
        for (size_t i = 0; i < utf8.size();) {
            size_t n = 1;
            auto lead = static_cast<unsigned char>(utf8[i]);
            if (lead >= 0xF0)
                n = 4;
            else if (lead >= 0xE0)
                n = 3;
            else if (lead >= 0xC0)
                n = 2;
            auto one = converter_.convert(std::string_view(utf8).substr(i, n));
            out += one ? *one : "?";
            i += n;
        }
        return out;
    }

  private:
    policy::TextConverter converter_{"UTF-8", "CP932"};
};

// A scratch file next to the ZIP, removed with this object.
class ScratchFile {
  public:
    explicit ScratchFile(std::filesystem::path path)
        : path_(std::move(path)), out_(path_, std::ios::binary | std::ios::trunc) {
        if (!out_) export_failed("cannot create " + path_.string());
    }
    ~ScratchFile() {
        out_.close();
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;

    // Appends; returns the offset the bytes start at.
    uint64_t append(const std::string& bytes) {
        uint64_t at = size_;
        out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        size_ += bytes.size();
        return at;
    }
    void flush() {
        out_.flush();
        if (!out_) export_failed("cannot write " + path_.string());
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    std::ofstream out_;
    uint64_t size_ = 0;
};

// An archive being written to disk by libzip; discarded unless closed.
class ZipFile {
  public:
    explicit ZipFile(const std::filesystem::path& path) {
        int code = 0;
        zip_ = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
        if (!zip_) export_failed("cannot create " + path.string());
    }
    ~ZipFile() {
        if (zip_) zip_discard(zip_);
    }
    ZipFile(const ZipFile&) = delete;
    ZipFile& operator=(const ZipFile&) = delete;

    // The entry `name` is bytes [start, start + length) of the file at `path`,
    // read when the archive is closed.
    void add_range(const std::string& name, const std::filesystem::path& path, uint64_t start,
                   uint64_t length) {
        zip_source_t* src =
            zip_source_file(zip_, path.c_str(), start, static_cast<zip_int64_t>(length));
        if (!src) export_failed("ZIP source " + name + ": " + zip_strerror(zip_));
        if (zip_file_add(zip_, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
            zip_source_free(src);
            export_failed("ZIP entry " + name + ": " + zip_strerror(zip_));
        }
    }
    void close() {
        if (zip_close(zip_) != 0) export_failed(std::string("ZIP close: ") + zip_strerror(zip_));
        zip_ = nullptr;
    }

  private:
    zip_t* zip_ = nullptr;
};

}  // namespace

ExportStatus export_status(const store::CertificateRecord& r, int64_t now) {
    if (r.status == store::CertificateStatus::Revoked) return ExportStatus::Revoked;
    if (r.not_after <= now) return ExportStatus::Expired;
    if (r.delivery == store::Delivery::Pending) return ExportStatus::Undelivered;
    return ExportStatus::Valid;
}

std::string tsv_header() {
    std::string line;
    for (const auto& c : columns()) line += (line.empty() ? "" : "\t") + std::string(c.header);
    return line + "\r\n";
}

std::string tsv_line(const store::CertificateExportRow& row, int64_t now) {
    std::string line;
    bool first = true;
    for (const auto& c : columns()) {
        if (!first) line += '\t';
        line += field(c.value(row, now));
        first = false;
    }
    return line + "\r\n";
}

size_t write_certificate_export(store::CertificateStore& store,
                                const store::CertificateQuery& query, const ExportOptions& options,
                                const std::filesystem::path& zip_path) {
    std::optional<Cp932Writer> cp932;
    if (options.encoding == TsvEncoding::ShiftJis) cp932.emplace();
    auto encode = [&](const std::string& utf8) { return cp932 ? (*cp932)(utf8) : utf8; };

    ScratchFile tsv(zip_path.string() + ".tsv");
    ScratchFile pems(zip_path.string() + ".pem");
    ZipFile zip(zip_path);
    tsv.append(encode(tsv_header()));
    size_t count = 0;
    int64_t after = 0;
    for (;;) {
        auto page = store.export_page(query, after, options.page_size);
        if (page.empty()) break;
        std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> entries;
        for (const auto& row : page) {
            tsv.append(encode(tsv_line(row, query.now)));
            std::string pem = pki::to_pem(pki::parse_certificate(row.record.der).get());
            entries.push_back({pem_name(row.record.serial_dec), {pems.append(pem), pem.size()}});
            after = row.rowid;
        }
        pems.flush();
        for (const auto& [name, range] : entries)
            zip.add_range(name, pems.path(), range.first, range.second);
        count += page.size();
        if (page.size() < options.page_size) break;
    }
    tsv.flush();
    zip.add_range("certificates.tsv", tsv.path(), 0,
                  static_cast<uint64_t>(std::filesystem::file_size(tsv.path())));
    zip.close();
    return count;
}

}  // namespace inkan::report
