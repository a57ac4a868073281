#include "ca/certificate_authority.h"

#include <algorithm>
#include <chrono>

#include "common/error.h"
#include "pki/asn1_time.h"
#include "pki/name.h"
#include "pki/serial.h"

namespace inkan::ca {

namespace {

constexpr int kSerialAttempts = 8;

int64_t unix_seconds(pki::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string serial_key(ByteView serial) {
    std::string hex = pki::serial_to_hex(serial);
    std::transform(hex.begin(), hex.end(), hex.begin(), ::tolower);
    auto first = hex.find_first_not_of('0');
    return first == std::string::npos ? "0" : hex.substr(first);
}

std::string serial_key_of_text(const std::string& serial) {
    if (serial.rfind("0x", 0) == 0 || serial.rfind("0X", 0) == 0)
        return serial_key(pki::serial_from_hex(serial.substr(2)));
    return serial_key(pki::serial_from_decimal(serial));
}

CertificateAuthority::CertificateAuthority(pki::Signer& signer, const X509* ca_certificate,
                                           pki::IssuerOptions options, pki::RandomSource& random,
                                           store::CertificateStore& certificates)
    : issuer_(signer, ca_certificate, std::move(options)),
      random_(random),
      certificates_(certificates) {}

std::string CertificateAuthority::reserve_new_serial(
    Bytes& serial, const std::optional<store::SubjectClaim>& claim) {
    for (int attempt = 0; attempt < kSerialAttempts; ++attempt) {
        serial = pki::generate_serial(random_);
        auto key = serial_key(serial);
        try {
            certificates_.reserve_serial(key, claim);
            return key;
        } catch (const Error& e) {
            if (e.code() != "serial_collision" && e.code() != "store_conflict") throw;
            // A collision: draw again, never reuse (BR 7.1).
        }
    }
    throw Error(ErrorCategory::Internal, "serial_exhausted",
                "could not reserve a fresh serial number");
}

IssueResult CertificateAuthority::issue(const IssueSpec& spec) {
    pki::IssuanceRequest request;
    request.subject = spec.subject;
    request.subject_public_key = spec.subject_public_key;
    request.subject_public_key_info = spec.subject_public_key_info;
    request.not_before = pki::whole_seconds(std::chrono::system_clock::now());
    request.profile = spec.profile;
    request.email_addresses = spec.email_addresses;
    request.dns_names = spec.dns_names;
    request.ip_addresses = spec.ip_addresses;

    // The serial is recorded (with the subject it claims) before anything is
    // built or signed; a request that then fails lint or signing leaves a
    // settled, unused reservation, never a reused serial.
    std::optional<store::SubjectClaim> claim;
    if (spec.claim_subject) {
        claim = store::SubjectClaim{pki::name_to_request_form(pki::build_name(spec.subject).get()),
                                    spec.row, spec.replaces_serial_hex};
    }
    Bytes serial;
    auto key = reserve_new_serial(serial, claim);
    request.serial = serial;
    pki::IssuedCertificate issued;
    try {
        issued = issuer_.issue(issuer_.prepare(request));
    } catch (...) {
        certificates_.abandon_serial(key);
        throw;
    }

    store::CertificateRecord record;
    record.serial_hex = key;
    record.serial_dec = pki::serial_to_decimal(serial);
    record.subject = pki::name_to_request_form(X509_get_subject_name(issued.certificate.get()));
    record.issuer = pki::name_to_request_form(X509_get_issuer_name(issued.certificate.get()));
    record.not_before =
        unix_seconds(pki::from_asn1_time(X509_get0_notBefore(issued.certificate.get())));
    record.not_after =
        unix_seconds(pki::from_asn1_time(X509_get0_notAfter(issued.certificate.get())));
    record.kind = spec.kind;
    if (spec.profile.id != 0) record.profile_id = spec.profile.id;
    record.institution = spec.institution;
    record.requested_by = spec.requested_by;
    record.der = issued.der;
    record.row = spec.row;
    record.delivery = spec.row ? store::Delivery::Pending : store::Delivery::Delivered;
    try {
        certificates_.insert(record);
    } catch (...) {
        certificates_.abandon_serial(key);  // the signed certificate is discarded, never handed out
        throw;
    }
    return {std::move(issued.certificate), std::move(record)};
}

}  // namespace inkan::ca
