// What the plain-HTTP publication listener needs from the core (api owns it;
// appliance/ implements it): the latest CRL, the CA certificate and OCSP
// answers. Nothing here is secret; nothing is built per request but OCSP.
#pragma once

#include <optional>
#include <string>

#include "common/bytes.h"

namespace inkan::api {

class Publication {
  public:
    virtual ~Publication() = default;

    // The file name the CRL is served under: GET /crl/<crl_name()>.crl
    virtual std::string crl_name() = 0;
    // DER of the latest published CRL; nullopt before the first one.
    virtual std::optional<Bytes> latest_crl() = 0;
    // DER of the issuing CA certificate.
    virtual Bytes ca_certificate_der() = 0;
    // A DER OCSPResponse for these bytes (whatever they are: garbage gets
    // malformedRequest). Never throws.
    virtual Bytes ocsp_response(ByteView request_der) = 0;
};

}  // namespace inkan::api
