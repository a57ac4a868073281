// The real `inkan` binary: init, serve, restart, wrong PIN, --help.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "appliance/services.h"
#include "common/error.h"
#include "hsm/keys.h"
#include "tests/appliance/inkan_process.h"
#include "tests/support/https_client.h"
#include "tests/support/loopback_whois_server.h"
#include "tests/support/process.h"
#include "tests/support/run.h"
#include "tests/support/temp_dir.h"

using namespace inkan;
using nlohmann::json;
using test::inkan_binary;
using test::operator_client;
using test::run_inkan;
using test::serve;
using test::Serving;

namespace {

// Before init: WHOIS answers from a loopback server for example.ac.jp.
void write_whois_config(const test::TempDir& dir, const test::LoopbackWhoisServer& whois) {
    std::filesystem::create_directories(dir / "state");
    test::write_file(
        dir / "state" / "inkan.json",
        json{{"whois", {{"servers", {{"jp", "127.0.0.1:" + std::to_string(whois.port())}}}}},
             {"issuance", {{"p12_key_type", "ec-p256"}}}}
            .dump());
}

// After `init --csr` + `ca import-cert` (no demo institution then): the first
// operator's institution with example.ac.jp approved, WHOIS from the registry.
void register_demo_institution(const test::TempDir& dir) {
    ASSERT_EQ(
        run_inkan(
            dir,
            "institution add --name 'Inkan Demo University' --state Tokyo --locality Chiyoda-ku "
            "--whois-name 'Inkan Demo University'")
            .exit_code,
        0);
    ASSERT_EQ(
        run_inkan(
            dir,
            "institution approve-domain 'Inkan Demo University' example.ac.jp --until 2099-12-31")
            .exit_code,
        0);
}

constexpr const char* kDemoSubject =
    "/C=JP/ST=Tokyo/L=Chiyoda-ku/O=Inkan Demo University/CN=u.example.ac.jp";

}  // namespace

TEST(InkanCli, InitServeRestartKeepsCaAndCertificates) {
    test::TempDir dir;
    test::LoopbackWhoisServer whois;
    whois.answer("example.ac.jp", "Registrant Organization: Inkan Demo University\r\n");
    write_whois_config(dir, whois);
    auto init = run_inkan(dir, "init --key-type ec-p256");
    ASSERT_EQ(init.exit_code, 0) << init.output;
    EXPECT_NE(init.output.find("ra-operator.p12"), std::string::npos);
    // init registered the demo institution: example.ac.jp approved, WHOIS source demo.
    EXPECT_NE(init.output.find("Demo institution 'Inkan Demo University'"), std::string::npos)
        << init.output;
    EXPECT_NE(init.output.find("example.ac.jp approved until 2099-12-31"), std::string::npos)
        << init.output;
    auto demo = run_inkan(dir, "institution show 'Inkan Demo University' --json");
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    auto demo_json = json::parse(demo.output);
    EXPECT_EQ(demo_json["whois_source"], "demo");
    EXPECT_EQ(demo_json["state"], "Tokyo");
    EXPECT_EQ(demo_json["locality"], "Chiyoda-ku");
    EXPECT_EQ(demo_json["domains"][0]["domain"], "example.ac.jp");
    EXPECT_EQ(demo_json["domains"][0]["approval_expires"], "2099-12-31");
    EXPECT_NE(run_inkan(dir, "institution list").output.find("WHOIS: demo ("), std::string::npos);
    auto ca_before = test::read_file(dir / "state" / "ca.pem");
    // The operator's PKCS#12 opens with the password init showed once (a tool
    // nobody here wrote); no clear key and no password file are in the state.
    std::smatch shown_password;
    ASSERT_TRUE(std::regex_search(init.output, shown_password,
                                  std::regex("PKCS#12 password \\(shown once[^:]*: (\\S+)")))
        << init.output;
    auto p12 =
        test::run("openssl pkcs12 -in " + (dir / "state/operators/ra-operator.p12").string() +
                  " -passin pass:" + test::shell_quote(shown_password[1].str()) + " -noout");
    EXPECT_EQ(p12.exit_code, 0) << p12.output;
    EXPECT_FALSE(std::filesystem::exists(dir / "state/operators/ra-operator.key"));
    EXPECT_FALSE(std::filesystem::exists(dir / "state/operators/ra-operator.p12-password"));
    // A second init refuses; --if-needed is a no-op.
    EXPECT_NE(run_inkan(dir, "init").exit_code, 0);
    EXPECT_EQ(run_inkan(dir, "init --if-needed").exit_code, 0);

    std::string serial;
    {
        auto s = serve(dir);
        ASSERT_NE(s.operator_port, 0) << s.process->output();
        auto r = test::run(
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
            (dir / "u.key").string() + " -out " + (dir / "u.csr").string() + " -subj '" +
            kDemoSubject + "'");
        ASSERT_EQ(r.exit_code, 0);
        auto issued = operator_client(dir, s.operator_port)
                          .post("/api/v1/certificates", test::read_file(dir / "u.csr"));
        ASSERT_EQ(issued.status, 201) << issued.body << issued.error;
        serial = json::parse(issued.body)["serial"];
        EXPECT_TRUE(whois.queried_lines().empty())
            << "the demo institution's example.ac.jp needs no WHOIS";
        EXPECT_EQ(s.process->stop(), 0) << s.process->output();
    }
    auto s = serve(dir);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    auto shown = operator_client(dir, s.operator_port).get("/api/v1/certificates/" + serial);
    EXPECT_EQ(shown.status, 200) << shown.body;
    // The security staff revoke the operator: the running appliance refuses it at once.
    EXPECT_NE(run_inkan(dir, "operator revoke --name nobody").exit_code, 0);
    auto revoked = run_inkan(dir, "operator revoke --name ra-operator --reason 1");
    ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
    auto refused = operator_client(dir, s.operator_port).get("/api/v1/certificates/" + serial);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_NE(refused.body.find("operator_revoked"), std::string::npos) << refused.body;
    test::HttpsClient pub;
    pub.port = s.public_port;
    pub.ca_file = (dir / "state" / "ca.pem").string();
    EXPECT_EQ(pub.get("/ca.pem").body, ca_before);
}

