// The appliance's audit trail (README "Audit trail"): records in the database's
// hash chain (store/audit_chain.h), checkpoints signed in the HSM by the audit
// key. Who asked for what, and what came of it; never a PIN, password, URL
// token or key — only ids, serials, subjects, client addresses and error codes.
//
// Dogtag's rule: an operation whose record cannot be written does not happen.
// record() throws Error(Unavailable, "audit_unwritable") and callers record
// before they act (appliance/audited.h).
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "pki/signer.h"
#include "store/sqlite_audit_store.h"

namespace inkan::appliance {

class AuditLog {
  public:
    // checkpoint_signer: the audit key (null: records only, e.g. CLI commands
    // that open no HSM; the next process with the key signs what is due).
    AuditLog(store::Database& database, pki::Signer* checkpoint_signer, int checkpoint_interval);

    // Appends {event, fields} with the current UTC time; signs a checkpoint when
    // checkpoint_interval records passed since the last one.
    store::AuditRecord record(const std::string& event, nlohmann::json fields);
    std::optional<store::AuditRecord> latest(const std::string& event) {
        return store_.latest(event);
    }
    // Signs a checkpoint over the head unless one covers it already (at stop).
    void checkpoint();

  private:
    void checkpoint_if_due(const store::AuditRecord& head);
    void sign_checkpoint(const store::AuditRecord& head);
    store::SqliteAuditStore store_;
    pki::Signer* signer_;
    int interval_;
    std::mutex checkpoint_mutex_;
    int64_t last_checkpoint_seq_ = -1;  // -1: not read yet
};

// "YYYY-MM-DDTHH:MM:SSZ", now.
std::string audit_time_now();

}  // namespace inkan::appliance
