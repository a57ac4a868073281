#include "appliance/operator_authority.h"

#include <algorithm>

#include "common/error.h"
#include "policy/findings.h"
#include "policy/institution_rules.h"
#include "policy/subject_dn.h"
#include "pki/csr.h"
#include "pki/encoding.h"
#include "pki/name.h"
#include "pki/profile.h"
#include "pki/serial.h"
#include "store/database.h"

namespace inkan::appliance {
namespace {

[[noreturn]] void refuse(const std::string& code, const std::string& message) {
    throw Error(ErrorCategory::Forbidden, code, message);
}

std::string serial_key_of(const std::string& serial) {
    Bytes bytes;
    if (serial.rfind("0x", 0) == 0 || serial.rfind("0X", 0) == 0) {
        bytes = pki::serial_from_hex(serial.substr(2));
    } else {
        bytes = pki::serial_from_decimal(serial);
    }
    return ca::serial_key(bytes);
}

// The CSR's subject, completed with the operator's institution (O) and C=JP
// when absent. An RA operator may only name its own institution in O (a
// service admin may name any).
pki::DistinguishedName completed_subject(X509_REQ* req, const api::OperatorIdentity& who) {
    auto dn = pki::name_attributes(X509_REQ_get_subject_name(req));
    auto has = [&](const char* type) {
        return std::any_of(dn.begin(), dn.end(), [&](const auto& a) { return a.type == type; });
    };
    for (const auto& a : dn) {
        if (a.type == "O" && a.value != who.institution && who.role != "service_admin") {
            throw Error(ErrorCategory::Forbidden, "institution_mismatch",
                        "the CSR subject's O must be your institution '" + who.institution + "'");
        }
    }
    if (!has("O")) {
        // DER order is C, ST, L, O, OU, CN: O goes after the last of C/ST/L.
        auto pos = std::find_if(dn.begin(), dn.end(), [](const auto& a) {
            return a.type != "C" && a.type != "ST" && a.type != "L";
        });
        dn.insert(pos, {"O", who.institution});
    }
    if (!has("C")) dn.insert(dn.begin(), {"C", "JP"});
    return dn;
}

[[noreturn]] void refuse_finding(const policy::Finding& f) {
    // Subject syntax (service codes below 400) is the caller's mistake; the
    // institution rules (4xx) are a refusal; an unreachable WHOIS is temporary.
    auto category = f.code == "whois_connection_failed" ? ErrorCategory::Unavailable
                    : f.service_code < 400              ? ErrorCategory::InvalidInput
                                                        : ErrorCategory::Forbidden;
    throw Error(category, f.code, f.message_en + " / " + f.message_ja);
}

// The same rules as a request-file row: subject DN syntax and order, then the
// institution's approved domains, approval expiry, WHOIS and registered ST/L.
void check_policy(const pki::DistinguishedName& subject, int profile_id, PolicyContext& policy) {
    X509NamePtr name = pki::build_name(subject);
    auto parsed = policy::parse_subject_dn(pki::name_to_request_form(name.get()), 1);
    if (!parsed.findings.empty()) refuse_finding(parsed.findings.front());
    policy::IssueRow row;
    row.line = 1;
    row.dn = *parsed.dn;
    row.profile_id = profile_id;
    auto context = policy.context();
    if (context.existing.has_valid_certificate_with_subject(row.dn.to_string())) {
        auto f = policy::make_finding("dn_duplicate", 1, 1);
        throw Error(ErrorCategory::Conflict, f.code, f.message_en + " / " + f.message_ja);
    }
    std::vector<policy::Finding> findings;
    if (!policy::check_institution_rules(row, {context.registry, context.whois, context.clock}, findings)) {
        refuse_finding(findings.front());
    }
}

}  // namespace

api::CertificateView to_view(const store::CertificateRecord& r) {
    api::CertificateView v;
    v.serial_hex = r.serial_hex;
    v.serial_dec = r.serial_dec;
    v.subject = r.subject;
    v.issuer = r.issuer;
    v.not_before = r.not_before;
    v.not_after = r.not_after;
    v.status = store::to_string(r.status);
    v.revoked_at = r.revoked_at;
    v.revocation_reason = r.revocation_reason;
    v.profile_id = r.profile_id;
    v.institution = r.institution.value_or("");
    v.requested_by = r.requested_by;
    auto cert = pki::parse_certificate(r.der);
    v.pem = pki::to_pem(cert.get());
    return v;
}

api::OperatorIdentity OperatorAuthority::authenticate_operator(X509* cert) {
    auto serial = ca::serial_key(pki::serial_of(cert));
    auto op = s_.operators->find_by_certificate(serial);
    if (!op) refuse("operator_unknown", "this client certificate belongs to no registered operator");
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
    return {op->name, op->institution, store::to_string(op->role), op->email, op->certificate_serial};
}

std::string OperatorAuthority::ca_certificate_pem() {
    return pki::to_pem(s_.ca_certificate.get());
}

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
                        " (S/MIME) is issued from request files (POST /api/v1/requests), which carry the mail address");
    }
    ca::IssueSpec spec;
    spec.subject = completed_subject(checked.request.get(), who);
    check_policy(spec.subject, profile_id, *s_.policy);
    std::string institution;
    for (const auto& a : spec.subject) {
        if (a.type == "O") institution = a.value;
    }
    spec.subject_public_key = checked.public_key.get();
    spec.profile = *profile;
    spec.kind = store::CertificateKind::Subscriber;
    spec.institution = institution;
    spec.requested_by = who.name;
    auto issued = s_.authority->issue(spec);
    return to_view(issued.record);
}

api::CertificateView OperatorAuthority::find_certificate(const api::OperatorIdentity& who,
                                                         const std::string& serial) {
    auto record = s_.certificates->find(serial_key_of(serial));
    if (!record || (who.role != "service_admin" && record->institution != who.institution)) {
        throw Error(ErrorCategory::NotFound, "certificate_not_found",
                    "no certificate with serial " + serial + " for your institution");
    }
    return to_view(*record);
}

}  // namespace inkan::appliance
