// An RA operator's care of its institution's rows: unlocking a row that wrong
// PINs locked, and re-sending a row's expired URLs (see issuance_service.h).
#include <algorithm>

#include "common/error.h"
#include "issuance/issuance_service.h"
#include "issuance/service_impl.h"

namespace inkan::issuance {
namespace {

bool is_locked(const store::BatchRowRecord& row, int max_pin_failures) {
    return row.status == store::StoredRowStatus::Locked || row.failed_attempts >= max_pin_failures;
}

// The rows a re-send renews: the one row, or (P12 bulk, row 0) every row of the
// batch not downloaded yet. Refuses downloaded, locked and still valid rows.
std::vector<store::BatchRowRecord> rows_to_resend(IssuanceService::Impl& m,
                                                  const store::BatchRecord& batch, int64_t row_no) {
    std::vector<store::BatchRowRecord> rows;
    if (batch.download_type == static_cast<int>(policy::DownloadType::P12Bulk)) {
        if (row_no != 0) {
            throw Error(ErrorCategory::InvalidInput, "bulk_resend_whole_batch",
                        "a P12 bulk batch has one PIN URL and one ZIP URL for all its rows: "
                        "re-send row 0 (the whole batch)");
        }
        for (auto& r : m.batches.rows(batch.id))
            if (r.status != store::StoredRowStatus::Downloaded) rows.push_back(std::move(r));
    } else {
        store::BatchRowRecord row = m.row_in(batch, row_no);
        if (row.status != store::StoredRowStatus::Downloaded) rows.push_back(std::move(row));
    }
    if (rows.empty()) {
        throw Error(ErrorCategory::Gone, "already_downloaded",
                    "the certificate was already downloaded: nothing to re-send; to issue "
                    "another one, upload a new request");
    }
    const int64_t now = m.now();
    for (const auto& r : rows) {
        if (is_locked(r, m.config.max_pin_failures)) {
            throw Error(ErrorCategory::Locked, "row_locked",
                        "request row " + std::to_string(r.row_no) +
                            " is locked by wrong access PINs: unlock it first, then re-send");
        }
        if (now < r.urls_expire_at) {
            throw Error(ErrorCategory::Conflict, "url_not_expired",
                        "the URLs of request row " + std::to_string(r.row_no) +
                            " are still valid (until unix time " +
                            std::to_string(r.urls_expire_at) +
                            "): the subscriber can use the URLs already sent");
        }
    }
    return rows;
}

}  // namespace

store::BatchRowRecord IssuanceService::Impl::row_in(const store::BatchRecord& batch,
                                                    int64_t row_no) {
    auto row = batches.row(batch.id, row_no);
    if (!row) {
        throw Error(ErrorCategory::NotFound, "row_not_found",
                    "request batch " + batch.id + " has no row " + std::to_string(row_no) +
                        "; see its rows with GET /api/v1/requests/" + batch.id);
    }
    return *row;
}

RowState IssuanceService::unlock_row(const OperatorInfo& op, const std::string& batch_id,
                                     int64_t row_no) {
    Impl& m = *impl_;
    store::BatchRecord batch = m.own_batch(op, batch_id);
    store::BatchRowRecord row = m.row_in(batch, row_no);
    if (!is_locked(row, m.config.max_pin_failures) ||
        !m.batches.unlock_row(batch_id, row_no, m.config.max_pin_failures)) {
        throw Error(ErrorCategory::Conflict, "row_not_locked",
                    "request row " + std::to_string(row_no) +
                        " is not locked: nothing to unlock (its state is in GET "
                        "/api/v1/requests/" +
                        batch_id + ")");
    }
    return row_state(m.row_in(batch, row_no), m.now());
}

BatchResult IssuanceService::resend_urls(const OperatorInfo& op, const std::string& batch_id,
                                         int64_t row_no) {
    Impl& m = *impl_;
    store::BatchRecord batch = m.own_batch(op, batch_id);
    std::vector<store::BatchRowRecord> rows = rows_to_resend(m, batch, row_no);
    for (const auto& r : rows) m.recheck(batch, r);  // the institution, as at download

    store::BatchStore::UrlRenewal renewal;
    renewal.batch_id = batch.id;
    renewal.whole_batch = batch.download_type == static_cast<int>(policy::DownloadType::P12Bulk);
    renewal.now = m.now();
    renewal.expires_at = renewal.now + m.config.url_lifetime.count();
    for (const auto& r : rows) renewal.row_nos.push_back(r.row_no);
    BatchResult result;
    m.add_urls(batch.id, batch.operator_email, rows, renewal.now, renewal.expires_at, renewal.urls,
               renewal.notifications, result);
    std::vector<store::ConflictingRow> conflicts = m.batches.renew_urls(renewal);
    if (!conflicts.empty() && conflicts.front().conflict == store::RowConflict::RenewalPending) {
        throw Error(ErrorCategory::Conflict, "renewal_pending",
                    "request row " + std::to_string(conflicts.front().row_no) +
                        ": another renewal of the same certificate is pending since the row's "
                        "URLs expired; the row cannot be re-sent (let that renewal be "
                        "downloaded or expire first)");
    }
    if (!conflicts.empty()) {
        throw Error(ErrorCategory::Conflict, "dn_duplicate",
                    "request row " + std::to_string(conflicts.front().row_no) +
                        ": a valid certificate or a pending request has taken this DN since "
                        "the row's URLs expired; the row cannot be re-sent (revoke or let "
                        "the other one expire first, or request another DN)");
    }
    result.batch_id = batch.id;
    result.status = "resent";
    result.download_type = static_cast<policy::DownloadType>(batch.download_type);
    result.urls_expire_at = renewal.expires_at;
    return result;
}

}  // namespace inkan::issuance
