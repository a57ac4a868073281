#include "tests/appliance/inkan_process.h"

#include <map>
#include <regex>
#include <vector>

namespace inkan::test {

std::string inkan_binary() { return std::string(INKAN_BINARY_DIR) + "/appliance/inkan"; }

RunResult run_inkan(const TempDir& dir, const std::string& args, const std::string& env) {
    return run(env + " " + inkan_binary() + " --state-dir " + (dir / "state").string() + " " +
               args);
}

Serving serve(const TempDir& dir, std::map<std::string, std::string> env,
              const std::vector<std::string>& prefix) {
    Serving s;
    env.insert({{"INKAN_OPERATOR_PORT", "0"},
                {"INKAN_PUBLIC_PORT", "0"},
                {"INKAN_CRL_PORT", "0"},
                {"INKAN_METRICS_PORT", "0"}});
    std::vector<std::string> argv = prefix;
    for (std::string a : {inkan_binary(), std::string("--state-dir"), (dir / "state").string(),
                          std::string("serve")})
        argv.push_back(a);
    s.process = std::make_unique<Process>(argv, env);
    std::smatch m;
    auto op = s.process->wait_for_line("operator API");
    auto pub = s.process->wait_for_line("public ");
    auto crl = s.process->wait_for_line("publication");
    std::regex port(":(\\d+) ");
    if (std::regex_search(op, m, port))
        s.operator_port = static_cast<unsigned short>(std::stoi(m[1]));
    if (std::regex_search(pub, m, port))
        s.public_port = static_cast<unsigned short>(std::stoi(m[1]));
    if (std::regex_search(crl, m, port)) s.crl_port = static_cast<unsigned short>(std::stoi(m[1]));
    auto metrics = s.process->wait_for_line("metrics");
    if (std::regex_search(metrics, m, std::regex(":(\\d+)/metrics")))
        s.metrics_port = static_cast<unsigned short>(std::stoi(m[1]));
    return s;
}

HttpsClient operator_client(const TempDir& dir, unsigned short port, const TempDir* credentials) {
    const TempDir& from = credentials ? *credentials : dir;
    HttpsClient c;
    c.port = port;
    c.ca_file = (dir / "state" / "ca.pem").string();
    c.client_cert_file = (from / "state" / "operators" / "ra-operator.pem").string();
    c.client_key_file = (from / "state" / "operators" / "ra-operator.key").string();
    return c;
}

}  // namespace inkan::test
