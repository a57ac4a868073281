// The policy engine's collaborators for this appliance: institutions and
// existing certificates from the store, WHOIS over TCP with a cache, the
// system clock. Used by the upload API and `inkan request check`.
#pragma once

#include <memory>

#include "appliance/config.h"
#include "policy/request_check.h"
#include "policy/tcp_whois_client.h"
#include "policy/whois.h"
#include "store/certificate_store.h"
#include "store/existing_certificates.h"
#include "store/sqlite_institution_registry.h"

namespace inkan::appliance {

policy::WhoisConfig whois_config(const WhoisSettings& settings);

class PolicyContext {
  public:
    PolicyContext(const Config& config, store::Database& db, store::CertificateStore& certificates);
    policy::CheckContext context() const;
    store::SqliteInstitutionRegistry& registry() { return registry_; }

  private:
    store::SqliteInstitutionRegistry registry_;
    store::StoreExistingCertificates existing_;
    store::StoreCertificateLookup issued_;
    std::unique_ptr<policy::TcpWhoisClient> tcp_whois_;
    std::unique_ptr<policy::CachingWhoisLookup> whois_;
    policy::SystemClock clock_;
};

}  // namespace inkan::appliance
