#include "tests/pki/pki_test_support.h"

#include <fstream>
#include <stdexcept>

#include "pki/ca_bootstrap.h"
#include "pki/serial.h"
#include "tests/support/run.h"

namespace inkan::pki::test {

TestCa make_test_ca(KeyType type, int validity_years) {
    SoftwareSigner signer = SoftwareSigner::generate(type);
    OpenSslRandomSource random;
    CaOptions options;
    options.serial = generate_serial(random);
    options.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
    X509Ptr cert = make_self_signed_ca(signer, kCaName, validity_years, options);
    return TestCa{std::move(signer), std::move(cert)};
}

IssuerOptions test_issuer_options() {
    IssuerOptions o;
    o.crl_url = "http://ca.example.ac.jp/crl/ca.crl";
    o.ocsp_url = "http://ca.example.ac.jp/ocsp";
    o.ca_issuers_url = "http://ca.example.ac.jp/ca.crt";
    o.policy_oids = {"1.3.6.1.4.1.51126.1.1"};
    return o;
}

IssuanceRequest make_request(const CertificateProfile& profile, EVP_PKEY* subject_key) {
    OpenSslRandomSource random;
    IssuanceRequest r;
    r.subject = {{"C", "JP"},           {"ST", "Tokyo"},
                 {"L", "Chiyoda-ku"},   {"O", "Example University"},
                 {"OU", "Engineering"}, {"CN", "Taro Yamada"}};
    r.subject_public_key = subject_key;
    r.serial = generate_serial(random);
    r.not_before = std::chrono::system_clock::now();
    r.profile = profile;
    if (profile.kind == ProfileKind::SMime) r.email_addresses = {"taro@example.ac.jp"};
    return r;
}

CertificateProfile default_profile(int id) {
    auto p = find_profile(default_profiles(), id);
    if (!p) throw std::runtime_error("no profile " + std::to_string(id));
    return *p;
}

void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

void write_bytes(const std::filesystem::path& p, const Bytes& bytes) {
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

std::string q(const std::filesystem::path& p) { return inkan::test::shell_quote(p.string()); }

}  // namespace inkan::pki::test
