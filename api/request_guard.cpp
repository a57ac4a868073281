#include "api/request_guard.h"

#include <pistache/peer.h>
#include <pistache/transport.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace inkan::api {

using namespace Pistache;

namespace {

constexpr const char* kStateKey = "inkan.request_guard";
constexpr size_t kMaxContentLengthDigits = 18;  // fits size_t; 10^18 bytes is over any limit

// Where one connection is: reading a request head, or passing `body_left` body bytes.
struct GuardState {
    std::string head;
    size_t body_left = 0;
    bool refused = false;  // answered and closing: ignore the rest
};

HeadCheck refusal(int status, std::string code, std::string message) {
    return {status, std::move(code), std::move(message), 0};
}

bool is_known_method(std::string_view method) {
    static constexpr std::array<std::string_view, 9> kMethods = {
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

const char* reason_phrase(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 411:
            return "Length Required";
        case 413:
            return "Content Too Large";
        case 431:
            return "Request Header Fields Too Large";
        default:
            return "Error";
    }
}

}  // namespace

HeadCheck check_request_head(std::string_view head, size_t max_body_bytes) {
    if (head.size() > kMaxRequestHeadBytes) {
        return refusal(431, "header_too_large",
                       "the request line and headers exceed " +
                           std::to_string(kMaxRequestHeadBytes / 1024) + " KiB");
    }
    size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 == sp1 + 1 ||
        request_line.find(' ', sp2 + 1) != std::string_view::npos) {
        return refusal(400, "bad_request",
                       "malformed HTTP request line; expected \"METHOD /path HTTP/1.1\"");
    }
    std::string_view method = request_line.substr(0, sp1);
    std::string_view version = request_line.substr(sp2 + 1);
    if (!is_known_method(method)) {
        return refusal(400, "bad_request", "unknown HTTP method");
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return refusal(400, "bad_request", "unsupported HTTP version; use HTTP/1.1");
    }
    int content_lengths = 0;
    std::string_view content_length;
    bool transfer_encoding = false;
    size_t pos = line_end + 2;
    while (pos < head.size()) {
        size_t end = head.find("\r\n", pos);
        std::string_view line = head.substr(pos, end - pos);
        pos = end + 2;
        if (line.empty()) break;  // the blank line ending the head
        size_t colon = line.find(':');
        if (line.front() == ' ' || line.front() == '\t' || colon == std::string_view::npos ||
            colon == 0 || line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
            return refusal(400, "bad_request", "malformed HTTP header line");
        }
        std::string_view name = line.substr(0, colon);
        if (iequals(name, "Content-Length")) {
            ++content_lengths;
            content_length = trim_ows(line.substr(colon + 1));
        } else if (iequals(name, "Transfer-Encoding")) {
            transfer_encoding = true;
        }
    }
    if (content_lengths > 1) {
        return refusal(400, "content_length_duplicate",
                       "the request has more than one Content-Length header; send exactly one");
    }
    if (transfer_encoding && content_lengths > 0) {
        return refusal(400, "framing_ambiguous",
                       "the request has both Content-Length and Transfer-Encoding; send only "
                       "Content-Length");
    }
    if (transfer_encoding) {
        return refusal(411, "length_required",
                       "Transfer-Encoding (chunked) request bodies are not accepted; send the body "
                       "with a Content-Length header");
    }
    if (content_lengths == 0) return {};
    if (content_length.empty() || content_length.size() > kMaxContentLengthDigits ||
        content_length.find_first_not_of("0123456789") != std::string_view::npos) {
        return refusal(400, "content_length_invalid",
                       "Content-Length must be one non-negative decimal number of bytes");
    }
    size_t length = std::stoull(std::string(content_length));
    if (length > max_body_bytes) {
        return refusal(413, "body_too_large",
                       "the request body (" + std::to_string(length) +
                           " bytes) exceeds the limit of " + std::to_string(max_body_bytes) +
                           " bytes (http.max_body_bytes); split the request file");
    }
    HeadCheck ok;
    ok.content_length = length;
    return ok;
}

