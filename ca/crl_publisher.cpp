#include "ca/crl_publisher.h"

#include "common/error.h"
#include "pki/crl.h"

namespace inkan::ca {
namespace {

pki::TimePoint from_unix(int64_t seconds) { return pki::TimePoint(std::chrono::seconds(seconds)); }

int64_t to_unix(pki::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

pki::CrlReason reason_of(int64_t stored) {
    try {
        return pki::crl_reason_from_int(static_cast<int>(stored));
    } catch (const Error&) {
        return pki::CrlReason::Unspecified;  // the store only records allowed reasons
    }
}

}  // namespace

Bytes serial_bytes(const std::string& serial_hex) {
    return hex_decode(serial_hex.size() % 2 ? "0" + serial_hex : serial_hex);
}

CrlPublisher::CrlPublisher(pki::Signer& signer, const X509* ca_certificate,
                           store::CertificateStore& certificates, store::CrlStore& crls,
                           std::chrono::seconds validity)
    : signer_(signer),
      ca_certificate_(ca_certificate),
      certificates_(certificates),
      crls_(crls),
      validity_(validity) {
    if (validity_ < std::chrono::minutes(1))
        throw Error(ErrorCategory::InvalidInput, "crl_validity_invalid",
                    "the CRL validity must be at least one minute");
}

store::CrlRecord CrlPublisher::regenerate(pki::TimePoint now) {
    std::lock_guard lock(mutex_);
    try {
        return build_and_store(now);
    } catch (const Error& e) {
        if (e.code() != "crl_number_taken") throw;
        return build_and_store(now);  // another process published meanwhile
    }
}

std::optional<store::CrlRecord> CrlPublisher::refresh_if_due(pki::TimePoint now) {
    std::lock_guard lock(mutex_);
    auto latest = crls_.latest();
    bool due =
        !latest || latest->revoked_count != crls_.revoked_count() ||
        to_unix(now) >= latest->this_update + (latest->next_update - latest->this_update) / 2;
    if (!due) return std::nullopt;
    return build_and_store(now);
}

store::CrlRecord CrlPublisher::build_and_store(pki::TimePoint now) {
    pki::CrlContents contents;
    contents.this_update = pki::whole_seconds(now);
    contents.next_update = contents.this_update + validity_;
    auto revoked = certificates_.revoked();
    for (const auto& entry : revoked) {
        pki::RevokedCertificate r;
        r.serial = serial_bytes(entry.serial_hex);
        r.revocation_time = from_unix(entry.revoked_at);
        r.reason = reason_of(entry.reason);
        // The store keeps no separate compromise time: the revocation time is the
        // latest the key is known to have been compromised.
        if (r.reason == pki::CrlReason::KeyCompromise) r.invalidity_date = r.revocation_time;
        contents.revoked.push_back(std::move(r));
    }
    auto latest = crls_.latest();
    contents.crl_number = static_cast<std::uint64_t>(latest ? latest->number + 1 : 1);
    X509CrlPtr crl = pki::build_crl(signer_, ca_certificate_, contents);
    unsigned char* der = nullptr;
    int len = i2d_X509_CRL(crl.get(), &der);
    if (len <= 0) openssl_fail("cannot encode CRL");
    OpenSslBytes owned(der);
    store::CrlRecord record{static_cast<int64_t>(contents.crl_number),
                            to_unix(contents.this_update), to_unix(contents.next_update),
                            static_cast<int64_t>(revoked.size()), Bytes(der, der + len)};
    crls_.insert(record);
    return record;
}

}  // namespace inkan::ca
