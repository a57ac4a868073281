// Request bodies of the public download endpoints: JSON objects or HTML form
// posts (application/x-www-form-urlencoded), read into one string map.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace inkan::api {

using FormFields = std::map<std::string, std::string>;

// Throws Error(InvalidInput, "body_malformed") for a body that is neither.
FormFields parse_fields(const std::string& body, const std::string& content_type);

std::string url_decode(const std::string& text);  // throws body_malformed on a bad %XX

std::optional<std::string> field(const FormFields& fields, const std::string& name);
bool flag_field(const FormFields& fields, const std::string& name);  // "1", "true", "on", "yes"

}  // namespace inkan::api
