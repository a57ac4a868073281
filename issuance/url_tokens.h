// Random URL tokens (PIN page, certificate retrieval): 32 bytes from the HSM's
// RNG, base64url without padding (43 characters). Only SHA-256(token) is stored,
// so a copy of the database yields no working URL.
#pragma once

#include <string>

#include "common/bytes.h"
#include "hsm/token.h"

namespace inkan::issuance {

inline constexpr size_t kUrlTokenBytes = 32;

std::string new_url_token(hsm::Token& token);

// SHA-256 of the token's characters.
Bytes url_token_hash(const std::string& url_token);

}  // namespace inkan::issuance
