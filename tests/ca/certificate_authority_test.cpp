// The issuing core on a real SoftHSM token: serial uniqueness under
// concurrency, the record matches the signed certificate.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <set>
#include <thread>

#include "pki/csr.h"
#include "pki/encoding.h"
#include "pki/serial.h"
#include "pki/software_signer.h"
#include "tests/appliance/appliance_fixture.h"

using namespace inkan;

namespace {

ca::IssueSpec client_spec(EVP_PKEY* key, int i) {
    ca::IssueSpec spec;
    spec.subject = {{"C", "JP"}, {"O", "Example University"}, {"CN", "user" + std::to_string(i)}};
    spec.subject_public_key = key;
    spec.profile = *pki::find_profile(pki::default_profiles(), 5);
    spec.institution = "Example University";
    spec.requested_by = "test";
    return spec;
}

}  // namespace

TEST(CaCertificateAuthority, ThousandConcurrentSerialsAreDistinctAndLong) {
    test::ApplianceFixture f;
    auto key = pki::generate_key(pki::KeyType::EcP256);
    constexpr int kThreads = 8, kPerThread = 125;
    std::vector<std::vector<std::string>> serials(kThreads);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                try {
                    auto r =
                        f.services().authority->issue(client_spec(key.get(), t * kPerThread + i));
                    auto serial = pki::serial_of(r.certificate.get());
                    BignumPtr bn(
                        BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
                    if (BN_num_bits(bn.get()) < 64) ++failures;
                    serials[t].push_back(r.record.serial_hex);
                } catch (const std::exception& e) {
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    std::set<std::string> all;
    for (const auto& v : serials) all.insert(v.begin(), v.end());
    EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
    store::CertificateFilter filter;
    filter.kind = store::CertificateKind::Subscriber;
    filter.limit = 5000;
    EXPECT_EQ(f.services().certificates->list(filter).size(), size_t{kThreads * kPerThread});
}

TEST(CaCertificateAuthority, StoredRecordIsTheSignedCertificate) {
    test::ApplianceFixture f;
    auto key = pki::generate_key(pki::KeyType::EcP256);
    auto r = f.services().authority->issue(client_spec(key.get(), 1));
    auto stored = f.services().certificates->find(r.record.serial_hex);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->der, pki::to_der(r.certificate.get()));
    EXPECT_EQ(stored->serial_dec, pki::serial_to_decimal(pki::serial_of(r.certificate.get())));
    EXPECT_EQ(stored->subject, "CN=user1,O=Example University,C=JP");
    EXPECT_EQ(X509_verify(r.certificate.get(), X509_get0_pubkey(f.services().ca_certificate.get())),
              1);
}

TEST(CaCertificateAuthority, LintFailureSignsNothingAndStoresNothing) {
    test::ApplianceFixture f;
    auto weak = pki::generate_key(pki::KeyType::EcP256);
    auto spec = client_spec(weak.get(), 2);
    spec.subject.clear();  // an empty subject must not be signed
    size_t before = f.services().certificates->list({}).size();
    EXPECT_THROW(f.services().authority->issue(spec), Error);
    EXPECT_EQ(f.services().certificates->list({}).size(), before);
}

namespace {

pki::CheckedCsr checked_csr(EVP_PKEY* key) {
    X509ReqPtr req(X509_REQ_new());
    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("csr"), -1, -1, 0);
    X509_REQ_set_pubkey(req.get(), key);
    X509_REQ_sign(req.get(), key, EVP_sha256());
    return pki::parse_and_check_csr(pki::to_der(req.get()));
}

}  // namespace

// Issue 12: a CSR's SubjectPublicKeyInfo goes into the certificate as sent (no
// key re-encoding), the SKI is hashed from its bit string, the signature is set
// on the certificate in memory; all of it from 4 threads at once.
TEST(CaCertificateAuthority, CsrKeysIssuedConcurrentlyAreVerifiableAndDistinct) {
    test::ApplianceFixture f;
    auto ec = pki::generate_key(pki::KeyType::EcP256);
    auto rsa = pki::generate_key(pki::KeyType::Rsa2048);
    std::vector<pki::CheckedCsr> csrs;
    csrs.push_back(checked_csr(ec.get()));
    csrs.push_back(checked_csr(rsa.get()));
    constexpr int kThreads = 4, kPerThread = 25;
    std::vector<ca::IssueResult> results(kThreads * kPerThread);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const int n = t * kPerThread + i;
                const auto& csr = csrs[static_cast<size_t>(n % 2)];
                auto spec = client_spec(nullptr, 1000 + n);
                spec.subject_public_key_info = csr.public_key_info();
                try {
                    results[static_cast<size_t>(n)] = f.services().authority->issue(spec);
                } catch (const std::exception& e) {
                    ADD_FAILURE() << e.what();
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(failures.load(), 0);

    EVP_PKEY* ca_key = X509_get0_pubkey(f.services().ca_certificate.get());
    std::set<std::string> serials;
    for (size_t n = 0; n < results.size(); ++n) {
        const auto& r = results[n];
        const auto& csr = csrs[n % 2];
        serials.insert(r.record.serial_hex);
        EXPECT_EQ(X509_verify(r.certificate.get(), ca_key), 1);
        Bytes der = pki::to_der(r.certificate.get());
        EXPECT_EQ(der, r.record.der);
        EXPECT_EQ(f.services().certificates->find(r.record.serial_hex)->der, der);
        // OpenSSL's cached SHA-1 of the certificate is that of the signed bytes.
        unsigned char cached[SHA_DIGEST_LENGTH];
        unsigned int len = 0;
        ASSERT_EQ(X509_digest(r.certificate.get(), EVP_sha1(), cached, &len), 1);
        unsigned char actual[SHA_DIGEST_LENGTH];
        SHA1(der.data(), der.size(), actual);
        EXPECT_EQ(Bytes(cached, cached + len), Bytes(actual, actual + SHA_DIGEST_LENGTH));
        // Parsed back: the CSR's key, and the SKI is SHA-1 of its bit string.
        auto parsed = pki::parse_certificate(der);
        EXPECT_EQ(X509_verify(parsed.get(), ca_key), 1);
        EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(parsed.get()), csr.public_key.get()), 1);
        const unsigned char* data = nullptr;
        int bits_len = 0;
        X509_PUBKEY_get0_param(nullptr, &data, &bits_len, nullptr, csr.public_key_info());
        unsigned char ski[SHA_DIGEST_LENGTH];
        SHA1(data, static_cast<size_t>(bits_len), ski);
        const ASN1_OCTET_STRING* got = X509_get0_subject_key_id(parsed.get());
        ASSERT_NE(got, nullptr);
        EXPECT_EQ(
            Bytes(ASN1_STRING_get0_data(got), ASN1_STRING_get0_data(got) + ASN1_STRING_length(got)),
            Bytes(ski, ski + SHA_DIGEST_LENGTH));
        // keyEncipherment for the RSA key only.
        EXPECT_EQ((X509_get_key_usage(parsed.get()) & KU_KEY_ENCIPHERMENT) != 0, n % 2 == 1);
    }
    EXPECT_EQ(serials.size(), results.size());
}
