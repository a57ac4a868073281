// SqliteInstitutionRegistry: what it writes reads back, the WHOIS source included.
#include <gtest/gtest.h>

#include "common/error.h"
#include "store/database.h"
#include "store/sqlite_institution_registry.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using namespace inkan::store;

namespace {

policy::Institution institution(const std::string& name, policy::WhoisSource source) {
    policy::Institution i;
    i.name = name;
    i.state = "Tokyo";
    i.locality = "Chiyoda-ku";
    i.whois_names = {name};
    i.enabled_profiles = {5, 13};
    i.domains = {{"example.ac.jp", *policy::parse_date("2099-12-31")}};
    i.whois_source = source;
    return i;
}

}  // namespace

TEST(StoreInstitutions, WhoisSourceIsStoredAndReadBack) {
    test::TempDir dir;
    auto path = (dir / "inkan.db").string();
    {
        Database db(path);
        SqliteInstitutionRegistry registry(db);
        registry.add(institution("Inkan Demo University", policy::WhoisSource::Demo));
        registry.add(institution("Example University", policy::WhoisSource::Registry));
        EXPECT_THROW(registry.add(institution("Example University", policy::WhoisSource::Demo)),
                     Error);
    }
    Database db(path);
    SqliteInstitutionRegistry registry(db);
    auto demo = registry.find_by_name("Inkan Demo University");
    ASSERT_TRUE(demo);
    EXPECT_EQ(demo->whois_source, policy::WhoisSource::Demo);
    EXPECT_EQ(demo->domains.at(0).domain, "example.ac.jp");
    EXPECT_EQ(demo->whois_names, std::vector<std::string>{"Inkan Demo University"});
    EXPECT_EQ(demo->enabled_profiles, (std::set<int>{5, 13}));
    auto all = registry.list();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "Example University");
    EXPECT_EQ(all[0].whois_source, policy::WhoisSource::Registry);
    EXPECT_EQ(all[1].whois_source, policy::WhoisSource::Demo);
}

TEST(StoreInstitutions, OnlyRegistryAndDemoAreAccepted) {
    test::TempDir dir;
    Database db((dir / "inkan.db").string());
    db.with([](Connection& c) {
        c.exec("INSERT INTO institutions (name, created_at) VALUES ('Plain University', 0)");
        EXPECT_THROW(c.exec("INSERT INTO institutions (name, whois_source, created_at) "
                            "VALUES ('Odd University', 'other', 0)"),
                     Error);
    });
    SqliteInstitutionRegistry registry(db);
    EXPECT_EQ(registry.find_by_name("Plain University")->whois_source,
              policy::WhoisSource::Registry);
    EXPECT_FALSE(registry.find_by_name("Odd University"));
}
