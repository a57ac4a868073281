// Configuration: file, environment, validation, round trip.
#include "appliance/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/error.h"
#include "tests/support/temp_dir.h"

using namespace inkan;

namespace {

std::string code_of(const std::filesystem::path& dir) {
    try {
        appliance::load_config(dir);
    } catch (const Error& e) {
        return e.code() + ": " + e.what();
    }
    return "";
}

}  // namespace

TEST(ApplianceConfig, SaveAndLoadRoundTrip) {
    test::TempDir dir;
    auto c = appliance::load_config(dir.path());
    c.ca.key_type = "ec-p384";
    c.http.public_port = 9444;
    c.whois.servers = {{"jp", "127.0.0.1:4343"}, {"ac.jp", "whois.example:43"}};
    c.issuance.max_pin_failures = 7;
    c.hsm.ca_key_id = "00ff";
    c.hsm.pin = SecretString("never-written");
    appliance::save_config(c);
    auto text = test::read_file(dir / "inkan.json");
    EXPECT_EQ(text.find("never-written"), std::string::npos) << "the PIN must not be written";
    auto again = appliance::load_config(dir.path());
    EXPECT_EQ(again.ca.key_type, "ec-p384");
    EXPECT_EQ(again.http.public_port, 9444);
    EXPECT_EQ(again.whois.servers, c.whois.servers);
    EXPECT_EQ(again.issuance.max_pin_failures, 7);
    EXPECT_EQ(again.hsm.ca_key_id, "00ff");
    EXPECT_EQ(again.http.threads, 4);  // untouched default
}

TEST(ApplianceConfig, BadFilesAndValuesAreClearErrors) {
    test::TempDir dir;
    test::write_file(dir / "inkan.json", "{ not json");
    EXPECT_NE(code_of(dir.path()).find("config_invalid"), std::string::npos);
    test::write_file(dir / "inkan.json", R"({"http": {"operator_port": "eighty"}})");
    EXPECT_NE(code_of(dir.path()).find("http"), std::string::npos);
    test::write_file(dir / "inkan.json", R"({"hsm": {"pin": "123456"}})");
    auto pin = code_of(dir.path());
    EXPECT_NE(pin.find("INKAN_HSM_PIN"), std::string::npos) << pin;
    EXPECT_EQ(pin.find("123456"), std::string::npos) << "the PIN must not be echoed";
    test::write_file(dir / "inkan.json", R"({"ca": {"key_type": "dsa-1024"}})");
    EXPECT_NE(code_of(dir.path()).find("ca.key_type"), std::string::npos);
    test::write_file(dir / "inkan.json", R"({"issuance": {"pin_length": 4}})");
    EXPECT_NE(code_of(dir.path()).find("pin_length"), std::string::npos);
}

TEST(ApplianceConfig, EnvironmentOverridesTheFile) {
    test::TempDir dir;
    test::write_file(dir / "inkan.json", R"({"hsm": {"token_label": "from-file"}})");
    setenv("INKAN_HSM_TOKEN_LABEL", "from-env", 1);
    setenv("INKAN_HSM_PIN", "env-pin", 1);
    auto c = appliance::load_config(dir.path());
    EXPECT_EQ(c.hsm.token_label, "from-env");
    EXPECT_EQ(c.hsm.pin.str(), "env-pin");
    setenv("INKAN_OPERATOR_PORT", "not-a-port", 1);
    EXPECT_NE(code_of(dir.path()).find("INKAN_OPERATOR_PORT"), std::string::npos);
    unsetenv("INKAN_OPERATOR_PORT");
    unsetenv("INKAN_HSM_TOKEN_LABEL");
    unsetenv("INKAN_HSM_PIN");
}

TEST(ApplianceConfig, PublicationListenerDefaultsAndOverrides) {
    test::TempDir dir;
    auto defaults = appliance::load_config(dir.path());
    EXPECT_EQ(defaults.http.crl_port, 8080);
    EXPECT_EQ(defaults.ca.crl_url, "http://127.0.0.1:8080/crl/inkan-ca.crl");
    EXPECT_EQ(defaults.ca.ocsp_url, "http://127.0.0.1:8080/ocsp");
    EXPECT_EQ(defaults.ca.ca_issuers_url, "http://127.0.0.1:8080/ca.crt");
    EXPECT_EQ(defaults.ca.crl_validity_hours, 24);
    EXPECT_EQ(defaults.ca.ocsp_validity_hours, 1);

    // A state folder from before the listener: init saved the URLs that pointed at nothing.
    test::write_file(
        dir / "inkan.json",
        R"({"ca": {"crl_url": "http://127.0.0.1:8444/crl.der", "ocsp_url": "http://127.0.0.1:8444/ocsp"}})");
    auto old = appliance::load_config(dir.path());
    EXPECT_EQ(old.ca.crl_url, defaults.ca.crl_url);
    EXPECT_EQ(old.ca.ocsp_url, defaults.ca.ocsp_url);

    // Explicit values are kept.
    test::write_file(dir / "inkan.json", R"({"ca": {"crl_url": "http://pki.example.ac.jp/ca.crl",
        "ocsp_url": "http://ocsp.example.ac.jp", "ca_issuers_url": "", "crl_validity_hours": 168},
        "http": {"crl_port": 9080}})");
    auto mine = appliance::load_config(dir.path());
    EXPECT_EQ(mine.ca.crl_url, "http://pki.example.ac.jp/ca.crl");
    EXPECT_EQ(mine.ca.ocsp_url, "http://ocsp.example.ac.jp");
    EXPECT_EQ(mine.ca.ca_issuers_url, "");
    EXPECT_EQ(mine.ca.crl_validity_hours, 168);
    EXPECT_EQ(mine.http.crl_port, 9080);
    setenv("INKAN_CRL_PORT", "0", 1);
    EXPECT_EQ(appliance::load_config(dir.path()).http.crl_port, 0);
    setenv("INKAN_CRL_PORT", "http", 1);
    EXPECT_NE(code_of(dir.path()).find("INKAN_CRL_PORT"), std::string::npos);
    unsetenv("INKAN_CRL_PORT");
    test::write_file(dir / "inkan.json", R"({"ca": {"crl_validity_hours": 0}})");
    EXPECT_NE(code_of(dir.path()).find("crl_validity_hours"), std::string::npos);
}

