#include "pki/crl.h"

#include "common/error.h"
#include "pki/extensions.h"
#include "pki/serial.h"
#include "pki/tbs_signing.h"

namespace inkan::pki {

namespace {

X509RevokedPtr revoked_entry(const RevokedCertificate& entry) {
    X509RevokedPtr revoked(X509_REVOKED_new());
    if (!revoked) openssl_fail("X509_REVOKED_new failed");
    Asn1IntegerPtr serial = serial_to_asn1(entry.serial);
    Asn1TimePtr when = to_asn1_time(entry.revocation_time);
    if (X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1)
        openssl_fail("cannot fill revoked entry");
    if (entry.reason != CrlReason::Unspecified) {
        X509ExtensionPtr reason = crl_reason_extension(static_cast<int>(entry.reason));
        if (X509_REVOKED_add_ext(revoked.get(), reason.get(), -1) != 1)
            openssl_fail("cannot add reason");
    }
    if (entry.invalidity_date) {
        X509ExtensionPtr invalidity =
            invalidity_date_extension(std::chrono::system_clock::to_time_t(*entry.invalidity_date));
        if (X509_REVOKED_add_ext(revoked.get(), invalidity.get(), -1) != 1)
            openssl_fail("cannot add invalidity date");
    }
    return revoked;
}

Bytes to_big_endian(std::uint64_t n) {
    Bytes out;
    for (; n > 0; n >>= 8) out.insert(out.begin(), static_cast<std::uint8_t>(n & 0xFF));
    if (out.empty()) out.push_back(0);
    return out;
}

}  // namespace

CrlReason crl_reason_from_int(int value) {
    switch (value) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
        case 9:
        case 10:
            return static_cast<CrlReason>(value);
        default:
            throw Error(ErrorCategory::InvalidInput, "bad_crl_reason",
                        "revocation reason " + std::to_string(value) + " is not allowed");
    }
}

X509CrlPtr build_crl(Signer& signer, const X509* issuer_certificate, const CrlContents& contents) {
    check_signer(signer);
    if (contents.next_update <= contents.this_update)
        throw Error(ErrorCategory::InvalidInput, "bad_crl_times",
                    "nextUpdate must be after thisUpdate");
    X509CrlPtr crl =
        new_crl_for_signer(X509_get_subject_name(issuer_certificate), signer.algorithm());
    Asn1TimePtr this_update = to_asn1_time(contents.this_update);
    Asn1TimePtr next_update = to_asn1_time(contents.next_update);
    if (X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1)
        openssl_fail("cannot set CRL times");
    for (const auto& entry : contents.revoked) {
        crl_reason_from_int(static_cast<int>(entry.reason));
        X509RevokedPtr revoked = revoked_entry(entry);
        if (X509_CRL_add0_revoked(crl.get(), revoked.get()) != 1)
            openssl_fail("cannot add revoked entry");
        revoked.release();
    }
    if (X509_CRL_sort(crl.get()) != 1) openssl_fail("X509_CRL_sort failed");
    X509ExtensionPtr aki =
        authority_key_identifier_extension(key_identifier_of(issuer_certificate));
    X509ExtensionPtr number = crl_number_extension(to_big_endian(contents.crl_number));
    if (X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1 ||
        X509_CRL_add_ext(crl.get(), number.get(), -1) != 1)
        openssl_fail("cannot add CRL extensions");
    return sign_crl(crl.get(), signer);
}

}  // namespace inkan::pki
