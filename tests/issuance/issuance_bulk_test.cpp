// P12 bulk: the PIN page once, the ZIP with one P12 per row under its own PIN,
// client.txt; PINs nowhere in the state folder.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "hsm/key_pool.h"
#include "tests/issuance/issuance_world.h"
#include "tests/support/run.h"

namespace inkan::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, '\t')) out.push_back(field);
    return out;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Every file under `dir` (database, WAL, SHM, ca.pem, ...) concatenated.
std::string all_state_bytes(const std::filesystem::path& dir) {
    std::string all;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) all += slurp(entry.path());
    }
    return all;
}

// Runs the whole bulk flow for `file` and checks every P12 with OpenSSL and NSS.
void bulk_flow(IssuanceWorld& w, const std::string& file, policy::ErrorMode mode,
               size_t expected_rows) {
    auto batch = w.submit(file, mode);
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    ASSERT_TRUE(batch.batch_pin_token && batch.batch_retrieval_token);
    EXPECT_EQ(batch.rows.size(), expected_rows);

    auto early = error_of([&] { w.service->download_bulk_zip(*batch.batch_retrieval_token); });
    EXPECT_EQ(early.code(), "pin_not_retrieved");

    auto page = w.service->view_pins(*batch.batch_pin_token);
    ASSERT_EQ(page.entries.size(), expected_rows);
    auto again = error_of([&] { w.service->view_pins(*batch.batch_pin_token); });
    EXPECT_EQ(again.code(), "pin_url_used");
    EXPECT_EQ(again.category(), ErrorCategory::Gone);
    auto tsv = lines_of(issuance::pin_page_tsv(page).str());
    ASSERT_EQ(tsv.size(), expected_rows + 1);
    EXPECT_EQ(tsv[0], "name\tmail\tPIN\tDN");
    std::map<std::string, std::string> pin_by_dn;
    for (size_t i = 1; i < tsv.size(); ++i) {
        auto f = split_tabs(tsv[i]);
        ASSERT_EQ(f.size(), 4u);
        EXPECT_EQ(f[2].size(), 12u);
        pin_by_dn[f[3]] = f[2];
    }
    EXPECT_EQ(pin_by_dn.size(), expected_rows);  // one distinct DN per row

    auto zip = fetch_bulk_zip(w, *batch.batch_retrieval_token);
    EXPECT_EQ(zip.file_name, *batch.batch_id + ".zip");
    auto out = w.dir.path() / "zip";
    auto zip_path = write_bytes(w.dir.path(), zip.file_name, zip.content);
    auto unzip = run("unzip -q -d " + out.string() + " " + zip_path.string());
    ASSERT_EQ(unzip.exit_code, 0) << unzip.output;
    auto client = lines_of(slurp(out / "client.txt"));
    ASSERT_EQ(client.size(), expected_rows + 1);
    EXPECT_EQ(client[0], "serial\tname\tmail\tDN");
    size_t p12_count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
        if (entry.path().extension() == ".p12") ++p12_count;
    }
    EXPECT_EQ(p12_count, expected_rows);

    auto nss = w.dir.path() / "nss";
    std::filesystem::create_directories(nss);
    ASSERT_EQ(run("certutil -N -d sql:" + nss.string() + " --empty-password").exit_code, 0);
    for (size_t i = 1; i < client.size(); ++i) {
        auto f = split_tabs(client[i]);
        ASSERT_EQ(f.size(), 4u);
        const std::string& pin = pin_by_dn.at(f[3]);
        auto ou = f[3].substr(f[3].find("OU=") + 3, 4);
        auto p12 = out / ("cert-" + ou + ".p12");
        ASSERT_TRUE(std::filesystem::exists(p12)) << p12;
        auto info = run("openssl pkcs12 -info -noout -passin pass:" + pin + " -in " + p12.string());
        EXPECT_EQ(info.exit_code, 0) << info.output;
        auto cert = p12.string() + ".pem";
        ASSERT_EQ(run("openssl pkcs12 -nokeys -clcerts -passin pass:" + pin + " -in " +
                      p12.string() + " -out " + cert)
                      .exit_code,
                  0);
        auto verify = run("openssl verify -CAfile " + w.ca_pem().string() + " " + cert);
        EXPECT_EQ(verify.exit_code, 0) << verify.output;
        auto record = w.certificates->find_by_decimal(f[0]);
        ASSERT_TRUE(record) << f[0];
        auto import = run("pk12util -i " + p12.string() + " -d sql:" + nss.string() + " -W " + pin);
        EXPECT_EQ(import.exit_code, 0) << import.output;
    }
    auto state = w.service->get_batch(w.op, *batch.batch_id);
    EXPECT_EQ(state.status, issuance::BatchStatus::Completed);
    EXPECT_EQ(w.batches->pending_notifications(*batch.batch_id).size(), expected_rows + 2);
    auto second = error_of([&] { w.service->download_bulk_zip(*batch.batch_retrieval_token); });
    EXPECT_EQ(second.code(), "already_downloaded");

    // No PIN anywhere in the state folder (database, WAL, SHM), nor a URL token.
    std::string state_bytes = all_state_bytes(w.state);
    ASSERT_FALSE(state_bytes.empty());
    for (const auto& [dn, pin] : pin_by_dn) {
        EXPECT_EQ(state_bytes.find(pin), std::string::npos)
            << "a PIN is stored in the state folder";
    }
    EXPECT_EQ(state_bytes.find(*batch.batch_pin_token), std::string::npos);
    EXPECT_EQ(state_bytes.find(*batch.batch_retrieval_token), std::string::npos);
}

