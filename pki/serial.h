// Certificate serial numbers: 16 random bytes (128 bits), big-endian, first byte
// in 0x01..0x7F so the DER INTEGER is positive, non-zero, exactly 16 octets and
// needs no leading zero byte. Conversions to/from decimal (request files) and hex.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/openssl_ptr.h"
#include "pki/signer.h"

namespace inkan::pki {

inline constexpr size_t kSerialBytes = 16;

// Draws from `random` until the first byte is 0x01..0x7F after clearing its top bit
// (one redraw in 128 on average). Uniqueness is the store's job (unique constraint).
Bytes generate_serial(RandomSource& random);

// Serials are non-negative integers as minimal big-endian bytes (no leading zero
// bytes; zero is {0x00}). Parsers throw Error(InvalidInput, "bad_serial").
std::string serial_to_decimal(ByteView serial);
std::string serial_to_hex(ByteView serial);  // upper case, no separators
Bytes serial_from_decimal(std::string_view decimal);
Bytes serial_from_hex(std::string_view hex);

// Leading zero bytes removed (zero stays {0x00}).
Bytes normalize_serial(ByteView serial);

Asn1IntegerPtr serial_to_asn1(ByteView serial);
Bytes serial_from_asn1(const ASN1_INTEGER* serial);  // throws bad_serial if negative
Bytes serial_of(const X509* cert);

}  // namespace inkan::pki
