#include "pki/profile.h"

namespace inkan::pki {

std::vector<CertificateProfile> default_profiles() {
    return {
        {5, "client certificate (SHA-256)", ProfileKind::ClientAuth, 52, 0, true},
        {13, "client certificate, 13 months", ProfileKind::ClientAuth, 13, 0, true},
        {14, "client certificate, 25 months", ProfileKind::ClientAuth, 25, 0, true},
        {7, "S/MIME certificate (SHA-256)", ProfileKind::SMime, 27, 0, true},
        {15, "S/MIME certificate, 13 months", ProfileKind::SMime, 13, 0, true},
        {16, "S/MIME certificate, 25 months", ProfileKind::SMime, 25, 0, true},
    };
}

std::optional<CertificateProfile> find_profile(const std::vector<CertificateProfile>& profiles,
                                               int id) {
    for (const auto& p : profiles)
        if (p.id == id && p.enabled) return p;
    return std::nullopt;
}

CertificateProfile tls_server_profile(int validity_days) {
    return {0, "appliance TLS server", ProfileKind::TlsServer, 0, validity_days, true};
}

const char* to_string(ProfileKind kind) noexcept {
    switch (kind) {
        case ProfileKind::ClientAuth:
            return "client_auth";
        case ProfileKind::SMime:
            return "smime";
        case ProfileKind::TlsServer:
            return "tls_server";
    }
    return "unknown";
}

}  // namespace inkan::pki
