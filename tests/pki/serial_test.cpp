#include "pki/serial.h"

#include <gtest/gtest.h>

#include <set>

#include "common/error.h"
#include "pki/software_signer.h"

namespace inkan::pki {
namespace {

// Returns queued byte strings, to drive generate_serial's redraw path.
class ScriptedRandom : public RandomSource {
  public:
    explicit ScriptedRandom(std::vector<Bytes> script) : script_(std::move(script)) {}
    Bytes random(size_t n) override {
        Bytes b = script_.at(next_++);
        b.resize(n);
        return b;
    }
    size_t draws() const { return next_; }

  private:
    std::vector<Bytes> script_;
    size_t next_ = 0;
};

TEST(PkiSerial, TenThousandSerialsAreDistinctPositiveSixteenBytesAndRoundTrip) {
    OpenSslRandomSource random;
    std::set<Bytes> seen;
    for (int i = 0; i < 10000; ++i) {
        Bytes s = generate_serial(random);
        ASSERT_EQ(s.size(), kSerialBytes);
        ASSERT_GE(s[0], 0x01);
        ASSERT_LE(s[0], 0x7F);
        ASSERT_TRUE(seen.insert(s).second) << "duplicate serial";
        std::string dec = serial_to_decimal(s);
        ASSERT_EQ(serial_from_decimal(dec), s) << dec;
        ASSERT_EQ(serial_from_hex(serial_to_hex(s)), s);
        Asn1IntegerPtr asn1 = serial_to_asn1(s);
        ASSERT_EQ(ASN1_STRING_type(asn1.get()), V_ASN1_INTEGER);  // positive
        ASSERT_EQ(serial_from_asn1(asn1.get()), s);
    }
}

TEST(PkiSerial, TopBitIsClearedAndZeroLeadingByteIsRedrawn) {
    Bytes all_ones(16, 0xFF);
    Bytes leading_zero(16, 0x11);
    leading_zero[0] = 0x80;  // becomes 0x00 after clearing the top bit
    ScriptedRandom random({leading_zero, all_ones});
    Bytes s = generate_serial(random);
    EXPECT_EQ(random.draws(), 2u);
    EXPECT_EQ(s[0], 0x7F);
    EXPECT_EQ(serial_to_hex(s), "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    EXPECT_EQ(serial_to_decimal(s), "170141183460469231731687303715884105727");  // 2^127 - 1
}

TEST(PkiSerial, DecimalAndHexConversionsMatchKnownValues) {
    EXPECT_EQ(serial_from_decimal("256"), (Bytes{0x01, 0x00}));
    EXPECT_EQ(serial_from_hex("00ff"), (Bytes{0xFF}));
    EXPECT_EQ(serial_from_decimal("0"), (Bytes{0x00}));
    EXPECT_EQ(serial_to_decimal(Bytes{0x00, 0x00, 0x01, 0x00}), "256");
    EXPECT_EQ(normalize_serial(Bytes{0x00, 0x00, 0x05}), (Bytes{0x05}));
}

TEST(PkiSerial, MalformedTextIsRejected) {
    for (const char* bad : {"", "-5", "12a", " 12", "0x10"}) {
        try {
            serial_from_decimal(bad);
            FAIL() << "accepted " << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), "bad_serial");
        }
    }
    EXPECT_THROW(serial_from_hex("xyz"), Error);
}

}  // namespace
}  // namespace inkan::pki