TEST(InkanCli, InitForARealInstitutionRegistersNoDemoInstitution) {
    test::TempDir dir;
    auto init = run_inkan(dir, "init --key-type ec-p256 --institution 'Sample University'");
    ASSERT_EQ(init.exit_code, 0) << init.output;
    EXPECT_EQ(init.output.find("Demo institution"), std::string::npos) << init.output;
    auto list = run_inkan(dir, "institution list --json");
    ASSERT_EQ(list.exit_code, 0) << list.output;
    EXPECT_EQ(json::parse(list.output), json::array());
}

TEST(InkanCli, WrongPinAtStartIsAClearErrorAndExitCode) {
    test::TempDir dir;
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    auto r = run_inkan(dir, "serve", "INKAN_HSM_PIN=wrong-pin-1234");
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find("PIN"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("wrong-pin-1234"), std::string::npos) << "the PIN must not be echoed";
    // The right PIN still works afterwards (one failed attempt does not lock the token).
    auto status = run_inkan(dir, "hsm status --json");
    ASSERT_EQ(status.exit_code, 0) << status.output;
}

// init makes the S/MIME notification key in the HSM (non-extractable) and its
// certificate from the CA (emailProtection, mail.from); serve makes them for a
// state folder initialised without them.
TEST(InkanCli, InitMakesTheMailSigningKeyAndCertificate) {
    test::TempDir dir;
    auto init = run_inkan(dir, "init --key-type ec-p256");
    ASSERT_EQ(init.exit_code, 0) << init.output;
    EXPECT_NE(init.output.find("mail/signer.pem (inkan@localhost.localdomain"), std::string::npos)
        << init.output;
    auto status = run_inkan(dir, "hsm status --json");
    ASSERT_EQ(status.exit_code, 0) << status.output;
    int found = 0;
    json objects = json::parse(status.output)["objects"];
    for (const auto& o : objects) {
        if (o["class"] == "private_key" && o["label"] == "inkan-mail-signing") {
            ++found;
            EXPECT_EQ(o["key_type"], "ec");
            EXPECT_EQ(o["extractable"], false);
            EXPECT_EQ(o["sensitive"], true);
            EXPECT_EQ(o["token"], true);
        }
    }
    EXPECT_EQ(found, 1) << status.output;
    auto state = dir / "state";
    auto ca = test::shell_quote((state / "ca.pem").string());
    auto cert = test::shell_quote((state / "mail" / "signer.pem").string());
    auto verify = test::run("openssl verify -purpose smimesign -CAfile " + ca + " " + cert);
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    auto text = test::run(
        "openssl x509 -noout -subject -ext subjectAltName,extendedKeyUsage,keyUsage -in " + cert);
    EXPECT_NE(text.output.find("CN = Inkan notifications"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("email:inkan@localhost.localdomain"), std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("E-mail Protection"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("Digital Signature"), std::string::npos) << text.output;

    // A state folder from before signed mails: no certificate, no key id. serve makes both.
    std::filesystem::remove(state / "mail" / "signer.pem");
    auto config = appliance::load_config(state);
    std::string old_key_id = config.hsm.mail_key_id;
    config.hsm.mail_key_id.clear();
    appliance::save_config(config);
    {
        Serving s = serve(dir);
        ASSERT_NE(s.operator_port, 0);
    }
    EXPECT_TRUE(std::filesystem::exists(state / "mail" / "signer.pem"));
    std::string new_key_id = appliance::load_config(state).hsm.mail_key_id;
    EXPECT_FALSE(new_key_id.empty());
    EXPECT_NE(new_key_id, old_key_id);
    verify = test::run("openssl verify -purpose smimesign -CAfile " + ca + " " + cert);
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

TEST(InkanCli, HsmStatusShowsRsaCaKeyAttributes) {
    test::TempDir dir;
    ASSERT_EQ(run_inkan(dir, "init --key-type rsa-2048").exit_code, 0);
    auto r = run_inkan(dir, "hsm status --json");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto j = json::parse(r.output);
    bool found = false;
    for (const auto& o : j["objects"]) {
        if (o["class"] == "private_key" && o["label"] == "inkan-ca") {
            found = true;
            EXPECT_EQ(o["key_type"], "rsa");
            EXPECT_EQ(o["bits"], 2048);
            EXPECT_EQ(o["extractable"], false);
            EXPECT_EQ(o["sensitive"], true);
            EXPECT_EQ(o["private"], true);
            EXPECT_EQ(o["decrypt"], false);
        }
    }
    EXPECT_TRUE(found) << r.output;
    // The CA private exponent cannot be read through PKCS#11.
    auto config = appliance::load_config(dir / "state");
    auto token = appliance::open_token(config);
    auto key = hsm::find_private_key(*token, appliance::ca_key_lookup(config));
    try {
        key.attribute(CKA_PRIVATE_EXPONENT);
        ADD_FAILURE() << "CKA_PRIVATE_EXPONENT of the CA key must be refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "hsm_attribute_sensitive");
    }
}

TEST(InkanCli, MissingStateAndHelpAreClear) {
    test::TempDir dir;
    auto r = run_inkan(dir, "serve");
    EXPECT_EQ(r.exit_code, 4) << r.output;
    EXPECT_NE(r.output.find("inkan init"), std::string::npos) << r.output;
    for (std::string cmd : {"", "init", "serve", "hsm", "hsm status", "ca", "ca import-cert",
                            "operator", "operator add", "operator list", "backup", "restore"}) {
        auto h = test::run(inkan_binary() + " " + cmd + " --help");
        EXPECT_EQ(h.exit_code, 0) << cmd << ": " << h.output;
        EXPECT_NE(h.output.find("Usage"), std::string::npos) << cmd;
    }
}

TEST(InkanCli, InstitutionRegistryAndOfflineRequestCheck) {
    test::TempDir dir;
    test::LoopbackWhoisServer whois;
    whois.answer("example.ac.jp",
                 "Domain Name: EXAMPLE.AC.JP\r\nRegistrant Organization: Example University\r\n");
    std::filesystem::create_directories(dir / "state");
    test::write_file(
        dir / "state" / "inkan.json",
        json{{"whois", {{"servers", {{"jp", "127.0.0.1:" + std::to_string(whois.port())}}}}}}
            .dump());
    ASSERT_EQ(
        run_inkan(dir,
                  "institution add --name 'Example University' --state Tokyo --locality Chiyoda-ku "
                  "--whois-name 'Example University'")
            .exit_code,
        0);
    ASSERT_EQ(
        run_inkan(
            dir, "institution approve-domain 'Example University' Example.AC.JP --until 2099-12-31")
            .exit_code,
        0);
    EXPECT_NE(
        run_inkan(dir, "institution approve-domain 'Nobody' x.ac.jp --until 2099-12-31").exit_code,
        0);
    EXPECT_NE(
        run_inkan(dir, "institution approve-domain 'Example University' x.ac.jp --until 2099-02-30")
            .exit_code,
        0);
    auto shown = run_inkan(dir, "institution show 'Example University' --json");
    ASSERT_EQ(shown.exit_code, 0) << shown.output;
    auto j = json::parse(shown.output);
    EXPECT_EQ(j["domains"][0]["domain"], "example.ac.jp");
    EXPECT_EQ(j["state"], "Tokyo");
    EXPECT_EQ(j["whois_source"], "registry");  // `institution add` can make no demo institution
    auto add_help = run_inkan(dir, "institution add --help").output;
    EXPECT_NE(add_help.find("--whois-name"), std::string::npos) << add_help;
    EXPECT_EQ(add_help.find("--demo"), std::string::npos) << add_help;
    EXPECT_EQ(add_help.find("--whois-source"), std::string::npos) << add_help;

    auto row = [](const std::string& cn, const std::string& mail) {
        return "CN=" + cn +
               ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t\t\t\t\tAdmin\t\t" + mail +
               "\tUser\t\t\t" + mail + "\t\r\n";
    };
    test::write_file(dir / "good.tsv", row("a.example.ac.jp", "a@example.ac.jp"));
    test::write_file(dir / "bad.tsv", row("a.other.ac.jp", "a@other.ac.jp"));
    auto good = run_inkan(dir, "request check " + (dir / "good.tsv").string() + " --action issue");
    EXPECT_EQ(good.exit_code, 0) << good.output;
    auto bad =
        run_inkan(dir, "request check " + (dir / "bad.tsv").string() + " --action issue --json");
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    auto report = json::parse(bad.output);
    EXPECT_EQ(report["rejected"][0]["errors"][0]["code"], "domain_not_approved");
    EXPECT_EQ(
        report["rejected"][0]["errors"][0]["message_ja"],
        "対象のドメインは許可されていないため発行できません。サービス窓口にお問い合わせください。");
}

// The download-completed mail is written with the download: a crash right after
// it (SIGKILL) loses nothing, the next start sends it.
TEST(InkanCli, MailOfADownloadBeforeACrashIsSentAfterTheRestart) {
    test::TempDir dir;
    test::LoopbackWhoisServer whois;
    whois.answer("example.ac.jp", "Registrant Organization: Inkan Demo University\r\n");
    write_whois_config(dir, whois);
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    // First run: no mail sender (the answer carries the URLs); killed after the download.
    auto first = serve(dir, {{"INKAN_MAIL_TRANSPORT", "none"}});
    ASSERT_NE(first.operator_port, 0) << first.process->output();
    auto upload = operator_client(dir, first.operator_port)
                      .post("/api/v1/requests?action=issue",
                            "CN=crash.example.ac.jp,O=Inkan Demo University,L=Chiyoda-ku,ST=Tokyo,"
                            "C=JP\t5\t1\t\t\t\t\tAdmin\t\tadmin@example.ac.jp\tUser\t\t\t"
                            "crash@example.ac.jp\t\r\n",
                            "text/tab-separated-values");
    ASSERT_EQ(upload.status, 201) << upload.body;
    auto row = json::parse(upload.body)["rows"][0];
    test::HttpsClient pub;
    pub.port = first.public_port;
    pub.ca_file = (dir / "state" / "ca.pem").string();
    std::string pin_path = row["pin_url"].get<std::string>();
    pin_path = pin_path.substr(pin_path.find("/pin/"));
    std::string pin = json::parse(pub.post(pin_path, "").body)["entries"][0]["pin"];
    std::string p12_path = row["retrieval_url"].get<std::string>();
    p12_path = p12_path.substr(p12_path.find("/download/"));
    auto p12 = pub.post(p12_path, json{{"pin", pin}}.dump(), "application/json");
    ASSERT_EQ(p12.status, 200) << p12.body;
    first.process->kill_now();
    EXPECT_FALSE(std::filesystem::exists(dir / "state/mail/Maildir/new"));

    // Second run, mails on (the default Maildir): the three queued mails go out.
    auto second = serve(dir);
    ASSERT_NE(second.operator_port, 0) << second.process->output();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<std::string> mails;
    while (mails.size() < 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        mails.clear();
        if (std::filesystem::exists(dir / "state/mail/Maildir/new"))
            for (const auto& e :
                 std::filesystem::directory_iterator(dir / "state/mail/Maildir/new"))
                mails.push_back(test::read_file(e.path()));
    }
    ASSERT_EQ(mails.size(), 3u) << second.process->output();
    auto queue = run_inkan(dir, "mail queue --state sent");
    EXPECT_EQ(queue.exit_code, 0) << queue.output;
    EXPECT_NE(queue.output.find("download_completed"), std::string::npos) << queue.output;
    EXPECT_NE(queue.output.find("queued 0, dead 0, sent 3"), std::string::npos) << queue.output;
}

// Made private, not chmod-ed later: the database (names, mails) and every other
// file of the state folder is the appliance's own; public certificates are 0644.
TEST(InkanCli, StateFilesAreCreatedPrivateAndPublicOnesReadable) {
    test::TempDir dir;
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    auto mode = [&](const std::string& rel) {
        return std::filesystem::status(dir / "state" / rel).permissions() &
               std::filesystem::perms::mask;
    };
    using P = std::filesystem::perms;
    EXPECT_EQ(mode("inkan.db"), P::owner_read | P::owner_write);
    EXPECT_EQ(mode("inkan.json"), P::owner_read | P::owner_write);
    EXPECT_EQ(mode("hsm-user-pin"), P::owner_read | P::owner_write);
    EXPECT_EQ(mode("mail"), P::owner_all);
    EXPECT_EQ(mode("ca.pem"), P::owner_read | P::owner_write | P::group_read | P::others_read);
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "state")) {
        auto p = e.status().permissions();
        if (e.path().filename() == "ca.pem" || e.path().extension() == ".pem") continue;
        EXPECT_EQ(p & (P::others_read | P::others_write | P::others_exec), P::none) << e.path();
    }
}

TEST(InkanCli, RequestSubmitUploadsThroughTheRestApi) {
    test::TempDir dir;
    test::LoopbackWhoisServer whois;
    whois.answer("example.ac.jp", "Registrant Organization: Inkan Demo University\r\n");
    write_whois_config(dir, whois);
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);  // + the demo institution
    auto s = serve(dir);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    auto row = [](int i) {
        std::string n = std::to_string(i);
        return "CN=u" + n +
               ".example.ac.jp,O=Inkan Demo "
               "University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t\t\t\t\tAdmin\t\t"
               "admin@example.ac.jp\tUser\t\t\tu" +
               n + "@example.ac.jp\t\r\n";
    };
    test::write_file(dir / "good.tsv", row(1) + row(2));
    test::write_file(dir / "bad.tsv",
                     row(3) +
                         "CN=u4.example.ac.jp,O=Inkan Demo "
                         "University,L=City,ST=Tokyo,C=JP\t5\t1\t\t\t\t\tAdmin\t\tadmin@example.ac."
                         "jp\tUser\t\t\tu4@example.ac.jp\t\r\n");
    std::string url = " --url https://127.0.0.1:" + std::to_string(s.operator_port) + " --cert " +
                      (dir / "client/ra-operator.pem").string() + " --key " +
                      (dir / "client/ra-operator.key").string();
    auto good = run_inkan(dir, "request submit " + (dir / "good.tsv").string() +
                                   " --action issue --on-error abort" + url);
    EXPECT_EQ(good.exit_code, 0) << good.output;
    EXPECT_NE(good.output.find("batch: "), std::string::npos) << good.output;
    // Mails go out by default (Maildir): the URLs are not in the answer but in the mails.
    EXPECT_EQ(good.output.find("/download/"), std::string::npos) << good.output;
    EXPECT_NE(good.output.find("sent by mail"), std::string::npos) << good.output;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto count_mails = [&] {
        size_t n = 0;
        if (std::filesystem::exists(dir / "state/mail/Maildir/new"))
            for ([[maybe_unused]] const auto& e :
                 std::filesystem::directory_iterator(dir / "state/mail/Maildir/new"))
                ++n;
        return n;
    };
    while (count_mails() < 4 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(count_mails(), 4u) << "a PIN mail and a retrieval mail per row";
    auto bad = run_inkan(dir, "request submit " + (dir / "bad.tsv").string() +
                                  " --action issue --on-error abort" + url);
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_NE(bad.output.find(":2,"), std::string::npos)
        << "the rejected line is named: " << bad.output;
    // Nothing listens here: a clear error and exit code 5.
    auto down = run_inkan(dir, "request submit " + (dir / "good.tsv").string() +
                                   " --url https://127.0.0.1:1 --cert " +
                                   (dir / "client/ra-operator.pem").string() + " --key " +
                                   (dir / "client/ra-operator.key").string());
    EXPECT_EQ(down.exit_code, 5) << down.output;
}

// --wait follows a P12-bulk batch's ZIP job (started at upload here) until the
// ZIP is ready; without a TTY one line per change of its progress.
TEST(InkanCli, RequestSubmitWaitFollowsTheBulkZipJobUntilReady) {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "state");
    test::write_file(dir / "state" / "inkan.json",
                     json{{"issuance", {{"bulk_start", "upload"}, {"bulk_threads", 1}}},
                          {"mail", {{"transport", "none"}}}}
                         .dump());
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);  // demo WHOIS source
    auto s = serve(dir);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    std::string file;
    for (int i = 1; i <= 6; ++i) {
        std::string n = std::to_string(i);
        file += "CN=w" + n +
                ".example.ac.jp,O=Inkan Demo University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t2\t\t\t\t"
                "\tAdmin\t\tadmin@example.ac.jp\tUser\tw" +
                n + "\t\tw" + n + "@example.ac.jp\t\r\n";
    }
    test::write_file(dir / "bulk.tsv", file);
    std::string credential = " --url https://127.0.0.1:" + std::to_string(s.operator_port) +
                             " --cert " + (dir / "client/ra-operator.pem").string() + " --key " +
                             (dir / "client/ra-operator.key").string();
    auto waited = run_inkan(dir, "request submit " + (dir / "bulk.tsv").string() +
                                     " --action issue --on-error abort --wait" + credential);
    EXPECT_EQ(waited.exit_code, 0) << waited.output;
    EXPECT_NE(waited.output.find(" / 6 rows"), std::string::npos) << waited.output;
    EXPECT_NE(waited.output.find("the ZIP is ready"), std::string::npos) << waited.output;
}

