// Submitting request files: abort / skip, file-level errors, what is stored.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tests/issuance/issuance_world.h"

namespace inkan::test {
namespace {

using issuance::RowStatus;
using policy::ErrorMode;

// 100 P12-bulk rows; line 57 has a locality the institution did not register.
std::string hundred_rows_one_bad() {
    std::string file;
    for (int i = 0; i < 100; ++i) {
        RowSpec r;
        r.type = 2;
        r.ou = std::to_string(5000 + i);
        r.file_name = "c" + std::to_string(i);
        if (i == 56) r.l = "Minato-ku";
        file += request_line(r);
    }
    return file;
}

std::string first_error_code(const nlohmann::json& report, size_t line) {
    for (const auto& row : report["rejected"]) {
        if (row["line"] == line) return row["errors"][0]["code"];
    }
    return "";
}

TEST(IssuanceSubmit, AbortWithOneBadRowAmongHundredStoresNothing) {
    IssuanceWorld w;
    auto result = w.submit(hundred_rows_one_bad(), ErrorMode::Abort);
    EXPECT_EQ(result.status, "rejected");
    EXPECT_FALSE(result.batch_id);
    EXPECT_TRUE(result.rows.empty());
    EXPECT_FALSE(result.batch_pin_token);
    EXPECT_EQ(first_error_code(result.report, 57), "locality_mismatch") << result.report.dump(1);
    for (const char* table : {"issuance_batches", "issuance_rows", "issuance_urls", "notifications",
                              "certificates", "serials"}) {
        EXPECT_EQ(w.count(table), 0) << table;
    }
}

TEST(IssuanceSubmit, SkipStoresTheValidRowsAndReportsTheBadLine) {
    IssuanceWorld w;
    auto result = w.submit(hundred_rows_one_bad(), ErrorMode::Skip);
    ASSERT_EQ(result.status, "accepted") << result.report.dump(1);
    ASSERT_TRUE(result.batch_id);
    EXPECT_EQ(result.rows.size(), 99u);
    EXPECT_EQ(first_error_code(result.report, 57), "locality_mismatch");
    EXPECT_EQ(w.count("issuance_rows"), 99);
    for (const auto& row : result.rows) EXPECT_NE(row.line, 57u);
    // P12 bulk: one PIN URL and one retrieval URL for the whole batch.
    EXPECT_TRUE(result.batch_pin_token && result.batch_retrieval_token);
    EXPECT_EQ(w.count("issuance_urls"), 2);
    EXPECT_EQ(w.count("certificates"), 0);  // nothing signed before download
    auto state = w.service->get_batch(w.op, *result.batch_id);
    EXPECT_EQ(state.status, issuance::BatchStatus::Open);
    EXPECT_EQ(state.rows.size(), 99u);
    EXPECT_EQ(state.rows[0].status, RowStatus::Accepted);
}

TEST(IssuanceSubmit, FileLevelErrorsStoreNothing) {
    IssuanceWorld w;
    RowSpec individual;
    RowSpec bulk;
    bulk.type = 2;
    bulk.ou = "2";
    struct Case {
        std::string file;
        std::string code;
    } cases[] = {
        {"", "file_empty"},
        {request_line(individual) + request_line(bulk), "download_type_mixed"},
        {std::string("CN=\xff\xfe\x80,O=x\t5\t1\n"), "encoding_invalid"},
    };
    for (const auto& c : cases) {
        auto result = w.submit(c.file, ErrorMode::Skip);
        EXPECT_EQ(result.status, "rejected");
        ASSERT_FALSE(result.report["file_error"].is_null()) << result.report.dump(1);
        EXPECT_EQ(result.report["file_error"]["code"], c.code) << result.report.dump(1);
    }
    EXPECT_EQ(w.count("issuance_batches"), 0);
}

TEST(IssuanceSubmit, OversizeFileIsRefused) {
    IssuanceWorld w;
    auto context = w.context();
    context.limits.max_file_bytes = 100;
    auto result = w.service->submit(w.op, request_file(3, 1), policy::Action::Issue,
                                    ErrorMode::Skip, context);
    EXPECT_EQ(result.status, "rejected");
    EXPECT_EQ(result.report["file_error"]["code"], "file_too_large") << result.report.dump(1);
}

TEST(IssuanceSubmit, RecordsEventsAndStoresOnlyTokenHashes) {
    IssuanceWorld w;
    auto result = w.submit(request_file(2, 1));
    ASSERT_EQ(result.status, "accepted");
    ASSERT_EQ(result.rows.size(), 2u);
    for (const auto& row : result.rows) {
        ASSERT_TRUE(row.pin_token && row.retrieval_token);
        EXPECT_EQ(row.pin_token->size(), 43u);  // 32 random bytes, base64url
        EXPECT_NE(*row.pin_token, *row.retrieval_token);
    }
    EXPECT_EQ(w.count("issuance_urls"), 4);
    auto events = w.batches->pending_notifications(*result.batch_id);
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[0].type, "access_pin_issued");
    EXPECT_EQ(events[0].recipient, "admin@example.ac.jp");
    EXPECT_EQ(events[1].type, "issuance_accepted");
    EXPECT_EQ(events[1].recipient, "user0@example.ac.jp");
    EXPECT_FALSE(events[1].secret_ciphertext.empty());  // the URL for the mail, sealed in the HSM
    EXPECT_EQ(w.service->notification_url_token(events[0]), result.rows[0].pin_token);
    EXPECT_EQ(w.service->notification_url_token(events[1]), result.rows[0].retrieval_token);
    EXPECT_EQ(w.service->notification_url_token(events[3]), result.rows[1].retrieval_token);
    // The tokens themselves are nowhere in the database.
    auto text = w.database->with([](store::Connection& c) {
        std::string all;
        for (const char* q : {"SELECT hex(token_hash) FROM issuance_urls",
                              "SELECT quote(secret_ciphertext) FROM notifications"}) {
            store::Statement s(c, q);
            while (s.step()) all += s.text(0);
        }
        return all;
    });
    for (const auto& row : result.rows) EXPECT_EQ(text.find(*row.pin_token), std::string::npos);
}

TEST(IssuanceSubmit, BatchesAreScopedToTheOperatorsInstitution) {
    IssuanceWorld w;
    auto result = w.submit(request_file(1, 3));
    ASSERT_TRUE(result.batch_id);
    EXPECT_EQ(w.service->list_batches(w.op).size(), 1u);
    issuance::OperatorInfo other{"op2", "Other University", "op2@other.ac.jp"};
    EXPECT_TRUE(w.service->list_batches(other).empty());
    try {
        w.service->get_batch(other, *result.batch_id);
        FAIL() << "another institution's batch was readable";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "batch_not_found");
        EXPECT_EQ(e.category(), ErrorCategory::NotFound);
    }
}

}  // namespace
}  // namespace inkan::test
