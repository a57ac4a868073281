// An RA operator's care of a row: unlocking a row that wrong PINs locked, and
// re-sending expired URLs (new tokens, the duplicate-DN rule again).
#include <gtest/gtest.h>

#include <map>

#include "common/error.h"
#include "store/sqlite.h"
#include "tests/issuance/issuance_world.h"

namespace inkan::test {
namespace {

using issuance::RowStatus;

void lock_with_wrong_pins(IssuanceWorld& w, const std::string& retrieval_token) {
    for (int i = 0; i < w.service->config().max_pin_failures; ++i) {
        auto e = error_of([&] {
            w.service->download_p12(retrieval_token,
                                    SecretString("WRONGPIN000" + std::to_string(i)));
        });
        EXPECT_TRUE(e.code() == "pin_incorrect" || e.code() == "row_locked") << e.code();
    }
}

// The batch's URLs expired a second ago in real time too (what the store's
// duplicate-DN check of a new upload reads).
void expire_in_store(IssuanceWorld& w, const std::string& batch_id) {
    w.database->with([&](store::Connection& c) {
        const int64_t past = store::unix_now() - 1;
        store::Statement rows(c, "UPDATE issuance_rows SET urls_expire_at = ? WHERE batch_id = ?");
        rows.bind(1, past).bind(2, batch_id).run();
        store::Statement urls(c, "UPDATE issuance_urls SET expires_at = ? WHERE batch_id = ?");
        urls.bind(1, past).bind(2, batch_id).run();
    });
}

TEST(IssuanceRowCare, UnlockedRowDownloadsWithTheRightPin) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(2, 1));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const std::string id = *batch.batch_id;
    // Row 1's PIN page was viewed before the wrong PINs; row 2's was not.
    auto pin = w.service->view_pins(*batch.rows[0].pin_token).entries.at(0).pin;
    lock_with_wrong_pins(w, *batch.rows[0].retrieval_token);
    lock_with_wrong_pins(w, *batch.rows[1].retrieval_token);
    EXPECT_EQ(w.service->get_batch(w.op, id).rows[0].status, RowStatus::Locked);

    issuance::OperatorInfo stranger{"op2", "Other University", "op2@other.ac.jp"};
    auto foreign = error_of([&] { w.service->unlock_row(stranger, id, 1); });
    EXPECT_EQ(foreign.code(), "batch_not_found");
    EXPECT_EQ(foreign.category(), ErrorCategory::NotFound);
    auto missing = error_of([&] { w.service->unlock_row(w.op, id, 9); });
    EXPECT_EQ(missing.code(), "row_not_found");
    EXPECT_EQ(missing.category(), ErrorCategory::NotFound);
    auto resend_locked = error_of([&] { w.service->resend_urls(w.op, id, 1); });
    EXPECT_EQ(resend_locked.code(), "row_locked");

    auto unlocked = w.service->unlock_row(w.op, id, 1);
    EXPECT_EQ(unlocked.status, RowStatus::PinViewed);
    EXPECT_EQ(unlocked.failed_pin_attempts, 0);
    EXPECT_EQ(w.service->unlock_row(w.op, id, 2).status, RowStatus::Accepted);

    auto file = w.service->download_p12(*batch.rows[0].retrieval_token, pin);
    EXPECT_FALSE(file.content.empty());
    EXPECT_EQ(w.service->get_batch(w.op, id).rows[0].status, RowStatus::Downloaded);
    auto not_locked = error_of([&] { w.service->unlock_row(w.op, id, 1); });
    EXPECT_EQ(not_locked.code(), "row_not_locked");
    EXPECT_EQ(not_locked.category(), ErrorCategory::Conflict);
}

