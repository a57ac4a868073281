// Detached CMS SignedData (RFC 5652; S/MIME's application/pkcs7-signature,
// RFC 8551) whose signature comes from a pki::Signer: no private key in OpenSSL.
// OpenSSL's CMS API builds the SignerInfo around the signer certificate's public
// key; the signed attributes (contentType, signingTime, messageDigest) are
// encoded as DER SET OF, signed by Signer::sign, and the result is parsed back
// and checked with CMS_verify before it is returned (as certificates are).
#pragma once

#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "pki/asn1_time.h"
#include "pki/signer.h"

namespace inkan::pki {

// The digest that goes with the signer's algorithm: SHA-256, or SHA-384 for
// ECDSA-SHA384; as S/MIME's micalg names it ("sha-256", "sha-384").
const EVP_MD* cms_digest(SignatureAlgorithm algorithm);
std::string smime_micalg(SignatureAlgorithm algorithm);

// DER ContentInfo(SignedData) over `content` (not included: detached), with
// `certificate` (whose key is signer.public_key()) and `chain` (up to the root)
// in its certificates. Before returning, the result is verified against `chain`
// (every element trusted, purpose S/MIME signing); a failure throws
// Error(Internal, "signature_verification_failed"). A certificate that does not
// hold the signer's key throws Error(InvalidInput, "signer_certificate_mismatch").
Bytes sign_detached_cms(Signer& signer, const X509* certificate,
                        const std::vector<const X509*>& chain, ByteView content,
                        TimePoint signing_time);

// Checks a detached SignedData over `content`: the signature, and the signer
// certificate up to one of `trusted` for S/MIME signing. Throws
// Error(InvalidInput, "cms_invalid") when it does not verify.
void verify_detached_cms(ByteView cms_der, ByteView content,
                         const std::vector<const X509*>& trusted);

}  // namespace inkan::pki
