// Checks on a built, not yet signed end-entity certificate (style rule 8:
// nothing is signed that was not linted). Every failure throws
// Error(InvalidInput, "lint_...") naming the first rule broken.
#pragma once

#include <openssl/x509.h>

#include "pki/profile.h"

namespace inkan::pki {

struct LintRules {
    ProfileKind kind = ProfileKind::ClientAuth;
    bool require_crl_distribution_point = false;
    bool require_ocsp_url = false;
    int max_validity_days = 0;  // 0: only the issuer's validity limits
};

// Codes: lint_serial_invalid (zero, negative, > 20 octets, < 64 bits),
// lint_subject_empty, lint_issuer_name_mismatch, lint_validity_invalid,
// lint_validity_beyond_issuer, lint_validity_too_long, lint_key_unsupported,
// lint_key_reused (subject key = issuer key), lint_extension_missing,
// lint_extension_duplicate, lint_extension_invalid (wrong CA flag, EKU or AKI).
// subject_key: the certificate's key when the caller holds it decoded (a
// certificate built from a SubjectPublicKeyInfo carries only its encoding);
// nullptr: X509_get0_pubkey(cert).
void lint_certificate(const X509* cert, const X509* issuer, const LintRules& rules,
                      const EVP_PKEY* subject_key = nullptr);

// The subset that also applies to CA certificates (used by the CA bootstrap):
// serial, subject, validity order, key policy, duplicate or undecodable extensions.
void lint_common(const X509* cert, const EVP_PKEY* subject_key = nullptr);

}  // namespace inkan::pki
