// The audit chain in SQLite (tables audit_records, audit_checkpoints): each
// append reads the head and links the new record to it inside one
// BEGIN IMMEDIATE transaction, so records from several processes (inkan serve,
// CLI commands) form one chain.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/audit_chain.h"
#include "store/database.h"

namespace inkan::store {

class SqliteAuditStore {
  public:
    explicit SqliteAuditStore(Database& db) : db_(db) {}

    // Links {time, event, fields} to the head and stores it; returns it with seq
    // and hashes. Throws the store's Error when it cannot be written.
    AuditRecord append(const std::string& time, const std::string& event,
                       const std::string& fields);
    // The same inside a transaction the caller holds (the operation and its record
    // commit or roll back together).
    static AuditRecord append(Connection& conn, const std::string& time, const std::string& event,
                              const std::string& fields);

    std::optional<AuditRecord> head();
    // The latest record of `event`, if any.
    std::optional<AuditRecord> latest(const std::string& event);
    std::optional<AuditCheckpoint> last_checkpoint();
    // A checkpoint for a sequence already covered is ignored (two threads raced).
    void add_checkpoint(const AuditCheckpoint& checkpoint);

    // Every record in the order of its sequence number.
    void for_each_record(const std::function<void(const AuditRecord&)>& visit);
    std::vector<AuditCheckpoint> checkpoints();  // by sequence

  private:
    Database& db_;
};

}  // namespace inkan::store
