// The ONE place where X.509 structures get their signatures (hsm-facts.md):
// the signer's AlgorithmIdentifier goes into the to-be-signed part, the TBS is
// encoded with i2d_re_*_tbs, the Signer signs those exact bytes, the result
// SEQUENCE { tbs, algorithm, BIT STRING signature } is assembled as DER and the
// signature is verified against signer.public_key() before it is returned
// (issuance: over the exact TBS bytes, on the certificate already in memory;
// the others: parsed back from the DER).
// A signature that does not verify throws Error(Internal, "signature_verification_failed").
#pragma once

#include <openssl/x509.h>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "pki/signer.h"

namespace inkan::pki {

// DER AlgorithmIdentifier: sha256WithRSAEncryption with NULL parameters, or
// ecdsa-with-SHA256/384 with parameters absent.
Bytes algorithm_identifier_der(SignatureAlgorithm algorithm);

// Throws Error(InvalidInput, "signer_algorithm_mismatch") if the signer's algorithm
// does not fit its public key type (RSA <-> RsaPkcs1Sha256, EC <-> ECDSA).
void check_signer(const Signer& signer);

// Certificates, in two steps so that issuance can lint and record the exact TBS first.
void set_signature_algorithm(X509* cert, SignatureAlgorithm algorithm);  // TBS and outer
Bytes encode_tbs(X509* cert);                                            // i2d_re_X509_tbs
X509Ptr sign_tbs_certificate(ByteView tbs_der, Signer& signer);
// Issuance without re-parsing: signs exactly tbs_der, verifies that signature over
// those bytes with signer.public_key(), sets it on `cert` and returns the
// certificate's DER, which must be SEQUENCE { tbs_der, algorithm, signature }
// (Error(Internal, "certificate_encoding_mismatch") otherwise). `cert` must encode
// to tbs_der and must not have been inspected yet: OpenSSL caches a certificate's
// SHA-1 and extension flags on first use and would keep the unsigned ones.
Bytes sign_tbs_into(X509* cert, ByteView tbs_der, Signer& signer);

// Convenience: set_signature_algorithm + encode_tbs + sign_tbs_certificate.
X509Ptr sign_certificate(X509* cert, Signer& signer);

// PKCS#10: CertificationRequestInfo has no algorithm field; only the outer one is set.
X509ReqPtr sign_request(X509_REQ* req, Signer& signer);

// CRLs: OpenSSL 3.0 has no setter for the TBSCertList algorithm, so the CRL must
// already carry the signer's algorithm (new_crl_for_signer makes such a CRL).
X509CrlPtr new_crl_for_signer(const X509_NAME* issuer, SignatureAlgorithm algorithm);
X509CrlPtr sign_crl(X509_CRL* crl, Signer& signer);

// Raw r||s (PKCS#11 CKM_ECDSA output, both halves the same length) -> DER Ecdsa-Sig-Value.
Bytes ecdsa_raw_to_der(ByteView raw);

}  // namespace inkan::pki
