#include "api/issuance_json.h"

#include "issuance/retrieval_urls.h"

namespace inkan::api {

const char* to_string(policy::DownloadType type) {
    switch (type) {
        case policy::DownloadType::P12Individual:
            return "p12_individual";
        case policy::DownloadType::P12Bulk:
            return "p12_bulk";
        case policy::DownloadType::Browser:
            return "browser";
    }
    return "unknown";
}

nlohmann::json to_json(const issuance::BatchResult& r, const std::string& base, bool include_urls) {
    nlohmann::json j = {
        {"batch_id", r.batch_id ? nlohmann::json(*r.batch_id) : nlohmann::json(nullptr)},
        {"status", r.status},
        {"report", r.report},
        {"rows", nlohmann::json::array()}};
    if (r.download_type) j["download_type"] = to_string(*r.download_type);
    if (r.urls_expire_at) j["urls_expire_at"] = r.urls_expire_at;
    using issuance::pin_url;
    using issuance::retrieval_url;
    if (!include_urls && (r.batch_pin_token || !r.rows.empty())) j["urls_sent_by_mail"] = true;
    if (r.batch_pin_token && include_urls) j["pin_url"] = pin_url(base, *r.batch_pin_token);
    if (r.batch_retrieval_token && include_urls)
        j["retrieval_url"] =
            retrieval_url(base, r.download_type.value_or(policy::DownloadType::P12Bulk),
                          *r.batch_retrieval_token);
    for (const auto& row : r.rows) {
        nlohmann::json jr = {{"row_id", row.row_id},
                             {"line", row.line},
                             {"download_type", to_string(row.download_type)},
                             {"subject", row.subject_dn}};
        if (row.pin_token && include_urls) jr["pin_url"] = pin_url(base, *row.pin_token);
        if (row.retrieval_token && include_urls)
            jr["retrieval_url"] = retrieval_url(base, row.download_type, *row.retrieval_token);
        j["rows"].push_back(jr);
    }
    if (!r.revoked.empty()) {
        j["revoked"] = nlohmann::json::array();
        for (const auto& x : r.revoked) {
            j["revoked"].push_back({{"line", x.line},
                                    {"serial", x.serial},
                                    {"serial_hex", x.serial_hex},
                                    {"subject", x.subject_dn},
                                    {"reason", x.reason}});
        }
    }
    return j;
}

nlohmann::json to_json(const issuance::BatchState& s, bool with_rows) {
    nlohmann::json j = {{"batch_id", s.batch_id},
                        {"institution", s.institution},
                        {"operator", s.operator_name},
                        {"action", policy::to_string(s.action)},
                        {"on_error", policy::to_string(s.mode)},
                        {"download_type", to_string(s.download_type)},
                        {"created_at", s.created_at},
                        {"urls_expire_at", s.urls_expire_at},
                        {"status", to_string(s.status)},
                        {"row_counts",
                         {{"rows", s.counts.rows},
                          {"accepted", s.counts.accepted},
                          {"pin_viewed", s.counts.pin_viewed},
                          {"downloaded", s.counts.downloaded},
                          {"locked", s.counts.locked},
                          {"expired", s.counts.expired}}}};
    if (with_rows) {
        j["rows"] = nlohmann::json::array();
        for (const auto& row : s.rows) j["rows"].push_back(to_json(row));
    }
    if (s.bulk_job) j["bulk_job"] = to_json(*s.bulk_job);
    return j;
}

nlohmann::json to_json(const issuance::BulkZipProgress& p) {
    nlohmann::json j = {{"batch_id", p.batch_id},
                        {"state", store::to_string(p.state)},
                        {"legacy", p.legacy},
                        {"done", p.done},
                        {"total", p.total}};
    if (p.eta_seconds) j["eta_seconds"] = *p.eta_seconds;
    if (p.state == store::BulkJobState::Failed) {
        j["error"] = {{"code", p.error_code}, {"message", p.error_message}};
    }
    return j;
}

nlohmann::json to_json(const issuance::RowState& row) {
    nlohmann::json jr = {{"row_id", row.row_id},
                         {"line", row.line},
                         {"subject", row.subject_dn},
                         {"profile_id", row.profile_id},
                         {"status", issuance::to_string(row.status)},
                         {"failed_pin_attempts", row.failed_pin_attempts},
                         {"urls_expire_at", row.urls_expire_at}};
    if (row.serial) jr["serial"] = *row.serial;  // decimal, as request files and mails use it
    if (row.serial_hex) jr["serial_hex"] = *row.serial_hex;
    if (row.downloaded_at) jr["downloaded_at"] = *row.downloaded_at;
    if (row.renews_serial) jr["renews_serial"] = *row.renews_serial;
    return jr;
}

nlohmann::json to_json(const issuance::PinPage& page) {
    nlohmann::json j = {{"batch_id", page.batch_id},
                        {"download_type", to_string(page.download_type)},
                        {"entries", nlohmann::json::array()}};
    for (const auto& e : page.entries) {
        j["entries"].push_back({{"row_id", e.row_id},
                                {"name", e.name},
                                {"mail", e.mail},
                                {"subject", e.subject_dn},
                                {"pin", e.pin.str()}});
    }
    if (page.download_type == policy::DownloadType::P12Bulk) {
        j["tsv"] = issuance::pin_page_tsv(page).str();
    }
    return j;
}

}  // namespace inkan::api
