// Where subscribers use their URL tokens, under the public listener's base URL
// (e.g. "https://ra.example.ac.jp"): the upload answer and the mails both build
// them here.
#pragma once

#include <string>

#include "policy/request_rows.h"

namespace inkan::issuance {

std::string pin_url(const std::string& base, const std::string& token);
// The retrieval URL of a row or bulk batch of this download type.
std::string retrieval_url(const std::string& base, policy::DownloadType type,
                          const std::string& token);

}  // namespace inkan::issuance
