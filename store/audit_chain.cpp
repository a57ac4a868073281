#include "store/audit_chain.h"

#include <openssl/evp.h>

#include "common/error.h"

namespace inkan::store {

std::string audit_record_encoding(const AuditRecord& r) {
    return "inkan-audit-v1|" + std::to_string(r.seq) + "|" + r.time + "|" + r.event + "|" +
           r.prev_hash + "|" + r.fields;
}

std::string audit_record_hash(const AuditRecord& r) { return sha256_hex(audit_record_encoding(r)); }

std::string sha256_hex(std::string_view encoding) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(encoding.data(), encoding.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
        throw Error(ErrorCategory::Internal, "digest_failed", "SHA-256 failed");
    }
    return hex_encode(ByteView(digest, size));
}

std::string audit_checkpoint_encoding(const AuditCheckpoint& c) {
    return "inkan-audit-checkpoint-v1|" + std::to_string(c.seq) + "|" + c.head_hash + "|" + c.time;
}

}  // namespace inkan::store
