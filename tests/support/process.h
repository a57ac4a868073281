// A child process for tests (e.g. `inkan serve`): started with extra
// environment variables, stdout+stderr captured, SIGTERM then SIGKILL on
// destruction. With `own_process_group` (a script that starts children, e.g.
// scripts/run.sh) the signals go to the whole group, and the child is killed
// should the test process die first.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace inkan::test {

struct ProcessOptions {
    std::filesystem::path working_dir;  // empty: the test's own
    bool own_process_group = false;
};

class Process {
  public:
    Process(const std::vector<std::string>& argv,
            const std::map<std::string, std::string>& env = {}, const ProcessOptions& options = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Reads output until a line contains `needle` (returns that line) or the
    // timeout passes / the process exits (returns "").
    std::string wait_for_line(const std::string& needle,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // SIGTERM, wait; returns the exit code (-1 if killed by a signal).
    int stop();
    // SIGKILL (a crash: nothing runs in the child any more), then reaps it.
    void kill_now();
    // Waits for the process to end by itself; returns its exit code.
    int wait();
    const std::string& output() const { return output_; }
    pid_t pid() const { return pid_; }

  private:
    void read_available(int timeout_ms);
    void signal(int sig);
    void reaped(int status);  // the child ended with `status`
    pid_t pid_ = -1;
    bool group_ = false;
    int fd_ = -1;
    std::string output_;
    size_t scanned_ = 0;
    int exit_code_ = -1;
};

}  // namespace inkan::test
