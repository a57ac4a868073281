#include "policy/request_text.h"

#include <iconv.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace inkan::policy {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

struct LineSpan {
    std::size_t number;
    std::string_view text;  // without the line end
};

std::vector<LineSpan> split_lines(std::string_view body) {
    std::vector<LineSpan> lines;
    std::size_t start = 0;
    std::size_t number = 1;
    while (start < body.size()) {
        std::size_t end = body.find('\n', start);
        std::size_t next = end == std::string_view::npos ? body.size() : end + 1;
        std::string_view text =
            body.substr(start, (end == std::string_view::npos ? body.size() : end) - start);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        lines.push_back({number, text});
        ++number;
        start = next;
    }
    return lines;
}

}  // namespace

const char* to_string(TextEncoding encoding) noexcept {
    switch (encoding) {
        case TextEncoding::Utf8:
            return "utf-8";
        case TextEncoding::Utf8Bom:
            return "utf-8-bom";
        case TextEncoding::Cp932:
            return "shift_jis";
    }
    return "unknown";
}

bool is_valid_utf8(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        unsigned int cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else
            return false;
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

std::size_t utf8_length(std::string_view text) noexcept {
    // Code points = bytes - continuation bytes (10xxxxxx), eight bytes at a time.
    std::size_t continuation = 0;
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, sizeof word);
        continuation +=
            static_cast<std::size_t>(std::popcount(word & ~(word << 1) & 0x8080808080808080ull));
    }
    for (; i < text.size(); ++i)
        continuation += (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    return text.size() - continuation;
}

TextConverter::TextConverter(const char* from, const char* to) : cd_(iconv_open(to, from)) {}

TextConverter::~TextConverter() {
    if (valid()) iconv_close(cd_);
}

bool TextConverter::valid() const noexcept { return cd_ != reinterpret_cast<iconv_t>(-1); }

std::optional<std::string> TextConverter::convert(std::string_view input) {
    std::string out;
    if (!append(input, out)) return std::nullopt;
    return out;
}

bool TextConverter::append(std::string_view input, std::string& out) {
    if (!valid()) return false;
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // initial shift state
    std::size_t used = out.size();
    out.resize(used + input.size() * 3 + 16);
    char* in_ptr = const_cast<char*>(input.data());
    std::size_t in_left = input.size();
    char* out_ptr = out.data() + used;
    std::size_t out_left = out.size() - used;
    while (in_left > 0) {
        std::size_t rc = iconv(cd_, &in_ptr, &in_left, &out_ptr, &out_left);
        if (rc == static_cast<std::size_t>(-1)) {
            if (errno != E2BIG) return false;  // EILSEQ or EINVAL (truncated)
            used = out.size() - out_left;
            out.resize(out.size() * 2);
            out_ptr = out.data() + used;
            out_left = out.size() - used;
        }
    }
    // Flush any shift state (ISO-2022-JP).
    if (iconv(cd_, nullptr, nullptr, &out_ptr, &out_left) == static_cast<std::size_t>(-1))
        return false;
    out.resize(out.size() - out_left);
    return true;
}

namespace {

// Lead bytes of CP932's double-byte characters; 0xA1-0xDF are single-byte
// katakana, 0x80, 0xA0 and 0xFD-0xFF are invalid on their own.
bool is_cp932_lead(unsigned char c) { return (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC); }

// What glibc's iconv makes of every CP932 character that is not ASCII, asked
// once per process (about 33,000 one-character conversions, a few ms): decoding
// from the table gives exactly iconv's answer without its per-call cost.
class Cp932Table {
  public:
    static const Cp932Table& instance() {
        static const Cp932Table table;
        return table;
    }
    struct Entry {
        unsigned char size = 0;  // 0: invalid; kUseIconv: longer than `utf8`
        char utf8[7] = {};
    };
    static constexpr unsigned char kUseIconv = 0xFF;
    // `unit`: one byte 0x80-0xFF, or a lead byte and the byte after it.
    const Entry& at(unsigned char first, int second) const {
        return entries_[static_cast<std::size_t>(first - 0x80) * 257 +
                        static_cast<std::size_t>(second + 1)];
    }

  private:
    Cp932Table() : entries_(128 * 257) {
        TextConverter iconv("CP932", "UTF-8");
        std::string out;
        for (unsigned first = 0x80; first <= 0xFF; ++first) {
            for (int second = -1; second <= 0xFF; ++second) {
                if (second >= 0 && !is_cp932_lead(static_cast<unsigned char>(first))) continue;
                char unit[2] = {static_cast<char>(first), static_cast<char>(second)};
                out.clear();
                Entry& entry =
                    entries_[(first - 0x80) * 257 + static_cast<std::size_t>(second + 1)];
                if (!iconv.append(std::string_view(unit, second < 0 ? 1 : 2), out)) continue;
                if (out.empty() || out.size() > sizeof entry.utf8) {
                    entry.size = kUseIconv;
                    continue;
                }
                entry.size = static_cast<unsigned char>(out.size());
                std::copy(out.begin(), out.end(), entry.utf8);
            }
        }
    }
    std::vector<Entry> entries_;  // by first byte - 0x80, then second byte + 1 (0: none)
};

}  // namespace

