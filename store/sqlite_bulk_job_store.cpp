#include "store/sqlite_bulk_job_store.h"

#include "common/error.h"
#include "store/sqlite.h"

namespace inkan::store {
namespace {

constexpr const char* kColumns =
    "batch_id, legacy, state, total, done, created_at, started_at, done_at_start, finished_at, "
    "error_code, error_message";

BulkJobRecord read_job(const Statement& s) {
    BulkJobRecord j;
    j.batch_id = s.text(0);
    j.legacy = s.int64(1) != 0;
    auto state = parse_bulk_job_state(s.text(2));
    if (!state) {
        throw Error(ErrorCategory::Internal, "store_bulk_job_state",
                    "bulk job " + j.batch_id + " has an unknown state " + s.text(2));
    }
    j.state = *state;
    j.total = s.int64(3);
    j.done = s.int64(4);
    j.created_at = s.int64(5);
    j.started_at = s.opt_int64(6);
    j.done_at_start = s.int64(7);
    j.finished_at = s.opt_int64(8);
    j.error_code = s.text(9);
    j.error_message = s.text(10);
    return j;
}

}  // namespace

bool SqliteBulkJobStore::create(const BulkJobRecord& job) {
    return db_.in_transaction([&](Connection& c) {
        Statement existing(c, "SELECT state FROM bulk_jobs WHERE batch_id = ?");
        existing.bind(1, job.batch_id);
        if (existing.step()) {
            auto state = parse_bulk_job_state(existing.text(0));
            if (state != BulkJobState::Failed && state != BulkJobState::Delivered) return false;
            Statement forget(c, "DELETE FROM bulk_job_files WHERE batch_id = ?");
            forget.bind(1, job.batch_id).run();
            Statement drop(c, "DELETE FROM bulk_jobs WHERE batch_id = ?");
            drop.bind(1, job.batch_id).run();
        }
        Statement s(c,
                    "INSERT INTO bulk_jobs (batch_id, legacy, state, total, done, created_at) "
                    "VALUES (?, ?, ?, ?, 0, ?)");
        s.bind(1, job.batch_id)
            .bind(2, int64_t{job.legacy ? 1 : 0})
            .bind(3, std::string(to_string(BulkJobState::Queued)))
            .bind(4, job.total)
            .bind(5, job.created_at)
            .run();
        return true;
    });
}

std::optional<BulkJobRecord> SqliteBulkJobStore::find(const std::string& batch_id) {
    return db_.with([&](Connection& c) -> std::optional<BulkJobRecord> {
        Statement s(c, std::string("SELECT ") + kColumns + " FROM bulk_jobs WHERE batch_id = ?");
        s.bind(1, batch_id);
        if (!s.step()) return std::nullopt;
        return read_job(s);
    });
}

std::vector<BulkJobRecord> SqliteBulkJobStore::unfinished() {
    return db_.with([&](Connection& c) {
        Statement s(c, std::string("SELECT ") + kColumns +
                           " FROM bulk_jobs WHERE state IN ('queued', 'running') "
                           "ORDER BY created_at, batch_id");
        std::vector<BulkJobRecord> out;
        while (s.step()) out.push_back(read_job(s));
        return out;
    });
}

void SqliteBulkJobStore::mark_started(const std::string& batch_id, int64_t now) {
    db_.with([&](Connection& c) {
        Statement s(c,
                    "UPDATE bulk_jobs SET state = 'running', started_at = ?, done_at_start = done "
                    "WHERE batch_id = ?");
        s.bind(1, now).bind(2, batch_id).run();
    });
}

void SqliteBulkJobStore::add_file(const std::string& batch_id, const BulkJobFile& file) {
    db_.in_transaction([&](Connection& c) {
        Statement s(c,
                    "INSERT INTO bulk_job_files (batch_id, row_no, serial_hex, serial_dec, "
                    "zip_name) VALUES (?, ?, ?, ?, ?)");
        s.bind(1, batch_id)
            .bind(2, file.row_no)
            .bind(3, file.serial_hex)
            .bind(4, file.serial_dec)
            .bind(5, file.zip_name)
            .run();
        Statement count(c, "UPDATE bulk_jobs SET done = done + 1 WHERE batch_id = ?");
        count.bind(1, batch_id).run();
    });
}

std::vector<BulkJobFile> SqliteBulkJobStore::files(const std::string& batch_id) {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    "SELECT row_no, serial_hex, serial_dec, zip_name FROM bulk_job_files "
                    "WHERE batch_id = ? ORDER BY row_no");
        s.bind(1, batch_id);
        std::vector<BulkJobFile> out;
        while (s.step()) out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3)});
        return out;
    });
}

void SqliteBulkJobStore::finish(const std::string& batch_id, BulkJobState state, int64_t now,
                                const std::string& error_code, const std::string& error_message) {
    db_.with([&](Connection& c) {
        Statement s(c,
                    "UPDATE bulk_jobs SET state = ?, finished_at = ?, error_code = ?, "
                    "error_message = ? WHERE batch_id = ?");
        s.bind(1, std::string(to_string(state)))
            .bind(2, now)
            .bind(3, error_code)
            .bind(4, error_message)
            .bind(5, batch_id)
            .run();
    });
}

}  // namespace inkan::store
