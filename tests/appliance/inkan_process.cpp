#include "tests/appliance/inkan_process.h"

#include <filesystem>
#include <map>
#include <regex>
#include <vector>

#include "tests/support/client_credential.h"

namespace inkan::test {

std::string inkan_binary() { return std::string(INKAN_BINARY_DIR) + "/appliance/inkan"; }

namespace {

// `init` and `operator add` hand an operator's PKCS#12 over once and print its
// password: take the key out into <dir>/client, as the operator would.
void take_handed_over_credentials(const TempDir& dir, const std::string& output) {
    static const std::regex p12_line("PKCS#12 \\(move it[^:]*: (\\S+)\\.p12\\n");
    static const std::regex password_line("PKCS#12 password \\(shown once[^:]*: (\\S+)\\n");
    std::smatch p12, password;
    if (!std::regex_search(output, p12, p12_line) ||
        !std::regex_search(output, password, password_line))
        return;
    std::filesystem::path base = p12[1].str();
    extract_client_credential(base.string() + ".p12", password[1].str(), dir / "client",
                              base.filename().string());
}

}  // namespace

RunResult run_inkan(const TempDir& dir, const std::string& args, const std::string& env) {
    auto result =
        run(env + " " + inkan_binary() + " --state-dir " + (dir / "state").string() + " " + args);
    if (result.exit_code == 0) take_handed_over_credentials(dir, result.output);
    return result;
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
    c.client_cert_file = (from / "client" / "ra-operator.pem").string();
    c.client_key_file = (from / "client" / "ra-operator.key").string();
    return c;
}

}  // namespace inkan::test
