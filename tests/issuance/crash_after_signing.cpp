// Test helper process: opens the appliance state STATE_DIR, downloads the P12 of
// the row behind RETRIEVAL_TOKEN with PIN, and kills itself (SIGKILL: no
// destructor, no handler runs) right after the certificate is signed and stored
// and before its delivery is recorded — a crash at the worst moment.
//   crash_after_signing STATE_DIR RETRIEVAL_TOKEN PIN
#include <csignal>
#include <iostream>

#include "appliance/services.h"
#include "common/bytes.h"

using namespace inkan;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: crash_after_signing STATE_DIR RETRIEVAL_TOKEN PIN\n";
        return 2;
    }
    try {
        auto services = appliance::open_services(appliance::load_config(argv[1]));
        issuance::IssuanceConfig config = appliance::issuance_config(services->config);
        config.on_certificate_signed = [](const std::string& serial_hex) {
            std::cout << serial_hex << std::endl;
            std::raise(SIGKILL);
        };
        issuance::IssuanceService service(*services->token, *services->authority,
                                          *services->batches, *services->bulk_jobs,
                                          {hex_decode(services->config.hsm.pin_hmac_key_id),
                                           hex_decode(services->config.hsm.pin_wrap_key_id)},
                                          *services->gate, config);
        service.download_p12(argv[2], SecretString(argv[3]));
    } catch (const std::exception& e) {
        std::cerr << "crash_after_signing: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "crash_after_signing: the download finished without the hook\n";
    return 3;
}
