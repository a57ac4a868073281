#include "issuance/retrieval_urls.h"

namespace inkan::issuance {

std::string pin_url(const std::string& base, const std::string& token) {
    return base + "/pin/" + token;
}

std::string retrieval_url(const std::string& base, policy::DownloadType type,
                          const std::string& token) {
    switch (type) {
        case policy::DownloadType::P12Bulk:
            return base + "/download/" + token + "/zip";
        case policy::DownloadType::Browser:
            return base + "/download/" + token + "/certificate";
        case policy::DownloadType::P12Individual:
            break;
    }
    return base + "/download/" + token + "/p12";
}

}  // namespace inkan::issuance
