// inkan crl generate: sign and store a new CRL now (the next number), e.g. after
// revoking outside a running `inkan serve` (which would do it within a minute).
#include <fstream>
#include <iostream>

#include "appliance/cli.h"
#include "appliance/services.h"
#include "common/error.h"
#include "common/utc_time.h"

namespace inkan::appliance {
namespace {

std::string utc(int64_t unix_seconds) { return utc_text(unix_seconds); }

}  // namespace

void add_crl_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto* crl = app.add_subcommand("crl", "the certificate revocation list");
    crl->require_subcommand(1);
    auto out = std::make_shared<std::string>();
    auto* generate = crl->add_subcommand(
        "generate",
        "sign a new full CRL in the HSM with the next number and store it (served at once)");
    generate->add_option("--out", *out, "also write the CRL (DER) to this file");
    generate->callback([&global, out, &exit_code] {
        Config config = load_config(global.state_dir, global.config_file);
        auto services = open_services(config);
        auto record = services->crl_publisher->regenerate();
        if (!out->empty()) {
            std::ofstream file(*out, std::ios::binary | std::ios::trunc);
            file.write(reinterpret_cast<const char*>(record.der.data()),
                       static_cast<std::streamsize>(record.der.size()));
            if (!file)
                throw Error(ErrorCategory::Unavailable, "file_write_failed",
                            "cannot write " + *out);
        }
        std::cout << "CRL number " << record.number << ": " << record.revoked_count
                  << " revoked certificate(s), " << record.der.size() << " bytes, thisUpdate "
                  << utc(record.this_update) << ", nextUpdate " << utc(record.next_update) << "\n"
                  << "served at http://" << config.http.bind_address << ":" << config.http.crl_port
                  << "/crl/" << kCrlName << ".crl (the certificates name " << config.ca.crl_url
                  << ")\n";
        if (!out->empty()) std::cout << "written to " << *out << "\n";
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