TEST(InkanCli, ExternalRootSignsTheIssuingCaCsr) {
    test::TempDir dir;
    test::LoopbackWhoisServer whois;
    whois.answer("example.ac.jp", "Registrant Organization: Inkan Demo University\r\n");
    write_whois_config(dir, whois);
    auto d = dir.path().string();
    auto csr = run_inkan(dir, "init --key-type ec-p256 --csr " + d +
                                  "/issuing.csr --subject 'CN=Inkan Issuing CA,O=Inkan,C=JP'");
    ASSERT_EQ(csr.exit_code, 0) << csr.output;
    // Until the certificate is imported the appliance does not start.
    EXPECT_EQ(run_inkan(dir, "serve").exit_code, 4);

    // An external root (made with the openssl tool) signs the CSR.
    auto sh = [](const std::string& cmd) {
        auto r = test::run(cmd);
        EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
    };
    sh("cd " + d +
       " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout root.key "
       "-out root.pem -days 3650 -subj '/C=JP/O=External/CN=External Root'");
    test::write_file(dir / "ca.ext",
                     "basicConstraints=critical,CA:TRUE,pathlen:0\n"
                     "keyUsage=critical,keyCertSign,cRLSign,digitalSignature\n"
                     "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
    sh("cd " + d +
       " && openssl x509 -req -in issuing.csr -CA root.pem -CAkey root.key -CAcreateserial "
       "-days 1825 -extfile ca.ext -out issuing.pem && cat issuing.pem root.pem > chain.pem");

    // The root's own certificate does not carry the HSM key: refused.
    auto wrong = run_inkan(dir, "ca import-cert " + d + "/root.pem");
    EXPECT_NE(wrong.exit_code, 0) << wrong.output;
    auto imported = run_inkan(dir, "ca import-cert " + d + "/chain.pem");
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    register_demo_institution(dir);

    auto s = serve(dir);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
       "/u.key -out " + d + "/u.csr -subj '" + kDemoSubject + "'");
    auto issued = operator_client(dir, s.operator_port)
                      .post("/api/v1/certificates?format=pem", test::read_file(dir / "u.csr"));
    ASSERT_EQ(issued.status, 201) << issued.body << issued.error;
    test::write_file(dir / "leaf.pem", issued.body);
    sh("openssl verify -CAfile " + d + "/root.pem -untrusted " + d + "/issuing.pem " + d +
       "/leaf.pem");
}

