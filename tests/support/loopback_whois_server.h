// A real RFC 3912 server on 127.0.0.1 (port chosen by the kernel) for tests.
// Per queried domain it answers with fixed bytes, holds the connection open
// without answering (timeouts), or closes at once. Unknown domains get an empty
// answer. One thread; stops and closes everything in the destructor.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace inkan::test {

class LoopbackWhoisServer {
  public:
    enum class Behaviour { Answer, Hang };

    LoopbackWhoisServer();
    ~LoopbackWhoisServer();
    LoopbackWhoisServer(const LoopbackWhoisServer&) = delete;
    LoopbackWhoisServer& operator=(const LoopbackWhoisServer&) = delete;

    void answer(const std::string& domain, std::string response);
    void hang(const std::string& domain);
    int port() const { return port_; }
    int queries() const { return queries_.load(); }
    std::vector<std::string> queried_lines() const;

  private:
    void serve();
    void handle(int fd);

    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    int port_ = 0;
    std::atomic<int> queries_{0};
    mutable std::mutex mutex_;
    std::map<std::string, std::pair<Behaviour, std::string>> table_;
    std::vector<std::string> lines_;
    std::vector<int> held_;
    std::thread thread_;
};

// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
int closed_loopback_port();

}  // namespace inkan::test