TEST(IssuanceBulk, FiftyRowsEndToEnd) {
    IssuanceWorld w;
    bulk_flow(w, request_file(50, 2), policy::ErrorMode::Abort, 50);
}

TEST(IssuanceBulk, SkipModeIssuesTheNinetyNineGoodRows) {
    IssuanceWorld w;
    std::string file;
    for (int i = 0; i < 100; ++i) {
        RowSpec r;
        r.type = 2;
        r.ou = std::to_string(3000 + i);
        r.file_name = "cert-" + r.ou;
        if (i == 9) r.admin_mail = "not-a-mail";
        file += request_line(r);
    }
    bulk_flow(w, file, policy::ErrorMode::Skip, 99);
    EXPECT_EQ(w.count("certificates"), 99);
}

TEST(IssuanceBulk, PinsOfIndividualRowsAreNotInTheStateFolder) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(3, 1));
    ASSERT_EQ(batch.status, "accepted");
    std::vector<std::string> pins;
    for (const auto& row : batch.rows) {
        auto pin = w.service->view_pins(*row.pin_token).entries.at(0).pin;
        pins.push_back(pin.str());
        w.service->download_p12(*row.retrieval_token, pin);
    }
    std::string state_bytes = all_state_bytes(w.state);
    for (const auto& pin : pins) EXPECT_EQ(state_bytes.find(pin), std::string::npos);
}