TEST(InkanCli, CrlGenerateStoresTheNextNumberAndServeServesTheLatest) {
    test::TempDir dir;
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    auto crl_number = [&](const std::string& der_file) {
        auto r = test::run("openssl crl -inform DER -in " + der_file +
                           " -noout -crlnumber -CAfile " + (dir / "state" / "ca.pem").string());
        EXPECT_NE(r.output.find("verify OK"), std::string::npos) << r.output;
        return r.output.substr(
            r.output.find("crlNumber=") == std::string::npos ? 0 : r.output.find("crlNumber="));
    };
    auto first = run_inkan(dir, "crl generate --out " + (dir / "first.crl").string());
    ASSERT_EQ(first.exit_code, 0) << first.output;
    EXPECT_NE(first.output.find("CRL number 1:"), std::string::npos) << first.output;
    EXPECT_NE(first.output.find("/crl/inkan-ca.crl"), std::string::npos) << first.output;
    EXPECT_NE(crl_number((dir / "first.crl").string()).find("crlNumber=0x01"), std::string::npos);

    auto s = serve(dir);
    ASSERT_NE(s.crl_port, 0) << s.process->output();
    auto fetch = [&](const std::string& file) {
        auto r = test::run("curl -sf -o " + (dir / file).string() +
                           " http://127.0.0.1:" + std::to_string(s.crl_port) + "/crl/inkan-ca.crl");
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return crl_number((dir / file).string());
    };
    EXPECT_NE(fetch("served1.crl").find("crlNumber=0x01"), std::string::npos)
        << "a fresh CRL is not rebuilt";
    auto second = run_inkan(dir, "crl generate");
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_NE(second.output.find("CRL number 2:"), std::string::npos) << second.output;
    EXPECT_NE(fetch("served2.crl").find("crlNumber=0x02"), std::string::npos)
        << "served from the store";
    EXPECT_EQ(s.process->stop(), 0) << s.process->output();
}

