// P12 bulk: the ZIP download request, its delivery and its progress, over the
// background jobs of issuance/bulk_jobs.h.
#include "common/error.h"
#include "issuance/bulk_jobs.h"
#include "issuance/issuance_service.h"
#include "issuance/service_impl.h"

namespace inkan::issuance {
namespace {

BulkZipProgress progress_of(const store::BulkJobRecord& job, int64_t now) {
    BulkZipProgress p;
    p.batch_id = job.batch_id;
    p.state = job.state;
    p.legacy = job.legacy;
    p.done = job.done;
    p.total = job.total;
    p.error_code = job.error_code;
    p.error_message = job.error_message;
    const int64_t built_since = job.done - job.done_at_start;
    if (job.state == store::BulkJobState::Running && job.started_at && built_since > 0) {
        const int64_t elapsed = std::max<int64_t>(1, now - *job.started_at);
        p.eta_seconds = (job.total - job.done) * elapsed / built_since;
    }
    return p;
}

store::BatchRecord bulk_batch_of(IssuanceService::Impl& m, const std::string& token) {
    store::UrlRecord url = m.open_url(token, "retrieval");
    store::BatchRecord batch = m.batch_of(url);
    require_download_type(batch.download_type, policy::DownloadType::P12Bulk, "P12 bulk");
    return batch;
}

const char* format_name(bool legacy) { return legacy ? "legacy (3DES/SHA-1)" : "current (AES)"; }

}  // namespace

void start_bulk_job(IssuanceService::Impl& m, const std::string& batch_id, bool legacy,
                    size_t rows) {
    store::BulkJobRecord job;
    job.batch_id = batch_id;
    job.legacy = legacy;
    job.total = static_cast<int64_t>(rows);
    job.created_at = m.now();
    if (m.bulk_jobs.create(job)) m.runner->enqueue(batch_id);
}

std::optional<BulkZipProgress> bulk_progress(IssuanceService::Impl& m,
                                             const std::string& batch_id) {
    auto job = m.bulk_jobs.find(batch_id);
    if (!job) return std::nullopt;
    return progress_of(*job, m.now());
}

BulkZip IssuanceService::download_bulk_zip(const std::string& retrieval_token, bool legacy) {
    Impl& m = *impl_;
    store::BatchRecord batch = bulk_batch_of(m, retrieval_token);
    std::lock_guard lock(m.bulk_mutex);
    std::vector<store::BatchRowRecord> all = m.batches.rows(batch.id);
    for (const auto& r : all) {
        if (r.status == store::StoredRowStatus::Accepted) {
            throw Error(
                ErrorCategory::Conflict, "pin_not_retrieved",
                "the ZIP can be downloaded only after the PINs were retrieved from the PIN URL");
        }
    }
    auto job = m.bulk_jobs.find(batch.id);
    using State = store::BulkJobState;
    if (job && (job->state == State::Queued || job->state == State::Running)) {
        // The batch-wide rules (institution approval, WHOIS, the uploader not
        // revoked) through one row: a refusal is the answer, not progress. The
        // job itself re-checks every row before signing it.
        std::vector<store::BatchRowRecord> rows = bulk_rows(m, all);
        if (!rows.empty()) m.recheck(batch, rows.front());
        return {progress_of(*job, m.now()), std::nullopt};
    }
    if (job && job->state == State::Ready) {
        if (job->legacy != legacy) {
            throw Error(ErrorCategory::Conflict, "bulk_zip_format",
                        std::string("this ZIP was built in the ") + format_name(job->legacy) +
                            " P12 format; download it without changing the format choice");
        }
        auto rows = rows_by_number(m, batch.id);
        // The rules of the upload, again, before the certificates leave. A row
        // the rules now refuse fails the job: its certificates are revoked, not
        // left valid for a ZIP that may never be delivered (a 503, e.g. WHOIS
        // unreachable, keeps it for the next request).
        try {
            for (const auto& f : m.bulk_jobs.files(batch.id)) m.recheck(batch, rows.at(f.row_no));
        } catch (const Error& e) {
            if (e.category() == ErrorCategory::Forbidden) m.runner->fail(batch.id, e);
            throw;
        }
        return {progress_of(*job, m.now()),
                BulkZipFile{m.runner->zip_of(batch.id), batch.id + ".zip"}};
    }
    // No job yet, a failed one or a delivered one (a re-download, if allowed).
    std::vector<store::BatchRowRecord> rows = bulk_rows(m, all);
    if (rows.empty()) {
        throw Error(ErrorCategory::Gone, "already_downloaded",
                    "the certificates of this batch were already downloaded");
    }
    for (const auto& r : rows) m.recheck(batch, r);  // before any key is made
    start_bulk_job(m, batch.id, legacy, rows.size());
    return {progress_of(*m.bulk_jobs.find(batch.id), m.now()), std::nullopt};
}

void IssuanceService::bulk_zip_delivered(const std::string& retrieval_token) {
    Impl& m = *impl_;
    store::BatchRecord batch = bulk_batch_of(m, retrieval_token);
    std::lock_guard lock(m.bulk_mutex);
    auto job = m.bulk_jobs.find(batch.id);
    if (!job || job->state != store::BulkJobState::Ready) return;  // delivered already
    auto rows = rows_by_number(m, batch.id);
    std::vector<store::BatchStore::Download> downloads;
    std::vector<store::NotificationRecord> notifications;
    for (const auto& f : m.bulk_jobs.files(batch.id)) {
        downloads.push_back({f.row_no, f.serial_hex});
        notifications.push_back(m.download_notification(batch, rows.at(f.row_no), f.serial_hex));
    }
    m.batches.record_downloads(batch.id, downloads, notifications, m.now());
    m.bulk_jobs.finish(batch.id, store::BulkJobState::Delivered, m.now());
    m.runner->remove_files(batch.id);
}

BulkZipProgress IssuanceService::bulk_zip_status(const std::string& retrieval_token) {
    Impl& m = *impl_;
    store::BatchRecord batch = bulk_batch_of(m, retrieval_token);
    auto progress = bulk_progress(m, batch.id);
    if (!progress) {
        throw Error(ErrorCategory::NotFound, "bulk_job_none",
                    "no ZIP is being built for this URL yet: view the PIN page, then request "
                    "the ZIP (POST) to start it");
    }
    return *progress;
}

}  // namespace inkan::issuance
