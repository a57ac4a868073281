#include "pki/ocsp.h"

#include <openssl/ocsp.h>
#include <openssl/sha.h>

#include "common/error.h"
#include "common/openssl_ptr.h"
#include "pki/der.h"
#include "pki/extensions.h"
#include "pki/serial.h"
#include "pki/tbs_signing.h"

namespace inkan::pki {

namespace {

Bytes response_of(int status, OCSP_BASICRESP* basic) {
    OcspResponsePtr response(OCSP_response_create(status, basic));
    if (!response) openssl_fail("OCSP_response_create failed");
    return der::der_of([&](unsigned char** p) { return i2d_OCSP_RESPONSE(response.get(), p); });
}

// An empty BasicOCSPResponse whose ResponseData already holds responderID (byKey),
// producedAt and the signature algorithm: OpenSSL 3.0 has no setters for them.
OcspBasicRespPtr new_basic_response(const X509* issuer, SignatureAlgorithm algorithm,
                                    TimePoint now) {
    static const std::uint8_t kResponderByKey = 0xA2;
    static const std::uint8_t kOctetString = 0x04;
    // RFC 6960 KeyHash: SHA-1 of the subjectPublicKey BIT STRING's value, straight
    // from the certificate (no key decoding: this runs for every response).
    Bytes key_hash(SHA_DIGEST_LENGTH);
    unsigned int key_hash_length = 0;
    if (!X509_pubkey_digest(issuer, EVP_sha1(), key_hash.data(), &key_hash_length) ||
        key_hash_length != key_hash.size())
        openssl_fail("X509_pubkey_digest failed");
    Bytes responder_id = der::tlv(kResponderByKey, {der::tlv(kOctetString, {key_hash})});
    Asn1TimePtr produced(
        ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(now)));
    if (!produced) openssl_fail("ASN1_GENERALIZEDTIME_set failed");
    Bytes produced_at =
        der::der_of([&](unsigned char** p) { return i2d_ASN1_GENERALIZEDTIME(produced.get(), p); });
    Bytes no_responses = der::tlv(der::kSequence, {});
    Bytes data = der::tlv(der::kSequence, {responder_id, produced_at, no_responses});
    Bytes basic =
        der::tlv(der::kSequence, {data, algorithm_identifier_der(algorithm), der::bit_string({})});
    const unsigned char* p = basic.data();
    OcspBasicRespPtr bs(d2i_OCSP_BASICRESP(nullptr, &p, static_cast<long>(basic.size())));
    if (!bs) openssl_fail("cannot create BasicOCSPResponse");
    return bs;
}

bool issued_by(const OCSP_CERTID* id, const X509* issuer) {
    ASN1_OBJECT* md_oid = nullptr;
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, &md_oid, nullptr, &serial, const_cast<OCSP_CERTID*>(id));
    const EVP_MD* md = md_oid ? EVP_get_digestbyobj(md_oid) : nullptr;
    if (!md) return false;
    OcspCertIdPtr ours(OCSP_cert_id_new(md, X509_get_subject_name(issuer),
                                        X509_get0_pubkey_bitstr(issuer), serial));
    return ours && OCSP_id_issuer_cmp(ours.get(), id) == 0;
}

void add_status(OCSP_BASICRESP* bs, OCSP_CERTID* id, const OcspStatus& status,
                ASN1_TIME* this_update, ASN1_TIME* next_update) {
    int code = status.status == OcspCertStatus::Good      ? V_OCSP_CERTSTATUS_GOOD
               : status.status == OcspCertStatus::Revoked ? V_OCSP_CERTSTATUS_REVOKED
                                                          : V_OCSP_CERTSTATUS_UNKNOWN;
    Asn1TimePtr revoked_at;
    int reason = -1;
    if (status.status == OcspCertStatus::Revoked) {
        revoked_at.reset(ASN1_GENERALIZEDTIME_set(
            nullptr, std::chrono::system_clock::to_time_t(status.revocation_time)));
        if (status.reason != CrlReason::Unspecified) reason = static_cast<int>(status.reason);
    }
    if (!OCSP_basic_add1_status(bs, id, code, reason, revoked_at.get(), this_update, next_update))
        openssl_fail("OCSP_basic_add1_status failed");
}

Bytes sign_basic_response(OCSP_BASICRESP* bs, Signer& signer) {
    Bytes data = der::der_of([&](unsigned char** p) {
        return i2d_OCSP_RESPDATA(const_cast<OCSP_RESPDATA*>(OCSP_resp_get0_respdata(bs)), p);
    });
    Bytes signature = signer.sign(data);
    Bytes basic = der::tlv(der::kSequence, {data, algorithm_identifier_der(signer.algorithm()),
                                            der::bit_string(signature)});
    const unsigned char* p = basic.data();
    OcspBasicRespPtr signed_bs(d2i_OCSP_BASICRESP(nullptr, &p, static_cast<long>(basic.size())));
    if (!signed_bs) openssl_fail("signed BasicOCSPResponse does not parse");
    int ok = ASN1_item_verify(
        ASN1_ITEM_rptr(OCSP_RESPDATA),
        const_cast<X509_ALGOR*>(OCSP_resp_get0_tbs_sigalg(signed_bs.get())),
        const_cast<ASN1_BIT_STRING*>(OCSP_resp_get0_signature(signed_bs.get())),
        const_cast<OCSP_RESPDATA*>(OCSP_resp_get0_respdata(signed_bs.get())), signer.public_key());
    if (ok != 1)
        throw Error(ErrorCategory::Internal, "signature_verification_failed",
                    "OCSP response signature does not verify: " + openssl_error_text());
    return response_of(OCSP_RESPONSE_STATUS_SUCCESSFUL, signed_bs.get());
}

}  // namespace

Bytes respond_ocsp(Signer& signer, const X509* issuer_certificate, ByteView request_der,
                   const OcspStatusLookup& lookup, const OcspResponderOptions& options) {
    check_signer(signer);
    const unsigned char* p = request_der.data();
    OcspRequestPtr request(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request_der.size())));
    if (!request || p != request_der.data() + request_der.size() ||
        OCSP_request_onereq_count(request.get()) <= 0) {
        openssl_error_text();
        return response_of(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, nullptr);
    }
    TimePoint now = whole_seconds(options.now);
    OcspBasicRespPtr bs = new_basic_response(issuer_certificate, signer.algorithm(), now);
    Asn1TimePtr this_update(
        ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(now)));
    Asn1TimePtr next_update(ASN1_GENERALIZEDTIME_set(
        nullptr, std::chrono::system_clock::to_time_t(now + options.validity)));
    for (int i = 0; i < OCSP_request_onereq_count(request.get()); ++i) {
        OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
        OcspStatus status;
        if (issued_by(id, issuer_certificate)) {
            ASN1_INTEGER* serial = nullptr;
            OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, id);
            if (ASN1_STRING_type(serial) == V_ASN1_INTEGER)
                status = lookup(serial_from_asn1(serial));
        }
        add_status(bs.get(), id, status, this_update.get(), next_update.get());
    }
    if (OCSP_copy_nonce(bs.get(), request.get()) <= 0) openssl_fail("OCSP_copy_nonce failed");
    return sign_basic_response(bs.get(), signer);
}

}  // namespace inkan::pki