TEST(ApplianceConfig, FrontIsNoneUnlessChosen) {
    test::TempDir dir;
    auto c = appliance::load_config(dir.path());
    EXPECT_EQ(c.http.front, "none");
    EXPECT_EQ(c.http.nginx_binary, "/usr/sbin/nginx");
    setenv("INKAN_FRONT", "nginx", 1);
    EXPECT_EQ(appliance::load_config(dir.path()).http.front, "nginx");
    setenv("INKAN_FRONT", "apache", 1);
    EXPECT_NE(code_of(dir.path()).find("http.front must be nginx or none"), std::string::npos);
    unsetenv("INKAN_FRONT");
    test::write_file(dir / "inkan.json", R"({"http": {"front_timeout_seconds": 0}})");
    EXPECT_NE(code_of(dir.path()).find("front_timeout_seconds"), std::string::npos);
}

// The Debian package's unit passes the PIN as a systemd credential
// (LoadCredential=inkan-hsm-pin): it beats the pin file, loses to INKAN_HSM_PIN.
TEST(ApplianceConfig, PinFromSystemdCredential) {
    test::TempDir dir;
    test::TempDir credentials;
    test::write_file(dir / "hsm-user-pin", "file-pin\n");
    EXPECT_EQ(appliance::load_config(dir.path()).hsm.pin.str(), "file-pin");
    setenv("CREDENTIALS_DIRECTORY", credentials.path().c_str(), 1);
    EXPECT_EQ(appliance::load_config(dir.path()).hsm.pin.str(), "file-pin")
        << "no credential file: the pin file still counts";
    test::write_file(credentials / appliance::kHsmPinCredential, "credential-pin\n");
    test::write_file(credentials / appliance::kSmtpPasswordCredential, "smtp-secret");
    auto c = appliance::load_config(dir.path());
    EXPECT_EQ(c.hsm.pin.str(), "credential-pin");
    EXPECT_EQ(c.smtp_password.str(), "smtp-secret");
    setenv("INKAN_HSM_PIN", "env-pin", 1);
    EXPECT_EQ(appliance::load_config(dir.path()).hsm.pin.str(), "env-pin");
    unsetenv("INKAN_HSM_PIN");
    unsetenv("CREDENTIALS_DIRECTORY");
}

// --config (/etc/inkan/inkan.json in the package) goes on top of what init
// recorded in the state folder: key ids stay, every key the file sets wins.
TEST(ApplianceConfig, ConfigFileGoesOnTopOfTheStateFolders) {
    test::TempDir dir;
    test::TempDir etc;
    auto recorded = appliance::load_config(dir.path());
    recorded.hsm.ca_key_id = "00ff";
    recorded.http.public_port = 9444;
    recorded.http.operator_port = 9443;
    appliance::save_config(recorded);
    test::write_file(
        etc / "inkan.json",
        R"({"http": {"public_port": 7444, "front": "nginx"}, "mail": {"from": "ca@example.ac.jp"}, "hsm": {"module_path": "/usr/lib/softhsm/libsofthsm2.so"}})");
    auto c = appliance::load_config(dir.path(), (etc / "inkan.json").string());
    EXPECT_EQ(c.hsm.ca_key_id, "00ff");
    EXPECT_EQ(c.http.operator_port, 9443);
    EXPECT_EQ(c.http.public_port, 7444);
    EXPECT_EQ(c.http.front, "nginx");
    EXPECT_EQ(c.mail.from, "ca@example.ac.jp");
    // A first start (init) has no state file yet: the given file alone.
    test::TempDir fresh;
    EXPECT_EQ(appliance::load_config(fresh.path(), (etc / "inkan.json").string()).http.public_port,
              7444);
    try {
        appliance::load_config(dir.path(), (etc / "missing.json").string());
        ADD_FAILURE() << "a missing --config file must be an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.json cannot be read"), std::string::npos)
            << e.what();
    }
}
