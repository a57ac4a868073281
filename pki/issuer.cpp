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
                    const IssuerOptions& options, const EVP_PKEY* key) {
    std::vector<KeyUsageBit> usage{kDigitalSignature};
    if (is_rsa_key(key)) usage.push_back(kKeyEncipherment);
    add(cert, basic_constraints_extension(false, std::nullopt));
    add(cert, key_usage_extension(usage));
    add(cert, extended_key_usage_extension({purpose_nid(request.profile.kind)}));
    add(cert, subject_key_identifier_extension(key_identifier_of(X509_get0_pubkey_bitstr(cert))));
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

ASN1_OBJECT* dup_object(const ASN1_OBJECT* obj) {
    ASN1_OBJECT* copy = OBJ_dup(obj);
    if (!copy) openssl_fail("OBJ_dup failed");
    return copy;
}

// The SubjectPublicKeyInfo copied as encoded (algorithm, parameters, key bits):
// no key encoder or decoder runs. Parameters: a named curve or NULL (the key
// policy admits RSA and named-curve EC keys only).
void copy_public_key(X509* cert, const X509_PUBKEY* from) {
    ASN1_OBJECT* key_oid = nullptr;
    const unsigned char* bits = nullptr;
    int bits_len = 0;
    X509_ALGOR* algorithm = nullptr;
    if (X509_PUBKEY_get0_param(&key_oid, &bits, &bits_len, &algorithm, from) != 1 || bits_len <= 0)
        openssl_fail("cannot read the SubjectPublicKeyInfo");
    const ASN1_OBJECT* oid = nullptr;
    int param_type = V_ASN1_UNDEF;
    const void* param = nullptr;
    X509_ALGOR_get0(&oid, &param_type, &param, algorithm);
    void* param_copy = nullptr;
    if (param_type == V_ASN1_OBJECT) {
        param_copy = dup_object(static_cast<const ASN1_OBJECT*>(param));
    } else if (param_type != V_ASN1_NULL && param_type != V_ASN1_UNDEF) {
        throw Error(ErrorCategory::InvalidInput, "lint_key_unsupported",
                    "key parameters other than a named curve");
    }
    Asn1ObjectPtr oid_copy(dup_object(oid));
    auto* bits_copy =
        static_cast<unsigned char*>(OPENSSL_memdup(bits, static_cast<size_t>(bits_len)));
    if (!bits_copy || X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), oid_copy.get(), param_type,
                                             param_copy, bits_copy, bits_len) != 1) {
        OPENSSL_free(bits_copy);
        if (param_type == V_ASN1_OBJECT) ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(param_copy));
        openssl_fail("cannot set the SubjectPublicKeyInfo");
    }
    (void)oid_copy.release();  // owned by the certificate now
}

struct Validity {
    TimePoint not_before;
    TimePoint not_after;
};

// The unsigned certificate: fields, key (copied from `spki`, or encoded from
// `key` when there is none), extensions, signature algorithm.
X509Ptr build_certificate(const IssuanceRequest& request, const X509* issuer,
                          const IssuerOptions& options, SignatureAlgorithm algorithm,
                          const Validity& validity, const X509_PUBKEY* spki, EVP_PKEY* key) {
    X509Ptr cert(X509_new());
    if (!cert) openssl_fail("X509_new failed");
    X509NamePtr subject = build_name(request.subject);
    Asn1IntegerPtr serial = serial_to_asn1(request.serial);
    Asn1TimePtr nb = to_asn1_time(validity.not_before);
    Asn1TimePtr na = to_asn1_time(validity.not_after);
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
        X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1 ||
        X509_set_subject_name(cert.get(), subject.get()) != 1 ||
        X509_set1_notBefore(cert.get(), nb.get()) != 1 ||
        X509_set1_notAfter(cert.get(), na.get()) != 1)
        openssl_fail("cannot fill certificate fields");
    if (spki) {
        copy_public_key(cert.get(), spki);
    } else if (X509_set_pubkey(cert.get(), key) != 1) {
        openssl_fail("cannot set the certificate's key");
    }
    add_extensions(cert.get(), issuer, request, options, key);
    set_signature_algorithm(cert.get(), algorithm);
    return cert;
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

