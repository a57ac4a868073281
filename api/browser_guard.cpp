#include "api/browser_guard.h"

#include "api/responder.h"
#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

namespace {

// Pistache 0.0.5 writes only typed headers (raw ones are dropped on output):
// one small type per header name.
class TextHeader : public Http::Header::Header {
  public:
    TextHeader() = default;
    explicit TextHeader(std::string value) : value_(std::move(value)) {}
    void parse(const std::string& data) override { value_ = data; }
    void write(std::ostream& os) const override { os << value_; }

  private:
    std::string value_;
};

#define INKAN_TEXT_HEADER(Type, Name)                                      \
    class Type : public TextHeader {                                       \
      public:                                                              \
        NAME(Name)                                                         \
        Type() = default;                                                  \
        explicit Type(std::string value) : TextHeader(std::move(value)) {} \
    };
INKAN_TEXT_HEADER(ContentSecurityPolicy, "Content-Security-Policy")
INKAN_TEXT_HEADER(ContentTypeOptions, "X-Content-Type-Options")
INKAN_TEXT_HEADER(ReferrerPolicy, "Referrer-Policy")
INKAN_TEXT_HEADER(FrameOptions, "X-Frame-Options")
INKAN_TEXT_HEADER(OpenerPolicy, "Cross-Origin-Opener-Policy")
#undef INKAN_TEXT_HEADER

std::string header_value(const Http::Request& request, const char* name) {
    auto raw = request.headers().tryGetRaw(name);
    return raw ? raw->value() : std::string();
}

// "https://host:port" → "host:port" (no path, default ports left as given).
std::string origin_authority(const std::string& origin) {
    auto scheme_end = origin.find("://");
    if (scheme_end == std::string::npos) return "";
    auto rest = origin.substr(scheme_end + 3);
    auto slash = rest.find('/');
    return slash == std::string::npos ? rest : rest.substr(0, slash);
}

std::string default_port_stripped(std::string authority, const std::string& origin) {
    const bool https = origin.rfind("https://", 0) == 0;
    const std::string default_port = https ? ":443" : ":80";
    if (authority.size() > default_port.size() &&
        authority.compare(authority.size() - default_port.size(), default_port.size(),
                          default_port) == 0) {
        authority.resize(authority.size() - default_port.size());
    }
    return authority;
}

}  // namespace

bool same_site_or_not_a_browser(const std::string& method, const std::string& sec_fetch_site,
                                const std::string& origin, const std::string& host) {
    if (method == "GET" || method == "HEAD" || method == "OPTIONS") return true;
    if (!sec_fetch_site.empty()) return sec_fetch_site == "same-origin" || sec_fetch_site == "none";
    if (origin.empty()) return true;  // not a browser (or one that sends no Origin on same-origin)
    if (origin == "null") return false;
    return default_port_stripped(origin_authority(origin), origin) ==
           default_port_stripped(host, origin);
}

bool add_security_headers(Http::Request&, Http::ResponseWriter& writer) {
    auto& h = writer.headers();
    h.add<ContentSecurityPolicy>(kContentSecurityPolicy);
    h.add<ContentTypeOptions>("nosniff");
    h.add<ReferrerPolicy>("no-referrer");
    h.add<FrameOptions>("DENY");
    h.add<OpenerPolicy>("same-origin");
    return true;
}

bool refuse_cross_site(Http::Request& request, Http::ResponseWriter& writer) {
    if (same_site_or_not_a_browser(
            Http::methodString(request.method()), header_value(request, "Sec-Fetch-Site"),
            header_value(request, "Origin"), header_value(request, "Host"))) {
        return true;
    }
    respond(writer, [] {
        throw Error(ErrorCategory::Forbidden, "cross_site_request",
                    "this request came from another web site; open the appliance's own page "
                    "and send it from there");
    });
    return false;
}

}  // namespace inkan::api
