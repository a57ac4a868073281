#include "appliance/operator_authority.h"

#include <algorithm>

#include "common/error.h"
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

// The CSR's subject, checked before anything is signed: a CN is required, C
// must be JP, and O must be the operator's institution (a service admin may
// issue for any institution named in O).
pki::DistinguishedName checked_subject(X509_REQ* req, const api::OperatorIdentity& who,
                                       std::string& institution) {
    auto dn = pki::name_attributes(X509_REQ_get_subject_name(req));
    auto value = [&](const char* type) -> std::optional<std::string> {
        for (const auto& a : dn) {
            if (a.type == type) return a.value;
        }
        return std::nullopt;
    };
    auto bad = [](const std::string& m) {
        throw Error(ErrorCategory::InvalidInput, "csr_subject_invalid", m);
    };
    if (!value("CN") || value("CN")->empty()) bad("the CSR subject needs a CN");
    if (value("C") && *value("C") != "JP") bad("the CSR subject's C must be JP");
    auto o = value("O");
    if (who.role != "service_admin") {
        if (o && *o != who.institution) {
            throw Error(ErrorCategory::Forbidden, "institution_mismatch",
                        "the CSR subject's O must be your institution '" + who.institution + "'");
        }
        institution = who.institution;
    } else {
        institution = o.value_or(who.institution);
    }
    if (!o) dn.insert(dn.begin() + (value("C") ? 1 : 0), {"O", institution});
    if (!value("C")) dn.insert(dn.begin(), {"C", "JP"});
    return dn;
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
    ca::IssueSpec spec;
    std::string institution;
    spec.subject = checked_subject(checked.request.get(), who, institution);
    spec.subject_public_key = checked.public_key.get();
    spec.profile = *profile;
    spec.kind = store::CertificateKind::Subscriber;
    spec.institution = institution;
    spec.requested_by = who.name;
    if (profile->kind == pki::ProfileKind::SMime) {
        for (const auto& a : spec.subject) {
            if (a.type == "emailAddress") spec.email_addresses.push_back(a.value);
        }
        if (spec.email_addresses.empty()) {
            throw Error(ErrorCategory::InvalidInput, "csr_email_missing",
                        "an S/MIME profile needs an emailAddress in the CSR subject");
        }
    }
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
