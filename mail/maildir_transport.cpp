#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include "common/error.h"
#include "mail/transport.h"

namespace inkan::mail {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw Error(ErrorCategory::Unavailable, "mail_delivery_failed",
                "Maildir: " + what + ": " + std::strerror(errno));
}

// A name unique on this host (the Maildir convention: time.unique.host).
std::string unique_name() {
    static std::atomic<unsigned long> counter{0};
    auto now = std::chrono::system_clock::now().time_since_epoch();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    for (char* p = host; *p; ++p)
        if (*p == '/' || *p == ':') *p = '_';
    return std::to_string(us / 1000000) + ".M" + std::to_string(us % 1000000) + "P" +
           std::to_string(getpid()) + "Q" + std::to_string(++counter) + "." + host;
}

// An owned file descriptor.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_;
};

}  // namespace

MaildirTransport::MaildirTransport(std::filesystem::path root) : root_(std::move(root)) {}

std::string MaildirTransport::describe() const { return "maildir " + root_.string(); }

void MaildirTransport::deliver(const Envelope&, const std::string& message) {
    std::error_code ec;
    for (const char* sub : {"tmp", "new", "cur"})
        std::filesystem::create_directories(root_ / sub, ec);
    if (ec) {
        errno = ec.value();
        fail("cannot create " + root_.string());
    }
    const std::string name = unique_name();
    const auto tmp = root_ / "tmp" / name;
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
        if (fd.get() < 0) fail("cannot create " + tmp.string());
        size_t written = 0;
        while (written < message.size()) {
            ssize_t n = ::write(fd.get(), message.data() + written, message.size() - written);
            if (n < 0) {
                if (errno == EINTR) continue;
                ::unlink(tmp.c_str());
                fail("cannot write " + tmp.string());
            }
            written += static_cast<size_t>(n);
        }
        if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
            ::unlink(tmp.c_str());
            fail("cannot flush " + tmp.string());
        }
    }
    const auto target = root_ / "new" / name;
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        ::unlink(tmp.c_str());
        fail("cannot move the mail into " + (root_ / "new").string());
    }
}

}  // namespace inkan::mail
