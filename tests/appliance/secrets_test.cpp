// Secrets off the disk (issue 13): operator credentials are handed over once
// (no clear key, no password file in the state folder); every file and folder
// of a fresh state folder is the service user's alone from the moment it is
// created (0600 / 0700; only certificates are 0644), the database and its WAL
// included, whatever the umask.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "common/error.h"
#include "common/private_files.h"
#include "store/database.h"
#include "tests/appliance/inkan_process.h"
#include "tests/support/run.h"

using namespace inkan;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

// Restores the umask it replaced.
class Umask {
  public:
    explicit Umask(mode_t mask) : old_(::umask(mask)) {}
    ~Umask() { ::umask(old_); }

  private:
    mode_t old_;
};

TEST(Secrets, EveryFileOfAFreshServingStateFolderIsPrivate) {
    test::TempDir dir;
    auto init = test::run_inkan(dir, "init --key-type ec-p256");
    ASSERT_EQ(init.exit_code, 0) << init.output;
    auto serving = test::serve(dir);
    ASSERT_NE(serving.operator_port, 0) << serving.process->output();
    ASSERT_TRUE(fs::exists(dir / "state/inkan.db-wal")) << "serving keeps a WAL";
    // Certificates anyone may read; nothing else.
    const std::set<std::string> public_files = {"ca.pem", "mail/signer.pem"};
    size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir / "state")) {
        std::string rel = fs::relative(e.path(), dir / "state").string();
        if (e.is_directory()) {
            EXPECT_EQ(mode_of(e.path()), 0700u) << rel;
        } else {
            ++files;
            EXPECT_EQ(mode_of(e.path()), public_files.count(rel) ? 0644u : 0600u) << rel;
        }
        if (rel != "tls/server.key") {
            EXPECT_NE(e.path().extension(), ".key") << rel << ": no clear key but the HTTPS one";
        }
        EXPECT_EQ(rel.find("password"), std::string::npos) << rel;
    }
    EXPECT_EQ(mode_of(dir / "state"), 0700u);
    EXPECT_GT(files, 10u);
    for (const char* db : {"inkan.db", "inkan.db-wal", "inkan.db-shm"})
        EXPECT_EQ(mode_of(dir / "state" / db), 0600u) << db;
    EXPECT_EQ(mode_of(dir / "state/tls/server.key"), 0600u) << "the HTTPS key: the service user's";
    EXPECT_FALSE(fs::exists(dir / "state/operators/ra-operator.key"));
    EXPECT_FALSE(fs::exists(dir / "state/operators/ra-operator.p12-password"));
    serving.process->stop();
}

TEST(Secrets, TheDatabaseAndItsWalAre0600UnderAPermissiveUmask) {
    test::TempDir dir;
    Umask permissive(022);
    {
        store::Database db((dir / "x.db").string());
        db.with([](store::Connection& c) { c.exec("CREATE TABLE t(x); INSERT INTO t VALUES(1)"); });
        for (const char* name : {"x.db", "x.db-wal", "x.db-shm"}) {
            ASSERT_TRUE(fs::exists(dir / name)) << name;
            EXPECT_EQ(mode_of(dir / name), 0600u) << name;
        }
    }
}

TEST(Secrets, FilesAreCreatedWithTheirModeAndHandedOverOnesNeverOverwritten) {
    test::TempDir dir;
    Umask none(0);
    write_file_with_mode(dir / "a/b/secret", "s", 0600);
    EXPECT_EQ(mode_of(dir / "a"), 0700u);
    EXPECT_EQ(mode_of(dir / "a/b"), 0700u);
    EXPECT_EQ(mode_of(dir / "a/b/secret"), 0600u);
    write_file_with_mode(dir / "a/b/secret", "t", 0600);  // replaced whole
    EXPECT_EQ(test::read_file(dir / "a/b/secret"), "t");
    write_new_file(dir / "once", "x", 0600);
    try {
        write_new_file(dir / "once", "y", 0600);
        ADD_FAILURE() << "an existing hand-over file was overwritten";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "file_exists");
    }
    EXPECT_EQ(test::read_file(dir / "once"), "x");
}

// `operator add --handover DIR`: the P12 and its password go to the hand-over
// folder (for the security officer to carry away), none of it into the state.
TEST(Secrets, OperatorCredentialsAreHandedOverOutsideTheState) {
    test::TempDir dir;
    ASSERT_EQ(test::run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    auto handover = dir / "handover";
    auto add = test::run_inkan(dir,
                               "operator add --name ra2 --institution 'Inkan Demo "
                               "University' --email ra2@example.ac.jp --handover " +
                                   handover.string());
    ASSERT_EQ(add.exit_code, 0) << add.output;
    EXPECT_EQ(mode_of(handover), 0700u);
    EXPECT_EQ(mode_of(handover / "ra2.p12"), 0600u);
    EXPECT_EQ(mode_of(handover / "ra2.p12-password"), 0600u);
    auto opened =
        test::run("openssl pkcs12 -in " + (handover / "ra2.p12").string() +
                  " -passin file:" + (handover / "ra2.p12-password").string() + " -noout");
    EXPECT_EQ(opened.exit_code, 0) << opened.output;
    for (const auto& e : fs::recursive_directory_iterator(dir / "state")) {
        EXPECT_EQ(e.path().filename().string().find("ra2.p12"), std::string::npos) << e.path();
        EXPECT_NE(e.path().filename(), "ra2.key") << e.path();
    }
    // Handed over once: a second credential is never written over the first.
    auto again = test::run_inkan(dir,
                                 "operator add --name ra2b --institution 'Inkan Demo "
                                 "University' --email ra2@example.ac.jp --handover " +
                                     handover.string());
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_TRUE(fs::exists(handover / "ra2b.p12"));
}

}  // namespace
