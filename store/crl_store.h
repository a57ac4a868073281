// The CRLs the CA has published: the latest is what relying parties fetch; the
// numbers only ever grow (RFC 5280 5.2.3).
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"

namespace inkan::store {

struct CrlRecord {
    int64_t number = 0;       // cRLNumber
    int64_t this_update = 0;  // unix seconds
    int64_t next_update = 0;
    int64_t revoked_count = 0;  // revoked certificates it lists
    Bytes der;
};

class CrlStore {
  public:
    virtual ~CrlStore() = default;

    // The highest-numbered CRL, if any was published.
    virtual std::optional<CrlRecord> latest() = 0;
    // Stores a CRL. Its number must be above every stored one: throws
    // Error(Conflict, "crl_number_taken") otherwise (another process published first).
    virtual void insert(const CrlRecord& record) = 0;
    // How many certificates are revoked now (compare with CrlRecord::revoked_count).
    virtual int64_t revoked_count() = 0;
};

}  // namespace inkan::store
