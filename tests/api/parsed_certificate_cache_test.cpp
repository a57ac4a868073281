#include "api/parsed_certificate_cache.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

using namespace inkan;

namespace {

X509Ptr self_signed(const std::string& cn) {
    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_sign(cert.get(), key.get(), EVP_sha256());
    return cert;
}

}  // namespace

TEST(ParsedCertificateCache, FindsOnlyTheExactHeaderItWasGiven) {
    api::ParsedCertificateCache cache(4);
    auto a = self_signed("a");
    cache.keep("header-a", a.get());
    X509Ptr found = cache.find("header-a");
    ASSERT_TRUE(found);
    EXPECT_EQ(found.get(), a.get());  // the same parsed object, a new reference
    EXPECT_FALSE(cache.find("header-a "));
    EXPECT_FALSE(cache.find("header-b"));
}

TEST(ParsedCertificateCache, DropsTheLeastRecentlyUsedWhenFullAndKeepsReferencesValid) {
    api::ParsedCertificateCache cache(2);
    auto a = self_signed("a");
    auto b = self_signed("b");
    auto c = self_signed("c");
    cache.keep("a", a.get());
    cache.keep("b", b.get());
    X509Ptr held_b = cache.find("b");
    ASSERT_TRUE(cache.find("a"));  // a is now more recent than b
    cache.keep("c", c.get());
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_FALSE(cache.find("b"));
    EXPECT_TRUE(cache.find("a"));
    EXPECT_TRUE(cache.find("c"));
    // A reference handed out before the eviction still holds the certificate.
    b.reset();
    ASSERT_TRUE(held_b);
    EXPECT_NE(X509_get_subject_name(held_b.get()), nullptr);
}

TEST(ParsedCertificateCache, KeepingTheSameHeaderTwiceKeepsTheFirst) {
    api::ParsedCertificateCache cache(2);
    auto first = self_signed("x");
    auto second = self_signed("x");
    cache.keep("h", first.get());
    cache.keep("h", second.get());
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find("h").get(), first.get());
}

TEST(ParsedCertificateCache, CapacityZeroKeepsNothing) {
    api::ParsedCertificateCache cache(0);
    auto a = self_signed("a");
    cache.keep("a", a.get());
    EXPECT_FALSE(cache.find("a"));
}
