// Public keys out of the token as OpenSSL objects: RSA from CKA_MODULUS and
// CKA_PUBLIC_EXPONENT, EC from CKA_EC_PARAMS and CKA_EC_POINT (which SoftHSM
// returns wrapped in a DER OCTET STRING; a bare point is accepted too).
#pragma once

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "hsm/keys.h"

namespace inkan::hsm {

// The public key of a public-key object, or of a private-key object (RSA: its
// own modulus and exponent; EC: the public-key object with the same CKA_ID).
EvpPkeyPtr export_public_key(const KeyObject& key);

// The DER SubjectPublicKeyInfo of export_public_key(key).
Bytes public_key_der(const KeyObject& key);

// The OpenSSL group name of a DER namedCurve OID ("prime256v1", "secp384r1");
// throws Error(Unsupported, "hsm_curve_unsupported") for anything else.
std::string curve_name_from_ec_params(ByteView ec_params);

// The uncompressed point inside CKA_EC_POINT (unwraps the DER OCTET STRING).
Bytes ec_point_from_attribute(ByteView ec_point);

}  // namespace inkan::hsm