Cp932Decoder::Cp932Decoder() : iconv_("CP932", "UTF-8") {}

bool Cp932Decoder::decode(std::string_view input, std::string& out) {
    const Cp932Table& table = Cp932Table::instance();
    const auto* s = reinterpret_cast<const unsigned char*>(input.data());
    const std::size_t n = input.size();
    out.clear();
    std::size_t i = 0;
    while (i < n) {
        std::size_t run = i;
        while (run < n && s[run] < 0x80) ++run;
        out.append(input.data() + i, run - i);
        if (run == n) break;
        // One character that is not ASCII; a trail byte may be in 0x40-0x7E.
        const bool pair = is_cp932_lead(s[run]) && run + 1 < n;
        const Cp932Table::Entry& entry = table.at(s[run], pair ? s[run + 1] : -1);
        const std::size_t unit = pair ? 2 : 1;
        if (entry.size == 0) return false;
        if (entry.size == Cp932Table::kUseIconv) {
            if (!iconv_.append(input.substr(run, unit), out)) return false;
        } else {
            out.append(entry.utf8, entry.size);
        }
        i = run + unit;
    }
    return true;
}

std::optional<std::string> convert_to_utf8(std::string_view input, const char* from) {
    return TextConverter(from, "UTF-8").convert(input);
}

std::optional<std::string> convert_from_utf8(std::string_view input, const char* to) {
    return TextConverter("UTF-8", to).convert(input);
}

RequestText split_request_text(std::string_view bytes, const TextLimits& limits) {
    RequestText result;
    if (bytes.size() > limits.max_file_bytes) {
        result.file_error = make_finding(
            "file_too_large", 0, 0, "limit " + std::to_string(limits.max_file_bytes) + " bytes");
        return result;
    }
    std::string_view body = bytes;
    bool bom = body.substr(0, kBom.size()) == kBom;
    if (bom) body.remove_prefix(kBom.size());
    bool utf8 = is_valid_utf8(body);
    result.encoding =
        bom ? TextEncoding::Utf8Bom : (utf8 ? TextEncoding::Utf8 : TextEncoding::Cp932);

    const std::vector<LineSpan> lines = split_lines(body);
    // For a file that is not UTF-8: the first line that is not UTF-8. If a line then
    // fails CP932 as well, the error names whichever first failure comes later, i.e.
    // the bad line under the encoding the file most plausibly is in.
    std::size_t first_non_utf8 = 0;
    if (!utf8) {
        for (const LineSpan& span : lines) {
            if (!is_valid_utf8(span.text)) {
                first_non_utf8 = span.number;
                break;
            }
        }
    }
    Cp932Decoder cp932;
    std::string decoded;  // a CP932 line in UTF-8, reused
    bool any_line = false;
    for (const LineSpan& span : lines) {
        if (span.text.empty()) continue;
        any_line = true;
        if (span.text.size() > limits.max_line_bytes) {
            result.line_errors.push_back(
                make_finding("line_too_long", span.number, 0,
                             "limit " + std::to_string(limits.max_line_bytes) + " bytes"));
            continue;
        }
        if (span.text.find('\0') != std::string_view::npos) {
            result.line_errors.push_back(make_finding("nul_byte", span.number, 0));
            continue;
        }
        std::string_view text = span.text;
        if (!utf8 && bom && !is_valid_utf8(span.text)) {
            result = RequestText{};
            result.file_error = make_finding(
                "encoding_invalid", span.number, 0,
                "invalid UTF-8 after a UTF-8 BOM on line " + std::to_string(span.number));
            return result;
        }
        if (!utf8 && !bom) {
            if (!cp932.decode(span.text, decoded)) {
                std::size_t bad_line = std::max(span.number, first_non_utf8);
                result = RequestText{};
                result.file_error = make_finding("encoding_invalid", bad_line, 0,
                                                 "first bad line " + std::to_string(bad_line));
                return result;
            }
            text = decoded;
        }
        std::size_t tabs = 0;
        for (std::size_t tab = text.find('\t'); tab != std::string_view::npos;
             tab = text.find('\t', tab + 1))
            ++tabs;
        if (tabs != kColumnCount - 1) {
            result.line_errors.push_back(make_finding(
                "column_count", span.number, 0, "found " + std::to_string(tabs + 1) + " columns"));
            continue;
        }
        RawRow& row = result.rows.emplace_back();
        row.line = span.number;
        std::size_t start = 0;
        for (std::size_t col = 0; col < kColumnCount; ++col) {
            std::size_t tab = text.find('\t', start);
            std::size_t end = tab == std::string_view::npos ? text.size() : tab;
            row.fields[col] = text.substr(start, end - start);
            start = end + 1;
        }
    }
    if (!any_line) result.file_error = make_finding("file_empty", 0, 0);
    return result;
}

}  // namespace inkan::policy