// A ZIP that fails after some rows were signed revokes every certificate it
// signed; the rows stay PIN-viewed and the retry delivers the whole batch.
TEST(IssuanceBulk, ZipFailingMidwayRevokesWhatItSignedAndTheRetryDeliversAll) {
    auto config = IssuanceWorld::default_config();
    std::atomic<int> signed_count{0};
    std::atomic<bool> fail{true};
    config.on_certificate_signed = [&](const std::string&) {
        if (++signed_count == 3 && fail)
            throw Error(ErrorCategory::Internal, "injected", "ZIP failed");
    };
    config.bulk_threads = 1;
    IssuanceWorld w(config);
    auto batch = w.submit(request_file(5, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    w.service->view_pins(*batch.batch_pin_token);  // starts the job, which fails at row 3
    auto failed = wait_for_job(w, *batch.batch_retrieval_token, store::BulkJobState::Failed);
    EXPECT_EQ(failed.error_code, "injected");
    EXPECT_EQ(failed.done, 2);
    EXPECT_EQ(w.count("certificates"), 3);
    store::CertificateFilter valid;
    valid.kind = store::CertificateKind::Subscriber;
    valid.status = store::CertificateStatus::Valid;
    EXPECT_TRUE(w.certificates->list(valid).empty())
        << "every signed, undelivered certificate is revoked";
    for (const auto& row : w.service->get_batch(w.op, *batch.batch_id).rows)
        EXPECT_EQ(row.status, issuance::RowStatus::PinViewed);
    EXPECT_FALSE(std::filesystem::exists(w.state / "bulk-jobs" / *batch.batch_id))
        << "a failed job's P12 files are removed";
    fail = false;
    auto zip = fetch_bulk_zip(w, *batch.batch_retrieval_token);  // a new job
    EXPECT_EQ(w.certificates->list(valid).size(), 5u);
    for (const auto& row : w.service->get_batch(w.op, *batch.batch_id).rows)
        EXPECT_EQ(row.status, issuance::RowStatus::Downloaded);
}

// The job is visible while it runs and after (GET /api/v1/requests/{id}'s
// bulk_job); the rows stay PIN-viewed until the ZIP was delivered.
TEST(IssuanceBulk, JobProgressIsVisibleAndRowsAreDownloadedOnlyOnDelivery) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(4, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const std::string& token = *batch.batch_retrieval_token;
    EXPECT_EQ(error_of([&] { w.service->bulk_zip_status(token); }).code(), "bulk_job_none");
    EXPECT_FALSE(w.service->get_batch(w.op, *batch.batch_id).bulk_job);
    w.service->view_pins(*batch.batch_pin_token);  // bulk_start pin_view: the job starts
    auto ready = wait_for_job(w, token, store::BulkJobState::Ready);
    EXPECT_EQ(ready.done, 4);
    EXPECT_EQ(ready.total, 4);
    auto zip = w.service->download_bulk_zip(token);
    ASSERT_TRUE(zip.file);
    EXPECT_TRUE(std::filesystem::exists(zip.file->path));
    for (const auto& row : w.service->get_batch(w.op, *batch.batch_id).rows)
        EXPECT_EQ(row.status, issuance::RowStatus::PinViewed) << "not delivered yet";
    w.service->bulk_zip_delivered(token);
    w.service->bulk_zip_delivered(token);  // a second client's completion: nothing more
    auto state = w.service->get_batch(w.op, *batch.batch_id);
    ASSERT_TRUE(state.bulk_job);
    EXPECT_EQ(state.bulk_job->state, store::BulkJobState::Delivered);
    for (const auto& row : state.rows) EXPECT_EQ(row.status, issuance::RowStatus::Downloaded);
    EXPECT_FALSE(std::filesystem::exists(zip.file->path)) << "files removed once delivered";
    EXPECT_EQ(w.batches->pending_notifications(*batch.batch_id).size(), 4u + 2u);
    EXPECT_EQ(error_of([&] { w.service->download_bulk_zip(token); }).code(), "already_downloaded");
}

// A stop in the middle of a job (the service goes, as at SIGTERM) keeps what
// was built; the next start resumes with the rows not built yet: every row gets
// exactly one certificate, none is revoked, none is issued twice.
TEST(IssuanceBulk, AStoppedJobResumesAtTheNextStartWithoutReissuingBuiltRows) {
    auto config = IssuanceWorld::default_config();
    config.bulk_threads = 1;
    config.on_certificate_signed = [](const std::string&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(60));  // room to stop midway
    };
    IssuanceWorld w(config);
    auto batch = w.submit(request_file(8, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const std::string& token = *batch.batch_retrieval_token;
    w.service->view_pins(*batch.batch_pin_token);
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
         w.service->bulk_zip_status(token).done < 2 && std::chrono::steady_clock::now() < deadline;)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    w.restart_service();
    auto stopped = w.bulk_jobs->find(*batch.batch_id);
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->state, store::BulkJobState::Running);
    EXPECT_GE(stopped->done, 2);
    EXPECT_LT(stopped->done, 8) << "the stop came too late to test a resume";
    EXPECT_EQ(w.count("certificates"), stopped->done) << "no row in flight is left half done";
    EXPECT_EQ(w.service->recover_undelivered(), 0u) << "the job's certificates are not swept";
    auto zip = fetch_bulk_zip(w, token);
    auto zip_path = write_bytes(w.dir.path(), zip.file_name, zip.content);
    auto listing = run("unzip -Z1 " + zip_path.string());
    ASSERT_EQ(listing.exit_code, 0) << listing.output;
    EXPECT_EQ(lines_of(listing.output).size(), 9u) << listing.output;  // 8 P12 + client.txt
    store::CertificateFilter valid;
    valid.kind = store::CertificateKind::Subscriber;
    valid.status = store::CertificateStatus::Valid;
    EXPECT_EQ(w.certificates->list(valid).size(), 8u);
    EXPECT_EQ(w.count("certificates"), 8);
}

// The signing rules hold again when a ready ZIP is served: a refusal is the
// answer (nothing delivered), and the ZIP is served once the rules pass again.
TEST(IssuanceBulk, AReadyZipIsRefusedWhileTheApprovalIsExpired) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(2, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const std::string& token = *batch.batch_retrieval_token;
    w.service->view_pins(*batch.batch_pin_token);
    wait_for_job(w, token, store::BulkJobState::Ready);
    policy::Institution before = w.policy.end_approval_yesterday();
    auto refused = error_of([&] { w.service->download_bulk_zip(token); });
    EXPECT_EQ(refused.code(), "approval_expired");
    EXPECT_EQ(refused.category(), ErrorCategory::Forbidden);
    for (const auto& row : w.service->get_batch(w.op, *batch.batch_id).rows)
        EXPECT_EQ(row.status, issuance::RowStatus::PinViewed);
    w.policy.registry.put(before);
    auto zip = fetch_bulk_zip(w, token);
    EXPECT_FALSE(zip.content.empty());
}

// A job refused at signing fails with the rule's error; it is not a 202.
TEST(IssuanceBulk, AJobWhoseRowsNoLongerPassFailsAndTheRequestIsRefused) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(2, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    w.policy.end_approval_yesterday();
    w.service->view_pins(*batch.batch_pin_token);
    auto failed = wait_for_job(w, *batch.batch_retrieval_token, store::BulkJobState::Failed);
    EXPECT_EQ(failed.error_code, "approval_expired");
    EXPECT_EQ(w.count("certificates"), 0);
    EXPECT_EQ(error_of([&] { w.service->download_bulk_zip(*batch.batch_retrieval_token); }).code(),
              "approval_expired");
}

TEST(IssuanceBulk, AFileOverTheRowCapIsRefusedWithAClearError) {
    auto config = IssuanceWorld::default_config();
    config.bulk_max_rows = 2;
    IssuanceWorld w(config);
    auto e = error_of([&] { w.submit(request_file(3, 2)); });
    EXPECT_EQ(e.code(), "bulk_rows_over_limit");
    EXPECT_EQ(e.category(), ErrorCategory::TooLarge);
    EXPECT_NE(std::string(e.what()).find("at most 2 rows"), std::string::npos) << e.what();
    EXPECT_EQ(w.submit(request_file(2, 2)).status, "accepted");
    EXPECT_EQ(w.submit(request_file(3, 1, 2000)).status, "accepted") << "P12 individual: no cap";
}

// Started at upload (issuance.bulk_start upload): built before the PINs are
// viewed, served only after.
TEST(IssuanceBulk, AJobStartedAtUploadIsServedOnlyAfterThePinPage) {
    auto config = IssuanceWorld::default_config();
    config.bulk_start = issuance::BulkJobStart::Upload;
    IssuanceWorld w(config);
    auto batch = w.submit(request_file(2, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    wait_for_job(w, *batch.batch_retrieval_token, store::BulkJobState::Ready);
    EXPECT_EQ(error_of([&] { w.service->download_bulk_zip(*batch.batch_retrieval_token); }).code(),
              "pin_not_retrieved");
    w.service->view_pins(*batch.batch_pin_token);
    EXPECT_FALSE(fetch_bulk_zip(w, *batch.batch_retrieval_token).content.empty());
}

// A warm key pool (issuance.key_pool_size) gives the job its keys; what the
// pool lacks is made on demand; the runner refills the pool once idle.
TEST(IssuanceBulk, AWarmKeyPoolServesTheJobAndIsRefilledWhenIdle) {
    auto config = IssuanceWorld::default_config();  // EC P-256 P12 keys
    config.key_pool_size = 4;
    std::atomic<int> pooled{0}, on_demand{0};
    config.on_session_key = [&](const hsm::SessionKeyPair& pair) {
        const bool from_pool = pair.private_key().flag(CKA_TOKEN).value_or(false);
        EXPECT_EQ(pair.public_key() == nullptr, from_pool) << "a pool member is one object";
        (from_pool ? pooled : on_demand)++;
    };
    IssuanceWorld w(config);
    auto in_token = [&] {  // a new KeyPool searches the token afresh
        return hsm::KeyPool(*w.token, hsm::KeyAlgorithm::EcP256, 0).available();
    };
    auto wait_for_pool = [&](size_t n) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (in_token() != n && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return in_token();
    };
    EXPECT_EQ(in_token(), 0u) << "not filled before the start (a CLI command never fills it)";
    w.service->recover_undelivered();  // what `inkan serve` calls at start
    ASSERT_EQ(wait_for_pool(4), 4u) << "filled while idle";
    auto batch = w.submit(request_file(6, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    w.service->view_pins(*batch.batch_pin_token);
    auto zip = fetch_bulk_zip(w, *batch.batch_retrieval_token);
    EXPECT_FALSE(zip.content.empty());
    EXPECT_EQ(pooled.load(), 4) << "the pool is not refilled while a job runs";
    EXPECT_EQ(on_demand.load(), 2);
    store::CertificateFilter valid;
    valid.kind = store::CertificateKind::Subscriber;
    valid.status = store::CertificateStatus::Valid;
    EXPECT_EQ(w.certificates->list(valid).size(), 6u);
    EXPECT_EQ(wait_for_pool(4), 4u) << "refilled once idle";
}

}  // namespace
}  // namespace inkan::test
