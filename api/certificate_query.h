// The certificate look-up's query string (GET /api/v1/certificates and
// GET /api/v1/export): subject, subject_contains, mail, serial, status and,
// where paging applies, limit and offset. Every parameter must be known and
// non-empty; %-escapes are decoded.
#pragma once

#include <pistache/router.h>

#include <map>
#include <string>
#include <vector>

#include "api/authority.h"

namespace inkan::api {

struct ParsedQuery {
    CertificateQuery query;
    std::map<std::string, std::string> extra;  // the caller's own parameters, decoded
};

// paging: limit and offset are allowed; extra: further parameter names the
// caller handles. Throws Error(InvalidInput) naming the parameter.
ParsedQuery parse_certificate_query(const Pistache::Rest::Request& req, bool paging,
                                    const std::vector<std::string>& extra = {});

}  // namespace inkan::api
