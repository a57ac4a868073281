#include "policy/subject_dn.h"

#include <algorithm>
#include <array>

#include "policy/ascii.h"
#include "policy/request_text.h"

namespace inkan::policy {
namespace {

constexpr std::size_t kDnColumn = 1;
constexpr std::size_t kMaxDnLength = 250;
constexpr std::size_t kMaxValueLength = 64;
constexpr std::array<std::string_view, 6> kTypes{"CN", "OU", "O", "L", "ST", "C"};

struct Attribute {
    std::string_view type;
    std::string_view value;
};

// Position after ',' where a new attribute starts, i.e. ",TYPE=" with a known TYPE.
bool starts_attribute(std::string_view text, std::size_t pos) {
    for (std::string_view type : kTypes) {
        if (pos + type.size() >= text.size() || text[pos + type.size()] != '=') continue;
        std::size_t k = 0;
        while (k < type.size() && text[pos + k] == type[k]) ++k;
        if (k == type.size()) return true;
    }
    return false;
}

std::optional<std::vector<Attribute>> split_attributes(std::string_view text) {
    std::vector<Attribute> attributes;
    attributes.reserve(8);
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t eq = text.find('=', start);
        if (eq == std::string_view::npos) return std::nullopt;
        std::string_view type = text.substr(start, eq - start);
        if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) return std::nullopt;
        std::size_t end = eq + 1;
        while (end < text.size() && !(text[end] == ',' && starts_attribute(text, end + 1))) ++end;
        attributes.push_back({type, text.substr(eq + 1, end - eq - 1)});
        start = end + 1;
        if (end == text.size()) break;
    }
    if (attributes.empty()) return std::nullopt;
    return attributes;
}

// Allowed value characters: bit 0 in any value, bit 1 in a CN only.
constexpr std::array<unsigned char, 256> kAllowedChars = [] {
    std::array<unsigned char, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[c] = 1;
    for (int c = 'A'; c <= 'Z'; ++c) table[c] = 1;
    for (int c = 'a'; c <= 'z'; ++c) table[c] = 1;
    for (char c : std::string_view(" '(),-./:=")) table[static_cast<unsigned char>(c)] = 1;
    table['@'] = table['_'] = 2;
    return table;
}();

bool allowed_chars(std::string_view value, bool is_cn) {
    const unsigned char mask = is_cn ? 3 : 1;
    for (char c : value)
        if (!(kAllowedChars[static_cast<unsigned char>(c)] & mask)) return false;
    return true;
}

// `text` contains `word` (lower case ASCII), ignoring ASCII case.
bool contains_ignore_case(std::string_view text, std::string_view word) {
    for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
        std::size_t k = 0;
        while (k < word.size() && ascii_lower(text[i + k]) == word[k]) ++k;
        if (k == word.size()) return true;
    }
    return false;
}

int rank(std::string_view type) {
    if (type == "CN") return 0;
    if (type == "OU") return 1;
    if (type == "O") return 2;
    if (type == "L") return 3;
    if (type == "ST") return 4;
    if (type == "C") return 5;
    return -1;
}

}  // namespace

std::string SubjectDn::to_string() const {
    std::size_t size = 3 + cn.size() + 3 + o.size() + 3 + c.size();
    for (const auto& unit : ou) size += 4 + unit.size();
    if (l) size += 3 + l->size();
    if (st) size += 4 + st->size();
    std::string out;
    out.reserve(size);
    out.append("CN=").append(cn);
    for (const auto& unit : ou) out.append(",OU=").append(unit);
    out.append(",O=").append(o);
    if (l) out.append(",L=").append(*l);
    if (st) out.append(",ST=").append(*st);
    out.append(",C=").append(c);
    return out;
}

