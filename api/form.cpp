#include "api/form.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace inkan::api {
namespace {

[[noreturn]] void malformed(const std::string& why) {
    throw Error(ErrorCategory::InvalidInput, "body_malformed", why);
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string url_decode(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
            int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
            if (hi < 0 || lo < 0) malformed("bad %-escape in form data");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

FormFields parse_fields(const std::string& body, const std::string& content_type) {
    FormFields fields;
    if (body.empty()) return fields;
    if (content_type.find("json") != std::string::npos || body.front() == '{') {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(body);
        } catch (const nlohmann::json::exception&) {
            malformed("the body is not valid JSON");
        }
        if (!j.is_object()) malformed("the JSON body must be an object");
        for (const auto& [k, v] : j.items()) {
            if (v.is_string())
                fields[k] = v.get<std::string>();
            else if (v.is_boolean())
                fields[k] = v.get<bool>() ? "true" : "false";
            else if (v.is_number())
                fields[k] = v.dump();
            else
                malformed("field '" + k + "' must be a string, number or boolean");
        }
        return fields;
    }
    size_t start = 0;
    while (start <= body.size()) {
        size_t end = body.find('&', start);
        if (end == std::string::npos) end = body.size();
        std::string pair = body.substr(start, end - start);
        if (!pair.empty()) {
            size_t eq = pair.find('=');
            std::string key = url_decode(pair.substr(0, eq));
            std::string value = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
            fields[key] = value;
        }
        start = end + 1;
    }
    return fields;
}

std::optional<std::string> field(const FormFields& fields, const std::string& name) {
    auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    return it->second;
}

bool flag_field(const FormFields& fields, const std::string& name) {
    auto v = field(fields, name);
    return v && (*v == "1" || *v == "true" || *v == "on" || *v == "yes");
}

}  // namespace inkan::api
