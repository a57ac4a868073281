// inkan backup / inkan restore with the real binary: a backup taken while
// serve runs restores into a fresh folder that serves the old certificates and
// signs new ones with the same CA key; tampering and non-empty folders are refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/appliance/inkan_process.h"

using namespace inkan;
using nlohmann::json;
using test::operator_client;
using test::run_inkan;
using test::serve;

namespace {

// A CSR for CN=<name>.example.ac.jp in the demo institution.
std::string new_csr(const test::TempDir& dir, const std::string& name) {
    auto r =
        test::run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                  (dir / (name + ".key")).string() + " -out " + (dir / (name + ".csr")).string() +
                  " -subj '/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Inkan Demo University/CN=" + name +
                  ".example.ac.jp'");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return test::read_file(dir / (name + ".csr"));
}

// The archive again with one member's bytes changed and the manifest kept.
void tamper(const std::filesystem::path& in, const std::filesystem::path& out,
            const std::string& member) {
    auto r = test::run(
        "python3 -c \"import tarfile,io,sys\n"
        "src=tarfile.open(sys.argv[1]); dst=tarfile.open(sys.argv[2],'w:gz')\n"
        "for m in src.getmembers():\n"
        "    data=src.extractfile(m).read()\n"
        "    if m.name==sys.argv[3]: data=data.replace(b'A',b'B',1)\n"
        "    m.size=len(data); dst.addfile(m,io.BytesIO(data))\n"
        "dst.close()\" " +
        in.string() + " " + out.string() + " " + member);
    ASSERT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace

TEST(InkanBackup, RoundTripWhileServingThenRestoreServesAndIssues) {
    test::TempDir a;
    test::TempDir files;
    ASSERT_EQ(run_inkan(a, "init --key-type ec-p256").exit_code, 0);
    auto backup = files / "inkan-backup.tar.gz";
    auto with_pin = files / "inkan-backup-pin.tar.gz";
    std::string serial;
    {
        auto s = serve(a);
        ASSERT_NE(s.operator_port, 0) << s.process->output();
        auto issued =
            operator_client(a, s.operator_port).post("/api/v1/certificates", new_csr(files, "u1"));
        ASSERT_EQ(issued.status, 201) << issued.body << issued.error;
        serial = json::parse(issued.body)["serial"];
        // While serve runs: the SQLite online backup.
        auto made = run_inkan(a, "backup --out " + backup.string());
        ASSERT_EQ(made.exit_code, 0) << made.output;
        EXPECT_NE(made.output.find("holds no HSM user PIN"), std::string::npos) << made.output;
        ASSERT_EQ(run_inkan(a, "backup --include-pin --out " + with_pin.string()).exit_code, 0);
        EXPECT_EQ(s.process->stop(), 0) << s.process->output();
    }
    EXPECT_NE(run_inkan(a, "backup --out " + backup.string()).exit_code, 0)
        << "an existing archive is not overwritten";
    auto listing = test::run("tar tzf " + backup.string());
    for (const char* member : {"manifest.json", "inkan.db", "inkan.json", "ca.pem",
                               "tls/server.key", "mail/signer.pem", "tokens/"}) {
        EXPECT_NE(listing.output.find(member), std::string::npos) << member << listing.output;
    }
    EXPECT_EQ(listing.output.find("hsm-user-pin"), std::string::npos) << listing.output;

    // A changed member is refused before anything is written.
    test::TempDir b;
    auto bad = files / "tampered.tar.gz";
    tamper(backup, bad, "ca.pem");
    auto refused = run_inkan(b, "restore --in " + bad.string() + " --pin-file " +
                                    (a / "state" / "hsm-user-pin").string());
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_NE(refused.output.find("backup_tampered"), std::string::npos) << refused.output;
    EXPECT_NE(refused.output.find("ca.pem"), std::string::npos) << refused.output;
    EXPECT_FALSE(std::filesystem::exists(b / "state"));

    // Without the PIN in the backup, restore asks for it, again before writing.
    auto no_pin = run_inkan(b, "restore --in " + backup.string(), "INKAN_HSM_PIN=");
    EXPECT_NE(no_pin.exit_code, 0);
    EXPECT_NE(no_pin.output.find("--pin-file"), std::string::npos) << no_pin.output;
    EXPECT_FALSE(std::filesystem::exists(b / "state"));

    auto restored = run_inkan(b, "restore --in " + with_pin.string());
    ASSERT_EQ(restored.exit_code, 0) << restored.output;
    EXPECT_NE(restored.output.find("opens with its key"), std::string::npos) << restored.output;
    auto again = run_inkan(b, "restore --in " + backup.string() + " --pin-file " +
                                  (a / "state" / "hsm-user-pin").string());
    EXPECT_EQ(again.exit_code, 4) << again.output;
    EXPECT_NE(again.output.find("restore_target_not_empty"), std::string::npos) << again.output;
    auto forced = run_inkan(b, "restore --force --in " + backup.string() + " --pin-file " +
                                   (a / "state" / "hsm-user-pin").string());
    ASSERT_EQ(forced.exit_code, 0) << forced.output;
    EXPECT_EQ(test::read_file(b / "state" / "ca.pem"), test::read_file(a / "state" / "ca.pem"));

    // The restored folder serves the old certificate and signs a new one with the same key
    // (the operator's credential is not in the backup: the old folder's is still on record).
    auto s = serve(b);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    auto client = operator_client(b, s.operator_port, &a);
    auto shown = client.get("/api/v1/certificates/" + serial);
    EXPECT_EQ(shown.status, 200) << shown.body << shown.error;
    auto issued = client.post("/api/v1/certificates", new_csr(files, "u2"));
    ASSERT_EQ(issued.status, 201) << issued.body << issued.error;
    test::write_file(files / "u2.pem",
                     json::parse(issued.body)["certificate_pem"].get<std::string>());
    auto verified = test::run("openssl verify -CAfile " + (a / "state" / "ca.pem").string() + " " +
                              (files / "u2.pem").string());
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_EQ(s.process->stop(), 0) << s.process->output();
}
