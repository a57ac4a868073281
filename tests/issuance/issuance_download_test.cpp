// P12 individual and browser downloads, PIN counting and locking, expiry, the
// life of the subscriber key in the HSM.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <atomic>
#include <set>
#include <thread>

#include "common/error.h"
#include "hsm/keys.h"
#include "hsm/session_key.h"
#include "issuance/pin_deriver.h"
#include "pki/encoding.h"
#include "pki/software_signer.h"
#include "tests/issuance/issuance_world.h"
#include "tests/support/run.h"

namespace inkan::test {
namespace {

using issuance::RowStatus;

// Checks the P12 with OpenSSL and NSS and returns the certificate's text.
std::string check_p12(const IssuanceWorld& w, const std::filesystem::path& p12,
                      const std::string& password) {
    auto q = [](const std::string& s) { return shell_quote(s); };
    auto info = run("openssl pkcs12 -info -noout -passin " + q("pass:" + password) + " -in " +
                    q(p12.string()));
    EXPECT_EQ(info.exit_code, 0) << info.output;
    auto cert = p12.string() + ".pem";
    auto out = run("openssl pkcs12 -nokeys -clcerts -passin " + q("pass:" + password) + " -in " +
                   q(p12.string()) + " -out " + q(cert));
    EXPECT_EQ(out.exit_code, 0) << out.output;
    auto verify = run("openssl verify -CAfile " + q(w.ca_pem().string()) + " " + q(cert));
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    auto nss = p12.parent_path() / ("nss-" + p12.filename().string());
    std::filesystem::create_directories(nss);
    auto init = run("certutil -N -d sql:" + q(nss.string()) + " --empty-password");
    EXPECT_EQ(init.exit_code, 0) << init.output;
    auto import =
        run("pk12util -i " + q(p12.string()) + " -d sql:" + q(nss.string()) + " -W " + q(password));
    EXPECT_EQ(import.exit_code, 0) << import.output;
    return run("openssl x509 -noout -text -nameopt RFC2253 -in " + q(cert)).output;
}

struct Submitted {
    issuance::BatchResult batch;
    std::string pin;
};

// Submits one row and reads its PIN from the PIN page.
Submitted submit_one(IssuanceWorld& w, const RowSpec& row) {
    Submitted s{w.submit(request_line(row)), ""};
    EXPECT_EQ(s.batch.status, "accepted") << s.batch.report.dump(1);
    auto page = w.service->view_pins(*s.batch.rows.at(0).pin_token);
    EXPECT_EQ(page.entries.size(), 1u);
    s.pin = page.entries.at(0).pin.str();
    return s;
}

TEST(IssuanceDownload, P12IndividualEndToEnd) {
    IssuanceWorld w;
    RowSpec row;
    row.file_name = "NIIcert20240401-120000";
    auto batch = w.submit(request_line(row));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const auto& accepted = batch.rows.at(0);

    auto page = w.service->view_pins(*accepted.pin_token);
    ASSERT_EQ(page.entries.size(), 1u);
    std::string pin = page.entries[0].pin.str();
    EXPECT_EQ(pin.size(), 12u);
    EXPECT_EQ(pin.find_first_not_of(issuance::kPinAlphabet), std::string::npos);
    EXPECT_EQ(page.entries[0].mail, "taro@example.ac.jp");
    auto again = error_of([&] { w.service->view_pins(*accepted.pin_token); });
    EXPECT_EQ(again.code(), "pin_url_used");
    EXPECT_EQ(again.category(), ErrorCategory::Gone);
    EXPECT_EQ(w.service->get_batch(w.op, *batch.batch_id).rows[0].status, RowStatus::PinViewed);

    auto file = w.service->download_p12(*accepted.retrieval_token, SecretString(pin));
    EXPECT_EQ(file.file_name, "NIIcert20240401-120000.p12");
    auto text = check_p12(w, write_bytes(w.dir.path(), file.file_name, file.content), pin);
    EXPECT_NE(
        text.find(
            "Subject: CN=Taro Yamada,OU=1001,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("TLS Web Client Authentication"), std::string::npos) << text;

    auto state = w.service->get_batch(w.op, *batch.batch_id);
    EXPECT_EQ(state.status, issuance::BatchStatus::Completed);
    EXPECT_EQ(state.rows[0].status, RowStatus::Downloaded);
    EXPECT_EQ(state.rows[0].serial_hex, file.serial_hex);
    auto certificate = w.certificates->find(file.serial_hex);
    ASSERT_TRUE(certificate);
    EXPECT_EQ(certificate->requested_by, "op1");
    EXPECT_EQ(certificate->institution, "Example University");
    EXPECT_EQ(certificate->profile_id, 5);

    auto events = w.batches->pending_notifications(*batch.batch_id);
    ASSERT_FALSE(events.empty());
    const auto& done = events.back();
    EXPECT_EQ(done.type, "download_completed");
    EXPECT_EQ(done.recipient, "op1@example.ac.jp");
    EXPECT_EQ(done.serial_hex, file.serial_hex);
    EXPECT_EQ(done.subject, accepted.subject_dn);
    EXPECT_FALSE(done.sent_at);

    auto second =
        error_of([&] { w.service->download_p12(*accepted.retrieval_token, SecretString(pin)); });
    EXPECT_EQ(second.code(), "already_downloaded");
    EXPECT_EQ(second.category(), ErrorCategory::Gone);
}

TEST(IssuanceDownload, ChosenPasswordLegacyEncryptionAndSmimeProfile) {
    IssuanceWorld w;
    RowSpec row;
    row.profile = 7;
    auto s = submit_one(w, row);
    issuance::P12Choice choice;
    choice.password = SecretString("my own password 1");
    choice.legacy = true;
    auto file =
        w.service->download_p12(*s.batch.rows[0].retrieval_token, SecretString(s.pin), choice);
    EXPECT_EQ(file.file_name, w.certificates->find(file.serial_hex)->serial_dec + ".p12");
    auto path = write_bytes(w.dir.path(), "legacy.p12", file.content);
    auto info = run("openssl pkcs12 -info -noout -passin pass:" + shell_quote("my own password 1") +
                    " -in " + path.string() + " 2>&1");
    EXPECT_NE(info.output.find("pbeWithSHA1And3-KeyTripleDES-CBC"), std::string::npos)
        << info.output;
    EXPECT_NE(info.output.find("MAC: sha1"), std::string::npos) << info.output;
    auto text = check_p12(w, path, "my own password 1");
    EXPECT_NE(text.find("email:taro@example.ac.jp"), std::string::npos) << text;
    EXPECT_NE(text.find("E-mail Protection"), std::string::npos) << text;
}

TEST(IssuanceDownload, FileSuppliedPinIsShownAndAccepted) {
    IssuanceWorld w;
    RowSpec row;
    row.pin = "Supplied-Pin-4711";
    auto s = submit_one(w, row);
    EXPECT_EQ(s.pin, "Supplied-Pin-4711");
    auto file = w.service->download_p12(*s.batch.rows[0].retrieval_token, SecretString(s.pin));
    check_p12(w, write_bytes(w.dir.path(), "supplied.p12", file.content), s.pin);
}

TEST(IssuanceDownload, FiveWrongPinsLockTheRow) {
    IssuanceWorld w;
    auto s = submit_one(w, RowSpec{});
    const std::string& token = *s.batch.rows[0].retrieval_token;
    for (int i = 1; i <= 4; ++i) {
        auto e = error_of([&] { w.service->download_p12(token, SecretString("WRONGPIN2345")); });
        EXPECT_EQ(e.code(), "pin_incorrect");
        EXPECT_EQ(e.category(), ErrorCategory::Forbidden);
        EXPECT_EQ(std::string(e.what()).find(s.pin), std::string::npos);
        EXPECT_EQ(w.service->get_batch(w.op, *s.batch.batch_id).rows[0].failed_pin_attempts, i);
    }
    auto fifth = error_of([&] { w.service->download_p12(token, SecretString("WRONGPIN2345")); });
    EXPECT_EQ(fifth.code(), "row_locked");
    EXPECT_EQ(fifth.category(), ErrorCategory::Locked);
    auto right = error_of([&] { w.service->download_p12(token, SecretString(s.pin)); });
    EXPECT_EQ(right.code(), "row_locked");
    auto state = w.service->get_batch(w.op, *s.batch.batch_id);
    EXPECT_EQ(state.rows[0].status, RowStatus::Locked);
    EXPECT_EQ(state.rows[0].failed_pin_attempts, 5);
    EXPECT_EQ(w.count("certificates"), 0);
}

TEST(IssuanceDownload, ExpiredUrlsAreGone) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(2, 1));
    ASSERT_EQ(batch.status, "accepted");
    auto pin = w.service->view_pins(*batch.rows[0].pin_token).entries[0].pin;
    w.now_offset = 30 * 24 * 3600;  // exactly the default lifetime later
    auto pin_page = error_of([&] { w.service->view_pins(*batch.rows[1].pin_token); });
    EXPECT_EQ(pin_page.code(), "pin_url_expired");
    EXPECT_EQ(pin_page.category(), ErrorCategory::Gone);
    auto download = error_of([&] { w.service->download_p12(*batch.rows[0].retrieval_token, pin); });
    EXPECT_EQ(download.code(), "url_expired");
    EXPECT_EQ(download.category(), ErrorCategory::Gone);
    auto state = w.service->get_batch(w.op, *batch.batch_id);
    EXPECT_EQ(state.status, issuance::BatchStatus::Expired);
    EXPECT_EQ(state.rows[0].status, RowStatus::Expired);
    auto unknown = error_of([&] { w.service->view_pins("no-such-token"); });
    EXPECT_EQ(unknown.code(), "url_not_found");
    EXPECT_EQ(unknown.category(), ErrorCategory::NotFound);
}

TEST(IssuanceDownload, SubscriberKeyIsASessionObjectGoneAfterTheP12) {
    auto config = IssuanceWorld::default_config();
    Bytes seen_id;
    std::optional<bool> seen_token_flag, seen_extractable;
    bool found_during = false;
    hsm::Token* token = nullptr;
    config.on_session_key = [&](const hsm::SessionKeyPair& pair) {
        seen_id = pair.id();
        seen_token_flag = pair.private_key().flag(CKA_TOKEN);
        seen_extractable = pair.private_key().flag(CKA_EXTRACTABLE);
        found_during = hsm::find_key(*token, CKO_PRIVATE_KEY, {pair.id(), {}}).has_value();
    };
    IssuanceWorld w(config);
    token = w.token.get();
    auto s = submit_one(w, RowSpec{});
    w.service->download_p12(*s.batch.rows[0].retrieval_token, SecretString(s.pin));
    ASSERT_EQ(seen_id.size(), 16u);
    EXPECT_TRUE(found_during);
    EXPECT_EQ(seen_token_flag, false);  // a session object, never on the token
    EXPECT_EQ(seen_extractable, true);
    EXPECT_FALSE(hsm::find_key(*w.token, CKO_PRIVATE_KEY, {seen_id, {}}));
    EXPECT_FALSE(hsm::find_key(*w.token, CKO_PUBLIC_KEY, {seen_id, {}}));
}

// --- browser ---

EvpPkeyPtr rsa_key(int bits) {
    EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
    return EvpPkeyPtr(key);
}

Bytes make_csr(EVP_PKEY* key, const std::string& cn) {
    X509ReqPtr req(X509_REQ_new());
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_REQ_set_pubkey(req.get(), key);
    X509_REQ_sign(req.get(), key, EVP_sha256());
    return pki::to_der(req.get());
}

TEST(IssuanceDownload, BrowserEnrollmentTakesTheSubjectFromTheRow) {
    IssuanceWorld w;
    RowSpec row;
    row.type = 3;
    auto s = submit_one(w, row);
    const std::string& token = *s.batch.rows[0].retrieval_token;

    auto small = rsa_key(1024);
    issuance::BrowserRequest weak{make_csr(small.get(), "CN=Weak"), std::nullopt};
    auto e1 = error_of([&] { w.service->enroll_browser(token, SecretString(s.pin), weak); });
    EXPECT_EQ(e1.code(), "csr_key_unsupported");
    EXPECT_EQ(e1.category(), ErrorCategory::Unsupported);

    auto key = rsa_key(2048);
    Bytes csr = make_csr(key.get(), "Evil Subject");
    Bytes tampered = csr;
    tampered[tampered.size() - 5] ^= 0x01;  // inside the signature
    auto e2 = error_of([&] {
        w.service->enroll_browser(token, SecretString(s.pin), {tampered, std::nullopt});
    });
    EXPECT_EQ(e2.code(), "csr_bad_signature");
    EXPECT_EQ(e2.category(), ErrorCategory::InvalidInput);
    Bytes garbage{'n', 'o', 't', ' ', 'a', ' ', 'c', 's', 'r'};
    auto e3 = error_of([&] {
        w.service->enroll_browser(token, SecretString(s.pin), {garbage, std::nullopt});
    });
    EXPECT_EQ(e3.code(), "csr_malformed");
    auto e4 = error_of([&] { w.service->enroll_browser(token, SecretString(s.pin), {}); });
    EXPECT_EQ(e4.code(), "csr_missing");
    // A P12 download on a browser URL is refused.
    auto e5 = error_of([&] { w.service->download_p12(token, SecretString(s.pin)); });
    EXPECT_EQ(e5.code(), "wrong_download_type");

    auto cert = w.service->enroll_browser(token, SecretString(s.pin), {csr, std::nullopt});
    auto pem = write_bytes(w.dir.path(), "browser.pem",
                           Bytes(cert.certificate_pem.begin(), cert.certificate_pem.end()));
    auto verify = run("openssl verify -CAfile " + w.ca_pem().string() + " " + pem.string());
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    auto parsed = pki::parse_certificate(cert.certificate_der);
    EXPECT_EQ(pki::name_to_string(X509_get_subject_name(parsed.get())),
              "CN=Taro Yamada,OU=1001,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP");
    EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(parsed.get()), key.get()), 1);
    auto p7 = write_bytes(w.dir.path(), "chain.p7b", cert.pkcs7_der);
    auto certs = run("openssl pkcs7 -inform DER -print_certs -noout -in " + p7.string());
    EXPECT_EQ(certs.exit_code, 0) << certs.output;
    EXPECT_NE(certs.output.find("Inkan Test CA"), std::string::npos) << certs.output;
    EXPECT_EQ(w.service->get_batch(w.op, *s.batch.batch_id).rows[0].status, RowStatus::Downloaded);
}

