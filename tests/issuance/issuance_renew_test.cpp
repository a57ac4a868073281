// Renewal request files (action renew): rows name the certificate they replace,
// keep its subject, download as issue rows in all three types, and leave the
// revocation request file for a replaced certificate that is still valid.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "common/error.h"
#include "pki/encoding.h"
#include "policy/request_text.h"
#include "tests/issuance/issuance_world.h"

namespace inkan::test {
namespace {

struct Issued {
    std::string serial;  // decimal
    std::string dn;
};

// A downloaded P12-individual certificate of the world's institution.
Issued issued(IssuanceWorld& w, const RowSpec& row) {
    auto batch = w.submit(request_line(row));
    EXPECT_EQ(batch.status, "accepted") << batch.report.dump(1);
    auto pin = w.service->view_pins(*batch.rows.at(0).pin_token).entries.at(0).pin;
    auto file = w.service->download_p12(*batch.rows[0].retrieval_token, pin);
    return {file.serial, batch.rows[0].subject_dn};
}

issuance::BatchResult renew(IssuanceWorld& w, const std::string& file,
                            policy::ErrorMode mode = policy::ErrorMode::Abort) {
    return w.service->submit(w.op, file, policy::Action::Renew, mode, w.context());
}

RowSpec renewal_of(RowSpec row, const Issued& old, int type = 1) {
    row.renews = old.serial;
    row.type = type;
    return row;
}

std::vector<store::NotificationRecord> downloads_of(IssuanceWorld& w, const std::string& batch) {
    return w.batches->notifications_of(batch, "download_completed");
}

TEST(IssuanceRenew, RenewalOfAValidCertificateLeavesTheRevocationFileThatRevokesIt) {
    IssuanceWorld w;
    RowSpec row;
    row.cn = "Renew Alpha";
    Issued old = issued(w, row);

    auto batch = renew(w, request_line(renewal_of(row, old)));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    auto state = w.service->get_batch(w.op, *batch.batch_id);
    EXPECT_EQ(state.action, policy::Action::Renew);
    EXPECT_EQ(state.rows.at(0).renews_serial, old.serial);
    EXPECT_EQ(error_of([&] { w.service->revocation_file(w.op, *batch.batch_id); }).code(),
              "revocation_file_none")
        << "nothing downloaded yet";

    auto pin = w.service->view_pins(*batch.rows[0].pin_token).entries.at(0).pin;
    auto file = w.service->download_p12(*batch.rows[0].retrieval_token, pin);
    auto renewed = w.certificates->find_by_decimal(file.serial);
    ASSERT_TRUE(renewed);
    EXPECT_EQ(renewed->subject, old.dn);
    EXPECT_NE(file.serial, old.serial);
    // The old one stays valid until the operator revokes it.
    EXPECT_EQ(w.certificates->find_by_decimal(old.serial)->status, store::CertificateStatus::Valid);

    auto events = downloads_of(w, *batch.batch_id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].serial_dec, file.serial);
    EXPECT_EQ(events[0].old_serial_dec, old.serial);
    ASSERT_FALSE(events[0].attachment.empty());
    auto text = policy::convert_to_utf8(events[0].attachment, "CP932");
    ASSERT_TRUE(text);
    EXPECT_EQ(text->substr(0, old.dn.size() + 3), old.dn + "\t\t\t");
    EXPECT_NE(text->find("\t" + old.serial + "\t4\t"), std::string::npos) << *text;
    EXPECT_NE(text->find(file.serial), std::string::npos) << "the comment names the new serial";
    EXPECT_EQ(text->substr(text->size() - 2), "\r\n");
    auto api_file = w.service->revocation_file(w.op, *batch.batch_id);
    EXPECT_EQ(api_file.content, events[0].attachment);
    EXPECT_EQ(api_file.rows, 1u);
    EXPECT_EQ(api_file.file_name, *batch.batch_id + "-revoke.tsv");

    // Uploaded unchanged as a revocation request, it revokes the old certificate.
    auto revoked = w.service->submit(w.op, api_file.content, policy::Action::Revoke,
                                     policy::ErrorMode::Abort, w.context());
    ASSERT_EQ(revoked.status, "accepted") << revoked.report.dump(1);
    ASSERT_EQ(revoked.revoked.size(), 1u);
    auto old_record = w.certificates->find_by_decimal(old.serial);
    EXPECT_EQ(old_record->status, store::CertificateStatus::Revoked);
    EXPECT_EQ(old_record->revocation_reason, 4);
    EXPECT_EQ(w.certificates->find_by_decimal(file.serial)->status,
              store::CertificateStatus::Valid);
    // Nothing is left to revoke now.
    EXPECT_EQ(error_of([&] { w.service->revocation_file(w.op, *batch.batch_id); }).code(),
              "revocation_file_none");
}

TEST(IssuanceRenew, RenewingARevokedCertificateLeavesNoRevocationFile) {
    IssuanceWorld w;
    RowSpec row;
    row.cn = "Renew Revoked";
    Issued old = issued(w, row);
    w.certificates->revoke(w.certificates->find_by_decimal(old.serial)->serial_hex, 1, std::nullopt,
                           store::unix_now());
    auto batch = renew(w, request_line(renewal_of(row, old)));
    ASSERT_EQ(batch.status, "accepted") << batch.report.dump(1);
    auto pin = w.service->view_pins(*batch.rows[0].pin_token).entries.at(0).pin;
    auto file = w.service->download_p12(*batch.rows[0].retrieval_token, pin);
    auto events = downloads_of(w, *batch.batch_id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].old_serial_dec, old.serial);
    EXPECT_EQ(events[0].serial_dec, file.serial);
    EXPECT_TRUE(events[0].attachment.empty());
    auto e = error_of([&] { w.service->revocation_file(w.op, *batch.batch_id); });
    EXPECT_EQ(e.code(), "revocation_file_none");
    EXPECT_EQ(e.category(), ErrorCategory::NotFound);
}

