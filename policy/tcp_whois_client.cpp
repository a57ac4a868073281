#include "policy/tcp_whois_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace inkan::policy {
namespace {

using Clock = std::chrono::steady_clock;

class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int get() const noexcept { return fd_; }
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_;
};

class AddrInfo {
  public:
    AddrInfo() = default;
    ~AddrInfo() {
        if (info_) freeaddrinfo(info_);
    }
    AddrInfo(const AddrInfo&) = delete;
    AddrInfo& operator=(const AddrInfo&) = delete;
    addrinfo** out() noexcept { return &info_; }
    const addrinfo* get() const noexcept { return info_; }

  private:
    addrinfo* info_ = nullptr;
};

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on fd until `deadline`; false on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
    while (true) {
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, remaining_ms(deadline));
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return false;
    }
}

WhoisAnswer unreachable(std::string detail) {
    return WhoisAnswer{WhoisAnswer::Status::Unreachable, {}, std::move(detail)};
}

// Connects with a deadline; returns fd >= 0 or -1 with `why` set.
int connect_with_timeout(const WhoisServer& server, Clock::time_point deadline, std::string& why) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    AddrInfo info;
    std::string port = std::to_string(server.port);
    if (int rc = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, info.out()); rc != 0) {
        why = std::string("resolve failed: ") + gai_strerror(rc);
        return -1;
    }
    for (const addrinfo* ai = info.get(); ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          ai->ai_protocol);
        if (fd < 0) continue;
        Socket sock(fd);
        if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                why = std::string("connect failed: ") + std::strerror(errno);
                continue;
            }
            if (!wait_for(fd, POLLOUT, deadline)) {
                why = "connect timed out";
                continue;
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                why = std::string("connect failed: ") + std::strerror(err);
                continue;
            }
        }
        return sock.release();
    }
    if (why.empty()) why = "no address";
    return -1;
}

}  // namespace

std::optional<WhoisServer> parse_whois_server(std::string_view text) {
    std::string_view host = text;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
        }
    } else if (std::size_t colon = text.rfind(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    WhoisServer server{std::string(host), 43};
    if (!text.empty() && (text.back() == ':' || !port.empty())) {
        int value = 0;
        auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || value < 1 ||
            value > 65535)
            return std::nullopt;
        server.port = value;
    }
    return server;
}

WhoisConfig default_whois_config() {
    WhoisConfig config;
    config.servers["jp"] = WhoisServer{"whois.jprs.jp", 43};
    return config;
}

TcpWhoisClient::TcpWhoisClient(WhoisConfig config) : config_(std::move(config)) {}

const WhoisServer* TcpWhoisClient::server_for(const std::string& domain) const {
    const WhoisServer* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [suffix, server] : config_.servers) {
        bool match = suffix.empty() || domain == suffix ||
                     (domain.size() > suffix.size() &&
                      domain.compare(domain.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                      domain[domain.size() - suffix.size() - 1] == '.');
        if (match && (!best || suffix.size() > best_len)) {
            best = &server;
            best_len = suffix.size();
        }
    }
    return best;
}

WhoisAnswer TcpWhoisClient::lookup(const std::string& domain) {
    const WhoisServer* server = server_for(domain);
    if (!server) return unreachable("no WHOIS server configured for " + domain);
    std::string why;
    int raw_fd = connect_with_timeout(*server, Clock::now() + config_.connect_timeout, why);
    if (raw_fd < 0) return unreachable(why);
    Socket sock(raw_fd);
    const auto deadline = Clock::now() + config_.read_timeout;

    std::string query = domain + "\r\n";
    std::size_t sent = 0;
    while (sent < query.size()) {
        if (!wait_for(sock.get(), POLLOUT, deadline)) return unreachable("send timed out");
        ssize_t n = ::send(sock.get(), query.data() + sent, query.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return unreachable(std::string("send failed: ") + std::strerror(errno));
        }
        sent += static_cast<std::size_t>(n);
    }

    std::string response;
    char buf[4096];
    while (true) {
        if (!wait_for(sock.get(), POLLIN, deadline)) return unreachable("read timed out");
        ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return unreachable(std::string("read failed: ") + std::strerror(errno));
        }
        response.append(buf, static_cast<std::size_t>(n));
        if (response.size() > config_.max_response_bytes) return unreachable("response too large");
    }
    auto text = decode_whois_response(response);
    if (!text) return WhoisAnswer{WhoisAnswer::Status::NoOrganisation, {}, "undecodable response"};
    auto organisations = parse_whois_organisations(*text);
    if (organisations.empty())
        return WhoisAnswer{WhoisAnswer::Status::NoOrganisation, {}, "no organisation in response"};
    return WhoisAnswer{WhoisAnswer::Status::Found, std::move(organisations), {}};
}

}  // namespace inkan::policy
