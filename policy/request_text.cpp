#include "policy/request_text.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>

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
    std::size_t count = 0;
    for (char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
    return count;
}

TextConverter::TextConverter(const char* from, const char* to) : cd_(iconv_open(to, from)) {}

TextConverter::~TextConverter() {
    if (valid()) iconv_close(cd_);
}

bool TextConverter::valid() const noexcept { return cd_ != reinterpret_cast<iconv_t>(-1); }

std::optional<std::string> TextConverter::convert(std::string_view input) {
    if (!valid()) return std::nullopt;
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // initial shift state
    std::string out(input.size() * 3 + 16, '\0');
    char* in_ptr = const_cast<char*>(input.data());
    std::size_t in_left = input.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    while (in_left > 0) {
        std::size_t rc = iconv(cd_, &in_ptr, &in_left, &out_ptr, &out_left);
        if (rc == static_cast<std::size_t>(-1)) {
            if (errno != E2BIG) return std::nullopt;  // EILSEQ or EINVAL (truncated)
            std::size_t used = out.size() - out_left;
            out.resize(out.size() * 2);
            out_ptr = out.data() + used;
            out_left = out.size() - used;
        }
    }
    // Flush any shift state (ISO-2022-JP).
    if (iconv(cd_, nullptr, nullptr, &out_ptr, &out_left) == static_cast<std::size_t>(-1))
        return std::nullopt;
    out.resize(out.size() - out_left);
    return out;
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
    TextConverter cp932("CP932", "UTF-8");
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
        std::string text;
        if (utf8) {
            text = span.text;
        } else if (bom) {
            if (!is_valid_utf8(span.text)) {
                result = RequestText{};
                result.file_error = make_finding(
                    "encoding_invalid", span.number, 0,
                    "invalid UTF-8 after a UTF-8 BOM on line " + std::to_string(span.number));
                return result;
            }
            text = span.text;
        } else if (auto converted = cp932.convert(span.text)) {
            text = std::move(*converted);
        } else {
            std::size_t bad_line = std::max(span.number, first_non_utf8);
            result = RequestText{};
            result.file_error = make_finding("encoding_invalid", bad_line, 0,
                                             "first bad line " + std::to_string(bad_line));
            return result;
        }
        std::size_t tabs = 0;
        for (char c : text) tabs += c == '\t';
        if (tabs != kColumnCount - 1) {
            result.line_errors.push_back(make_finding(
                "column_count", span.number, 0, "found " + std::to_string(tabs + 1) + " columns"));
            continue;
        }
        RawRow row;
        row.line = span.number;
        std::size_t start = 0;
        for (std::size_t col = 0; col < kColumnCount; ++col) {
            std::size_t tab = text.find('\t', start);
            std::size_t end = tab == std::string::npos ? text.size() : tab;
            row.fields[col] = text.substr(start, end - start);
            start = end + 1;
        }
        result.rows.push_back(std::move(row));
    }
    if (!any_line) result.file_error = make_finding("file_empty", 0, 0);
    return result;
}

}  // namespace inkan::policy
