// What the HTTP front end needs from the core. api owns this interface
// (step-ca's api.Authority); appliance/ wires the implementation. api never
// sees PKCS#11, SQL or policy internals.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.h"

namespace inkan::api {

struct OperatorIdentity {
    std::string name;
    std::string institution;
    std::string role;  // "ra_operator" or "service_admin"
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
    std::string status;  // "valid" or "revoked"
    std::optional<int64_t> revoked_at;
    std::optional<int64_t> revocation_reason;
    std::optional<int64_t> profile_id;
    std::string institution;
    std::string requested_by;
    std::string pem;
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
};

}  // namespace inkan::api
