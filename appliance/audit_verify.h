// inkan audit verify: walks the audit chain and its signed checkpoints and
// names the first record that was edited, removed or reordered.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>

#include "store/sqlite_audit_store.h"

namespace inkan::appliance {

struct AuditVerdict {
    bool intact = true;
    int64_t records = 0;
    int64_t checkpoints = 0;
    int64_t last_signed_seq = 0;  // the latest checkpoint's record (0: none)
    int64_t unsigned_tail = 0;    // records after it (not yet covered by a signature)
    int64_t first_bad_seq = 0;    // when !intact
    std::string problem;          // when !intact: what is wrong with that record
};

// audit_public_key: the audit key's public half (from the HSM). A record is
// bad when its sequence number skips (removed), it does not name the previous
// record's hash (removed or reordered), or its hash does not match its content
// (edited); a checkpoint is bad when its signature does not verify or the
// record it names has another hash (rewritten) or is gone (removed).
AuditVerdict verify_audit_chain(store::SqliteAuditStore& store, EVP_PKEY* audit_public_key);

// True when `signature` (DER ECDSA, SHA-256) verifies over the checkpoint's encoding.
bool checkpoint_signature_valid(const store::AuditCheckpoint& checkpoint, EVP_PKEY* public_key);

}  // namespace inkan::appliance