TEST(InkanCli, SecurityOfficerRevokesOneCertificateAndTheCrlListsIt) {
    test::TempDir dir;
    ASSERT_EQ(run_inkan(dir, "init --key-type ec-p256").exit_code, 0);
    auto s = serve(dir);
    ASSERT_NE(s.operator_port, 0) << s.process->output();
    const std::string d = dir.path().string();
    auto req =
        test::run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                  d + "/u.key -out " + d + "/u.csr -subj '" + kDemoSubject + "'");
    ASSERT_EQ(req.exit_code, 0) << req.output;
    auto issued = operator_client(dir, s.operator_port)
                      .post("/api/v1/certificates", test::read_file(dir / "u.csr"));
    ASSERT_EQ(issued.status, 201) << issued.body << issued.error;
    auto cert = json::parse(issued.body);
    test::write_file(dir / "leaf.pem", cert["certificate_pem"].get<std::string>());
    const std::string serial = cert["serial"];

    auto refused = run_inkan(dir, "revoke --serial " + serial + " --reason 0");
    EXPECT_EQ(refused.exit_code, 2) << refused.output;  // reason 0 needs a comment
    auto unknown = run_inkan(dir, "revoke --serial 12345 --reason 1");
    EXPECT_NE(unknown.exit_code, 0);
    EXPECT_NE(unknown.output.find("no certificate with serial 12345"), std::string::npos)
        << unknown.output;

    auto ok = run_inkan(dir, "revoke --serial " + serial + " --reason 1");
    ASSERT_EQ(ok.exit_code, 0) << ok.output;
    EXPECT_NE(ok.output.find("revoked serial " + serial), std::string::npos) << ok.output;
    auto fetched =
        test::run("curl -sf -o " + d + "/crl.der http://127.0.0.1:" + std::to_string(s.crl_port) +
                  "/crl/inkan-ca.crl && openssl crl -inform DER -in " + d + "/crl.der -out " + d +
                  "/crl.pem && openssl verify -crl_check -CRLfile " + d + "/crl.pem -CAfile " + d +
                  "/state/ca.pem " + d + "/leaf.pem");
    EXPECT_NE(fetched.exit_code, 0);
    EXPECT_NE(fetched.output.find("certificate revoked"), std::string::npos) << fetched.output;
    auto twice = run_inkan(
        dir, "revoke --serial 0x" + cert["serial_hex"].get<std::string>() + " --reason 1");
    EXPECT_NE(twice.exit_code, 0);
    EXPECT_NE(twice.output.find("already revoked"), std::string::npos) << twice.output;
    EXPECT_EQ(s.process->stop(), 0) << s.process->output();
}
