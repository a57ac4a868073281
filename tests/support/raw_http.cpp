#include "tests/support/raw_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace inkan::test {
namespace {

void parse_first_response(RawExchange& x) {
    size_t head_end = x.raw.find("\r\n\r\n");
    if (x.raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return;
    x.status = std::atoi(x.raw.c_str() + 9);
    size_t pos = x.raw.find("\r\n") + 2;
    while (pos < head_end) {
        size_t end = x.raw.find("\r\n", pos);
        std::string line = x.raw.substr(pos, end - pos);
        pos = end + 2;
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        size_t v = line.find_first_not_of(' ', colon + 1);
        x.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    std::string body = x.raw.substr(head_end + 4);
    auto length = x.headers.find("content-length");
    if (length != x.headers.end()) body = body.substr(0, std::stoul(length->second));
    x.body = body;
}

}  // namespace

RawExchange raw_exchange(unsigned short port, const std::string& request,
                         std::chrono::milliseconds timeout) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    RawExchange x;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t sent = 0;
    char buf[16384];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, static_cast<short>(POLLIN | (sent < request.size() ? POLLOUT : 0)), 0};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 1))) <= 0) continue;
        if (p.revents & POLLIN) {
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                x.closed = true;
                break;
            }
            x.raw.append(buf, static_cast<size_t>(n));
        } else if (p.revents & POLLOUT) {
            ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n < 0)
                sent = request.size();  // refused early: keep reading the answer
            else
                sent += static_cast<size_t>(n);
        } else if (p.revents & (POLLHUP | POLLERR)) {
            x.closed = true;
            break;
        }
    }
    ::close(fd);
    parse_first_response(x);
    return x;
}

}  // namespace inkan::test
