// The plain data types of issuance_service.h that the HTTP front end renders:
// a library of their own (inkan_issuance_types) so api/ links these and not
// the workflow, the HSM or the store.
#include "issuance/issuance_service.h"

namespace inkan::issuance {

const char* to_string(RowStatus status) noexcept {
    switch (status) {
        case RowStatus::Accepted:
            return "accepted";
        case RowStatus::PinViewed:
            return "pin_viewed";
        case RowStatus::Downloaded:
            return "downloaded";
        case RowStatus::Locked:
            return "locked";
        case RowStatus::Expired:
            return "expired";
    }
    return "unknown";
}

const char* to_string(BatchStatus status) noexcept {
    switch (status) {
        case BatchStatus::Open:
            return "open";
        case BatchStatus::Completed:
            return "completed";
        case BatchStatus::Expired:
            return "expired";
    }
    return "unknown";
}

SecretString pin_page_tsv(const PinPage& page) {
    std::string out = "name\tmail\tPIN\tDN\n";
    for (const auto& e : page.entries) {
        out += e.name + "\t" + e.mail + "\t" + e.pin.str() + "\t" + e.subject_dn + "\n";
    }
    return SecretString(std::move(out));
}

}  // namespace inkan::issuance
