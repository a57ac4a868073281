// A test client's operator credential: the certificate and its private key as
// PEM files in the test's own folder. The appliance keeps no clear operator key
// (README "Operator credentials"): tests take it out of the handed-over PKCS#12
// with its password, as an operator's browser or curl would.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/openssl_ptr.h"

namespace inkan::test {

// The certificate and private key of a PKCS#12 file; nullopt when it does not
// open with `password`.
struct OpenedPkcs12 {
    X509Ptr cert;
    EvpPkeyPtr key;
};
std::optional<OpenedPkcs12> open_pkcs12(const std::filesystem::path& p12,
                                        const std::string& password);

struct ClientCredential {
    std::filesystem::path cert_path;
    std::filesystem::path key_path;
};

// Writes <into>/<name>.pem and <into>/<name>.key (0600) from the PKCS#12; a
// failed test expectation (and empty paths) when it does not open.
ClientCredential extract_client_credential(const std::filesystem::path& p12,
                                           const std::string& password,
                                           const std::filesystem::path& into,
                                           const std::string& name);

}  // namespace inkan::test