TEST(IssuanceRowCare, ResentUrlsReplaceTheExpiredOnes) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(1, 1));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const std::string id = *batch.batch_id;
    auto early = error_of([&] { w.service->resend_urls(w.op, id, 1); });
    EXPECT_EQ(early.code(), "url_not_expired");
    EXPECT_EQ(early.category(), ErrorCategory::Conflict);

    w.now_offset = 31 * 24 * 3600;
    EXPECT_EQ(w.service->get_batch(w.op, id).rows[0].status, RowStatus::Expired);
    const size_t events_before = w.batches->pending_notifications(id).size();
    auto resent = w.service->resend_urls(w.op, id, 1);
    EXPECT_EQ(resent.status, "resent");
    ASSERT_EQ(resent.rows.size(), 1u);
    const auto& row = resent.rows[0];
    ASSERT_TRUE(row.pin_token && row.retrieval_token);
    EXPECT_NE(*row.pin_token, *batch.rows[0].pin_token);
    EXPECT_EQ(resent.urls_expire_at, store::unix_now() + w.now_offset + 30 * 24 * 3600);

    // The old tokens are gone; the row is open again, its PIN page unused.
    EXPECT_EQ(error_of([&] { w.service->view_pins(*batch.rows[0].pin_token); }).code(),
              "url_not_found");
    EXPECT_EQ(error_of([&] {
                  w.service->download_p12(*batch.rows[0].retrieval_token, SecretString("x"));
              }).code(),
              "url_not_found");
    auto state = w.service->get_batch(w.op, id);
    EXPECT_EQ(state.status, issuance::BatchStatus::Open);
    EXPECT_EQ(state.rows[0].status, RowStatus::Accepted);

    // The same events as at submit, sealing the new tokens; the unsent ones that
    // carried the old tokens are gone.
    auto events = w.batches->pending_notifications(id);
    ASSERT_EQ(events_before, 2u);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, "access_pin_issued");
    EXPECT_EQ(w.service->notification_url_token(events[0]), *row.pin_token);
    EXPECT_EQ(events[1].type, "issuance_accepted");
    EXPECT_EQ(w.service->notification_url_token(events[1]), *row.retrieval_token);

    auto pin = w.service->view_pins(*row.pin_token).entries.at(0).pin;
    auto file = w.service->download_p12(*row.retrieval_token, pin);
    EXPECT_FALSE(file.content.empty());
    w.now_offset = 62 * 24 * 3600;
    auto downloaded = error_of([&] { w.service->resend_urls(w.op, id, 1); });
    EXPECT_EQ(downloaded.code(), "already_downloaded");
    EXPECT_EQ(downloaded.category(), ErrorCategory::Gone);
}

TEST(IssuanceRowCare, ResendRefusedWhenTheDnWasClaimedMeanwhile) {
    IssuanceWorld w;
    RowSpec spec;
    auto first = w.submit(request_line(spec));
    ASSERT_EQ(first.status, "accepted") << first.report.dump(1);
    expire_in_store(w, *first.batch_id);
    // An expired row holds no claim: another upload takes the DN.
    auto second = w.submit(request_line(spec));
    ASSERT_EQ(second.status, "accepted") << second.report.dump(1);

    auto e = error_of([&] { w.service->resend_urls(w.op, *first.batch_id, 1); });
    EXPECT_EQ(e.code(), "dn_duplicate");
    EXPECT_EQ(e.category(), ErrorCategory::Conflict);
    EXPECT_EQ(w.service->get_batch(w.op, *first.batch_id).rows[0].status, RowStatus::Expired);
    // Nothing changed: the old (expired) tokens still name the row.
    EXPECT_EQ(error_of([&] { w.service->view_pins(*first.rows[0].pin_token); }).code(),
              "pin_url_expired");
}

TEST(IssuanceRowCare, ResendRechecksTheInstitutionAndTheOperator) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(1, 1));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    w.now_offset = 31 * 24 * 3600;
    const int64_t urls = w.count("issuance_urls");
    policy::Institution inst = w.policy.end_approval_yesterday();
    auto e = error_of([&] { w.service->resend_urls(w.op, *batch.batch_id, 1); });
    EXPECT_EQ(e.code(), "approval_expired");
    w.policy.registry.put(inst);
    w.certificates->revoke(w.operators->find_by_name("op1")->certificate_serial, 3, std::nullopt,
                           store::unix_now());
    EXPECT_EQ(error_of([&] { w.service->resend_urls(w.op, *batch.batch_id, 1); }).code(),
              "operator_revoked");
    EXPECT_EQ(w.count("issuance_urls"), urls);  // no new URL was stored
}

