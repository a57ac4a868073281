#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace inkan {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string to_string(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string hex_encode(ByteView data, bool upper = false);
Bytes hex_decode(std::string_view hex);       // throws Error(InvalidInput) on bad input
std::string base64url_encode(ByteView data);  // no padding

}  // namespace inkan
