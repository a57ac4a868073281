// Shared set-up for the pki tests: a self-signed test CA and request builders.
#pragma once

#include <filesystem>
#include <string>

#include "common/openssl_ptr.h"
#include "pki/issuer.h"
#include "pki/software_signer.h"

namespace inkan::pki::test {

struct TestCa {
    SoftwareSigner signer;
    X509Ptr certificate;
};

inline const DistinguishedName kCaName{{"C", "JP"}, {"O", "Inkan Test"}, {"CN", "Inkan Test CA"}};

TestCa make_test_ca(KeyType type = KeyType::EcP256, int validity_years = 10);

IssuerOptions test_issuer_options();

// A request for `profile` with a fresh serial, valid from now.
IssuanceRequest make_request(const CertificateProfile& profile, EVP_PKEY* subject_key);

// The profile with this id from default_profiles().
CertificateProfile default_profile(int id);

void write_text(const std::filesystem::path& p, const std::string& text);
void write_bytes(const std::filesystem::path& p, const Bytes& bytes);

// Shell-quoted path.
std::string q(const std::filesystem::path& p);

}  // namespace inkan::pki::test
