// Certificate profiles: which extensions a certificate gets and how long it lives.
// The default table follows the service's request files (profile column 2);
// configuration may override or disable entries later.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace inkan::pki {

enum class ProfileKind {
    ClientAuth,  // EKU clientAuth
    SMime,       // EKU emailProtection, SAN rfc822Name required
    TlsServer,   // EKU serverAuth, SAN dNSName/iPAddress required (the appliance's HTTPS cert)
};

struct CertificateProfile {
    int id = 0;
    std::string name;
    ProfileKind kind = ProfileKind::ClientAuth;
    int validity_months = 0;  // notAfter = notBefore + months + days - 1 second
    int validity_days = 0;
    bool enabled = true;
};

// ids 5, 13, 14: client auth, 52 / 13 / 25 months; ids 7, 15, 16: S/MIME, 27 / 13 / 25 months.
std::vector<CertificateProfile> default_profiles();

// The enabled profile with `id`, or nullopt.
std::optional<CertificateProfile> find_profile(const std::vector<CertificateProfile>& profiles,
                                               int id);

// The appliance's own HTTPS server certificate (id 0: not selectable by request files).
CertificateProfile tls_server_profile(int validity_days = 397);

const char* to_string(ProfileKind kind) noexcept;

}  // namespace inkan::pki
