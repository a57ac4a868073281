// CPU time used so far by the processes of a load bench, read from /proc: the
// server process, its descendants (nginx's master and workers, which `inkan
// serve` starts) and the bench itself (the load client). Sampled before and
// after a load level, it gives the CPU each side spends per request, and so
// the rate the machine's cores could reach at best.
#pragma once

#include <sys/types.h>

namespace inkan::bench {

struct CpuSeconds {
    double server = 0;       // the process itself
    double descendants = 0;  // its live child processes and theirs
    double self = 0;         // this process (all threads)
};

CpuSeconds cpu_seconds(pid_t server);

// What one of the two samples spent, per request, in milliseconds.
struct CpuPerRequest {
    double server_ms = 0;
    double descendants_ms = 0;
    double self_ms = 0;
    double total_ms() const { return server_ms + descendants_ms + self_ms; }
};
CpuPerRequest per_request(const CpuSeconds& before, const CpuSeconds& after, size_t requests);

}  // namespace inkan::bench
