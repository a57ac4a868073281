// Certificate retrieval: P12 individual, P12 bulk ZIP, browser enrollment. The
// certificate is signed here, at download time; the row was approved at submit.
#include <set>

#include "common/error.h"
#include "hsm/session_key.h"
#include "issuance/issuance_service.h"
#include "issuance/row_subject.h"
#include "issuance/service_impl.h"
#include "issuance/undelivered.h"
#include "pki/csr.h"
#include "pki/encoding.h"
#include "pki/pkcs12.h"
#include "pki/serial.h"
#include "policy/revocation_file.h"

namespace inkan::issuance {
namespace {

pki::Pkcs12Options p12_options(const IssuanceConfig& config, bool legacy) {
    pki::Pkcs12Options o = config.p12_options;
    if (legacy) o.encryption = pki::Pkcs12Encryption::LegacyTripleDesSha1;
    return o;
}

std::string common_name(const std::string& dn) {
    auto subject = row_subject(dn);
    return subject.back().value;
}

// The revocation request for the certificate a renewal replaced (reason 4
// superseded), to the same subscriber admin and user mails as the renewal row.
std::string replaced_certificate_revocation(const store::CertificateRecord& old,
                                            const store::BatchRowRecord& row,
                                            const std::string& new_serial_dec) {
    policy::DnParseResult dn = policy::parse_subject_dn(old.subject, 1);
    if (!dn.dn) {
        throw Error(ErrorCategory::Internal, "renewed_subject_unreadable",
                    "the subject of certificate " + old.serial_dec + " does not parse");
    }
    policy::RevokeRow revoke;
    revoke.line = 1;
    revoke.dn = std::move(*dn.dn);
    revoke.serial = old.serial_dec;
    revoke.reason = policy::RevocationReason::Superseded;
    revoke.comment = "証明書更新のため失効 (新しい証明書のシリアル番号 " + new_serial_dec + ")";
    revoke.admin_mail = row.admin_mail;
    revoke.user_mail = row.user_mail;
    return policy::write_revocation_file({revoke});
}

}  // namespace

void require_download_type(int actual, policy::DownloadType expected, const char* what) {
    if (actual != static_cast<int>(expected)) {
        throw Error(ErrorCategory::InvalidInput, "wrong_download_type",
                    std::string("this URL is not for a ") + what + " download");
    }
}

RowClaim::RowClaim(IssuanceService::Impl& impl, std::string batch_id, int64_t row_no)
    : impl_(impl), key_(std::move(batch_id), row_no) {
    std::lock_guard lock(impl_.claims_mutex);
    if (!impl_.claims.insert(key_).second) {
        throw Error(ErrorCategory::Conflict, "download_in_progress",
                    "this certificate is being issued by another request");
    }
}

RowClaim::~RowClaim() {
    std::lock_guard lock(impl_.claims_mutex);
    impl_.claims.erase(key_);
}

pki::CertificateProfile IssuanceService::Impl::profile_of(const store::BatchRowRecord& row) const {
    auto profile = pki::find_profile(config.profiles, row.profile_id);
    if (!profile) {
        throw Error(ErrorCategory::InvalidInput, "profile_disabled",
                    "certificate profile " + std::to_string(row.profile_id) + " is not enabled");
    }
    return *profile;
}

ca::IssueSpec IssuanceService::Impl::issue_spec(const store::BatchRecord& batch,
                                                const store::BatchRowRecord& row,
                                                EVP_PKEY* public_key) const {
    ca::IssueSpec spec;
    spec.subject = row_subject(row.subject_dn);
    spec.subject_public_key = public_key;
    spec.profile = profile_of(row);
    spec.kind = store::CertificateKind::Subscriber;
    spec.institution = batch.institution;
    spec.requested_by = batch.operator_name;
    spec.claim_subject = true;
    spec.row = store::RowRef{batch.id, row.row_no};
    spec.replaces_serial_hex = row.renews_serial_hex;
    if (spec.profile.kind == pki::ProfileKind::SMime) {
        // The mailbox the upload's policy checked (policy::certificate_mail).
        auto mail = policy::certificate_mail(issue_row_of(row));
        if (mail) spec.email_addresses.push_back(*mail);
    }
    return spec;
}

void IssuanceService::Impl::recheck(const store::BatchRecord& batch,
                                    const store::BatchRowRecord& row) {
    gate.check(SigningRequest{issue_row_of(row), batch.institution, batch.operator_name});
}

store::NotificationRecord IssuanceService::Impl::download_notification(
    const store::BatchRecord& batch, const store::BatchRowRecord& row,
    const std::string& serial_hex) const {
    store::NotificationRecord n;
    n.type = "download_completed";
    n.batch_id = batch.id;
    n.row_no = row.row_no;
    n.recipient = batch.operator_email;
    n.serial_hex = serial_hex;
    n.serial_dec = pki::serial_to_decimal(pki::serial_from_hex(serial_hex));
    n.subject = row.subject_dn;
    n.created_at = now();
    if (row.renews_serial_hex) {
        auto old = authority.certificates().find(*row.renews_serial_hex);
        if (!old) {
            throw Error(ErrorCategory::Internal, "renewed_certificate_missing",
                        "the certificate renewed by row " + std::to_string(row.row_no) +
                            " is not in the store");
        }
        n.old_serial_hex = old->serial_hex;
        n.old_serial_dec = old->serial_dec;
        const bool still_valid =
            old->status == store::CertificateStatus::Valid && old->not_after > n.created_at;
        if (still_valid) n.attachment = replaced_certificate_revocation(*old, row, *n.serial_dec);
    }
    return n;
}

IssuedP12 IssuanceService::Impl::issue_p12(const store::BatchRecord& batch,
                                           const store::BatchRowRecord& row,
                                           const SecretString& password, bool legacy,
                                           UndeliveredCertificates& undelivered) {
    (void)profile_of(row);  // fail before making a key
    std::optional<hsm::SessionKeyPair> pooled = key_pool ? key_pool->take() : std::nullopt;
    hsm::SessionKeyPair pair =
        pooled ? std::move(*pooled) : hsm::generate_session_key_pair(token, p12_key_algorithm);
    if (config.on_session_key) config.on_session_key(pair);
    EvpPkeyPtr key = pair.export_and_destroy();
    ca::IssueResult issued = [&] {
        ca::IssueSpec spec = issue_spec(batch, row, key.get());
        return authority.issue(spec);
    }();
    undelivered.add(issued.record.serial_hex);
    if (config.on_certificate_signed) config.on_certificate_signed(issued.record.serial_hex);
    IssuedP12 out;
    out.serial_hex = issued.record.serial_hex;
    out.serial_dec = issued.record.serial_dec;
    out.p12 = pki::build_pkcs12(key.get(), issued.certificate.get(), {authority.ca_certificate()},
                                password, common_name(row.subject_dn), p12_options(config, legacy));
    return out;
}

std::string p12_file_name(const store::BatchRowRecord& row, const std::string& serial_dec) {
    return (row.p12_file_name.empty() ? serial_dec : row.p12_file_name) + ".p12";
}

DownloadedFile IssuanceService::download_p12(const std::string& retrieval_token,
                                             const SecretString& pin, const P12Choice& choice) {
    Impl& m = *impl_;
    store::UrlRecord url = m.open_url(retrieval_token, "retrieval");
    store::BatchRecord batch = m.batch_of(url);
    require_download_type(batch.download_type, policy::DownloadType::P12Individual,
                          "P12 individual");
    RowClaim claim(m, batch.id, url.row_no.value_or(0));
    store::BatchRowRecord row = m.row_of(url);  // read after the claim: current status
    m.check_row_and_pin(row, pin);
    if (choice.password && choice.password->empty()) {
        throw Error(ErrorCategory::InvalidInput, "p12_password_empty",
                    "the chosen P12 password is empty");
    }
    m.recheck(batch, row);
    UndeliveredCertificates undelivered(m.authority.certificates(), m.now);
    IssuedP12 issued = m.issue_p12(batch, row, choice.password ? *choice.password : pin,
                                   choice.legacy, undelivered);
    m.batches.record_downloads(batch.id, {{row.row_no, issued.serial_hex}},
                               {m.download_notification(batch, row, issued.serial_hex)}, m.now());
    undelivered.delivered();
    return {p12_file_name(row, issued.serial_dec), std::move(issued.p12), issued.serial_hex,
            issued.serial_dec};
}

EnrolledCertificate IssuanceService::enroll_browser(const std::string& retrieval_token,
                                                    const SecretString& pin,
                                                    const BrowserRequest& request) {
    Impl& m = *impl_;
    store::UrlRecord url = m.open_url(retrieval_token, "retrieval");
    store::BatchRecord batch = m.batch_of(url);
    require_download_type(batch.download_type, policy::DownloadType::Browser, "browser");
    RowClaim claim(m, batch.id, url.row_no.value_or(0));
    store::BatchRowRecord row = m.row_of(url);
    m.check_row_and_pin(row, pin);

    EvpPkeyPtr key;
    pki::CheckedCsr csr;  // keeps the request's SubjectPublicKeyInfo for the certificate
    if (request.csr) {
        csr = pki::parse_and_check_csr(*request.csr);
        key = std::move(csr.public_key);
    } else if (request.spkac) {
        key = std::move(pki::parse_and_check_spkac(*request.spkac).public_key);
    } else {
        throw Error(ErrorCategory::InvalidInput, "csr_missing",
                    "no certificate request (PKCS#10 or SPKAC) given");
    }
    m.recheck(batch, row);
    ca::IssueSpec spec = m.issue_spec(batch, row, key.get());
    if (csr.request) spec.subject_public_key_info = csr.public_key_info();
    UndeliveredCertificates undelivered(m.authority.certificates(), m.now);
    ca::IssueResult issued = m.authority.issue(spec);
    undelivered.add(issued.record.serial_hex);
    if (m.config.on_certificate_signed) m.config.on_certificate_signed(issued.record.serial_hex);
    EnrolledCertificate out;
    out.serial_hex = issued.record.serial_hex;
    out.serial = issued.record.serial_dec;
    out.certificate_pem = pki::to_pem(issued.certificate.get());
    out.certificate_der = pki::to_der(issued.certificate.get());
    std::vector<const X509*> chain{issued.certificate.get(), m.authority.ca_certificate()};
    out.pkcs7_der = pki::pkcs7_certs_only_der(chain);
    out.pkcs7_pem = pki::pkcs7_certs_only_pem(chain);
    m.batches.record_downloads(batch.id, {{row.row_no, issued.record.serial_hex}},
                               {m.download_notification(batch, row, issued.record.serial_hex)},
                               m.now());
    undelivered.delivered();
    return out;
}

}  // namespace inkan::issuance
