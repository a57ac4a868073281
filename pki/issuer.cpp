#include "pki/issuer.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <utility>

#include "common/error.h"
#include "pki/extensions.h"
#include "pki/key_policy.h"
#include "pki/lint.h"
#include "pki/serial.h"
#include "pki/tbs_signing.h"

namespace inkan::pki {

namespace {

void add(X509* cert, const X509ExtensionPtr& ext) {
    if (X509_add_ext(cert, ext.get(), -1) != 1) openssl_fail("X509_add_ext failed");
}

int purpose_nid(ProfileKind kind) {
    switch (kind) {
        case ProfileKind::ClientAuth:
            return NID_client_auth;
        case ProfileKind::SMime:
            return NID_email_protect;
        case ProfileKind::TlsServer:
            return NID_server_auth;
    }
    return NID_undef;
}

TimePoint compute_not_after(const IssuanceRequest& request, const X509* issuer) {
    if (request.not_after) return whole_seconds(*request.not_after);
    const CertificateProfile& p = request.profile;
    TimePoint end = add_months(whole_seconds(request.not_before), p.validity_months) +
                    std::chrono::days(p.validity_days) - std::chrono::seconds(1);
    return std::min(end, from_asn1_time(X509_get0_notAfter(issuer)));
}

void add_extensions(X509* cert, const X509* issuer, const IssuanceRequest& request,
                    const IssuerOptions& options) {
    std::vector<KeyUsageBit> usage{kDigitalSignature};
    if (is_rsa_key(request.subject_public_key)) usage.push_back(kKeyEncipherment);
    add(cert, basic_constraints_extension(false, std::nullopt));
    add(cert, key_usage_extension(usage));
    add(cert, extended_key_usage_extension({purpose_nid(request.profile.kind)}));
    add(cert, subject_key_identifier_extension(key_identifier_of(request.subject_public_key)));
    add(cert, authority_key_identifier_extension(key_identifier_of(issuer)));
    if (!options.crl_url.empty()) add(cert, crl_distribution_point_extension(options.crl_url));
    if (!options.ocsp_url.empty() || !options.ca_issuers_url.empty())
        add(cert, authority_info_access_extension(options.ocsp_url, options.ca_issuers_url));
    if (!options.policy_oids.empty())
        add(cert, certificate_policies_extension(options.policy_oids));
    if (!request.email_addresses.empty() || !request.dns_names.empty() ||
        !request.ip_addresses.empty())
        add(cert, subject_alt_name_extension(request.email_addresses, request.dns_names,
                                             request.ip_addresses));
}

}  // namespace

void check_issuing_ca_cert(const X509* certificate, const Signer& signer) {
    if (!certificate || EVP_PKEY_eq(X509_get0_pubkey(certificate), signer.public_key()) != 1)
        throw Error(ErrorCategory::InvalidInput, "issuer_key_mismatch",
                    "the CA certificate's public key is not the signing key");
    X509* cert = const_cast<X509*>(certificate);
    if (!(X509_get_extension_flags(cert) & EXFLAG_CA) || X509_check_ca(cert) != 1)
        throw Error(ErrorCategory::InvalidInput, "issuer_not_ca",
                    "the CA certificate lacks basicConstraints CA:TRUE");
    const uint32_t needed = KU_KEY_CERT_SIGN | KU_CRL_SIGN;
    if (!(X509_get_extension_flags(cert) & EXFLAG_KUSAGE) ||
        (X509_get_key_usage(cert) & needed) != needed)
        throw Error(ErrorCategory::InvalidInput, "issuer_key_usage",
                    "the CA certificate's keyUsage must allow keyCertSign and cRLSign");
}

PreparedCertificate::PreparedCertificate(const CertificateIssuer* issuer, Bytes tbs_der,
                                         Bytes serial, TimePoint not_before, TimePoint not_after)
    : issuer_(issuer),
      tbs_der_(std::move(tbs_der)),
      serial_(std::move(serial)),
      not_before_(not_before),
      not_after_(not_after) {}

PreparedCertificate::PreparedCertificate(PreparedCertificate&& other) noexcept
    : issuer_(std::exchange(other.issuer_, nullptr)),
      tbs_der_(std::move(other.tbs_der_)),
      serial_(std::move(other.serial_)),
      not_before_(other.not_before_),
      not_after_(other.not_after_) {}

PreparedCertificate& PreparedCertificate::operator=(PreparedCertificate&& other) noexcept {
    issuer_ = std::exchange(other.issuer_, nullptr);
    tbs_der_ = std::move(other.tbs_der_);
    serial_ = std::move(other.serial_);
    not_before_ = other.not_before_;
    not_after_ = other.not_after_;
    return *this;
}

CertificateIssuer::CertificateIssuer(Signer& signer, const X509* issuer_certificate,
                                     IssuerOptions options)
    : signer_(signer), options_(std::move(options)) {
    check_signer(signer_);
    check_issuing_ca_cert(issuer_certificate, signer_);
    X509_up_ref(const_cast<X509*>(issuer_certificate));
    certificate_.reset(const_cast<X509*>(issuer_certificate));
}

PreparedCertificate CertificateIssuer::prepare(const IssuanceRequest& request) const {
    if (!request.profile.enabled)
        throw Error(ErrorCategory::InvalidInput, "profile_disabled",
                    "the certificate profile is disabled");
    if (!request.subject_public_key)
        throw Error(ErrorCategory::InvalidInput, "lint_key_unsupported", "no subject public key");
    if (request.serial.empty())
        throw Error(ErrorCategory::InvalidInput, "lint_serial_invalid", "no serial number");
    TimePoint not_before = whole_seconds(request.not_before);
    TimePoint not_after = compute_not_after(request, certificate_.get());

    X509Ptr cert(X509_new());
    if (!cert) openssl_fail("X509_new failed");
    X509NamePtr subject = build_name(request.subject);
    Asn1IntegerPtr serial = serial_to_asn1(request.serial);
    Asn1TimePtr nb = to_asn1_time(not_before);
    Asn1TimePtr na = to_asn1_time(not_after);
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
        X509_set_issuer_name(cert.get(), X509_get_subject_name(certificate_.get())) != 1 ||
        X509_set_subject_name(cert.get(), subject.get()) != 1 ||
        X509_set1_notBefore(cert.get(), nb.get()) != 1 ||
        X509_set1_notAfter(cert.get(), na.get()) != 1 ||
        X509_set_pubkey(cert.get(), request.subject_public_key) != 1)
        openssl_fail("cannot fill certificate fields");
    add_extensions(cert.get(), certificate_.get(), request, options_);
    set_signature_algorithm(cert.get(), signer_.algorithm());

    LintRules rules{request.profile.kind, !options_.crl_url.empty(), !options_.ocsp_url.empty(),
                    options_.max_validity_days};
    lint_certificate(cert.get(), certificate_.get(), rules);
    return PreparedCertificate(this, encode_tbs(cert.get()), serial_of(cert.get()), not_before,
                               not_after);
}

IssuedCertificate CertificateIssuer::issue(PreparedCertificate&& prepared) {
    if (prepared.issuer_ != this)
        throw Error(ErrorCategory::Internal, "prepared_certificate_invalid",
                    "prepared certificate already issued or prepared by another issuer");
    PreparedCertificate consumed = std::move(prepared);
    X509Ptr cert = sign_tbs_certificate(consumed.tbs_der_, signer_);
    unsigned char* der = nullptr;
    int len = i2d_X509(cert.get(), &der);
    if (len <= 0) openssl_fail("cannot encode certificate");
    OpenSslBytes owned(der);
    return IssuedCertificate{std::move(cert), Bytes(der, der + len)};
}

X509CrlPtr CertificateIssuer::issue_crl(const CrlContents& contents) {
    return build_crl(signer_, certificate_.get(), contents);
}

}  // namespace inkan::pki
