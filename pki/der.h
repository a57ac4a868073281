// Minimal DER writing for what OpenSSL 3.0 has no setter for: assembling
// SIGNED{...} structures from exact to-be-signed bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "common/bytes.h"
#include "common/openssl_ptr.h"

namespace inkan::pki::der {

inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kSequence = 0x30;

// tag || length || concatenation of `parts`.
Bytes tlv(std::uint8_t tag, std::initializer_list<ByteView> parts);

// BIT STRING with no unused bits.
Bytes bit_string(ByteView bits);

// The DER an OpenSSL i2d-style function writes: encode(&out) allocates and
// returns the length. Throws Error(Internal, "openssl_failure") naming `what`.
template <typename Encode>
Bytes der_of(Encode encode, const char* what = "DER") {
    unsigned char* der = nullptr;
    int len = encode(&der);
    if (len <= 0) openssl_fail(std::string("cannot encode ") + what);
    OpenSslBytes owned(der);
    return Bytes(der, der + len);
}

}  // namespace inkan::pki::der
