#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>

namespace inkan::test {

Process::Process(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env, const ProcessOptions& options)
    : group_(options.own_process_group) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        if (options.own_process_group) {
            setpgid(0, 0);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) _exit(127);  // the test died before prctl
        }
        if (!options.working_dir.empty() && chdir(options.working_dir.c_str()) != 0) _exit(127);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
    if (group_) setpgid(pid_, pid_);  // also from here: no race with an early stop()
}

void Process::reaped(int status) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (group_) kill(-pid_, SIGKILL);  // anything the leader left behind
    pid_ = -1;
}

void Process::signal(int sig) {
    if (group_) {
        kill(-pid_, sig);
    } else {
        kill(pid_, sig);
    }
}

Process::~Process() {
    if (pid_ > 0) stop();
    if (fd_ >= 0) close(fd_);
}

void Process::read_available(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return;
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n > 0) {
        output_.append(buf, static_cast<size_t>(n));
    } else if (timeout_ms > 0) {
        usleep(static_cast<useconds_t>(timeout_ms) * 1000);  // end of output: don't spin
    }
}

std::string Process::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto pos = output_.find(needle, scanned_ > needle.size() ? scanned_ - needle.size() : 0);
        if (pos != std::string::npos) {
            auto start = output_.rfind('\n', pos);
            start = start == std::string::npos ? 0 : start + 1;
            auto end = output_.find('\n', pos);
            if (end != std::string::npos) {
                scanned_ = end;
                return output_.substr(start, end - start);
            }
        }
        int status = 0;
        if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped(status);
            read_available(50);
            return "";
        }
        read_available(50);
    }
    return "";
}

void Process::kill_now() {
    if (pid_ <= 0) return;
    signal(SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) reaped(status);
    read_available(0);
}

int Process::stop() {
    if (pid_ <= 0) return exit_code_;
    signal(SIGTERM);
    // Poll by time, not by count: once the child closed its output, reads
    // return at once and a count would run out before it has exited.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped(status);
            read_available(0);
            return exit_code_;
        }
        read_available(50);
    }
    signal(SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
}

int Process::wait() {
    if (pid_ <= 0) return exit_code_;
    for (;;) {
        read_available(50);
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            reaped(status);
            while (true) {
                size_t before = output_.size();
                read_available(10);
                if (output_.size() == before) break;
            }
            return exit_code_;
        }
    }
}

}  // namespace inkan::test
