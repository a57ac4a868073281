// Minimal DER writing for what OpenSSL 3.0 has no setter for: assembling
// SIGNED{...} structures from exact to-be-signed bytes.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "common/bytes.h"

namespace inkan::pki::der {

inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kSequence = 0x30;

// tag || length || concatenation of `parts`.
Bytes tlv(std::uint8_t tag, std::initializer_list<ByteView> parts);

// BIT STRING with no unused bits.
Bytes bit_string(ByteView bits);

}  // namespace inkan::pki::der
