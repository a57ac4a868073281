// The appliance wiring: `inkan init` makes the PIN keys with the right attributes,
// Services carries the IssuanceService, a PIN shown before a restart still opens
// the P12 after it (the HMAC key is a persistent token object), and a crash
// between signing and delivery leaves no valid certificate nobody received.
#include <gtest/gtest.h>

#include "appliance/bootstrap.h"
#include "appliance/services.h"
#include "common/bytes.h"
#include "hsm/keys.h"
#include "tests/issuance/issuance_world.h"
#include "tests/support/loopback_whois_server.h"
#include "tests/support/run.h"

namespace inkan::test {
namespace {

// A state folder as `inkan init` leaves it (EC keys for speed), with the
// institution registered, its WHOIS answered on loopback and op1 on record.
struct ApplianceState {
    ApplianceState() {
        config = appliance::load_config(state);
        config.ca.key_type = "ec-p256";
        config.issuance.p12_key_type = "ec-p256";
        // The download re-checks the row against the appliance's own registry,
        // WHOIS and operator store.
        whois.answer("example.ac.jp", "Registrant Organization: Example University\r\n");
        config.whois.servers = {{"jp", "127.0.0.1:" + std::to_string(whois.port())}};
        appliance::prepare_token_and_ca_key(config);
        appliance::write_self_signed_ca(config);
        auto services = open();
        services->policy->registry().add(*policy_world.registry.find_by_name("Example University"));
        appliance::create_operator(*services, policy_world.op.name, policy_world.op.institution,
                                   policy_world.op.email, store::OperatorRole::RaOperator);
    }
    std::unique_ptr<appliance::Services> open() const {
        return appliance::open_services(appliance::load_config(state));
    }
    // Submits one P12-individual row and views its PIN: {retrieval token, PIN}.
    std::pair<std::string, std::string> accepted_row(appliance::Services& services,
                                                     const RowSpec& row) {
        auto batch =
            services.issuance->submit(policy_world.op, request_line(row), policy::Action::Issue,
                                      policy::ErrorMode::Abort, policy_world.context());
        EXPECT_EQ(batch.status, "accepted") << batch.report.dump(1);
        batch_id = *batch.batch_id;
        std::string pin =
            services.issuance->view_pins(*batch.rows.at(0).pin_token).entries.at(0).pin.str();
        return {*batch.rows[0].retrieval_token, pin};
    }

    TempDir dir;
    std::filesystem::path state = dir.path() / "state";
    LoopbackWhoisServer whois;
    appliance::Config config;
    PolicyFixture policy_world;
    std::string batch_id;
};

TEST(IssuanceAppliance, InitMakesPinKeysAndPinsSurviveARestart) {
    ApplianceState s;
    ASSERT_EQ(s.config.hsm.pin_hmac_key_id.size(), 32u);
    ASSERT_EQ(s.config.hsm.pin_wrap_key_id.size(), 32u);
    RowSpec row;
    row.file_name = "restart";
    std::string retrieval_token;
    std::string pin;
    {
        auto services = s.open();
        ASSERT_TRUE(services->issuance);
        EXPECT_EQ(services->issuance->config().p12_key_algorithm, "ec-p256");
        auto hmac =
            hsm::find_secret_key(*services->token, {hex_decode(s.config.hsm.pin_hmac_key_id), {}});
        EXPECT_EQ(hmac.flag(CKA_TOKEN), true);
        EXPECT_EQ(hmac.flag(CKA_SENSITIVE), true);
        EXPECT_EQ(hmac.flag(CKA_EXTRACTABLE), false);
        EXPECT_EQ(hmac.flag(CKA_SIGN), true);
        EXPECT_EQ(hmac.flag(CKA_ENCRYPT), false);
        auto aes =
            hsm::find_secret_key(*services->token, {hex_decode(s.config.hsm.pin_wrap_key_id), {}});
        EXPECT_EQ(aes.flag(CKA_SENSITIVE), true);
        EXPECT_EQ(aes.flag(CKA_EXTRACTABLE), false);
        EXPECT_EQ(aes.flag(CKA_ENCRYPT), true);
        EXPECT_EQ(aes.flag(CKA_SIGN), false);
        std::tie(retrieval_token, pin) = s.accepted_row(*services, row);
    }
    auto services = s.open();
    auto file = services->issuance->download_p12(retrieval_token, SecretString(pin));
    auto path = write_bytes(s.dir.path(), file.file_name, file.content);
    EXPECT_EQ(file.file_name, "restart.p12");
    auto info = run("openssl pkcs12 -info -noout -passin pass:" + pin + " -in " + path.string());
    EXPECT_EQ(info.exit_code, 0) << info.output;
}

// Issue 7 acceptance: killing the appliance between signing and delivery leaves
// the certificate linked to its row, Pending; the next start revokes it
// (superseded) and the row is still downloadable: the retry delivers a new one.
TEST(IssuanceAppliance, CrashBetweenSigningAndDeliveryRevokesAtNextStartAndTheRetryDelivers) {
    ApplianceState s;
    RowSpec row;
    row.file_name = "crash";
    std::string retrieval_token, pin;
    {
        auto services = s.open();
        std::tie(retrieval_token, pin) = s.accepted_row(*services, row);
    }
    auto crash = run(std::string(CRASH_AFTER_SIGNING) + " " + s.state.string() + " " +
                     retrieval_token + " " + pin + "; echo exit=$?");
    ASSERT_NE(crash.output.find("exit=137"), std::string::npos) << crash.output;  // 128 + SIGKILL
    const std::string crashed_serial = crash.output.substr(0, crash.output.find('\n'));
    ASSERT_FALSE(crashed_serial.empty());

    auto services = s.open();
    auto left = services->certificates->find(crashed_serial);
    ASSERT_TRUE(left) << "the signed certificate is on record";
    EXPECT_EQ(left->status, store::CertificateStatus::Valid);
    EXPECT_EQ(left->delivery, store::Delivery::Pending);
    EXPECT_EQ(left->row, (store::RowRef{s.batch_id, 1}));
    EXPECT_EQ(services->issuance->get_batch(s.policy_world.op, s.batch_id).rows.at(0).status,
              issuance::RowStatus::PinViewed);

    // The start (ApplianceServer::start does this before listening).
    EXPECT_EQ(services->issuance->recover_undelivered(), 1u);
    left = services->certificates->find(crashed_serial);
    EXPECT_EQ(left->status, store::CertificateStatus::Revoked);
    EXPECT_EQ(left->revocation_reason, 4);  // superseded
    EXPECT_EQ(services->issuance->recover_undelivered(), 0u);

    auto file = services->issuance->download_p12(retrieval_token, SecretString(pin));
    EXPECT_NE(file.serial_hex, crashed_serial);
    auto delivered = services->certificates->find(file.serial_hex);
    ASSERT_TRUE(delivered);
    EXPECT_EQ(delivered->delivery, store::Delivery::Delivered);
    EXPECT_EQ(delivered->status, store::CertificateStatus::Valid);
    auto path = write_bytes(s.dir.path(), file.file_name, file.content);
    auto info = run("openssl pkcs12 -info -noout -passin pass:" + pin + " -in " + path.string());
    EXPECT_EQ(info.exit_code, 0) << info.output;
    auto state = services->issuance->get_batch(s.policy_world.op, s.batch_id);
    EXPECT_EQ(state.rows.at(0).status, issuance::RowStatus::Downloaded);
    EXPECT_EQ(state.rows.at(0).serial_hex, file.serial_hex);
    EXPECT_EQ(state.rows.at(0).serial, file.serial);
}

}  // namespace
}  // namespace inkan::test
