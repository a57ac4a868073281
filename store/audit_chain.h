// The audit trail as a hash chain (README "Audit trail"). Each record carries
// its sequence number (1, 2, ...) and the SHA-256 of the previous record; every
// so often a checkpoint (sequence, head hash, time) is signed in the HSM by the
// audit key. The encodings below are what is hashed and signed, byte for byte:
//
//   record:     "inkan-audit-v1|" seq "|" time "|" event "|" prev_hash "|" fields
//   checkpoint: "inkan-audit-checkpoint-v1|" seq "|" head_hash "|" time
//
// seq in decimal, time as "YYYY-MM-DDTHH:MM:SSZ", event [a-z0-9_]+, hashes as
// 64 lower-case hex digits (the first record's prev_hash is 64 zeros), fields
// the stored JSON text as it is (last, so it may hold any character).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"

namespace inkan::store {

inline constexpr const char* kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct AuditRecord {
    int64_t seq = 0;
    std::string time;
    std::string event;
    std::string fields;  // a JSON object
    std::string prev_hash;
    std::string hash;
};

struct AuditCheckpoint {
    int64_t seq = 0;        // the last record it covers
    std::string head_hash;  // that record's hash
    std::string time;
    Bytes signature;  // ECDSA P-256 / SHA-256 (DER Ecdsa-Sig-Value) over the encoding
};

// 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

std::string audit_record_encoding(const AuditRecord& record);
// Hex SHA-256 of audit_record_encoding (the record's own hash field is ignored).
std::string audit_record_hash(const AuditRecord& record);
std::string audit_checkpoint_encoding(const AuditCheckpoint& checkpoint);

}  // namespace inkan::store
