#include "pki/serial.h"

#include <cctype>

#include "common/error.h"

namespace inkan::pki {

namespace {

[[noreturn]] void bad_serial(const std::string& why) {
    throw Error(ErrorCategory::InvalidInput, "bad_serial", "bad serial number: " + why);
}

BignumPtr to_bn(ByteView serial) {
    BignumPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    if (!bn) throw Error(ErrorCategory::Internal, "openssl_failure", "BN_bin2bn failed");
    return bn;
}

Bytes from_bn(const BIGNUM* bn) {
    if (BN_is_negative(bn)) bad_serial("negative");
    if (BN_is_zero(bn)) return Bytes{0};
    Bytes out(static_cast<size_t>(BN_num_bytes(bn)));
    BN_bn2bin(bn, out.data());
    return out;
}

void require_digits(std::string_view s, bool hex) {
    if (s.empty() || s.size() > 80) bad_serial("empty or too long");
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (!(hex ? std::isxdigit(u) : std::isdigit(u))) bad_serial("not a number");
    }
}

}  // namespace

Bytes generate_serial(RandomSource& random) {
    for (;;) {
        Bytes serial = random.random(kSerialBytes);
        if (serial.size() != kSerialBytes) bad_serial("random source returned a short read");
        serial[0] &= 0x7F;
        if (serial[0] != 0) return serial;
    }
}

std::string serial_to_decimal(ByteView serial) {
    BignumPtr bn = to_bn(serial);
    OpenSslString s(BN_bn2dec(bn.get()));
    if (!s) throw Error(ErrorCategory::Internal, "openssl_failure", "BN_bn2dec failed");
    return s.get();
}

std::string serial_to_hex(ByteView serial) {
    BignumPtr bn = to_bn(serial);
    OpenSslString s(BN_bn2hex(bn.get()));
    if (!s) throw Error(ErrorCategory::Internal, "openssl_failure", "BN_bn2hex failed");
    return s.get();
}

Bytes serial_from_decimal(std::string_view decimal) {
    require_digits(decimal, false);
    std::string text(decimal);
    BIGNUM* raw = nullptr;
    int parsed = BN_dec2bn(&raw, text.c_str());
    BignumPtr bn(raw);
    if (parsed != static_cast<int>(text.size())) bad_serial("not a decimal number");
    return from_bn(bn.get());
}

Bytes serial_from_hex(std::string_view hex) {
    require_digits(hex, true);
    std::string text(hex);
    BIGNUM* raw = nullptr;
    int parsed = BN_hex2bn(&raw, text.c_str());
    BignumPtr bn(raw);
    if (parsed != static_cast<int>(text.size())) bad_serial("not a hex number");
    return from_bn(bn.get());
}

Bytes normalize_serial(ByteView serial) {
    size_t i = 0;
    while (i + 1 < serial.size() && serial[i] == 0) ++i;
    if (serial.empty()) return Bytes{0};
    return Bytes(serial.begin() + static_cast<std::ptrdiff_t>(i), serial.end());
}

Asn1IntegerPtr serial_to_asn1(ByteView serial) {
    BignumPtr bn = to_bn(serial);
    Asn1IntegerPtr out(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!out) throw Error(ErrorCategory::Internal, "openssl_failure", "BN_to_ASN1_INTEGER failed");
    return out;
}

Bytes serial_from_asn1(const ASN1_INTEGER* serial) {
    BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) bad_serial("unreadable");
    return from_bn(bn.get());
}

Bytes serial_of(const X509* cert) { return serial_from_asn1(X509_get0_serialNumber(cert)); }

}  // namespace inkan::pki
