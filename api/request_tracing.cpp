#include "api/request_tracing.h"

#include <openssl/rand.h>
#include <pistache/http_headers.h>

#include <chrono>
#include <cmath>

#include "common/bytes.h"
#include "common/error.h"
#include "common/log.h"

namespace inkan::api {

using namespace Pistache;

namespace {

thread_local RequestContext* tl_current = nullptr;

// Pistache 0.0.5 writes only typed headers (raw ones are dropped on output).
class RequestIdHeader : public Http::Header::Header {
  public:
    NAME("X-Request-Id")
    RequestIdHeader() = default;
    explicit RequestIdHeader(std::string value) : value_(std::move(value)) {}
    void parse(const std::string& data) override { value_ = data; }
    void write(std::ostream& os) const override { os << value_; }

  private:
    std::string value_;
};

// nginx's $request_id is 32 hex digits; anything of this shape is accepted.
bool plausible_id(const std::string& id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

// Sets the thread's current request for one handler call.
class CurrentRequest {
  public:
    explicit CurrentRequest(RequestContext* context) : previous_(tl_current) {
        tl_current = context;
    }
    ~CurrentRequest() { tl_current = previous_; }
    CurrentRequest(const CurrentRequest&) = delete;
    CurrentRequest& operator=(const CurrentRequest&) = delete;

  private:
    RequestContext* previous_;
};

}  // namespace

RequestContext* current_request() noexcept { return tl_current; }

std::string new_request_id() {
    Bytes b(16);
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
        throw Error(ErrorCategory::Internal, "random_failed", "OpenSSL RAND_bytes failed");
    }
    return hex_encode(b);
}

std::string RequestTracing::request_id(const Rest::Request& request) const {
    if (trust_forwarded_id_) {
        if (auto raw = request.headers().tryGetRaw(kRequestIdHeader)) {
            if (plausible_id(raw->value())) return raw->value();
        }
    }
    return new_request_id();
}

Rest::Route::Handler RequestTracing::wrap(Listener listener, std::string method, std::string route,
                                          Rest::Route::Handler inner) const {
    return [this, listener, method = std::move(method), route = std::move(route),
            inner = std::move(inner)](Rest::Request request, Http::ResponseWriter writer) {
        const auto started = std::chrono::steady_clock::now();
        RequestContext context;
        context.id = request_id(request);
        writer.headers().add<RequestIdHeader>(context.id);
        auto result = Rest::Route::Result::Ok;
        {
            CurrentRequest scope(&context);
            try {
                result = inner(std::move(request), std::move(writer));  // no copy of the body
            } catch (const std::exception& e) {  // Pistache answers it; we log it
                context.status = 500;
                context.cause = e.what();
            }
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        // Counted before it is logged: whoever sees the line sees the count.
        if (metrics_)
            metrics_->observe(to_string(listener), method, route, context.status, seconds);
        log::Fields fields = {
            {"request_id", context.id}, {"listener", to_string(listener)},
            {"method", method},         {"route", route},
            {"status", context.status}, {"duration_ms", std::round(seconds * 1e4) / 10}};
        if (!context.code.empty()) fields["code"] = context.code;
        if (context.status == 0 || !context.cause.empty()) {  // a 500, or no answer at all
            fields["cause"] = context.cause.empty() ? "no answer was sent" : context.cause;
            log::error("request failed", fields);
        } else if (context.status >= 500) {  // the HSM or a dependency is unavailable
            log::warn("request", fields);
        } else {
            log::info("request", fields);
        }
        return result;
    };
}

}  // namespace inkan::api
