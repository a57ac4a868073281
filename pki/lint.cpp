#include "pki/lint.h"

#include <openssl/x509v3.h>

#include <set>
#include <string>

#include "common/error.h"
#include "pki/asn1_time.h"
#include "pki/extensions.h"
#include "pki/key_policy.h"

namespace inkan::pki {

namespace {

[[noreturn]] void lint_fail(const std::string& code, const std::string& message) {
    throw Error(ErrorCategory::InvalidInput, code, "certificate lint: " + message);
}

void lint_serial(const X509* cert) {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
    if (ASN1_STRING_type(serial) != V_ASN1_INTEGER)
        lint_fail("lint_serial_invalid", "serial is negative");
    int len = ASN1_STRING_length(serial);
    const unsigned char* data = ASN1_STRING_get0_data(serial);
    bool zero = true;
    for (int i = 0; i < len; ++i) zero = zero && data[i] == 0;
    if (zero) lint_fail("lint_serial_invalid", "serial is zero");
    // DER content length: magnitude plus a leading zero octet if its top bit is set.
    int der_len = len + ((data[0] & 0x80) ? 1 : 0);
    if (der_len > 20) lint_fail("lint_serial_invalid", "serial longer than 20 octets");
    if (len < 8) lint_fail("lint_serial_invalid", "serial shorter than 64 bits");
}

bool has_ext(const X509* cert, int nid) { return X509_get_ext_by_NID(cert, nid, -1) >= 0; }

bool ext_critical(const X509* cert, int nid) {
    int pos = X509_get_ext_by_NID(cert, nid, -1);
    return pos >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, pos)) == 1;
}

void require_ext(const X509* cert, int nid, bool critical) {
    if (!has_ext(cert, nid))
        lint_fail("lint_extension_missing", std::string("no ") + OBJ_nid2ln(nid));
    if (critical && !ext_critical(cert, nid))
        lint_fail("lint_extension_invalid", std::string(OBJ_nid2ln(nid)) + " must be critical");
}

void lint_validity(const X509* cert, const X509* issuer, int max_validity_days) {
    TimePoint not_before = from_asn1_time(X509_get0_notBefore(cert));
    TimePoint not_after = from_asn1_time(X509_get0_notAfter(cert));
    if (not_after <= not_before)
        lint_fail("lint_validity_invalid", "notAfter is not after notBefore");
    if (not_before < from_asn1_time(X509_get0_notBefore(issuer)) ||
        not_after > from_asn1_time(X509_get0_notAfter(issuer)))
        lint_fail("lint_validity_beyond_issuer", "validity is not inside the issuer's validity");
    if (max_validity_days > 0 && not_after - not_before > std::chrono::days(max_validity_days))
        lint_fail("lint_validity_too_long", "validity exceeds the configured maximum");
}

}  // namespace

void lint_common(const X509* cert, const EVP_PKEY* subject_key) {
    if (!subject_key) subject_key = X509_get0_pubkey(cert);
    lint_serial(cert);
    if (X509_NAME_entry_count(X509_get_subject_name(cert)) == 0)
        lint_fail("lint_subject_empty", "subject is empty");
    if (from_asn1_time(X509_get0_notAfter(cert)) <= from_asn1_time(X509_get0_notBefore(cert)))
        lint_fail("lint_validity_invalid", "notAfter is not after notBefore");
    if (auto why = key_policy_violation(subject_key)) lint_fail("lint_key_unsupported", *why);
    std::set<std::string> seen;
    for (int i = 0; i < X509_get_ext_count(cert); ++i) {
        char oid[80];
        OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(X509_get_ext(cert, i)), 1);
        if (!seen.insert(oid).second)
            lint_fail("lint_extension_duplicate", std::string("duplicate ") + oid);
    }
    if (X509_get_extension_flags(const_cast<X509*>(cert)) & EXFLAG_INVALID)
        lint_fail("lint_extension_invalid", "an extension does not decode");
}

void lint_certificate(const X509* cert, const X509* issuer, const LintRules& rules,
                      const EVP_PKEY* subject_key) {
    if (!subject_key) subject_key = X509_get0_pubkey(cert);
    lint_common(cert, subject_key);
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0)
        lint_fail("lint_issuer_name_mismatch", "issuer name is not the issuer's subject");
    lint_validity(cert, issuer, rules.max_validity_days);
    if (EVP_PKEY_eq(subject_key, X509_get0_pubkey(issuer)) == 1)
        lint_fail("lint_key_reused", "subject key is the issuer's key");

    require_ext(cert, NID_basic_constraints, true);
    require_ext(cert, NID_key_usage, true);
    require_ext(cert, NID_ext_key_usage, false);
    require_ext(cert, NID_subject_key_identifier, false);
    require_ext(cert, NID_authority_key_identifier, false);
    if (rules.require_crl_distribution_point) require_ext(cert, NID_crl_distribution_points, false);
    if (rules.require_ocsp_url) require_ext(cert, NID_info_access, false);
    if (rules.kind != ProfileKind::ClientAuth) require_ext(cert, NID_subject_alt_name, false);

    X509* c = const_cast<X509*>(cert);
    if (X509_get_extension_flags(c) & EXFLAG_CA)
        lint_fail("lint_extension_invalid", "end entity with CA:TRUE");
    if (!(X509_get_key_usage(c) & KU_DIGITAL_SIGNATURE))
        lint_fail("lint_extension_invalid", "keyUsage lacks digitalSignature");
    if (X509_get_key_usage(c) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
        lint_fail("lint_extension_invalid", "end entity with keyCertSign or cRLSign");
    uint32_t wanted = rules.kind == ProfileKind::ClientAuth ? XKU_SSL_CLIENT
                      : rules.kind == ProfileKind::SMime    ? XKU_SMIME
                                                            : XKU_SSL_SERVER;
    if (!(X509_get_extended_key_usage(c) & wanted))
        lint_fail("lint_extension_invalid", "wrong extKeyUsage");
    const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(c);
    Bytes issuer_id = key_identifier_of(issuer);
    if (!aki || Bytes(ASN1_STRING_get0_data(aki),
                      ASN1_STRING_get0_data(aki) + ASN1_STRING_length(aki)) != issuer_id)
        lint_fail("lint_extension_invalid", "authorityKeyIdentifier is not the issuer's key id");
}

}  // namespace inkan::pki
