// P12-bulk ZIP jobs (issue 12): built in the background, one P12 file per row
// in the state folder, then one ZIP; fetched when ready. A job's state and its
// built rows are here; the files are the job runner's (issuance/bulk_jobs.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace inkan::store {

// Queued → Running → Ready → Delivered; Failed from Queued or Running (its
// error says why; a new download request starts it again if the rows still
// pass the signing rules).
enum class BulkJobState { Queued, Running, Ready, Failed, Delivered };
// Inline: api renders the state without linking the store.
inline const char* to_string(BulkJobState state) noexcept {
    switch (state) {
        case BulkJobState::Queued:
            return "queued";
        case BulkJobState::Running:
            return "running";
        case BulkJobState::Ready:
            return "ready";
        case BulkJobState::Failed:
            return "failed";
        case BulkJobState::Delivered:
            return "delivered";
    }
    return "unknown";
}
inline std::optional<BulkJobState> parse_bulk_job_state(const std::string& text) noexcept {
    for (auto s : {BulkJobState::Queued, BulkJobState::Running, BulkJobState::Ready,
                   BulkJobState::Failed, BulkJobState::Delivered}) {
        if (text == to_string(s)) return s;
    }
    return std::nullopt;
}

struct BulkJobRecord {
    std::string batch_id;
    bool legacy = false;  // P12s in the old 3DES/SHA-1 format
    BulkJobState state = BulkJobState::Queued;
    int64_t total = 0;  // rows to build
    int64_t done = 0;   // rows built (a P12 file each)
    int64_t created_at = 0;
    // When the runner last (re)started the job, and how many rows were built
    // then: the rate since then gives the ETA.
    std::optional<int64_t> started_at;
    int64_t done_at_start = 0;
    std::optional<int64_t> finished_at;     // Ready, Failed or Delivered
    std::string error_code, error_message;  // Failed only
};

// One built row: its certificate and the P12 file's name inside the ZIP.
struct BulkJobFile {
    int64_t row_no = 0;
    std::string serial_hex;
    std::string serial_dec;
    std::string zip_name;
};

class BulkJobStore {
  public:
    virtual ~BulkJobStore() = default;
    // Adds a Queued job; false if the batch has one Queued, Running or Ready (a
    // Failed or Delivered one is replaced, its files forgotten).
    virtual bool create(const BulkJobRecord& job) = 0;
    virtual std::optional<BulkJobRecord> find(const std::string& batch_id) = 0;
    // Queued and Running jobs, oldest first (to resume at start).
    virtual std::vector<BulkJobRecord> unfinished() = 0;
    virtual void mark_started(const std::string& batch_id, int64_t now) = 0;
    // Records a built row and counts it (one transaction). The certificate is
    // then no longer "undelivered" for the start-up sweep: the job delivers it.
    virtual void add_file(const std::string& batch_id, const BulkJobFile& file) = 0;
    virtual std::vector<BulkJobFile> files(const std::string& batch_id) = 0;
    virtual void finish(const std::string& batch_id, BulkJobState state, int64_t now,
                        const std::string& error_code = {},
                        const std::string& error_message = {}) = 0;
};

}  // namespace inkan::store
