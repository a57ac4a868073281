#include "pki/extensions.h"

#include <openssl/sha.h>

#include <utility>

#include "common/error.h"
#include "common/openssl_ptr.h"

namespace inkan::pki {

namespace {

X509ExtensionPtr make(int nid, bool critical, void* value) {
    X509ExtensionPtr ext(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
    if (!ext) openssl_fail(std::string("cannot encode extension ") + OBJ_nid2sn(nid));
    return ext;
}

Asn1OctetStringPtr octet_string(ByteView bytes) {
    Asn1OctetStringPtr s(ASN1_OCTET_STRING_new());
    if (!s || ASN1_OCTET_STRING_set(s.get(), bytes.data(), static_cast<int>(bytes.size())) != 1)
        openssl_fail("ASN1_OCTET_STRING_set failed");
    return s;
}

bool printable_ascii(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7F) return false;
    return true;
}

// GENERAL_NAME of type uniformResourceIdentifier, rfc822Name or dNSName (IA5String).
GeneralNamePtr ia5_name(int type, const std::string& value) {
    if (!printable_ascii(value))
        throw Error(ErrorCategory::InvalidInput, "bad_san", "name is empty or not printable ASCII");
    Asn1StringPtr ia5(ASN1_IA5STRING_new());
    if (!ia5 || ASN1_STRING_set(ia5.get(), value.data(), static_cast<int>(value.size())) != 1)
        openssl_fail("ASN1_STRING_set failed");
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!name) openssl_fail("GENERAL_NAME_new failed");
    GENERAL_NAME_set0_value(name.get(), type, ia5.release());
    return name;
}

GeneralNamePtr ip_name(const std::string& text) {
    Asn1OctetStringPtr ip(a2i_IPADDRESS(text.c_str()));
    if (!ip) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "bad_san", "not an IP address: " + text);
    }
    GeneralNamePtr name(GENERAL_NAME_new());
    if (!name) openssl_fail("GENERAL_NAME_new failed");
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, ip.release());
    return name;
}

void push(GENERAL_NAMES* names, GeneralNamePtr name) {
    if (!sk_GENERAL_NAME_push(names, name.get())) openssl_fail("push failed");
    name.release();
}

}  // namespace

X509ExtensionPtr basic_constraints_extension(bool ca, std::optional<long> path_length) {
    BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
    if (!bc) openssl_fail("BASIC_CONSTRAINTS_new failed");
    bc->ca = ca ? 0xFF : 0;
    if (ca && path_length) {
        bc->pathlen = ASN1_INTEGER_new();
        if (!bc->pathlen || ASN1_INTEGER_set(bc->pathlen, *path_length) != 1)
            openssl_fail("ASN1_INTEGER_set failed");
    }
    return make(NID_basic_constraints, true, bc.get());
}

X509ExtensionPtr key_usage_extension(const std::vector<KeyUsageBit>& bits) {
    Asn1StringPtr usage(ASN1_BIT_STRING_new());
    if (!usage) openssl_fail("ASN1_BIT_STRING_new failed");
    for (KeyUsageBit bit : bits)
        if (ASN1_BIT_STRING_set_bit(usage.get(), bit, 1) != 1) openssl_fail("set_bit failed");
    return make(NID_key_usage, true, usage.get());
}

X509ExtensionPtr extended_key_usage_extension(const std::vector<int>& purpose_nids) {
    ObjectStackPtr eku(sk_ASN1_OBJECT_new_null());
    if (!eku) openssl_fail("stack allocation failed");
    for (int nid : purpose_nids) {
        Asn1ObjectPtr obj(OBJ_dup(OBJ_nid2obj(nid)));
        if (!obj || !sk_ASN1_OBJECT_push(eku.get(), obj.get())) openssl_fail("push failed");
        obj.release();
    }
    return make(NID_ext_key_usage, false, eku.get());
}

X509ExtensionPtr subject_key_identifier_extension(ByteView key_id) {
    Asn1OctetStringPtr id = octet_string(key_id);
    return make(NID_subject_key_identifier, false, id.get());
}

X509ExtensionPtr authority_key_identifier_extension(ByteView issuer_key_id) {
    AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
    if (!aki) openssl_fail("AUTHORITY_KEYID_new failed");
    aki->keyid = octet_string(issuer_key_id).release();
    return make(NID_authority_key_identifier, false, aki.get());
}

X509ExtensionPtr crl_distribution_point_extension(const std::string& url) {
    CrlDistPointsPtr points(sk_DIST_POINT_new_null());
    DistPointPtr point(DIST_POINT_new());
    if (!points || !point) openssl_fail("DIST_POINT_new failed");
    point->distpoint = DIST_POINT_NAME_new();
    if (!point->distpoint) openssl_fail("DIST_POINT_NAME_new failed");
    point->distpoint->type = 0;  // fullName
    point->distpoint->name.fullname = sk_GENERAL_NAME_new_null();
    if (!point->distpoint->name.fullname) openssl_fail("stack allocation failed");
    push(point->distpoint->name.fullname, ia5_name(GEN_URI, url));
    if (!sk_DIST_POINT_push(points.get(), point.get())) openssl_fail("push failed");
    point.release();
    return make(NID_crl_distribution_points, false, points.get());
}