TEST(IssuanceRowCare, BulkBatchIsResentAsAWhole) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(2, 2));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const std::string id = *batch.batch_id;
    w.now_offset = 31 * 24 * 3600;
    auto one_row = error_of([&] { w.service->resend_urls(w.op, id, 1); });
    EXPECT_EQ(one_row.code(), "bulk_resend_whole_batch");
    auto resent = w.service->resend_urls(w.op, id, 0);
    ASSERT_TRUE(resent.batch_pin_token && resent.batch_retrieval_token);
    EXPECT_EQ(resent.rows.size(), 2u);
    EXPECT_EQ(w.batches->pending_notifications(id).size(), 2u);  // the new URLs' only
    EXPECT_EQ(error_of([&] { w.service->view_pins(*batch.batch_pin_token); }).code(),
              "url_not_found");
    EXPECT_EQ(w.service->view_pins(*resent.batch_pin_token).entries.size(), 2u);
    auto zip = fetch_bulk_zip(w, *resent.batch_retrieval_token);
    EXPECT_FALSE(zip.content.empty());
    EXPECT_EQ(w.service->get_batch(w.op, id).status, issuance::BatchStatus::Completed);
}

// The batch list counts rows in the store instead of carrying them (a
// 100,000-row batch made the list take seconds): the counts agree with the rows
// get_batch() shows, and so does the batch's status, before and after expiry.
TEST(IssuanceRowCare, TheBatchListCountsRowsAsGetBatchShowsThem) {
    IssuanceWorld w;
    auto batch = w.submit(request_file(4, 1));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    const std::string id = *batch.batch_id;
    auto pin = w.service->view_pins(*batch.rows[0].pin_token).entries.at(0).pin;
    w.service->download_p12(*batch.rows[0].retrieval_token, pin);  // row 1
    lock_with_wrong_pins(w, *batch.rows[1].retrieval_token);       // row 2
    w.service->view_pins(*batch.rows[2].pin_token);                // row 3
    auto tally = [&] {                                             // row 4: accepted
        std::map<RowStatus, int64_t> n;
        for (const auto& r : w.service->get_batch(w.op, id).rows) ++n[r.status];
        return n;
    };
    auto listed = [&] {
        auto all = w.service->list_batches(w.op, 10);
        EXPECT_EQ(all.size(), 1u);
        EXPECT_TRUE(all.at(0).rows.empty()) << "the list carries counts, not rows";
        return all.at(0);
    };
    auto now = listed();
    auto n = tally();
    EXPECT_EQ(now.counts.rows, 4);
    EXPECT_EQ(now.counts.downloaded, n[RowStatus::Downloaded]);
    EXPECT_EQ(now.counts.locked, n[RowStatus::Locked]);
    EXPECT_EQ(now.counts.pin_viewed, n[RowStatus::PinViewed]);
    EXPECT_EQ(now.counts.accepted, n[RowStatus::Accepted]);
    EXPECT_EQ(now.counts.expired, 0);
    EXPECT_EQ(
        now.counts.downloaded + now.counts.locked + now.counts.pin_viewed + now.counts.accepted, 4);
    EXPECT_EQ(now.status, issuance::BatchStatus::Open);
    EXPECT_EQ(now.status, w.service->get_batch(w.op, id).status);

    w.now_offset = 31 * 24 * 3600;  // every URL expired; the locked row stays locked
    auto later = listed();
    n = tally();
    EXPECT_EQ(later.counts.expired, n[RowStatus::Expired]);
    EXPECT_EQ(later.counts.expired, 2);
    EXPECT_EQ(later.counts.locked, 1);
    EXPECT_EQ(later.counts.downloaded, 1);
    EXPECT_EQ(later.status, issuance::BatchStatus::Expired);
    EXPECT_EQ(later.status, w.service->get_batch(w.op, id).status);
}

}  // namespace
}  // namespace inkan::test
