#include "appliance/audited.h"

#include "common/openssl_ptr.h"
#include "pki/name.h"

namespace inkan::appliance {
namespace {

using nlohmann::json;

json who_fields(const api::OperatorIdentity& who) {
    return {{"operator", who.name}, {"institution", who.institution}};
}

json row_fields(const api::OperatorIdentity& who, const std::string& batch_id, int64_t row) {
    json fields = who_fields(who);
    fields["batch_id"] = batch_id;
    fields["row"] = row;
    return fields;
}

json file_fields(const issuance::DownloadedFile& f) {
    return {{"file", f.file_name}, {"serial", f.serial}, {"serial_hex", f.serial_hex}};
}

// The look-up filters given, by name.
json filters_of(const api::CertificateQuery& q) {
    json filters = json::object();
    const std::pair<const char*, const std::optional<std::string>*> given[] = {
        {"subject", &q.subject},
        {"subject_contains", &q.subject_contains},
        {"mail", &q.mail},
        {"serial", &q.serial},
        {"status", &q.status}};
    for (const auto& [name, value] : given) {
        if (*value) filters[name] = **value;
    }
    return filters;
}

}  // namespace

void record_outcome(AuditLog& log, const std::string& event, const json& fields,
                    const Error* error) {
    try {
        log.record(event, fields);
        if (error && error->category() == ErrorCategory::HsmUnavailable) {
            log.record("hsm_error",
                       {{"during", event}, {"code", error->code()}, {"cause", error->what()}});
        }
    } catch (const std::exception& e) {
        std::cerr << "inkan: the outcome of '" << event
                  << "' is not in the audit trail (its started record is): " << e.what()
                  << std::endl;
    }
}

api::OperatorIdentity AuditedAuthority::authenticate_operator(X509* cert) {
    try {
        return inner_.authenticate_operator(cert);
    } catch (const Error& e) {
        json fields = {{"outcome", "refused"},
                       {"code", e.code()},
                       {"subject", pki::name_to_string(X509_get_subject_name(cert))}};
        if (!api::current_client_address().empty())
            fields["client"] = api::current_client_address();
        log_.record("operator_authentication", fields);
        throw;
    }
}

api::CertificateView AuditedAuthority::issue_from_csr(const api::OperatorIdentity& who,
                                                      ByteView csr, int profile_id) {
    json fields = who_fields(who);
    fields["profile"] = profile_id;
    return audited(
        log_, "certificate_from_csr", fields,
        [&] { return inner_.issue_from_csr(who, csr, profile_id); },
        [](const api::CertificateView& v) {
            return json{
                {"serial", v.serial_dec}, {"serial_hex", v.serial_hex}, {"subject", v.subject}};
        });
}

// Who looked up which subscribers: the filters as given, and how many matched.

api::CertificatePage AuditedAuthority::list_certificates(const api::OperatorIdentity& who,
                                                         const api::CertificateQuery& q) {
    json fields = who_fields(who);
    fields["filters"] = filters_of(q);
    fields["limit"] = q.limit;
    fields["offset"] = q.offset;
    return audited(
        log_, "certificate_lookup", fields, [&] { return inner_.list_certificates(who, q); },
        [](const api::CertificatePage& p) {
            return json{{"total", p.total}, {"returned", p.certificates.size()}};
        });
}

issuance::BatchResult AuditedDesk::submit(const api::OperatorIdentity& who, std::string_view file,
                                          policy::Action action, policy::ErrorMode mode) {
    json fields = who_fields(who);
    fields["action"] = policy::to_string(action);
    fields["on_error"] = policy::to_string(mode);
    fields["bytes"] = file.size();
    return audited(
        log_, "request_file", fields, [&] { return inner_.submit(who, file, action, mode); },
        [](const issuance::BatchResult& r) {
            return json{{"status", r.status},
                        {"batch_id", r.batch_id.value_or("")},
                        {"accepted_rows", r.rows.size()},
                        {"revoked", r.revoked.size()},
                        {"rejected_rows", r.report.value("rejected", json::array()).size()}};
        });
}

issuance::RevocationResult AuditedDesk::revoke_by_mail(const api::OperatorIdentity& who,
                                                       const std::string& mail, int reason,
                                                       const std::string& comment) {
    json fields = who_fields(who);
    fields["reason"] = reason;
    return audited(
        log_, "revocation_by_mail", fields,
        [&] { return inner_.revoke_by_mail(who, mail, reason, comment); },
        [](const issuance::RevocationResult& r) {
            json serials = json::array();
            for (const auto& x : r.revoked) serials.push_back(x.serial);
            return json{{"batch_id", r.batch_id}, {"revoked", serials}};
        });
}

// An RA operator's care of a row: who, which row, the outcome; never a token.
issuance::RowState AuditedDesk::unlock_row(const api::OperatorIdentity& who, const std::string& id,
                                           int64_t row) {
    return audited(
        log_, "row_unlocked", row_fields(who, id, row),
        [&] { return inner_.unlock_row(who, id, row); },
        [](const issuance::RowState& r) {
            return json{{"status", issuance::to_string(r.status)}};
        });
}

issuance::BatchResult AuditedDesk::resend_urls(const api::OperatorIdentity& who,
                                               const std::string& id, int64_t row) {
    return audited(
        log_, "urls_resent", row_fields(who, id, row),
        [&] { return inner_.resend_urls(who, id, row); },
        [](const issuance::BatchResult& r) {
            json rows = json::array();
            for (const auto& x : r.rows) rows.push_back(x.row_id);
            return json{{"rows", rows}, {"urls_expire_at", r.urls_expire_at}};
        });
}

json AuditedDesk::url_fields(const std::string& token, json fields) const {
    if (auto owner = locate_ ? locate_(token) : std::nullopt) {
        fields["batch_id"] = owner->batch_id;
        if (owner->row) fields["row"] = *owner->row;
    }
    return fields;
}

issuance::PinPage AuditedDesk::view_pins(const std::string& token) {
    return audited(
        log_, "pin_page", url_fields(token, json::object()),
        [&] { return inner_.view_pins(token); },
        [](const issuance::PinPage& p) {
            return json{{"batch_id", p.batch_id}, {"rows", p.entries.size()}};
        });
}

issuance::DownloadedFile AuditedDesk::download_p12(const std::string& token,
                                                   const SecretString& pin,
                                                   const issuance::P12Choice& choice) {
    return audited(
        log_, "p12_download", url_fields(token, {{"legacy", choice.legacy}}),
        [&] { return inner_.download_p12(token, pin, choice); }, file_fields);
}

// A ZIP request: "ok" with the job's state (queued, running: a 202; ready: the
// ZIP is sent); zip_delivered once all of it was sent (the rows downloaded).
issuance::BulkZip AuditedDesk::download_bulk_zip(const std::string& token, bool legacy) {
    return audited(
        log_, "zip_download", url_fields(token, {{"legacy", legacy}}),
        [&] { return inner_.download_bulk_zip(token, legacy); },
        [](const issuance::BulkZip& z) {
            return json{{"batch_id", z.progress.batch_id},
                        {"job", store::to_string(z.progress.state)},
                        {"done", z.progress.done},
                        {"total", z.progress.total}};
        });
}

void AuditedDesk::bulk_zip_delivered(const std::string& token) {
    audited(
        log_, "zip_delivered", url_fields(token, json::object()),
        [&] {
            inner_.bulk_zip_delivered(token);
            return true;
        },
        [](bool) { return json::object(); });
}

issuance::EnrolledCertificate AuditedDesk::enroll_browser(const std::string& token,
                                                          const SecretString& pin,
                                                          const issuance::BrowserRequest& request) {
    json fields = url_fields(token, {{"request", request.spkac ? "spkac" : "pkcs10"}});
    return audited(
        log_, "browser_enrollment", fields,
        [&] { return inner_.enroll_browser(token, pin, request); },
        [](const issuance::EnrolledCertificate& c) {
            return json{{"serial", c.serial}, {"serial_hex", c.serial_hex}};
        });
}

std::unique_ptr<api::ExportArchive> AuditedReports::export_certificates(
    const api::OperatorIdentity& who, const api::CertificateQuery& q,
    api::ExportEncoding encoding) {
    json fields = who_fields(who);
    fields["filters"] = filters_of(q);
    fields["encoding"] = encoding == api::ExportEncoding::Utf8 ? "utf-8" : "shift_jis";
    return audited(
        log_, "certificate_export", fields,
        [&] { return inner_.export_certificates(who, q, encoding); },
        [](const std::unique_ptr<api::ExportArchive>& a) {
            return json{{"certificates", a->certificates()}};
        });
}

void AuditedCrlStore::insert(const store::CrlRecord& record) {
    log_.record("crl_published", {{"number", record.number},
                                  {"this_update", record.this_update},
                                  {"next_update", record.next_update},
                                  {"revoked", record.revoked_count}});
    inner_.insert(record);
}

}  // namespace inkan::appliance
