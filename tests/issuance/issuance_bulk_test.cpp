// P12 bulk: the PIN page once, the ZIP with one P12 per row under its own PIN,
// client.txt; PINs nowhere in the state folder.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>

#include "common/error.h"
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

    auto zip = w.service->download_bulk_zip(*batch.batch_retrieval_token);
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
    EXPECT_EQ(state.status, "completed");
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
    w.service->view_pins(*batch.batch_pin_token);
    EXPECT_EQ(error_of([&] { w.service->download_bulk_zip(*batch.batch_retrieval_token); }).code(),
              "injected");
    EXPECT_EQ(w.count("certificates"), 3);
    store::CertificateFilter valid;
    valid.kind = store::CertificateKind::Subscriber;
    valid.status = store::CertificateStatus::Valid;
    EXPECT_TRUE(w.certificates->list(valid).empty())
        << "every signed, undelivered certificate is revoked";
    for (const auto& row : w.service->get_batch(w.op, *batch.batch_id).rows)
        EXPECT_EQ(row.status, issuance::RowStatus::PinViewed);
    fail = false;
    auto zip = w.service->download_bulk_zip(*batch.batch_retrieval_token);
    EXPECT_EQ(w.certificates->list(valid).size(), 5u);
    for (const auto& row : w.service->get_batch(w.op, *batch.batch_id).rows)
        EXPECT_EQ(row.status, issuance::RowStatus::Downloaded);
}

}  // namespace
}  // namespace inkan::test
