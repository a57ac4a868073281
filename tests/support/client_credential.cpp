#include "tests/support/client_credential.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <fstream>
#include <sstream>

#include "common/private_files.h"

namespace inkan::test {

std::optional<OpenedPkcs12> open_pkcs12(const std::filesystem::path& p12,
                                        const std::string& password) {
    std::ifstream in(p12, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    std::string der = bytes.str();
    BioPtr bio(BIO_new_mem_buf(der.data(), static_cast<int>(der.size())));
    Pkcs12Ptr parsed(d2i_PKCS12_bio(bio.get(), nullptr));
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    if (!parsed || PKCS12_parse(parsed.get(), password.c_str(), &key, &cert, nullptr) != 1)
        return std::nullopt;
    return OpenedPkcs12{X509Ptr(cert), EvpPkeyPtr(key)};
}

ClientCredential extract_client_credential(const std::filesystem::path& p12,
                                           const std::string& password,
                                           const std::filesystem::path& into,
                                           const std::string& name) {
    auto opened = open_pkcs12(p12, password);
    if (!opened) {
        ADD_FAILURE() << "cannot open " << p12 << " with its password";
        return {};
    }
    X509* cert = opened->cert.get();
    EVP_PKEY* key = opened->key.get();
    auto pem = [](auto write) {
        BioPtr out(BIO_new(BIO_s_mem()));
        write(out.get());
        char* data = nullptr;
        long n = BIO_get_mem_data(out.get(), &data);
        return std::string(data, static_cast<size_t>(n));
    };
    ClientCredential c{into / (name + ".pem"), into / (name + ".key")};
    write_file_with_mode(c.cert_path, pem([&](BIO* b) { PEM_write_bio_X509(b, cert); }), 0600);
    write_file_with_mode(c.key_path, pem([&](BIO* b) {
                             PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr,
                                                      nullptr);
                         }),
                         0600);
    return c;
}

}  // namespace inkan::test
