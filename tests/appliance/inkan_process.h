// The real `inkan` binary from tests: one-shot commands and a serving process
// on kernel-chosen ports, against <dir>/state.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/https_client.h"
#include "tests/support/process.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

namespace inkan::test {

std::string inkan_binary();

// `inkan --state-dir <dir>/state <args>`, with `env` (VAR=value ...) in front.
// An operator credential the command hands over (init, operator add: P12 path
// and password printed) is opened into <dir>/client/<name>.pem and .key.
RunResult run_inkan(const TempDir& dir, const std::string& args, const std::string& env = "");

struct Serving {
    std::unique_ptr<Process> process;
    unsigned short operator_port = 0;
    unsigned short public_port = 0;
    unsigned short crl_port = 0;
    unsigned short metrics_port = 0;  // the loopback admin listener (GET /metrics)
};

// `inkan serve` on <dir>/state until the Serving's process is stopped, with
// `env` added to its environment; `prefix` runs it through another command
// (e.g. setpriv to drop root).
Serving serve(const TempDir& dir, std::map<std::string, std::string> env = {},
              const std::vector<std::string>& prefix = {});

// The operator listener as the first RA operator from `credentials`/client
// (default: the served folder's own), trusting <dir>/state/ca.pem.
HttpsClient operator_client(const TempDir& dir, unsigned short port,
                            const TempDir* credentials = nullptr);

}  // namespace inkan::test