DnParseResult parse_subject_dn(std::string_view text, std::size_t line) {
    DnParseResult result;
    auto fail = [&](std::string_view code, std::string detail = {}) {
        result.findings.push_back(make_finding(code, line, kDnColumn, detail));
    };
    if (text.empty()) {
        fail("dn_required");
        return result;
    }
    if (utf8_length(text) > kMaxDnLength) {
        fail("dn_too_long");
        return result;
    }
    auto attributes = split_attributes(text);
    if (!attributes) {
        fail("dn_syntax");
        return result;
    }
    SubjectDn dn;
    int last_rank = -1;
    std::array<int, 6> seen{};
    for (const Attribute& attr : *attributes) {
        int r = rank(attr.type);
        if (r < 0) {
            fail("dn_syntax", "unknown attribute type");
            return result;
        }
        if (r < last_rank || (r == last_rank && r != 1)) {
            fail("dn_order", "attribute " + std::string(attr.type) + " out of place");
            return result;
        }
        last_rank = r;
        ++seen[static_cast<std::size_t>(r)];
        if (attr.value.empty()) {
            fail("dn_syntax", "empty value for " + std::string(attr.type));
            return result;
        }
        if (!allowed_chars(attr.value, r == 0)) {
            fail("dn_chars", "in " + std::string(attr.type));
            return result;
        }
        if (attr.value.size() > kMaxValueLength) {
            fail("dn_attribute_too_long", std::string(attr.type));
            return result;
        }
        switch (r) {
            case 0:
                dn.cn = attr.value;
                break;
            case 1:
                dn.ou.emplace_back(attr.value);
                break;
            case 2:
                dn.o = attr.value;
                break;
            case 3:
                dn.l = attr.value;
                break;
            case 4:
                dn.st = attr.value;
                break;
            default:
                dn.c = attr.value;
                break;
        }
    }
    if (!seen[0] || !seen[2] || !seen[5]) {
        fail("dn_attribute_missing", !seen[0] ? "CN" : (!seen[2] ? "O" : "C"));
        return result;
    }
    if (dn.c != "JP") fail("dn_country");
    if (!dn.l && !dn.st) fail("dn_st_l_missing");
    if (dn.l && (contains_ignore_case(*dn.l, "academe") || contains_ignore_case(*dn.l, "default") ||
                 (dn.l->size() == 4 && contains_ignore_case(*dn.l, "city"))))
        fail("dn_locality_forbidden");
    if (result.findings.empty()) result.dn = std::move(dn);
    return result;
}

DnParseResult subject_dn_from_rdns(const std::vector<Rdn>& rdns, std::size_t line) {
    DnParseResult result;
    auto fail = [&](std::string_view code, std::string detail = {}) {
        result.findings.push_back(make_finding(code, line, kDnColumn, detail));
        return result;
    };
    SubjectDn dn;
    std::array<int, 6> seen{};
    std::vector<std::string> ou_der_order;
    for (const Rdn& rdn : rdns) {
        if (rdn.size() != 1)
            return fail("dn_multivalued_rdn",
                        std::to_string(rdn.size()) + " attributes in one RDN");
        const DnAttribute& a = rdn.front();
        for (std::size_t i = a.value.find(','); i != std::string::npos;
             i = a.value.find(',', i + 1))
            if (starts_attribute(a.value, i + 1)) return fail("dn_ambiguous", "in " + a.type);
        int r = rank(a.type);
        if (r < 0) return fail("dn_attribute_unsupported", a.type);
        if (seen[static_cast<std::size_t>(r)]++ && r != 1)
            return fail("dn_attribute_repeated", a.type);
        switch (r) {
            case 0:
                dn.cn = a.value;
                break;
            case 1:
                ou_der_order.push_back(a.value);
                break;
            case 2:
                dn.o = a.value;
                break;
            case 3:
                dn.l = a.value;
                break;
            case 4:
                dn.st = a.value;
                break;
            default:
                dn.c = a.value;
                break;
        }
    }
    // Row form is most specific first: the OU nearest the CN in DER comes first.
    dn.ou.assign(ou_der_order.rbegin(), ou_der_order.rend());
    DnParseResult parsed = parse_subject_dn(dn.to_string(), line);
    if (parsed.findings.empty() && !(*parsed.dn == dn)) return fail("dn_ambiguous");
    return parsed;
}

}  // namespace inkan::policy
