#include "appliance/publication.h"

#include "common/log.h"
#include "pki/der.h"

namespace inkan::appliance {

std::optional<Bytes> AppliancePublication::latest_crl() {
    auto latest = services_.crl_publisher->latest();
    if (!latest) return std::nullopt;
    return std::move(latest->der);
}

Bytes AppliancePublication::ca_certificate_der() {
    return pki::der::der_of(
        [&](unsigned char** p) { return i2d_X509(services_.ca_certificate.get(), p); });
}

Bytes AppliancePublication::ocsp_response(ByteView request_der) {
    return services_.ocsp->respond(request_der);
}

std::function<void()> crl_refresh(ca::CrlPublisher& publisher) {
    return [&publisher] {
        if (auto crl = publisher.refresh_if_due())
            log::info("published a CRL", {{"crl_number", crl->number}});
    };
}

}  // namespace inkan::appliance
