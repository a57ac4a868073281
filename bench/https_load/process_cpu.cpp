#include "bench/https_load/process_cpu.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace inkan::bench {
namespace {

struct ProcStat {
    pid_t ppid = 0;
    double cpu = 0;  // user + system, seconds
};

// /proc/<pid>/stat: the command (field 2) is in parentheses and may hold
// spaces; ppid is field 4, utime and stime fields 14 and 15 (clock ticks).
bool read_stat(const std::filesystem::path& file, ProcStat& out) {
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line)) return false;
    auto close = line.rfind(')');
    if (close == std::string::npos) return false;
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> f;  // fields 3 onwards
    for (std::string v; rest >> v && f.size() < 13;) f.push_back(v);
    if (f.size() < 13) return false;
    static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    out.ppid = static_cast<pid_t>(std::stol(f[1]));
    out.cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    return true;
}

}  // namespace

CpuSeconds cpu_seconds(pid_t server) {
    std::map<pid_t, ProcStat> all;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        ProcStat s;
        if (read_stat(entry.path() / "stat", s)) all[static_cast<pid_t>(std::stol(name))] = s;
    }
    CpuSeconds out;
    if (auto it = all.find(server); it != all.end()) out.server = it->second.cpu;
    for (const auto& [pid, s] : all) {
        for (pid_t up = s.ppid; up > 1;) {
            if (up == server) {
                out.descendants += s.cpu;
                break;
            }
            auto parent = all.find(up);
            if (parent == all.end()) break;
            up = parent->second.ppid;
        }
    }
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    out.self = seconds(self.ru_utime) + seconds(self.ru_stime);
    return out;
}

CpuPerRequest per_request(const CpuSeconds& before, const CpuSeconds& after, size_t requests) {
    const double n = requests ? static_cast<double>(requests) : 1.0;
    return {(after.server - before.server) * 1000 / n,
            (after.descendants - before.descendants) * 1000 / n,
            (after.self - before.self) * 1000 / n};
}

}  // namespace inkan::bench