std::string refusal_response(const HeadCheck& check) {
    ErrorCategory category = check.status == 413 || check.status == 431
                                 ? ErrorCategory::TooLarge
                                 : ErrorCategory::InvalidInput;
    std::string body = nlohmann::json{
        {"code", check.code},
        {"category", to_string(category)},
        {"message",
         check.message}}.dump();
    return "HTTP/1.1 " + std::to_string(check.status) + " " + reason_phrase(check.status) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

GuardedHandler::GuardedHandler(std::shared_ptr<Http::Handler> inner, size_t max_body_bytes)
    : inner_(std::move(inner)), max_body_bytes_(max_body_bytes) {}

// Pistache's per-thread clone: its own clone of the router's handler.
GuardedHandler::GuardedHandler(const GuardedHandler& other)
    : Http::Handler(other),
      std::enable_shared_from_this<GuardedHandler>(),
      inner_(std::static_pointer_cast<Http::Handler>(other.inner_->clone())),
      max_body_bytes_(other.max_body_bytes_) {}

void GuardedHandler::onRequest(const Http::Request& request, Http::ResponseWriter response) {
    inner_->onRequest(request, std::move(response));
}

// The inner handler writes its answers through this worker's transport, which
// Pistache gave to this handler only: Transport::init associates a handler with
// it, so associate the inner one, then this one again (the transport keeps
// calling this handler).
void GuardedHandler::bind_inner() {
    inner_->setMaxRequestSize(getMaxRequestSize());
    inner_->setMaxResponseSize(getMaxResponseSize());
    inner_->setHeaderTimeout(getHeaderTimeout());
    inner_->setBodyTimeout(getBodyTimeout());
    std::shared_ptr<GuardedHandler> self = shared_from_this();
    Tcp::Transport* t = transport();
    t->init(inner_);
    t->init(self);
    bound_ = true;
}

void GuardedHandler::onConnection(const std::shared_ptr<Tcp::Peer>& peer) {
    if (!bound_) bind_inner();
    peer->putData(kStateKey, std::make_shared<GuardState>());
    static_cast<Tcp::Handler&>(*inner_).onConnection(peer);
}

void GuardedHandler::onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) {
    static_cast<Tcp::Handler&>(*inner_).onDisconnection(peer);
}

void GuardedHandler::pass(const char* data, size_t len, const std::shared_ptr<Tcp::Peer>& peer) {
    static_cast<Tcp::Handler&>(*inner_).onInput(data, len, peer);
}

// The answer, then FIN: the client reads the whole JSON problem and the end of
// the connection; whatever it still sends is dropped.
void GuardedHandler::refuse(const HeadCheck& check, const std::shared_ptr<Tcp::Peer>& peer) {
    std::string bytes = refusal_response(check);
    int fd = peer->fd();
    peer->send(RawBuffer(bytes, bytes.size()))
        .then([fd](ssize_t) { ::shutdown(fd, SHUT_WR); },
              [fd](std::exception_ptr) { ::shutdown(fd, SHUT_RDWR); });
}

void GuardedHandler::onInput(const char* buffer, size_t len,
                             const std::shared_ptr<Tcp::Peer>& peer) {
    auto state = std::static_pointer_cast<GuardState>(peer->tryGetData(kStateKey));
    if (!state) return pass(buffer, len, peer);
    std::string_view in(buffer, len);
    while (!in.empty() && !state->refused) {
        if (state->body_left > 0) {
            size_t n = std::min(in.size(), state->body_left);
            pass(in.data(), n, peer);
            state->body_left -= n;
            in.remove_prefix(n);
            continue;
        }
        size_t before = state->head.size();
        state->head.append(in.data(), in.size());
        size_t end = state->head.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
        if (end == std::string::npos) {
            if (state->head.size() > kMaxRequestHeadBytes) {
                state->refused = true;
                refuse(check_request_head(state->head, max_body_bytes_), peer);
            }
            return;
        }
        end += 4;
        HeadCheck check =
            check_request_head(std::string_view(state->head).substr(0, end), max_body_bytes_);
        if (check.status != 0) {
            state->refused = true;
            refuse(check, peer);
            return;
        }
        std::string head = std::move(state->head);
        state->head.clear();
        state->body_left = check.content_length;
        in.remove_prefix(end - before);
        pass(head.data(), end, peer);
    }
}

}  // namespace inkan::api
