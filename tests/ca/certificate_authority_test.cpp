// The issuing core on a real SoftHSM token: serial uniqueness under
// concurrency, the record matches the signed certificate.
#include <gtest/gtest.h>
#include <openssl/bn.h>

#include <set>
#include <thread>

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