X509ExtensionPtr authority_info_access_extension(const std::string& ocsp_url,
                                                 const std::string& ca_issuers_url) {
    AuthorityInfoAccessPtr aia(sk_ACCESS_DESCRIPTION_new_null());
    if (!aia) openssl_fail("stack allocation failed");
    auto add = [&](int method, const std::string& url) {
        if (url.empty()) return;
        AccessDescriptionPtr ad(ACCESS_DESCRIPTION_new());
        if (!ad) openssl_fail("ACCESS_DESCRIPTION_new failed");
        Asn1ObjectPtr{std::exchange(ad->method, OBJ_nid2obj(method))};
        GeneralNamePtr{std::exchange(ad->location, ia5_name(GEN_URI, url).release())};
        if (!sk_ACCESS_DESCRIPTION_push(aia.get(), ad.get())) openssl_fail("push failed");
        ad.release();
    };
    add(NID_ad_OCSP, ocsp_url);
    add(NID_ad_ca_issuers, ca_issuers_url);
    return make(NID_info_access, false, aia.get());
}

X509ExtensionPtr certificate_policies_extension(const std::vector<std::string>& policy_oids) {
    CertificatePoliciesPtr policies(sk_POLICYINFO_new_null());
    if (!policies) openssl_fail("stack allocation failed");
    for (const auto& oid : policy_oids) {
        PolicyInfoPtr info(POLICYINFO_new());
        if (!info) openssl_fail("POLICYINFO_new failed");
        Asn1ObjectPtr{std::exchange(info->policyid, OBJ_txt2obj(oid.c_str(), 1))};
        if (!info->policyid) {
            openssl_error_text();
            throw Error(ErrorCategory::InvalidInput, "bad_policy_oid", "not an OID: " + oid);
        }
        if (!sk_POLICYINFO_push(policies.get(), info.get())) openssl_fail("push failed");
        info.release();
    }
    return make(NID_certificate_policies, false, policies.get());
}

X509ExtensionPtr subject_alt_name_extension(const std::vector<std::string>& emails,
                                            const std::vector<std::string>& dns_names,
                                            const std::vector<std::string>& ip_addresses) {
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names) openssl_fail("stack allocation failed");
    for (const auto& e : emails) {
        if (e.find('@') == std::string::npos || e.front() == '@' || e.back() == '@')
            throw Error(ErrorCategory::InvalidInput, "bad_san", "not a mail address: " + e);
        push(names.get(), ia5_name(GEN_EMAIL, e));
    }
    for (const auto& d : dns_names) push(names.get(), ia5_name(GEN_DNS, d));
    for (const auto& ip : ip_addresses) push(names.get(), ip_name(ip));
    return make(NID_subject_alt_name, false, names.get());
}

X509ExtensionPtr crl_number_extension(ByteView crl_number) {
    BignumPtr bn(BN_bin2bn(crl_number.data(), static_cast<int>(crl_number.size()), nullptr));
    Asn1IntegerPtr number(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!number) openssl_fail("CRL number encoding failed");
    return make(NID_crl_number, false, number.get());
}

X509ExtensionPtr crl_reason_extension(int reason) {
    Asn1EnumeratedPtr value(ASN1_ENUMERATED_new());
    if (!value || ASN1_ENUMERATED_set(value.get(), reason) != 1)
        openssl_fail("ASN1_ENUMERATED_set failed");
    return make(NID_crl_reason, false, value.get());
}

X509ExtensionPtr invalidity_date_extension(std::time_t when) {
    Asn1TimePtr value(ASN1_GENERALIZEDTIME_set(nullptr, when));
    if (!value) openssl_fail("ASN1_GENERALIZEDTIME_set failed");
    return make(NID_invalidity_date, false, value.get());
}

Bytes key_identifier_of(const ASN1_BIT_STRING* subject_public_key) {
    if (!subject_public_key) openssl_fail("no subjectPublicKey");
    Bytes id(SHA_DIGEST_LENGTH);
    SHA1(ASN1_STRING_get0_data(subject_public_key),
         static_cast<size_t>(ASN1_STRING_length(subject_public_key)), id.data());
    return id;
}

Bytes key_identifier_of(EVP_PKEY* key) {
    // The subjectPublicKey BIT STRING's content is the key's own encoding (RSA:
    // the RSAPublicKey DER; EC: the point): encoded once, hashed, no SPKI round trip.
    unsigned char* der = nullptr;
    int len = i2d_PublicKey(key, &der);
    if (len <= 0) openssl_fail("cannot encode public key");
    OpenSslBytes owned(der);
    Bytes id(SHA_DIGEST_LENGTH);
    SHA1(der, static_cast<size_t>(len), id.data());
    return id;
}

Bytes key_identifier_of(const X509* cert) {
    if (const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(const_cast<X509*>(cert)))
        return Bytes(ASN1_STRING_get0_data(ski),
                     ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski));
    return key_identifier_of(X509_get0_pubkey_bitstr(cert));
}

}  // namespace inkan::pki
