#include "bench/https_load/served_appliance.h"

#include <cctype>
#include <cstdio>
#include <regex>
#include <stdexcept>

#include "tests/support/run.h"

namespace inkan::bench {

namespace {

std::string inkan_binary() { return std::string(INKAN_BINARY_DIR) + "/appliance/inkan"; }

}  // namespace

ServedAppliance::ServedAppliance(const std::string& ca_key_type, const nlohmann::json& config) {
    auto ports = test::free_loopback_ports(3);
    for (size_t i = 0; i < 3; ++i) ports_[i] = ports[i];
    nlohmann::json merged = {{"http",
                              {{"front", "nginx"},
                               {"operator_port", ports_[0]},
                               {"public_port", ports_[1]},
                               {"crl_port", ports_[2]},
                               {"metrics", false},
                               {"front_requests_per_second", 1000000},
                               {"front_connections_per_client", 1000}}},
                             {"mail", {{"transport", "none"}}}};
    merged.merge_patch(config);
    std::filesystem::create_directories(state());
    test::write_file(state() / "inkan.json", merged.dump());
    auto init =
        test::run(inkan_binary() + " --state-dir " + state().string() + " init --key-type " +
                  ca_key_type + " --handover " + (dir_ / "handover").string());
    if (init.exit_code != 0) throw std::runtime_error("inkan init failed: " + init.output);
    p12_password_ = test::read_file(dir_ / "handover" / "ra-operator.p12-password");
    while (!p12_password_.empty() && (p12_password_.back() == '\n' || p12_password_.back() == '\r'))
        p12_password_.pop_back();
}

ServedAppliance::~ServedAppliance() { stop(); }

void ServedAppliance::start() {
    // The JSON request log (stderr, a line per request) goes to a file: a pipe
    // nobody drains would fill and block the server after a few hundred requests.
    serve_ = std::make_unique<test::Process>(
        std::vector<std::string>{"/bin/sh", "-c",
                                 "exec " + inkan_binary() + " --state-dir " + state().string() +
                                     " serve 2>>" + (dir_ / "serve.log").string()});
    auto line = serve_->wait_for_line("TLS front", std::chrono::seconds(60));
    std::smatch m;
    static const std::regex app_ports("application on 127\\.0\\.0\\.1:(\\d+), (\\d+), (\\d+)");
    if (!std::regex_search(line, m, app_ports))
        throw std::runtime_error("inkan serve did not start: " + serve_->output());
    app_operator_port_ = static_cast<unsigned short>(std::stoi(m[1]));
    app_public_port_ = static_cast<unsigned short>(std::stoi(m[2]));
}

pid_t ServedAppliance::serve_pid() const { return serve_ ? serve_->pid() : -1; }

void ServedAppliance::stop() {
    if (serve_) serve_->stop();
    serve_.reset();
}

std::string ServedAppliance::front_secret() const {
    std::string conf = test::read_file(state() / "front" / "nginx.conf");
    std::smatch m;
    static const std::regex secret("X-Inkan-Front \"([0-9a-f]+)\"");
    if (!std::regex_search(conf, m, secret))
        throw std::runtime_error("no front secret in nginx.conf");
    return m[1];
}

std::vector<std::string> ServedAppliance::operator_front_headers() const {
    std::string pem = test::read_file(state() / "operators" / "ra-operator.pem");
    std::string escaped;
    for (unsigned char c : pem) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            escaped += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            escaped += hex;
        }
    }
    return {"X-Inkan-Front: " + front_secret(), "X-Inkan-Client-Certificate: " + escaped,
            "X-Inkan-Client-Verify: SUCCESS"};
}

}  // namespace inkan::bench
