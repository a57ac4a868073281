#include "appliance/audit_log.h"

#include <chrono>
#include <ctime>
#include <iostream>

#include "common/error.h"

namespace inkan::appliance {

std::string audit_time_now() {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return stamp;
}

AuditLog::AuditLog(store::Database& database, pki::Signer* checkpoint_signer,
                   int checkpoint_interval)
    : store_(database), signer_(checkpoint_signer), interval_(checkpoint_interval) {}

store::AuditRecord AuditLog::record(const std::string& event, nlohmann::json fields) {
    store::AuditRecord written;
    try {
        written = store_.append(audit_time_now(), event, fields.dump());
    } catch (const std::exception& e) {
        std::cerr << "inkan: audit record '" << event << "' not written: " << e.what() << std::endl;
        throw Error(ErrorCategory::Unavailable, "audit_unwritable",
                    "the audit record could not be written, so nothing was done; try again "
                    "later (the appliance log names the cause)");
    }
    checkpoint_if_due(written);
    return written;
}

void AuditLog::checkpoint() {
    if (!signer_) return;
    auto head = store_.head();
    if (!head) return;
    std::lock_guard lock(checkpoint_mutex_);
    auto last = store_.last_checkpoint();
    if (last && last->seq >= head->seq) return;
    sign_checkpoint(*head);
}

void AuditLog::checkpoint_if_due(const store::AuditRecord& head) {
    if (!signer_) return;
    std::lock_guard lock(checkpoint_mutex_);
    try {
        if (last_checkpoint_seq_ < 0) {
            auto last = store_.last_checkpoint();
            last_checkpoint_seq_ = last ? last->seq : 0;
        }
        if (head.seq - last_checkpoint_seq_ < interval_) return;
        sign_checkpoint(head);
    } catch (const std::exception& e) {
        // The record is written; the checkpoint is retried with the next record.
        std::cerr << "inkan: audit checkpoint at record " << head.seq
                  << " not signed (retried with the next record): " << e.what() << std::endl;
    }
}

void AuditLog::sign_checkpoint(const store::AuditRecord& head) {
    store::AuditCheckpoint cp{head.seq, head.hash, audit_time_now(), {}};
    cp.signature = signer_->sign(as_bytes(store::audit_checkpoint_encoding(cp)));
    store_.add_checkpoint(cp);
    last_checkpoint_seq_ = head.seq;
}

}  // namespace inkan::appliance
