#include "pki/name.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace inkan::pki {
namespace {

TEST(PkiName, AttributesKeepOrderAndUtf8AndCountryIsPrintableString) {
    DistinguishedName dn{{"C", "JP"},        {"ST", "Tokyo"},       {"O", "国立情報学研究所"},
                         {"OU", "12345678"}, {"OU", "Engineering"}, {"CN", "Taro Yamada"}};
    X509NamePtr name = build_name(dn);
    ASSERT_EQ(X509_NAME_entry_count(name.get()), 6);
    EXPECT_EQ(name_attributes(name.get()), dn);
    EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name.get(), 0))),
              V_ASN1_PRINTABLESTRING);
    EXPECT_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name.get(), 2))),
              V_ASN1_UTF8STRING);
    // RFC 2253 order is reversed: most specific (last RDN) first.
    EXPECT_EQ(name_to_string(name.get()),
              "CN=Taro Yamada,OU=Engineering,OU=12345678,O=国立情報学研究所,ST=Tokyo,C=JP");
}

TEST(PkiName, UnknownAttributeBadCountryAndEmptyValueAreRefused) {
    for (const DistinguishedName& bad :
         {DistinguishedName{{"XX", "x"}}, DistinguishedName{{"C", "JPN"}},
          DistinguishedName{{"CN", ""}}}) {
        try {
            build_name(bad);
            FAIL() << "accepted " << bad[0].type << "=" << bad[0].value;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), "bad_name");
        }
    }
}

}  // namespace
}  // namespace inkan::pki
