#include "tests/support/loopback_whois_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace inkan::test {
namespace {

int bind_loopback(int& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("bind failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    return fd;
}

}  // namespace

int closed_loopback_port() {
    int port = 0;
    int fd = bind_loopback(port);
    ::close(fd);
    return port;
}

LoopbackWhoisServer::LoopbackWhoisServer() {
    listen_fd_ = bind_loopback(port_);
    if (::listen(listen_fd_, 16) != 0 || ::pipe(wake_pipe_) != 0)
        throw std::runtime_error("listen failed");
    thread_ = std::thread([this] { serve(); });
}

LoopbackWhoisServer::~LoopbackWhoisServer() {
    char byte = 'x';
    if (::write(wake_pipe_[1], &byte, 1) != 1) {
        // the thread also stops when the pipe closes below
    }
    thread_.join();
    for (int fd : held_) ::close(fd);
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
}

void LoopbackWhoisServer::answer(const std::string& domain, std::string response) {
    std::lock_guard lock(mutex_);
    table_[domain] = {Behaviour::Answer, std::move(response)};
}

void LoopbackWhoisServer::hang(const std::string& domain) {
    std::lock_guard lock(mutex_);
    table_[domain] = {Behaviour::Hang, {}};
}

std::vector<std::string> LoopbackWhoisServer::queried_lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

void LoopbackWhoisServer::serve() {
    while (true) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents) return;
        if (fds[0].revents & POLLIN) {
            int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd >= 0) handle(fd);
        }
    }
}

void LoopbackWhoisServer::handle(int fd) {
    std::string line;
    char c;
    while (line.size() < 1024) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 2000) <= 0 || ::recv(fd, &c, 1, 0) != 1) break;
        line += c;
        if (line.size() >= 2 && line.ends_with("\r\n")) break;
    }
    ++queries_;
    std::string domain = line.ends_with("\r\n") ? line.substr(0, line.size() - 2) : line;
    std::pair<Behaviour, std::string> what{Behaviour::Answer, {}};
    {
        std::lock_guard lock(mutex_);
        lines_.push_back(line);
        if (auto it = table_.find(domain); it != table_.end()) what = it->second;
    }
    if (what.first == Behaviour::Hang) {
        held_.push_back(fd);
        return;
    }
    if (what.first == Behaviour::Answer) {
        std::size_t sent = 0;
        while (sent < what.second.size()) {
            ssize_t n =
                ::send(fd, what.second.data() + sent, what.second.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
    }
    ::close(fd);
}

}  // namespace inkan::test
