// Private to store/: the duplicate-DN query both the certificate store (serial
// reservations) and the batch store (new batches) run inside their transactions.
#pragma once

#include <optional>
#include <string>

#include "store/certificate_store.h"
#include "store/sqlite.h"

namespace inkan::store {

// True if `claim.subject` is claimed (see SubjectClaim) on connection `c`, not
// counting claim.row's own certificates and state, nor the reservation of
// `except_serial`.
bool subject_claimed(Connection& c, const SubjectClaim& claim, int64_t now,
                     const std::string& except_serial = {});

// True if a pending renewal row (see SubjectClaim) names `serial_hex` as the
// certificate it replaces.
bool renewal_pending(Connection& c, const std::string& serial_hex, int64_t now);

}  // namespace inkan::store
