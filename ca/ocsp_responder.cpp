#include "ca/ocsp_responder.h"

#include "ca/certificate_authority.h"
#include "common/error.h"
#include "common/log.h"

namespace inkan::ca {

OcspResponder::OcspResponder(pki::Signer& signer, const X509* ca_certificate,
                             store::CertificateStore& certificates, std::chrono::seconds validity)
    : signer_(signer),
      ca_certificate_(ca_certificate),
      certificates_(certificates),
      validity_(validity) {}

pki::OcspStatus OcspResponder::status_of(const Bytes& serial) {
    pki::OcspStatus status;
    auto record = certificates_.find(serial_key(serial));
    if (!record) return status;  // never issued (or only reserved): unknown
    if (record->status == store::CertificateStatus::Valid) {
        status.status = pki::OcspCertStatus::Good;
        return status;
    }
    status.status = pki::OcspCertStatus::Revoked;
    status.revocation_time = pki::TimePoint(std::chrono::seconds(record->revoked_at.value_or(0)));
    try {
        status.reason =
            pki::crl_reason_from_int(static_cast<int>(record->revocation_reason.value_or(0)));
    } catch (const Error&) {
        status.reason = pki::CrlReason::Unspecified;
    }
    return status;
}

Bytes OcspResponder::respond(ByteView request_der) {
    try {
        pki::OcspResponderOptions options;
        options.now = std::chrono::system_clock::now();
        options.validity = validity_;
        return pki::respond_ocsp(
            signer_, ca_certificate_, request_der,
            [this](const Bytes& serial) { return status_of(serial); }, options);
    } catch (const std::exception& e) {
        log::error("OCSP response failed", {{"cause", e.what()}});
        // OCSPResponse { responseStatus internalError (2) }, no responseBytes.
        return Bytes{0x30, 0x03, 0x0A, 0x01, 0x02};
    }
}

}  // namespace inkan::ca
