// The issuing core: serial from the HSM's RNG, reserved in the store before
// anything is signed, TBS built and linted by pki, signed through the Signer,
// stored. Every certificate Inkan issues goes through issue().
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pki/issuer.h"
#include "pki/profile.h"
#include "pki/signer.h"
#include "store/certificate_store.h"

namespace inkan::ca {

struct IssueSpec {
    pki::DistinguishedName subject;          // DER order (C first)
    EVP_PKEY* subject_public_key = nullptr;  // borrowed
    // Borrowed, optional: the key as received (a CSR's SubjectPublicKeyInfo),
    // copied into the certificate without re-encoding (pki::IssuanceRequest).
    const X509_PUBKEY* subject_public_key_info = nullptr;
    pki::CertificateProfile profile;
    store::CertificateKind kind = store::CertificateKind::Subscriber;
    std::optional<std::string> institution;
    std::string requested_by;
    std::vector<std::string> email_addresses;
    std::vector<std::string> dns_names;
    std::vector<std::string> ip_addresses;
    // Subscriber certificates claim their subject DN at reservation (duplicate-DN
    // rule, store::SubjectClaim): a claimed DN throws Error(Conflict, "dn_duplicate")
    // before anything is signed.
    bool claim_subject = false;
    // The request row it is issued for: stored with the certificate, which stays
    // Delivery::Pending until the row's download is recorded.
    std::optional<store::RowRef> row;
    // A renewal: the certificate it replaces does not count against the claim.
    std::optional<std::string> replaces_serial_hex;
};

struct IssueResult {
    X509Ptr certificate;  // no decoded key when issued from subject_public_key_info
    store::CertificateRecord record;
};

class CertificateAuthority {
  public:
    CertificateAuthority(pki::Signer& signer, const X509* ca_certificate,
                         pki::IssuerOptions options, pki::RandomSource& random,
                         store::CertificateStore& certificates);

    IssueResult issue(const IssueSpec& spec);

    const X509* ca_certificate() const { return issuer_.certificate(); }
    pki::CertificateIssuer& issuer() { return issuer_; }
    store::CertificateStore& certificates() { return certificates_; }

  private:
    std::string reserve_new_serial(Bytes& serial, const std::optional<store::SubjectClaim>& claim);

    pki::CertificateIssuer issuer_;
    pki::RandomSource& random_;
    store::CertificateStore& certificates_;
};

// The store's form of a serial: lowercase hex without leading zeros.
std::string serial_key(ByteView serial);
// A serial as a person types it (decimal, or hex with 0x) in the store's form.
// Throws Error(InvalidInput, "bad_serial") for anything else.
std::string serial_key_of_text(const std::string& serial);

}  // namespace inkan::ca
