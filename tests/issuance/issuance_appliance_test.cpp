// The appliance wiring: `inkan init` makes the PIN keys with the right attributes,
// Services carries the IssuanceService, and a PIN shown before a restart still
// opens the P12 after it (the HMAC key is a persistent token object).
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

TEST(IssuanceAppliance, InitMakesPinKeysAndPinsSurviveARestart) {
    TempDir dir;
    auto state = dir.path() / "state";
    auto config = appliance::load_config(state);
    config.ca.key_type = "ec-p256";
    config.issuance.p12_key_type = "ec-p256";
    // The download re-checks the row against the appliance's own registry,
    // WHOIS and operator store.
    LoopbackWhoisServer whois;
    whois.answer("example.ac.jp", "Registrant Organization: Example University\r\n");
    config.whois.servers = {{"jp", "127.0.0.1:" + std::to_string(whois.port())}};
    appliance::prepare_token_and_ca_key(config);
    ASSERT_EQ(config.hsm.pin_hmac_key_id.size(), 32u);
    ASSERT_EQ(config.hsm.pin_wrap_key_id.size(), 32u);
    appliance::write_self_signed_ca(config);

    PolicyFixture policy_world;
    RowSpec row;
    row.file_name = "restart";
    std::string retrieval_token;
    std::string pin;
    {
        auto services = appliance::open_services(appliance::load_config(state));
        ASSERT_TRUE(services->issuance);
        services->policy->registry().add(*policy_world.registry.find_by_name("Example University"));
        appliance::create_operator(*services, policy_world.op.name, policy_world.op.institution,
                                   policy_world.op.email, store::OperatorRole::RaOperator);
        EXPECT_EQ(services->issuance->config().p12_key_algorithm, "ec-p256");
        auto hmac =
            hsm::find_secret_key(*services->token, {hex_decode(config.hsm.pin_hmac_key_id), {}});
        EXPECT_EQ(hmac.flag(CKA_TOKEN), true);
        EXPECT_EQ(hmac.flag(CKA_SENSITIVE), true);
        EXPECT_EQ(hmac.flag(CKA_EXTRACTABLE), false);
        EXPECT_EQ(hmac.flag(CKA_SIGN), true);
        EXPECT_EQ(hmac.flag(CKA_ENCRYPT), false);
        auto aes =
            hsm::find_secret_key(*services->token, {hex_decode(config.hsm.pin_wrap_key_id), {}});
        EXPECT_EQ(aes.flag(CKA_SENSITIVE), true);
        EXPECT_EQ(aes.flag(CKA_EXTRACTABLE), false);
        EXPECT_EQ(aes.flag(CKA_ENCRYPT), true);
        EXPECT_EQ(aes.flag(CKA_SIGN), false);

        auto batch =
            services->issuance->submit(policy_world.op, request_line(row), policy::Action::Issue,
                                       policy::ErrorMode::Abort, policy_world.context());
        ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
        retrieval_token = *batch.rows[0].retrieval_token;
        pin = services->issuance->view_pins(*batch.rows[0].pin_token).entries.at(0).pin.str();
    }
    auto services = appliance::open_services(appliance::load_config(state));
    auto file = services->issuance->download_p12(retrieval_token, SecretString(pin));
    auto path = write_bytes(dir.path(), file.file_name, file.content);
    EXPECT_EQ(file.file_name, "restart.p12");
    auto info = run("openssl pkcs12 -info -noout -passin pass:" + pin + " -in " + path.string());
    EXPECT_EQ(info.exit_code, 0) << info.output;
}

}  // namespace
}  // namespace inkan::test
