// Decoding and line shape: encodings, line ends, and garbage that must give a
// clear error and never a crash.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "policy_world.h"

namespace inkan::policy {
namespace {

const std::string kGoodRow =
    "CN=Taro Yamada,OU=1001,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t\t\t\t\t"
    "山田 太郎\t情報基盤センター\tadmin@example.ac.jp\t山田 "
    "太郎\tNIIcert\t工学部\ttaro@example.ac.jp\t";

CheckReport check(const std::string& bytes, Action action = Action::Issue, TextLimits limits = {}) {
    static test::PolicyWorld world;
    CheckContext context = world.context();
    context.limits = limits;
    return check_request_file(bytes, action, ErrorMode::Skip, context);
}

TEST(PolicyText, Utf8WithBomCrlfAndNoFinalNewline) {
    RequestText text = split_request_text("\xEF\xBB\xBF" + kGoodRow + "\r\n" + kGoodRow);
    ASSERT_FALSE(text.file_error);
    EXPECT_EQ(text.encoding, TextEncoding::Utf8Bom);
    ASSERT_EQ(text.rows.size(), 2u);
    EXPECT_EQ(text.rows[1].line, 2u);
    EXPECT_EQ(text.rows[0].fields[0].substr(0, 3), "CN=");  // BOM stripped
    EXPECT_EQ(text.rows[1].fields[14], "");                 // no stray CR
    EXPECT_EQ(text.rows[0].fields[7], "山田 太郎");
}

TEST(PolicyText, ShiftJisIsDecodedWithIconv) {
    auto sjis = convert_to_utf8("\x8e\x52\x93\x63", "CP932");  // 山田 in Shift_JIS
    ASSERT_TRUE(sjis);
    EXPECT_EQ(*sjis, "山田");
    // CP932-only characters (NEC special: ① = 0x87 0x40) decode as well.
    EXPECT_EQ(*convert_to_utf8("\x87\x40", "CP932"), "①");
}

// The request files' Shift_JIS decoder (a table of iconv's answers) against iconv
// itself: every one- and two-byte sequence after 0x80, inside ASCII and at the end
// of the input, and random mixtures of ASCII and CP932 bytes.
TEST(PolicyText, Cp932DecoderGivesExactlyWhatIconvGives) {
    Cp932Decoder decoder;
    TextConverter iconv("CP932", "UTF-8");
    std::string out;
    auto same_as_iconv = [&](const std::string& input) {
        const std::optional<std::string> expected = iconv.convert(input);
        const bool ok = decoder.decode(input, out);
        if (ok != expected.has_value() || (ok && out != *expected)) {
            ADD_FAILURE() << "decoder and iconv differ on a " << input.size() << "-byte input";
            return false;
        }
        return true;
    };
    int valid_pairs = 0;
    for (int first = 0x80; first <= 0xFF; ++first) {
        if (!same_as_iconv(std::string(1, static_cast<char>(first)))) return;
        for (int second = 0; second <= 0xFF; ++second) {
            const std::string pair{static_cast<char>(first), static_cast<char>(second)};
            if (!same_as_iconv("a" + pair + "b") || !same_as_iconv("x" + pair)) return;
            valid_pairs += iconv.convert(pair).has_value();
        }
    }
    EXPECT_GT(valid_pairs, 7000);  // CP932 has about 7,900 double-byte characters
    std::mt19937 rng(932);
    for (int round = 0; round < 20000; ++round) {
        std::string input(rng() % 12, '\0');
        for (char& c : input) c = static_cast<char>(rng() % 3 == 0 ? 0x20 + rng() % 0x60 : rng());
        if (!same_as_iconv(input)) return;
    }
}

TEST(PolicyText, EmptyFileAndBlankLinesOnly) {
    EXPECT_EQ(check("").file_error->code, "file_empty");
    EXPECT_EQ(check("\r\n\n\r\n").file_error->code, "file_empty");
    EXPECT_EQ(check("\xEF\xBB\xBF").file_error->code, "file_empty");
}

TEST(PolicyText, InvalidShiftJisNamesTheFirstBadLine) {
    // Line 3 holds 0x85 0x40: unassigned in CP932 and not UTF-8.
    std::string bytes = kGoodRow + "\n" + kGoodRow + "\n" + "CN=\x85\x40\t5\n";
    CheckReport report = check(bytes);
    ASSERT_TRUE(report.file_error);
    EXPECT_EQ(report.file_error->code, "encoding_invalid");
    EXPECT_EQ(report.file_error->line, 3u);
    EXPECT_EQ(report.accepted_count(), 0u);
    // A truncated double-byte character at the end of a line.
    report = check("abc\x82\n");
    ASSERT_TRUE(report.file_error);
    EXPECT_EQ(report.file_error->code, "encoding_invalid");
    EXPECT_EQ(report.file_error->line, 1u);
}

TEST(PolicyText, InvalidUtf8AfterBomIsRejected) {
    CheckReport report = check("\xEF\xBB\xBF" + kGoodRow + "\n\xC3\x28\n");
    ASSERT_TRUE(report.file_error);
    EXPECT_EQ(report.file_error->code, "encoding_invalid");
    EXPECT_EQ(report.file_error->line, 2u);
}

TEST(PolicyText, NulBytesAndSixteenTabsAreLineErrors) {
    std::string nul_row = kGoodRow;
    nul_row[5] = '\0';
    CheckReport report = check(kGoodRow + "\n" + nul_row + "\n" + std::string(16, '\t') + "\n");
    ASSERT_FALSE(report.file_error);
    ASSERT_EQ(report.rejected.size(), 2u);
    EXPECT_EQ(report.rejected[0].line, 2u);
    EXPECT_EQ(report.rejected[0].findings[0].code, "nul_byte");
    EXPECT_EQ(report.rejected[1].line, 3u);
    EXPECT_EQ(report.rejected[1].findings[0].code, "column_count");
    EXPECT_EQ(report.accepted_count(), 1u);
}

TEST(PolicyText, HundredMegabytesOfOneLineIsRejectedFast) {
    std::string huge(100u * 1024 * 1024, 'A');
    auto start = std::chrono::steady_clock::now();
    CheckReport report = check(huge);
    ASSERT_TRUE(report.file_error);
    EXPECT_EQ(report.file_error->code, "file_too_large");
    // Even when the file limit allows it, the line limit stops it before any DN parsing.
    TextLimits generous;
    generous.max_file_bytes = 200u * 1024 * 1024;
    report = check(huge, Action::Issue, generous);
    ASSERT_FALSE(report.file_error);
    ASSERT_EQ(report.rejected.size(), 1u);
    EXPECT_EQ(report.rejected[0].findings[0].code, "line_too_long");
    EXPECT_EQ(report.rejected[0].findings[0].line, 1u);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 3000);
}

TEST(PolicyText, RandomBinaryNeverCrashesAndAlwaysExplainsItself) {
    std::mt19937 rng(20260401);
    for (int round = 0; round < 300; ++round) {
        std::string bytes(rng() % 4096, '\0');
        for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
        for (Action action : {Action::Issue, Action::Renew, Action::Revoke}) {
            CheckReport report = check(bytes, action);
            // Random bytes can never make a valid row.
            EXPECT_TRUE(report.has_errors());
            EXPECT_EQ(report.accepted_count(), 0u);
            for (const Finding& f : report.all_findings()) {
                EXPECT_FALSE(f.code.empty());
                EXPECT_FALSE(f.message_ja.empty());
            }
        }
    }
}

TEST(PolicyText, FieldsAreSplitExactlyOnTabs) {
    RequestText text = split_request_text(std::string(14, '\t') + "\n");
    ASSERT_EQ(text.rows.size(), 1u);
    for (const auto& field : text.rows[0].fields) EXPECT_TRUE(field.empty());
    text = split_request_text(std::string(13, '\t') + "\n");
    ASSERT_EQ(text.line_errors.size(), 1u);
    EXPECT_EQ(text.line_errors[0].code, "column_count");
}

}  // namespace
}  // namespace inkan::policy
