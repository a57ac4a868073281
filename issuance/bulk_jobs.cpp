#include "issuance/bulk_jobs.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <map>
#include <set>

#include "common/log.h"
#include "common/private_files.h"
#include "issuance/undelivered.h"
#include "issuance/zip_writer.h"

namespace inkan::issuance {
namespace {

constexpr const char* kFailedJobComment =
    "not delivered: the bulk ZIP job failed; a new download request builds new certificates";

std::string_view as_text(const Bytes& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::filesystem::path row_file(const std::filesystem::path& folder, int64_t row_no) {
    return folder / (std::to_string(row_no) + ".p12");
}

}  // namespace

std::vector<store::BatchRowRecord> bulk_rows(const IssuanceService::Impl& service,
                                             const std::vector<store::BatchRowRecord>& rows) {
    std::vector<store::BatchRowRecord> out;
    for (const auto& r : rows) {
        if (r.status == store::StoredRowStatus::Locked) continue;
        if (r.status == store::StoredRowStatus::Downloaded && !service.config.allow_redownload)
            continue;
        out.push_back(r);
    }
    return out;
}

std::map<int64_t, store::BatchRowRecord> rows_by_number(IssuanceService::Impl& service,
                                                        const std::string& batch_id) {
    std::map<int64_t, store::BatchRowRecord> rows;
    for (auto& r : service.batches.rows(batch_id)) rows.emplace(r.row_no, std::move(r));
    return rows;
}

BulkJobRunner::BulkJobRunner(IssuanceService::Impl& service)
    : service_(service), thread_([this] { loop(); }) {}

BulkJobRunner::~BulkJobRunner() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void BulkJobRunner::enqueue(const std::string& batch_id) {
    {
        std::lock_guard lock(mutex_);
        if (std::find(queue_.begin(), queue_.end(), batch_id) != queue_.end()) return;
        queue_.push_back(batch_id);
    }
    wake_.notify_all();
}

void BulkJobRunner::resume() {
    serving_ = true;
    for (const auto& job : service_.bulk_jobs.unfinished()) {
        log::info("resuming a bulk ZIP job",
                  {{"batch", job.batch_id}, {"done", job.done}, {"total", job.total}});
        enqueue(job.batch_id);
    }
}

std::filesystem::path BulkJobRunner::folder_of(const std::string& batch_id) const {
    if (service_.config.bulk_jobs_dir.empty()) {
        throw Error(ErrorCategory::Internal, "bulk_jobs_dir_unset",
                    "no folder is configured for bulk ZIP jobs (IssuanceConfig::bulk_jobs_dir)");
    }
    return service_.config.bulk_jobs_dir / batch_id;
}

std::filesystem::path BulkJobRunner::zip_of(const std::string& batch_id) const {
    return folder_of(batch_id) / (batch_id + ".zip");
}

void BulkJobRunner::remove_files(const std::string& batch_id) const {
    std::error_code ignored;
    std::filesystem::remove_all(folder_of(batch_id), ignored);
}

bool BulkJobRunner::fill_key_pool() {
    if (!service_.key_pool || !serving_) return false;
    try {
        return service_.key_pool->fill_one();
    } catch (const std::exception& e) {
        log::warn("the key pool could not be filled", {{"cause", e.what()}});
        return false;
    }
}

void BulkJobRunner::loop() {
    std::chrono::milliseconds idle_wait{0};
    for (;;) {
        std::string batch_id;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, idle_wait, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            if (!queue_.empty()) {
                batch_id = queue_.front();
                queue_.pop_front();
            }
        }
        if (batch_id.empty()) {  // idle: one pool key at a time, a job comes first
            idle_wait = fill_key_pool() ? std::chrono::milliseconds(0) : std::chrono::seconds(5);
            continue;
        }
        try {
            run(batch_id);
        } catch (const std::exception& e) {
            // The job stays as the store has it; the next start or request retries.
            log::error("a bulk ZIP job could not run", {{"batch", batch_id}, {"cause", e.what()}});
        }
    }
}

void BulkJobRunner::run(const std::string& batch_id) {
    auto job = service_.bulk_jobs.find(batch_id);
    if (!job ||
        (job->state != store::BulkJobState::Queued && job->state != store::BulkJobState::Running)) {
        return;
    }
    try {
        auto batch = service_.batches.find_batch(batch_id);
        if (!batch) {
            throw Error(ErrorCategory::Internal, "batch_not_found",
                        "the batch of bulk job " + batch_id + " is not in the store");
        }
        service_.bulk_jobs.mark_started(batch_id, service_.now());
        if (!build_rows(*batch, *job)) return;  // stopped: resumed at the next start
        write_zip(*batch);
        service_.bulk_jobs.finish(batch_id, store::BulkJobState::Ready, service_.now());
        log::info("bulk ZIP ready", {{"batch", batch_id}, {"rows", job->total}});
    } catch (const Error& e) {
        fail(batch_id, e);
    } catch (const std::exception& e) {
        fail(batch_id, Error(ErrorCategory::Internal, "bulk_job_failed", e.what()));
    }
}

bool BulkJobRunner::build_rows(const store::BatchRecord& batch, const store::BulkJobRecord& job) {
    std::set<int64_t> built;
    for (const auto& f : service_.bulk_jobs.files(batch.id)) built.insert(f.row_no);
    std::vector<store::BatchRowRecord> pending;
    for (auto& r : bulk_rows(service_, service_.batches.rows(batch.id))) {
        if (!built.count(r.row_no)) pending.push_back(std::move(r));
    }
    const std::filesystem::path folder = folder_of(batch.id);
    make_private_dirs(folder);

    // Key generation dominates (RSA ~170 ms): rows on several HSM sessions.
    std::atomic<size_t> next{0};
    std::atomic<size_t> finished{0};  // rows built and recorded
    std::atomic<bool> failed{false};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto stopping = [&] {
        std::lock_guard lock(mutex_);
        return stopping_;
    };
    auto worker = [&] {
        for (size_t i = next++; i < pending.size() && !failed && !stopping(); i = next++) {
            try {
                const auto& row = pending[i];
                service_.recheck(batch, row);  // the signing rules, at the moment of signing
                UndeliveredCertificates undelivered(service_.authority.certificates(),
                                                    service_.now);
                IssuedP12 p12 =
                    service_.issue_p12(batch, row, service_.pin_of(row), job.legacy, undelivered);
                write_file_with_mode(row_file(folder, row.row_no), as_text(p12.p12), 0600);
                service_.bulk_jobs.add_file(batch.id, {row.row_no, p12.serial_hex, p12.serial_dec,
                                                       p12_file_name(row, p12.serial_dec)});
                undelivered.delivered();  // the job holds it now
                ++finished;
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!first_error) first_error = std::current_exception();
                failed = true;
            }
        }
    };
    size_t threads =
        std::clamp<size_t>(service_.config.bulk_threads, 1, std::max<size_t>(1, pending.size()));
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (first_error) std::rethrow_exception(first_error);
    // A worker that saw the stop gave up the row it had taken: only a job whose
    // every row was recorded goes on to its ZIP.
    return finished == pending.size();
}

