#include "pki/der.h"

namespace inkan::pki::der {

Bytes tlv(std::uint8_t tag, std::initializer_list<ByteView> parts) {
    size_t len = 0;
    for (ByteView p : parts) len += p.size();
    Bytes out{tag};
    if (len < 0x80) {
        out.push_back(static_cast<std::uint8_t>(len));
    } else {
        Bytes len_bytes;
        for (size_t n = len; n > 0; n >>= 8) len_bytes.insert(len_bytes.begin(), n & 0xFF);
        out.push_back(static_cast<std::uint8_t>(0x80 | len_bytes.size()));
        out.insert(out.end(), len_bytes.begin(), len_bytes.end());
    }
    for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes bit_string(ByteView bits) {
    const std::uint8_t no_unused_bits = 0;
    return tlv(kBitString, {ByteView(&no_unused_bits, 1), bits});
}

}  // namespace inkan::pki::der
