#include "issuance/url_tokens.h"

#include "hsm/operations.h"

namespace inkan::issuance {

std::string new_url_token(hsm::Token& token) {
    return base64url_encode(hsm::generate_random(token, kUrlTokenBytes));
}

Bytes url_token_hash(const std::string& url_token) {
    return hsm::digest(hsm::DigestAlgorithm::Sha256, as_bytes(url_token));
}

}  // namespace inkan::issuance
