#include "appliance/audit_verify.h"

#include <map>

#include "common/openssl_ptr.h"

namespace inkan::appliance {

bool checkpoint_signature_valid(const store::AuditCheckpoint& cp, EVP_PKEY* public_key) {
    std::string message = store::audit_checkpoint_encoding(cp);
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    bool ok = ctx &&
              EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, public_key) == 1 &&
              EVP_DigestVerify(ctx.get(), cp.signature.data(), cp.signature.size(),
                               reinterpret_cast<const unsigned char*>(message.data()),
                               message.size()) == 1;
    openssl_error_text();  // a bad signature leaves errors on the queue
    return ok;
}

AuditVerdict verify_audit_chain(store::SqliteAuditStore& store, EVP_PKEY* public_key) {
    AuditVerdict v;
    std::map<int64_t, store::AuditCheckpoint> checkpoints;
    for (auto& cp : store.checkpoints()) checkpoints.emplace(cp.seq, std::move(cp));
    v.checkpoints = static_cast<int64_t>(checkpoints.size());
    auto fail = [&](int64_t seq, std::string problem) {
        if (!v.intact) return;
        v.intact = false;
        v.first_bad_seq = seq;
        v.problem = std::move(problem);
    };
    int64_t expected = 1;
    std::string previous = store::kAuditGenesisHash;
    store.for_each_record([&](const store::AuditRecord& r) {
        ++v.records;
        if (r.seq != expected) {
            fail(expected, "record " + std::to_string(expected) +
                               (r.seq - 1 > expected ? " to " + std::to_string(r.seq - 1) : "") +
                               " removed (the next record is " + std::to_string(r.seq) + ")");
        } else if (r.prev_hash != previous) {
            fail(r.seq, "record " + std::to_string(r.seq) + " does not follow record " +
                            std::to_string(r.seq - 1) +
                            " (records removed, reordered or rewritten)");
        } else if (store::audit_record_hash(r) != r.hash) {
            fail(r.seq, "record " + std::to_string(r.seq) +
                            " was edited (its content does not match its hash)");
        }
        if (auto cp = checkpoints.find(r.seq); cp != checkpoints.end()) {
            if (!checkpoint_signature_valid(cp->second, public_key)) {
                fail(r.seq, "the checkpoint at record " + std::to_string(r.seq) +
                                " does not verify with the audit key (forged or edited)");
            } else if (cp->second.head_hash != r.hash) {
                fail(r.seq, "record " + std::to_string(r.seq) +
                                " is not the one the signed checkpoint covers (records up to it "
                                "were rewritten)");
            }
            v.last_signed_seq = r.seq;
        }
        previous = r.hash;
        expected = r.seq + 1;
    });
    for (auto it = checkpoints.lower_bound(expected); it != checkpoints.end(); ++it) {
        fail(expected, "records " + std::to_string(expected) + " to " + std::to_string(it->first) +
                           " removed (a signed checkpoint covers record " +
                           std::to_string(it->first) + ")");
    }
    v.unsigned_tail = v.records - v.last_signed_seq;
    return v;
}

}  // namespace inkan::appliance
