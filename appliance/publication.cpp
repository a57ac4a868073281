#include "appliance/publication.h"

#include <iostream>

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

CrlRefresher::CrlRefresher(ca::CrlPublisher& publisher, std::chrono::seconds interval)
    : publisher_(publisher), interval_(interval) {}

CrlRefresher::~CrlRefresher() { stop(); }

void CrlRefresher::start() {
    publisher_.refresh_if_due();
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void CrlRefresher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CrlRefresher::run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
        lock.unlock();
        try {
            if (auto crl = publisher_.refresh_if_due())
                std::cerr << "inkan: published CRL number " << crl->number << "\n";
        } catch (const std::exception& e) {
            // The previous CRL stays served; the next tick tries again.
            std::cerr << "inkan: CRL regeneration failed: " << e.what() << "\n";
        }
        lock.lock();
    }
}

}  // namespace inkan::appliance
