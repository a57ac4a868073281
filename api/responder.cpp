#include "api/responder.h"

#include <pistache/peer.h>

#include "api/client_address.h"
#include "api/front_gate.h"
#include "api/problem.h"
#include "api/request_tracing.h"
#include "common/error.h"
#include "common/log.h"
#include "common/openssl_ptr.h"

namespace inkan::api {

using namespace Pistache;

namespace {

// Pistache 0.0.5 writes only typed headers (raw ones are dropped on output).
class ContentDisposition : public Http::Header::Header {
  public:
    NAME("Content-Disposition")
    ContentDisposition() = default;
    explicit ContentDisposition(std::string value) : value_(std::move(value)) {}
    void parse(const std::string& data) override { value_ = data; }
    void write(std::ostream& os) const override { os << value_; }

  private:
    std::string value_;
};

// RFC 9110 Retry-After (delay-seconds) on 503 answers.
class RetryAfter : public Http::Header::Header {
  public:
    NAME("Retry-After")
    RetryAfter() = default;
    explicit RetryAfter(std::string value) : value_(std::move(value)) {}
    void parse(const std::string& data) override { value_ = data; }
    void write(std::ostream& os) const override { os << value_; }

  private:
    std::string value_;
};

}  // namespace

void add_retry_after(ResponseWriter& writer, int seconds) {
    writer.headers().add<RetryAfter>(std::to_string(seconds));
}

namespace {

// What the traced request answered (api/request_tracing.h), for its log line and metrics.
void note_status(int status, const std::string& code = "") {
    if (RequestContext* request = current_request()) {
        request->status = status;
        request->code = code;
    }
}

void send_problem(ResponseWriter& writer, const Problem& p, const std::string& code) {
    note_status(p.status, code);
    writer.headers().add<Http::Header::ContentType>(MIME(Application, Json));
    if (p.retry_after_seconds > 0) {
        writer.headers().add<RetryAfter>(std::to_string(p.retry_after_seconds));
    }
    writer.send(static_cast<Http::Code>(p.status), p.body);
}

}  // namespace

// Every 500 is logged with its cause; the answer names the incident id, which
// is the request id (X-Request-Id) of a traced request. The traced request's
// own log line carries the cause; outside one (unit tests' bare routers) it is
// logged here.
void send_internal(ResponseWriter& writer, const std::string& cause) {
    RequestContext* request = current_request();
    std::string id = request ? request->id : new_request_id();
    if (request) {
        request->cause = cause;
    } else {
        log::error("internal error", {{"request_id", id}, {"status", 500}, {"cause", cause}});
    }
    send_problem(writer, internal_problem(id), "internal_error");
}

void respond(ResponseWriter& writer, const std::function<void()>& body) {
    try {
        body();
    } catch (const Error& e) {
        if (e.category() == ErrorCategory::Internal) {
            send_internal(writer, e.code() + ": " + e.what());
        } else {
            send_problem(writer, to_problem(e), e.code());
        }
    } catch (const std::exception& e) {
        send_internal(writer, e.what());
    }
}

void send_json(ResponseWriter& writer, int status, const nlohmann::json& body) {
    note_status(status);
    writer.headers().add<Http::Header::ContentType>(MIME(Application, Json));
    writer.send(static_cast<Http::Code>(status), body.dump());
}

void send_bytes(ResponseWriter& writer, int status, const std::string& content_type,
                std::string_view bytes, const std::string& filename) {
    note_status(status);
    writer.headers().add<Http::Header::ContentType>(Http::Mime::MediaType(content_type));
    if (!filename.empty()) {
        writer.headers().add<ContentDisposition>("attachment; filename=\"" + filename + "\"");
    }
    writer.send(static_cast<Http::Code>(status), bytes.data(), bytes.size());
}

OperatorIdentity authenticate(const Request& request, ResponseWriter& writer,
                              Authority& authority) {
    if (const OperatorIdentity* admitted = current_operator()) return *admitted;  // the gate's
    std::shared_ptr<Tcp::Peer> peer;
    try {
        peer = writer.peer();
    } catch (const std::exception&) {
    }
    SSL* ssl = peer ? static_cast<SSL*>(peer->ssl()) : nullptr;
    if (!ssl) {
        // Only the listener behind the front is plain HTTP (api/http_server.cpp).
        X509Ptr forwarded = forwarded_client_certificate(request);
        return authority.authenticate_operator(forwarded.get());
    }
    X509Ptr cert(SSL_get1_peer_certificate(ssl));
    if (!cert || SSL_get_verify_result(ssl) != X509_V_OK) {
        throw Error(ErrorCategory::Unauthorized, "client_certificate_required",
                    "no verified TLS client certificate was presented");
    }
    return authority.authenticate_operator(cert.get());
}

nlohmann::json to_json(const CertificateView& v) {
    nlohmann::json j = {
        {"serial", v.serial_dec}, {"serial_hex", v.serial_hex},   {"subject", v.subject},
        {"issuer", v.issuer},     {"not_before", v.not_before},   {"not_after", v.not_after},
        {"status", v.status},     {"institution", v.institution}, {"requested_by", v.requested_by},
        {"delivery", v.delivery}};
    if (!v.pem.empty()) j["certificate_pem"] = v.pem;
    if (v.revoked_at) j["revoked_at"] = *v.revoked_at;
    if (v.revocation_reason) j["revocation_reason"] = *v.revocation_reason;
    if (v.profile_id) j["profile_id"] = *v.profile_id;
    if (v.batch_id) j["batch_id"] = *v.batch_id;
    if (v.row) j["row_id"] = *v.row;
    if (v.mail) j["mail"] = *v.mail;
    return j;
}

}  // namespace inkan::api
