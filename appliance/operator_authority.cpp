#include "appliance/operator_authority.h"

#include <algorithm>

#include "common/error.h"
#include "issuance/row_subject.h"
#include "pki/csr.h"
#include "pki/encoding.h"
#include "pki/name.h"
#include "pki/profile.h"
#include "pki/serial.h"
#include "policy/findings.h"
#include "policy/subject_dn.h"
#include "store/database.h"

namespace inkan::appliance {
namespace {

[[noreturn]] void refuse(const std::string& code, const std::string& message) {
    throw Error(ErrorCategory::Forbidden, code, message);
}

// The CSR's subject as a checked DN: O must be the operator's institution
// (unless any_institution: a service admin); its RDNs must be one attribute each,
// of the types CN, OU, O, L, ST, C only, none but OU repeated; O (the operator's
// institution) and C=JP are added when absent; then the request-row DN rules.
// The certificate's subject is built from this checked DN, never copied from
// the CSR (issuance::row_subject).
policy::SubjectDn checked_subject(X509_REQ* req, const std::string& institution,
                                  bool any_institution) {
    std::vector<policy::Rdn> rdns;
    auto has = [&](std::string_view type) {
        return std::any_of(rdns.begin(), rdns.end(), [&](const policy::Rdn& rdn) {
            return std::any_of(rdn.begin(), rdn.end(),
                               [&](const auto& a) { return a.type == type; });
        });
    };
    for (const auto& rdn : pki::name_rdns(X509_REQ_get_subject_name(req))) {
        policy::Rdn r;
        for (const auto& a : rdn) r.push_back({a.type, a.value});
        rdns.push_back(std::move(r));
    }
    for (const auto& rdn : rdns) {
        for (const auto& a : rdn) {
            if (a.type == "O" && a.value != institution && !any_institution) {
                throw policy::to_error(
                    policy::make_finding("institution_mismatch", 1, 1,
                                         "O=" + a.value + ", your institution: " + institution));
            }
        }
    }
    if (!has("O")) rdns.push_back({{"O", institution}});
    if (!has("C")) rdns.push_back({{"C", "JP"}});
    auto parsed = policy::subject_dn_from_rdns(rdns, 1);
    if (!parsed.findings.empty()) throw policy::to_error(parsed.findings.front());
    return *parsed.dn;
}

store::Validity validity_of(const std::string& status) {
    if (status == "valid") return store::Validity::Valid;
    if (status == "revoked") return store::Validity::Revoked;
    if (status == "expired") return store::Validity::Expired;
    throw Error(ErrorCategory::InvalidInput, "status_invalid",
                "status must be valid, revoked or expired");
}

}  // namespace

store::CertificateQuery store_query(const api::OperatorIdentity& who,
                                    const api::CertificateQuery& q) {
    store::CertificateQuery sq;
    if (who.role != OperatorRole::ServiceAdmin) sq.institution = who.institution;
    sq.subject = q.subject;
    sq.subject_contains = q.subject_contains;
    sq.mail = q.mail;
    if (q.serial) sq.serial_hex = ca::serial_key_of_text(*q.serial);
    if (q.status) sq.validity = validity_of(*q.status);
    sq.now = store::unix_now();
    sq.limit = q.limit;
    sq.offset = q.offset;
    return sq;
}

api::CertificateView to_view(const store::CertificateRecord& r, int64_t now, bool with_pem) {
    api::CertificateView v;
    v.serial_hex = r.serial_hex;
    v.serial_dec = r.serial_dec;
    v.subject = r.subject;
    v.issuer = r.issuer;
    v.not_before = r.not_before;
    v.not_after = r.not_after;
    v.status = r.status == store::CertificateStatus::Revoked ? "revoked"
               : r.not_after <= now                          ? "expired"
                                                             : "valid";
    v.revoked_at = r.revoked_at;
    v.revocation_reason = r.revocation_reason;
    v.profile_id = r.profile_id;
    v.institution = r.institution.value_or("");
    v.requested_by = r.requested_by;
    if (r.row) {
        v.batch_id = r.row->batch_id;
        v.row = r.row->row_no;
    }
    v.delivery = store::to_string(r.delivery);
    if (with_pem) v.pem = pki::certificate_der_to_pem(r.der);
    return v;
}

api::OperatorIdentity OperatorAuthority::authenticate_operator(X509* cert) {
    auto serial = ca::serial_key(pki::serial_of(cert));
    auto op = s_.operators->find_by_certificate(serial);
    if (!op)
        refuse("operator_unknown", "this client certificate belongs to no registered operator");
    auto record = s_.certificates->find(serial);
    if (!record || record->der != pki::to_der(cert)) {
        refuse("operator_unknown", "this client certificate is not the one on record");
    }
    if (record->status == store::CertificateStatus::Revoked) {
        refuse("operator_revoked", "this operator certificate has been revoked");
    }
    if (record->not_after <= store::unix_now()) {
        refuse("operator_expired", "this operator certificate has expired");
    }
    return {op->name, op->institution, op->role, op->email, op->certificate_serial};
}

std::string OperatorAuthority::ca_certificate_pem() { return pki::to_pem(s_.ca_certificate.get()); }

api::CertificateView OperatorAuthority::issue_from_csr(const api::OperatorIdentity& who,
                                                       ByteView csr, int profile_id) {
    auto checked = pki::parse_and_check_csr(csr);
    auto profile = pki::find_profile(pki::default_profiles(), profile_id);
    if (!profile) {
        throw Error(ErrorCategory::InvalidInput, "profile_unknown",
                    "profile " + std::to_string(profile_id) + " is unknown or disabled");
    }
    if (profile->kind != pki::ProfileKind::ClientAuth) {
        // S/MIME needs the user's mail address (request-file column 14).
        throw Error(ErrorCategory::InvalidInput, "profile_requires_request_file",
                    "profile " + std::to_string(profile_id) +
                        " (S/MIME) is issued from request files (POST /api/v1/requests), which "
                        "carry the mail address");
    }
    // The same rules as a request-file row, at the moment of signing: subject DN,
    // the operator's own institution (a service admin may name any), approved
    // domain, approval expiry, WHOIS, registered ST/L; the duplicate-DN rule is
    // claimed atomically with the serial (store::SubjectClaim).
    policy::IssueRow row;
    row.line = 1;
    const bool any_institution = who.role == OperatorRole::ServiceAdmin;
    row.dn = checked_subject(checked.request.get(), who.institution, any_institution);
    row.profile_id = profile_id;
    s_.gate->check({row, any_institution ? std::string() : who.institution, who.name});
    ca::IssueSpec spec;
    spec.subject = issuance::row_subject(row.dn);
    spec.claim_subject = true;
    spec.subject_public_key = checked.public_key.get();
    spec.subject_public_key_info = checked.public_key_info();
    spec.profile = *profile;
    spec.kind = store::CertificateKind::Subscriber;
    spec.institution = row.dn.o;
    spec.requested_by = who.name;
    auto issued = s_.authority->issue(spec);
    return to_view(issued.record, store::unix_now());
}

api::CertificateView OperatorAuthority::find_certificate(const api::OperatorIdentity& who,
                                                         const std::string& serial) {
    auto record = s_.certificates->find(ca::serial_key_of_text(serial));
    if (!record ||
        (who.role != OperatorRole::ServiceAdmin && record->institution != who.institution)) {
        throw Error(ErrorCategory::NotFound, "certificate_not_found",
                    "no certificate with serial " + serial + " for your institution");
    }
    return to_view(*record, store::unix_now());
}

api::CertificatePage OperatorAuthority::list_certificates(const api::OperatorIdentity& who,
                                                          const api::CertificateQuery& q) {
    if (q.limit == 0 || q.limit > api::CertificateQuery::kMaxLimit) {
        throw Error(ErrorCategory::InvalidInput, "limit_invalid",
                    "limit must be from 1 to " + std::to_string(api::CertificateQuery::kMaxLimit));
    }
    auto sq = store_query(who, q);
    auto found = s_.certificates->search_subscribers(sq);
    api::CertificatePage page{{}, found.total, q.limit, q.offset};
    for (const auto& m : found.matches) {
        auto v = to_view(m.record, sq.now, false);
        if (m.mail && !m.mail->empty()) v.mail = m.mail;
        page.certificates.push_back(std::move(v));
    }
    return page;
}

}  // namespace inkan::appliance
