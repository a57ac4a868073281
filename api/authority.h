// What the HTTP front end needs from the core. api owns this interface
// (step-ca's api.Authority); appliance/ wires the implementation. api never
// sees PKCS#11, SQL or policy internals.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/operator_role.h"

namespace inkan::api {

struct OperatorIdentity {
    std::string name;
    std::string institution;
    OperatorRole role = OperatorRole::RaOperator;
    std::string email;  // where the operator's notifications go
    std::string certificate_serial_hex;
};

struct CertificateView {
    std::string serial_hex;
    std::string serial_dec;
    std::string subject;
    std::string issuer;
    int64_t not_before = 0;
    int64_t not_after = 0;
    std::string status;  // "valid", "revoked" or "expired" (valid in the store, past not_after)
    std::optional<int64_t> revoked_at;
    std::optional<int64_t> revocation_reason;
    std::optional<int64_t> profile_id;
    std::string institution;
    std::string requested_by;
    std::optional<std::string> batch_id;  // the request row it was issued for
    std::optional<int64_t> row;
    std::string delivery;             // "pending" or "delivered"
    std::optional<std::string> mail;  // the row's user mail, else admin mail (look-ups only)
    std::string pem;                  // empty in look-ups (list_certificates)
};

// GET /api/v1/certificates: filters are ANDed; all optional.
struct CertificateQuery {
    static constexpr size_t kDefaultLimit = 100;
    static constexpr size_t kMaxLimit = 1000;
    std::optional<std::string> subject;  // exact, request form "CN=..,OU=..,O=..,L=..,ST=..,C=JP"
    std::optional<std::string> subject_contains;  // substring of the subject, case-sensitive
    std::optional<std::string> mail;              // subscriber mail, case-insensitive
    std::optional<std::string> serial;            // decimal, or hex with a 0x prefix
    std::optional<std::string> status;            // "valid", "revoked" or "expired"
    size_t limit = kDefaultLimit;                 // 1..kMaxLimit
    size_t offset = 0;
};

struct CertificatePage {
    std::vector<CertificateView> certificates;  // newest first
    size_t total = 0;                           // every match, ignoring limit and offset
    size_t limit = 0;
    size_t offset = 0;
};

class Authority {
  public:
    virtual ~Authority() = default;

    // The TLS layer has already checked that the chain ends at our CA. This
    // checks the certificate against the store: unknown, revoked or expired
    // operator certificates throw Error(Forbidden).
    virtual OperatorIdentity authenticate_operator(X509* client_certificate) = 0;

    virtual std::string ca_certificate_pem() = 0;

    // Issues a certificate for a PKCS#10 CSR (PEM or DER) under a profile.
    virtual CertificateView issue_from_csr(const OperatorIdentity& who, ByteView csr,
                                           int profile_id) = 0;

    // serial: decimal, or hex with a 0x prefix. NotFound when unknown or not
    // visible to this operator.
    virtual CertificateView find_certificate(const OperatorIdentity& who,
                                             const std::string& serial) = 0;

    // Subscriber certificates of the operator's institution (a service admin:
    // every institution) matching the query. InvalidInput for a bad serial,
    // status or limit.
    virtual CertificatePage list_certificates(const OperatorIdentity& who,
                                              const CertificateQuery& query) = 0;
};

}  // namespace inkan::api
