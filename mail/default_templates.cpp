#include "mail/default_templates.h"

#include <array>
#include <utility>

namespace inkan::mail {
namespace {

constexpr std::string_view kAccessPin = R"(Subject: [UPKI] アクセスPIN発行通知 / Access PIN issued

{{institution}} (L={{locality}}, ST={{state}}) ご担当者様

クライアント証明書の発行申請を受け付けました。
下記のURLからアクセスPINを取得してください。

【アクセスPIN取得URL】
{{url}}

このURLの有効期限は {{url_expires}} です。
アクセスPINを一度取得するとこのURLは使用できなくなります。

【対象証明書DN】
--------------------------------------------
{{subject_dn_lines}}
--------------------------------------------
(申請番号 {{batch_id}}、{{rows}} 件)

----------------------------------------------------------------------
(English)
The certificate request was accepted. Get the access PIN from the URL
above. It is valid until {{url_expires}} and works once only.
Request {{batch_id}}, {{rows}} row(s).
)";

constexpr std::string_view kAccepted =
    R"(Subject: [UPKI] クライアント証明書発行受付通知 / Certificate request accepted

{{institution}} (L={{locality}}, ST={{state}}) ご利用者様

クライアント証明書の発行を受け付けました。
下記のURLからクライアント証明書を取得してください。
取得にはアクセスPINが必要です。

【証明書取得URL】
{{url}}

このURLの有効期限は {{url_expires}} です。
証明書の取得が完了するとこのURLは使用できなくなります。

【対象証明書DN】
--------------------------------------------
{{subject_dn_lines}}
--------------------------------------------

----------------------------------------------------------------------
(English)
Your client certificate is ready. Download it from the URL above with
your access PIN, until {{url_expires}}. The URL stops working after the
download.
)";

constexpr std::string_view kDownloaded =
    R"(Subject: [UPKI] クライアント証明書取得通知 / Certificate downloaded

{{institution}} (L={{locality}}, ST={{state}}) 登録担当者様

貴機関利用者の方がクライアント用証明書の取得を完了致しましたので、
下記の通り連絡をさせていただきます。

【対象証明書DN】
--------------------------------------------
{{subject_dn_lines}}
--------------------------------------------
【対象証明書シリアル番号】
{{serial}}

----------------------------------------------------------------------
(English)
A user of your institution has downloaded the client certificate above
(serial number {{serial}}).
)";

constexpr std::string_view kRenewed =
    R"(Subject: [UPKI] クライアント証明書更新通知 / Certificate renewed

{{institution}} (L={{locality}}, ST={{state}}) 登録担当者様

貴機関利用者の方が更新したクライアント用証明書の取得を完了致しましたので、
下記の通り連絡をさせていただきます。

【対象証明書DN】
--------------------------------------------
{{subject_dn_lines}}
--------------------------------------------

【新証明書シリアル番号】
{{serial}}

【旧証明書のシリアル番号】
{{old_serial}}

{{revocation_file_note}}

----------------------------------------------------------------------
(English)
A user of your institution has downloaded the renewed certificate above:
new serial number {{serial}}, old serial number {{old_serial}}. When the
user reports that the new certificate is installed, upload the attached
file unchanged as a revocation request (if one is attached).
)";

constexpr std::string_view kRevoked =
    R"(Subject: [UPKI] クライアント証明書失効完了通知 / Certificate revoked

{{institution}} (L={{locality}}, ST={{state}}) ご担当者様

下記クライアント証明書の失効が完了致しましたので、
連絡をさせていただきます。

【失効証明書DN】
--------------------------------------------
{{subject_dn_lines}}
--------------------------------------------

【失効証明書シリアル番号】
{{serial}}

【失効理由】
{{reason_ja}}

----------------------------------------------------------------------
(English)
The client certificate above (serial number {{serial}}) has been revoked.
Reason: {{reason_en}}.
)";

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDefaults{{
    {"access_pin_issued", kAccessPin},
    {"issuance_accepted", kAccepted},
    {"download_completed", kDownloaded},
    {"renewal_completed", kRenewed},
    {"revocation_completed", kRevoked},
}};

}  // namespace

std::string_view default_template(std::string_view name) {
    for (const auto& [n, text] : kDefaults)
        if (n == name) return text;
    return {};
}

}  // namespace inkan::mail
