// Checks the head of every HTTP request before Pistache 0.0.5 parses it, because
// its parser answers odd framing badly: a Content-Length of -1 or 10^23 became a
// 500 carrying a C++ exception text, two Content-Length headers were accepted,
// and a body over the limit got no answer while the socket lingered. The guard
// refuses, with the API's JSON problem and then closes the connection (the
// framing of anything after it is unknown):
//  - 400 bad_request: a request line or header line that does not parse, an
//    unknown method or HTTP version;
//  - 400 content_length_invalid: a Content-Length that is not one decimal number
//    (sign, spaces inside, letters, more than 18 digits);
//  - 400 content_length_duplicate: two Content-Length headers (RFC 9112 6.3);
//  - 400 framing_ambiguous: Content-Length and Transfer-Encoding together;
//  - 411 length_required: Transfer-Encoding (chunked bodies are not accepted;
//    send a Content-Length, as the TLS front does);
//  - 413 body_too_large: a Content-Length over the configured limit (answered
//    at once, before the body is read);
//  - 431 header_too_large: a request head over 64 KiB.
// Anything else goes on to Pistache unchanged (a body is passed through byte
// for byte, so keep-alive and pipelined requests still work).
#pragma once

#include <pistache/http.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace inkan::api {

inline constexpr size_t kMaxRequestHeadBytes = 64 * 1024;

// The verdict on one complete request head (request line and headers, up to and
// including the blank line).
struct HeadCheck {
    int status = 0;  // 0: let it through
    std::string code;
    std::string message;
    size_t content_length = 0;  // body bytes that follow (when let through)
};
HeadCheck check_request_head(std::string_view head, size_t max_body_bytes);

// The raw HTTP/1.1 answer the guard writes for a refusal (JSON problem,
// Connection: close).
std::string refusal_response(const HeadCheck& check);

// A Pistache handler that runs every connection's bytes through
// check_request_head and hands them to `inner` (the router's handler) when they
// pass. Pistache clones it per worker thread; each clone clones `inner`.
class GuardedHandler : public Pistache::Http::Handler,
                       public std::enable_shared_from_this<GuardedHandler> {
  public:
    HTTP_PROTOTYPE(GuardedHandler)

    GuardedHandler(std::shared_ptr<Pistache::Http::Handler> inner, size_t max_body_bytes);
    GuardedHandler(const GuardedHandler& other);

    void onRequest(const Pistache::Http::Request& request,
                   Pistache::Http::ResponseWriter response) override;

  private:
    void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
    void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
    void onInput(const char* buffer, size_t len,
                 const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
    void bind_inner();
    void pass(const char* data, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer);
    void refuse(const HeadCheck& check, const std::shared_ptr<Pistache::Tcp::Peer>& peer);

    std::shared_ptr<Pistache::Http::Handler> inner_;
    size_t max_body_bytes_;
    bool bound_ = false;
};

}  // namespace inkan::api
