#include "api/certificate_query.h"

#include <algorithm>

#include "api/form.h"
#include "common/error.h"

namespace inkan::api {
namespace {

[[noreturn]] void bad_query(const std::string& code, const std::string& message) {
    throw Error(ErrorCategory::InvalidInput, code, message);
}

// A non-negative decimal count of at most max.
size_t count_param(const std::string& name, const std::string& value, size_t max) {
    const std::string why = "query parameter '" + name + "' must be a whole number from " +
                            (name == "limit" ? "1 to " : "0 to ") + std::to_string(max);
    if (value.empty() || value.size() > 9 ||
        value.find_first_not_of("0123456789") != std::string::npos) {
        bad_query(name + "_invalid", why);
    }
    size_t n = std::stoul(value);
    if (n > max || (name == "limit" && n == 0)) bad_query(name + "_invalid", why);
    return n;
}

}  // namespace

ParsedQuery parse_certificate_query(const Pistache::Rest::Request& req, bool paging,
                                    const std::vector<std::string>& extra) {
    ParsedQuery parsed;
    CertificateQuery& q = parsed.query;
    const auto& query = req.query();
    for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
        const std::string& name = it->first;
        std::string value;
        try {
            value = url_decode(it->second);
        } catch (const Error&) {
            bad_query("query_malformed", "query parameter '" + name + "' has a bad %-escape");
        }
        if (value.empty())
            bad_query("query_parameter_empty", "query parameter '" + name + "' is empty");
        if (name == "subject")
            q.subject = value;
        else if (name == "subject_contains")
            q.subject_contains = value;
        else if (name == "mail")
            q.mail = value;
        else if (name == "serial")
            q.serial = value;
        else if (name == "status") {
            if (value != "valid" && value != "revoked" && value != "expired") {
                bad_query("status_invalid",
                          "query parameter 'status' must be valid, revoked or expired");
            }
            q.status = value;
        } else if (paging && name == "limit")
            q.limit = count_param(name, value, CertificateQuery::kMaxLimit);
        else if (paging && name == "offset")
            q.offset = count_param(name, value, 999'999'999);
        else if (std::find(extra.begin(), extra.end(), name) != extra.end())
            parsed.extra[name] = value;
        else {
            std::string known = "subject, subject_contains, mail, serial, status";
            if (paging) known += ", limit, offset";
            for (const auto& e : extra) known += ", " + e;
            bad_query("query_parameter_unknown",
                      "unknown query parameter '" + name + "'; use " + known);
        }
    }
    return parsed;
}

}  // namespace inkan::api