TEST(IssuanceDownload, BrowserEnrollmentAcceptsSpkac) {
    IssuanceWorld w;
    RowSpec row;
    row.type = 3;
    auto s = submit_one(w, row);
    auto key_file = w.dir.path() / "spkac.key";
    ASSERT_EQ(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                  key_file.string())
                  .exit_code,
              0);
    auto spkac =
        run("openssl spkac -digest sha256 -key " + key_file.string() + " -challenge hello");
    ASSERT_EQ(spkac.exit_code, 0) << spkac.output;
    auto cert = w.service->enroll_browser(*s.batch.rows[0].retrieval_token, SecretString(s.pin),
                                          {std::nullopt, spkac.output});
    EXPECT_FALSE(cert.certificate_pem.empty());
}

}  // namespace
}  // namespace inkan::test

namespace inkan::test {
namespace {

TEST(IssuanceDownload, ConcurrentDownloadsOfOneRowIssueOneCertificate) {
    IssuanceWorld w;
    auto s = submit_one(w, RowSpec{});
    const std::string& token = *s.batch.rows[0].retrieval_token;
    std::atomic<int> ok{0};
    std::vector<std::string> codes(4);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            try {
                w.service->download_p12(token, SecretString(s.pin));
                ++ok;
            } catch (const Error& e) {
                codes[i] = e.code();
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 1);
    for (const auto& code : codes) {
        if (!code.empty()) {
            EXPECT_TRUE(code == "download_in_progress" || code == "already_downloaded") << code;
        }
    }
    EXPECT_EQ(w.count("certificates"), 1);
}

TEST(IssuanceDownload, RedownloadWhenConfiguredMakesANewKeyAndCertificate) {
    auto config = IssuanceWorld::default_config();
    config.allow_redownload = true;
    IssuanceWorld w(config);
    auto s = submit_one(w, RowSpec{});
    const std::string& token = *s.batch.rows[0].retrieval_token;
    auto first = w.service->download_p12(token, SecretString(s.pin));
    auto second = w.service->download_p12(token, SecretString(s.pin));
    EXPECT_NE(first.serial_hex, second.serial_hex);
    EXPECT_EQ(w.service->get_batch(w.op, *s.batch.batch_id).rows[0].serial_hex, second.serial_hex);
    // One valid certificate per DN: the re-download superseded the first.
    EXPECT_EQ(w.certificates->find(first.serial_hex)->status, store::CertificateStatus::Revoked);
    EXPECT_EQ(w.certificates->find(first.serial_hex)->revocation_reason, 4);
    EXPECT_EQ(w.certificates->find(second.serial_hex)->status, store::CertificateStatus::Valid);
    // Wrong PINs still lock a downloaded row that may be fetched again.
    for (int i = 0; i < 5; ++i) {
        error_of([&] { w.service->download_p12(token, SecretString("WRONGPIN2345")); });
    }
    EXPECT_EQ(error_of([&] { w.service->download_p12(token, SecretString(s.pin)); }).code(),
              "row_locked");
    w.now_offset = 31 * 24 * 3600;
    auto late = error_of([&] { w.service->download_p12(token, SecretString(s.pin)); });
    EXPECT_EQ(late.code(), "url_expired");
}

// A delivery that fails after signing (here: the step right after) revokes the
// certificate at once; the row stays downloadable and the retry issues anew.
TEST(IssuanceDownload, FailureAfterSigningRevokesTheCertificateAndTheRowStaysDownloadable) {
    auto config = IssuanceWorld::default_config();
    std::atomic<bool> fail{true};
    std::string failed_serial;
    config.on_certificate_signed = [&](const std::string& serial_hex) {
        if (!fail) return;
        failed_serial = serial_hex;
        throw Error(ErrorCategory::Unavailable, "injected", "delivery failed");
    };
    IssuanceWorld w(config);
    auto s = submit_one(w, RowSpec{});
    const std::string& token = *s.batch.rows[0].retrieval_token;
    EXPECT_EQ(error_of([&] { w.service->download_p12(token, SecretString(s.pin)); }).code(),
              "injected");
    auto failed = w.certificates->find(failed_serial);
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status, store::CertificateStatus::Revoked);
    EXPECT_EQ(failed->revocation_reason, 4);
    EXPECT_EQ(failed->row, (store::RowRef{*s.batch.batch_id, 1}));
    EXPECT_EQ(w.service->get_batch(w.op, *s.batch.batch_id).rows[0].status, RowStatus::PinViewed);
    fail = false;
    auto file = w.service->download_p12(token, SecretString(s.pin));
    EXPECT_NE(file.serial_hex, failed_serial);
    EXPECT_EQ(w.certificates->find(file.serial_hex)->delivery, store::Delivery::Delivered);
    EXPECT_EQ(w.service->get_batch(w.op, *s.batch.batch_id).rows[0].serial, file.serial);
}

// The upload's rules hold again at the moment of signing.
TEST(IssuanceDownload, ApprovalExpiredWhoisChangedOrOperatorRevokedSinceUploadRefusesTheDownload) {
    IssuanceWorld w;
    auto s = submit_one(w, RowSpec{});
    const std::string& token = *s.batch.rows[0].retrieval_token;
    // The approval ended yesterday.
    policy::Institution inst = w.policy.end_approval_yesterday();
    auto e = error_of([&] { w.service->download_p12(token, SecretString(s.pin)); });
    EXPECT_EQ(e.code(), "approval_expired");
    auto f = policy::make_finding("approval_expired", 1, 14);
    EXPECT_NE(std::string(e.what()).find(f.message_ja), std::string::npos) << e.what();
    EXPECT_EQ(e.category(), ErrorCategory::Forbidden);

    // WHOIS now names another organisation.
    w.policy.registry.put(inst);
    inst.whois_names = {"Another Organisation"};
    w.policy.registry.put(inst);
    EXPECT_EQ(error_of([&] { w.service->download_p12(token, SecretString(s.pin)); }).code(),
              "whois_mismatch");
    inst.whois_names = {"Example University"};
    w.policy.registry.put(inst);

    // The uploading operator was revoked.
    w.certificates->revoke(w.operators->find_by_name("op1")->certificate_serial, 3, std::nullopt,
                           store::unix_now());
    EXPECT_EQ(error_of([&] { w.service->download_p12(token, SecretString(s.pin)); }).code(),
              "operator_revoked");

    // Nothing was signed, no PIN counted, and the row is still there to fetch.
    EXPECT_EQ(w.count("certificates"), 0);
    auto row = w.service->get_batch(w.op, *s.batch.batch_id).rows[0];
    EXPECT_EQ(row.status, RowStatus::PinViewed);
    EXPECT_EQ(row.failed_pin_attempts, 0);
}

// Two uploads of one DN: the second is refused (212) while the first is pending;
// a concurrent storm of uploads of one DN stores exactly one.
TEST(IssuanceDownload, PendingRowHoldsItsDnAgainstLaterAndConcurrentUploads) {
    IssuanceWorld w;
    RowSpec row;
    row.cn = "Dup Yamada";
    auto first = w.submit(request_line(row));
    ASSERT_EQ(first.status, "accepted");
    auto second = w.submit(request_line(row));
    EXPECT_EQ(second.status, "rejected");
    EXPECT_EQ(second.report["rejected"][0]["errors"][0]["code"], "dn_duplicate")
        << second.report.dump(1);
    EXPECT_EQ(second.report["rejected"][0]["errors"][0]["service_code"], 212);

    row.cn = "Storm Yamada";
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            if (w.submit(request_line(row)).status == "accepted") ++accepted;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(accepted.load(), 1);
}

// Issue 12: the download paths sign without a process-wide lock (the HSM session
// pool bounds them); browser enrollments of 8 rows from 4 threads at once get
// distinct serials and certificates that verify, each for its row's CSR key.
TEST(IssuanceDownload, ConcurrentBrowserEnrollmentsGetDistinctVerifiableCertificates) {
    IssuanceWorld w;
    constexpr int kRows = 8, kThreads = 4;
    auto batch = w.submit(request_file(kRows, 3));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    ASSERT_EQ(batch.rows.size(), size_t{kRows});
    std::vector<std::string> pins;
    std::vector<EvpPkeyPtr> keys;
    std::vector<Bytes> csrs;
    for (const auto& r : batch.rows) {
        auto page = w.service->view_pins(*r.pin_token);
        ASSERT_EQ(page.entries.size(), 1u);
        pins.push_back(page.entries[0].pin.str());
        keys.push_back(
            pki::generate_key(keys.size() % 2 ? pki::KeyType::Rsa2048 : pki::KeyType::EcP256));
        csrs.push_back(make_csr(keys.back().get(), "ignored"));
    }
    std::vector<issuance::EnrolledCertificate> enrolled(kRows);
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = next++; i < kRows; i = next++) {
                try {
                    enrolled[static_cast<size_t>(i)] = w.service->enroll_browser(
                        *batch.rows[static_cast<size_t>(i)].retrieval_token,
                        SecretString(pins[static_cast<size_t>(i)]),
                        {csrs[static_cast<size_t>(i)], std::nullopt});
                } catch (const std::exception& e) {
                    ADD_FAILURE() << "row " << i << ": " << e.what();
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    std::set<std::string> serials;
    for (size_t i = 0; i < kRows; ++i) {
        serials.insert(enrolled[i].serial_hex);
        auto parsed = pki::parse_certificate(enrolled[i].certificate_der);
        EXPECT_EQ(X509_verify(parsed.get(), X509_get0_pubkey(w.ca_certificate.get())), 1);
        EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(parsed.get()), keys[i].get()), 1);
        EXPECT_EQ(pki::certificate_der_to_pem(enrolled[i].certificate_der),
                  enrolled[i].certificate_pem);
    }
    EXPECT_EQ(serials.size(), size_t{kRows});
    EXPECT_EQ(w.count("certificates"), kRows);
}

}  // namespace
}  // namespace inkan::test