PreparedCertificate::PreparedCertificate(const CertificateIssuer* issuer, X509Ptr certificate,
                                         Bytes tbs_der, Bytes serial, TimePoint not_before,
                                         TimePoint not_after)
    : issuer_(issuer),
      certificate_(std::move(certificate)),
      tbs_der_(std::move(tbs_der)),
      serial_(std::move(serial)),
      not_before_(not_before),
      not_after_(not_after) {}

PreparedCertificate::PreparedCertificate(PreparedCertificate&& other) noexcept
    : issuer_(std::exchange(other.issuer_, nullptr)),
      certificate_(std::move(other.certificate_)),
      tbs_der_(std::move(other.tbs_der_)),
      serial_(std::move(other.serial_)),
      not_before_(other.not_before_),
      not_after_(other.not_after_) {}

PreparedCertificate& PreparedCertificate::operator=(PreparedCertificate&& other) noexcept {
    issuer_ = std::exchange(other.issuer_, nullptr);
    certificate_ = std::move(other.certificate_);
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
    const X509_PUBKEY* spki = request.subject_public_key_info;
    EVP_PKEY* key = spki ? X509_PUBKEY_get0(spki) : request.subject_public_key;
    if (!key || (spki && request.subject_public_key && request.subject_public_key != key))
        throw Error(ErrorCategory::InvalidInput, "lint_key_unsupported",
                    "no subject public key, or two that differ");
    if (request.serial.empty())
        throw Error(ErrorCategory::InvalidInput, "lint_serial_invalid", "no serial number");
    Validity validity{whole_seconds(request.not_before),
                      compute_not_after(request, certificate_.get())};

    // Two builds of the same certificate: linting fills OpenSSL's caches (the
    // certificate's SHA-1 among them) in the one it inspects, so the other, which
    // must encode to the same TBS bytes, is the one that gets signed. The second
    // copies the first one's key encoding, so the key is encoded at most once.
    X509Ptr cert = build_certificate(request, certificate_.get(), options_, signer_.algorithm(),
                                     validity, spki, key);
    X509Ptr checked = build_certificate(request, certificate_.get(), options_, signer_.algorithm(),
                                        validity, X509_get_X509_PUBKEY(cert.get()), key);
    LintRules rules{request.profile.kind, !options_.crl_url.empty(), !options_.ocsp_url.empty(),
                    options_.max_validity_days};
    lint_certificate(checked.get(), certificate_.get(), rules, key);
    Bytes tbs = encode_tbs(checked.get());
    if (encode_tbs(cert.get()) != tbs)
        throw Error(ErrorCategory::Internal, "certificate_encoding_mismatch",
                    "the certificate to be signed differs from the checked one");
    Bytes serial = serial_of(checked.get());
    return PreparedCertificate(this, std::move(cert), std::move(tbs), std::move(serial),
                               validity.not_before, validity.not_after);
}

IssuedCertificate CertificateIssuer::issue(PreparedCertificate&& prepared) {
    if (prepared.issuer_ != this)
        throw Error(ErrorCategory::Internal, "prepared_certificate_invalid",
                    "prepared certificate already issued or prepared by another issuer");
    PreparedCertificate consumed = std::move(prepared);
    Bytes der = sign_tbs_into(consumed.certificate_.get(), consumed.tbs_der_, signer_);
    return IssuedCertificate{std::move(consumed.certificate_), std::move(der)};
}

X509CrlPtr CertificateIssuer::issue_crl(const CrlContents& contents) {
    return build_crl(signer_, certificate_.get(), contents);
}

}  // namespace inkan::pki
