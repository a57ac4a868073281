// Certificate issuance with lint-then-sign (style rules 8 and 9).
//
//   CertificateIssuer issuer(signer, ca_cert, options);   // checks key match, CA, keyUsage
//   PreparedCertificate p = issuer.prepare(request);       // builds and lints the TBS
//   store.record(p.serial(), p.tbs_der());                 // (caller) record before signing
//   IssuedCertificate c = issuer.issue(std::move(p));      // signs exactly that TBS, verifies
//
// Each key is decoded once (issue 12): from a CSR, its SubjectPublicKeyInfo is
// copied into the certificate as received and the SKI hashed from its bit string;
// the signature is checked over the TBS bytes and set on the certificate in
// memory, which is returned without parsing its DER back.
//
// Validity (RFC 5280 4.1.2.5): a notAfter derived from the profile is capped at the
// issuer's notAfter; an explicit notAfter beyond it is refused (lint_validity_beyond_issuer).
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "pki/asn1_time.h"
#include "pki/crl.h"
#include "pki/name.h"
#include "pki/profile.h"
#include "pki/signer.h"

namespace inkan::pki {

struct IssuerOptions {
    std::string crl_url;         // CRL distribution point; if set, required in every certificate
    std::string ocsp_url;        // AIA OCSP; if set, required in every certificate
    std::string ca_issuers_url;  // AIA caIssuers (optional)
    std::vector<std::string> policy_oids;  // certificatePolicies (optional)
    int max_validity_days = 0;             // 0: only the issuer's notAfter limits
};

struct IssuanceRequest {
    DistinguishedName subject;               // in DER order, see pki/name.h
    EVP_PKEY* subject_public_key = nullptr;  // borrowed; read only during prepare()
    // Borrowed, optional: the key as the subscriber sent it (a CSR's). When set it
    // is copied into the certificate as is, subject_public_key may be null (it is
    // then this key's decoded form), and the issued X509 carries only the encoding
    // (X509_get0_pubkey on it is null). Without it the key is encoded once.
    const X509_PUBKEY* subject_public_key_info = nullptr;
    Bytes serial;  // big-endian, from generate_serial()
    TimePoint not_before;
    std::optional<TimePoint> not_after;  // default: not_before + profile validity - 1 s
    CertificateProfile profile;
    std::vector<std::string> email_addresses;  // SAN rfc822Name (required for S/MIME)
    std::vector<std::string> dns_names;        // SAN dNSName (TLS server)
    std::vector<std::string> ip_addresses;     // SAN iPAddress (TLS server)
};

class CertificateIssuer;

// A built and linted TBSCertificate, signable once, by the issuer that prepared it.
class PreparedCertificate {
  public:
    PreparedCertificate(PreparedCertificate&& other) noexcept;
    PreparedCertificate& operator=(PreparedCertificate&& other) noexcept;
    PreparedCertificate(const PreparedCertificate&) = delete;
    PreparedCertificate& operator=(const PreparedCertificate&) = delete;

    const Bytes& tbs_der() const { return tbs_der_; }  // exactly what will be signed
    const Bytes& serial() const { return serial_; }
    TimePoint not_before() const { return not_before_; }
    TimePoint not_after() const { return not_after_; }
    bool consumed() const { return issuer_ == nullptr; }

  private:
    friend class CertificateIssuer;
    PreparedCertificate(const CertificateIssuer* issuer, X509Ptr certificate, Bytes tbs_der,
                        Bytes serial, TimePoint not_before, TimePoint not_after);
    const CertificateIssuer* issuer_;
    X509Ptr certificate_;  // encodes to tbs_der_; not inspected before it is signed
    Bytes tbs_der_;
    Bytes serial_;
    TimePoint not_before_;
    TimePoint not_after_;
};

struct IssuedCertificate {
    X509Ptr certificate;  // without a decoded key when issued from a SubjectPublicKeyInfo
    Bytes der;
};

class CertificateIssuer {
  public:
    // Throws Error(InvalidInput): issuer_key_mismatch, issuer_not_ca, issuer_key_usage
    // (see check_issuing_ca_cert), or signer_algorithm_mismatch. The signer must outlive
    // the issuer; the certificate is copied (reference counted).
    CertificateIssuer(Signer& signer, const X509* issuer_certificate, IssuerOptions options);

    // Builds and lints; throws Error(InvalidInput, "lint_..."), bad_name, bad_san,
    // profile_disabled. Does not sign.
    PreparedCertificate prepare(const IssuanceRequest& request) const;

    // Signs exactly prepared.tbs_der() and verifies the signature (with the
    // signer's public key, held in memory, over those bytes). Throws
    // Error(Internal, "prepared_certificate_invalid") for a consumed or foreign token.
    IssuedCertificate issue(PreparedCertificate&& prepared);

    // A CRL for this issuer (see pki/crl.h).
    X509CrlPtr issue_crl(const CrlContents& contents);

    const X509* certificate() const { return certificate_.get(); }
    const IssuerOptions& options() const { return options_; }

  private:
    Signer& signer_;
    X509Ptr certificate_;
    IssuerOptions options_;
};

// Accepts an issuing-CA certificate only if its key is the signer's key, it is a CA
// (basicConstraints CA:TRUE) and its keyUsage allows keyCertSign and cRLSign.
// Throws Error(InvalidInput) issuer_key_mismatch / issuer_not_ca / issuer_key_usage.
void check_issuing_ca_cert(const X509* certificate, const Signer& signer);

}  // namespace inkan::pki
