// The P12-bulk ZIP job runner (issue 12; README "P12 bulk: background ZIP
// jobs"). One thread takes queued jobs in turn (and, with nothing queued,
// fills the key pool one pair at a time); a job builds its rows on
// IssuanceConfig::bulk_threads threads, each row's P12 written as its own file
// in <bulk_jobs_dir>/<batch>/ and recorded in the store, then writes the ZIP
// from those files (memory does not grow with the batch) and marks the job
// Ready. A stop lets the rows being built finish and leaves the job Running:
// resume() at the next start goes on with the rows not built yet. A failure
// (a row no longer passes the signing rules, the HSM) fails the job: its
// certificates are revoked (superseded), its files removed, and the error kept
// for the next download request, which starts it again if the rows pass.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "issuance/service_impl.h"

namespace inkan::issuance {

class BulkJobRunner {
  public:
    explicit BulkJobRunner(IssuanceService::Impl& service);
    ~BulkJobRunner();  // stops (see above) and joins
    BulkJobRunner(const BulkJobRunner&) = delete;
    BulkJobRunner& operator=(const BulkJobRunner&) = delete;

    // Queues a job the store holds as Queued.
    void enqueue(const std::string& batch_id);
    // Queues every Queued and Running job of the store (at start), and from
    // then on fills the key pool while idle (a one-shot CLI command that opens
    // the services never starts it).
    void resume();

    std::filesystem::path folder_of(const std::string& batch_id) const;
    std::filesystem::path zip_of(const std::string& batch_id) const;
    // Removes a job's files (delivered or failed).
    void remove_files(const std::string& batch_id) const;
    // Fails a job that is not running: its certificates revoked (superseded),
    // its files removed, `error` kept.
    void fail(const std::string& batch_id, const Error& error);

  private:
    void loop();
    // Idle: one more key pair for the key pool, if it has room. False when
    // there was nothing to do (or it failed: logged).
    bool fill_key_pool();
    void run(const std::string& batch_id);
    // Builds the rows not built yet; false if stopped before all were.
    bool build_rows(const store::BatchRecord& batch, const store::BulkJobRecord& job);
    void write_zip(const store::BatchRecord& batch);

    IssuanceService::Impl& service_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
    std::atomic<bool> serving_{false};  // resume() was called
    std::thread thread_;
};

// The rows a bulk job builds: accepted or PIN viewed (and downloaded when
// re-downloads are allowed), not locked.
std::vector<store::BatchRowRecord> bulk_rows(const IssuanceService::Impl& service,
                                             const std::vector<store::BatchRowRecord>& rows);

// Every row of the batch by its number (a job's files name their rows).
std::map<int64_t, store::BatchRowRecord> rows_by_number(IssuanceService::Impl& service,
                                                        const std::string& batch_id);

}  // namespace inkan::issuance
