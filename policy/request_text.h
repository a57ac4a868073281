// Turning request-file bytes into UTF-8 lines of 15 fields.
//
// Rules (request-files.md): Shift_JIS (code page 932) or UTF-8 with or without a
// BOM; CRLF or LF; the last newline is optional; no header, no quoting, 15
// tab-separated columns. Detection: a file that is valid UTF-8 after the BOM is
// stripped is UTF-8 (plain ASCII is both), else it is decoded as CP932 with iconv;
// a line that neither decodes is `encoding_invalid` (file level, naming the line).
// Lines that are completely empty are ignored (editors add a trailing blank line).
// Per-line problems (too long, NUL byte, wrong column count) become findings on
// that line; the line is not split into fields then.
#pragma once

#include <iconv.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/findings.h"

namespace inkan::policy {

inline constexpr std::size_t kColumnCount = 15;

struct TextLimits {
    std::size_t max_file_bytes = 16u * 1024 * 1024;  // 16 MiB ≈ 50,000 rows
    std::size_t max_line_bytes = 8u * 1024;
};

enum class TextEncoding { Utf8, Utf8Bom, Cp932 };
const char* to_string(TextEncoding encoding) noexcept;

// One line of the file, split into its 15 columns (UTF-8).
struct RawRow {
    std::size_t line = 0;  // 1-based line number in the file
    std::array<std::string, kColumnCount> fields;
};

struct RequestText {
    std::optional<Finding> file_error;  // set: nothing else is meaningful
    TextEncoding encoding = TextEncoding::Utf8;
    std::vector<RawRow> rows;          // well-formed lines
    std::vector<Finding> line_errors;  // lines rejected before field checks
};

// Never throws on any input; every problem becomes a finding.
RequestText split_request_text(std::string_view bytes, const TextLimits& limits = {});

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

// Number of Unicode code points in well-formed UTF-8.
std::size_t utf8_length(std::string_view text) noexcept;

// iconv conversion between encodings (owns the iconv descriptor; reusable, not
// thread-safe).
class TextConverter {
  public:
    // e.g. from "CP932" or "ISO-2022-JP" to "UTF-8", or back.
    TextConverter(const char* from, const char* to);
    ~TextConverter();
    TextConverter(const TextConverter&) = delete;
    TextConverter& operator=(const TextConverter&) = delete;
    // std::nullopt if `input` is not valid in the source encoding, or has a
    // character the target encoding lacks (or iconv lacks either encoding).
    std::optional<std::string> convert(std::string_view input);
    // The same, appending to `out` (no allocation once `out` has grown); false as
    // convert() gives std::nullopt, `out` then holds a partial result.
    bool append(std::string_view input, std::string& out);

  private:
    bool valid() const noexcept;
    iconv_t cd_;
};

// Shift_JIS (code page 932) into UTF-8, exactly as TextConverter("CP932", "UTF-8")
// gives it, for request-file lines: ASCII bytes (CP932 maps 0x00-0x7F to
// themselves) are copied, every other character is looked up in a table of
// iconv's own answers, filled once per process. Reusable, not thread-safe.
class Cp932Decoder {
  public:
    Cp932Decoder();
    // Replaces `out` with the UTF-8 of `input`; false if `input` is not valid CP932.
    bool decode(std::string_view input, std::string& out);

  private:
    TextConverter iconv_;
};

// One-off conversion into UTF-8; std::nullopt if `input` is not valid in `from`.
std::optional<std::string> convert_to_utf8(std::string_view input, const char* from);
// One-off conversion from UTF-8; std::nullopt if `to` cannot express `input`.
std::optional<std::string> convert_from_utf8(std::string_view input, const char* to);

}  // namespace inkan::policy