void BulkJobRunner::write_zip(const store::BatchRecord& batch) {
    const auto rows = rows_by_number(service_, batch.id);
    const std::filesystem::path folder = folder_of(batch.id);
    ZipWriter zip(zip_of(batch.id));
    std::string index = "serial\tname\tmail\tDN\n";
    std::set<std::string> names;
    for (const auto& f : service_.bulk_jobs.files(batch.id)) {
        const store::BatchRowRecord& r = rows.at(f.row_no);
        std::string name = f.zip_name;
        if (!names.insert(name).second) {  // two rows named the same file
            name = r.p12_file_name + "-" + f.serial_dec + ".p12";
            names.insert(name);
        }
        zip.add_file(name, row_file(folder, f.row_no));
        index += f.serial_dec + "\t" + (!r.user_name.empty() ? r.user_name : r.admin_name) + "\t" +
                 (!r.user_mail.empty() ? r.user_mail : r.admin_mail) + "\t" + r.subject_dn + "\n";
    }
    zip.add_text("client.txt", std::move(index));
    zip.finish();
}

void BulkJobRunner::fail(const std::string& batch_id, const Error& error) {
    log::warn("bulk ZIP job failed",
              {{"batch", batch_id}, {"code", error.code()}, {"cause", error.what()}});
    for (const auto& f : service_.bulk_jobs.files(batch_id)) {
        try {
            service_.authority.certificates().revoke(
                f.serial_hex, kReasonSuperseded, std::string(kFailedJobComment), service_.now());
        } catch (const std::exception& e) {
            log::error("could not revoke a certificate of a failed bulk job",
                       {{"batch", batch_id}, {"serial", f.serial_hex}, {"cause", e.what()}});
        }
    }
    remove_files(batch_id);
    service_.bulk_jobs.finish(batch_id, store::BulkJobState::Failed, service_.now(), error.code(),
                              error.what());
}

}  // namespace inkan::issuance