TEST(IssuanceRenew, BulkAndBrowserRenewalsDownloadAsIssuesDo) {
    IssuanceWorld w;
    RowSpec a, b, c;
    a.cn = "Bulk Renew A";
    b.cn = "Bulk Renew B";
    c.cn = "Browser Renew";
    Issued old_a = issued(w, a), old_b = issued(w, b), old_c = issued(w, c);

    auto bulk =
        renew(w, request_line(renewal_of(a, old_a, 2)) + request_line(renewal_of(b, old_b, 2)));
    ASSERT_EQ(bulk.status, "accepted") << bulk.report.dump(1);
    w.service->view_pins(*bulk.batch_pin_token);
    auto zip = fetch_bulk_zip(w, *bulk.batch_retrieval_token);
    EXPECT_FALSE(zip.content.empty());
    auto events = downloads_of(w, *bulk.batch_id);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].old_serial_dec, old_a.serial);
    EXPECT_EQ(events[1].old_serial_dec, old_b.serial);
    EXPECT_EQ(w.service->revocation_file(w.op, *bulk.batch_id).rows, 2u);

    auto browser = renew(w, request_line(renewal_of(c, old_c, 3)));
    ASSERT_EQ(browser.status, "accepted") << browser.report.dump(1);
    auto pin = w.service->view_pins(*browser.rows[0].pin_token).entries.at(0).pin;
    EvpPkeyPtr key(EVP_EC_gen("P-256"));
    X509ReqPtr req(X509_REQ_new());
    X509_REQ_set_pubkey(req.get(), key.get());
    X509_REQ_sign(req.get(), key.get(), EVP_sha256());
    auto cert = w.service->enroll_browser(*browser.rows[0].retrieval_token, pin,
                                          {pki::to_der(req.get()), std::nullopt});
    EXPECT_EQ(w.certificates->find_by_decimal(cert.serial)->subject, old_c.dn);
    ASSERT_EQ(downloads_of(w, *browser.batch_id).size(), 1u);
    EXPECT_EQ(downloads_of(w, *browser.batch_id)[0].old_serial_dec, old_c.serial);
}

TEST(IssuanceRenew, ForeignUnknownOrChangedRowsAreRefusedAndAbortStoresNothing) {
    IssuanceWorld w;
    RowSpec row;
    row.cn = "Renew Owner";
    Issued own = issued(w, row);
    RowSpec changed = renewal_of(row, own);
    changed.cn = "Renew Other Name";
    RowSpec unknown = renewal_of(row, own);
    unknown.renews = "123456789";
    unknown.ou = "1002";
    const std::string file =
        request_line(renewal_of(row, own)) + request_line(changed) + request_line(unknown);
    const int64_t batches_before = w.count("issuance_batches");
    auto abort = renew(w, file);
    EXPECT_EQ(abort.status, "rejected");
    EXPECT_EQ(w.count("issuance_batches"), batches_before);
    std::map<size_t, std::string> codes;
    for (const auto& r : abort.report["rejected"])
        codes[r["line"]] = r["errors"][0]["code"].get<std::string>();
    EXPECT_EQ(codes,
              (std::map<size_t, std::string>{{2, "serial_dn_mismatch"}, {3, "serial_unknown"}}))
        << abort.report.dump(1);

    auto skip = renew(w, file, policy::ErrorMode::Skip);
    ASSERT_EQ(skip.status, "accepted");
    ASSERT_EQ(skip.rows.size(), 1u);
    EXPECT_EQ(skip.rows[0].line, 1u);

    // Another institution's operator cannot renew it: to them the serial is unknown.
    issuance::OperatorInfo other{"op2", "Other University", "op2@other.ac.jp"};
    RowSpec again = renewal_of(row, own);
    again.ou = "1003";
    auto foreign = w.service->submit(other, request_line(again), policy::Action::Renew,
                                     policy::ErrorMode::Skip, w.context());
    EXPECT_EQ(foreign.status, "rejected");
    EXPECT_EQ(foreign.report["rejected"][0]["errors"][0]["code"], "serial_unknown");
}

TEST(IssuanceRenew, OnePendingRenewalPerCertificateEvenUnderConcurrentUploads) {
    IssuanceWorld w;
    RowSpec row;
    row.cn = "Renew Once";
    Issued old = issued(w, row);
    auto first = renew(w, request_line(renewal_of(row, old)));
    ASSERT_EQ(first.status, "accepted") << first.report.dump(1);
    auto second = renew(w, request_line(renewal_of(row, old)));
    EXPECT_EQ(second.status, "rejected");
    EXPECT_EQ(second.report["rejected"][0]["errors"][0]["code"], "renewal_pending")
        << second.report.dump(1);
    // An issue of that DN is refused while the renewal is pending, too.
    EXPECT_EQ(w.submit(request_line(row)).status, "rejected");

    row.cn = "Renew Storm";
    Issued storm = issued(w, row);
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
        threads.emplace_back([&] {
            if (renew(w, request_line(renewal_of(row, storm))).status == "accepted") ++accepted;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(accepted.load(), 1);
}

}  // namespace
}  // namespace inkan::test
