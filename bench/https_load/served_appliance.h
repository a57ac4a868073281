// The real `inkan` for the HTTPS benches: a temp folder, `inkan init` (CA key
// of the given type in a fresh SoftHSM token, the demo institution, the first
// RA operator's P12 handed over into <dir>/handover), and `inkan serve` behind
// the TLS front (nginx) on fixed free loopback ports, with the front's rate and
// connection limits raised so that they do not cap the load.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace inkan::bench {

class ServedAppliance {
  public:
    // `config` is merged into the generated inkan.json (before init).
    ServedAppliance(const std::string& ca_key_type, const nlohmann::json& config = {});
    ~ServedAppliance();
    ServedAppliance(const ServedAppliance&) = delete;
    ServedAppliance& operator=(const ServedAppliance&) = delete;

    void start();  // `inkan serve`, until its listeners are up
    void stop();   // SIGTERM, waits (the token is then free for the caller)
    // `inkan serve`'s process id while it runs (nginx runs as its children).
    pid_t serve_pid() const;

    std::filesystem::path state() const { return dir_ / "state"; }
    std::filesystem::path ca_file() const { return state() / "ca.pem"; }
    // The first RA operator's PKCS#12 and its password (as handed over).
    std::filesystem::path operator_p12() const { return dir_ / "handover" / "ra-operator.p12"; }
    const std::string& operator_p12_password() const { return p12_password_; }

    // The front's TLS (and plain publication) ports.
    unsigned short operator_port() const { return ports_[0]; }
    unsigned short public_port() const { return ports_[1]; }
    // The application's own plain-HTTP public listener behind the front, and
    // the secret the front adds to every request (X-Inkan-Front), read from
    // the 0600 nginx.conf: what a request must carry to reach Pistache straight.
    unsigned short app_public_port() const { return app_public_port_; }
    unsigned short app_operator_port() const { return app_operator_port_; }
    std::string front_secret() const;
    // What nginx adds to an operator request after verifying the first RA
    // operator's client certificate: the secret, the certificate (URL-escaped
    // PEM) and the verification result ("Name: value" each).
    std::vector<std::string> operator_front_headers() const;

  private:
    test::TempDir dir_;
    unsigned short ports_[3] = {};
    unsigned short app_public_port_ = 0;
    unsigned short app_operator_port_ = 0;
    std::string p12_password_;
    std::unique_ptr<test::Process> serve_;
};

}  // namespace inkan::bench
