#include "pki/ca_bootstrap.h"

#include <array>

#include "common/error.h"
#include "pki/extensions.h"
#include "pki/issuer.h"
#include "pki/lint.h"
#include "pki/serial.h"
#include "pki/tbs_signing.h"

namespace inkan::pki {

namespace {

std::vector<KeyUsageBit> ca_key_usage(bool digital_signature) {
    std::vector<KeyUsageBit> bits{kKeyCertSign, kCrlSign};
    if (digital_signature) bits.push_back(kDigitalSignature);
    return bits;
}

}  // namespace

X509Ptr make_self_signed_ca(Signer& signer, const DistinguishedName& subject, int validity_years,
                            const CaOptions& options) {
    check_signer(signer);
    if (options.serial.empty())
        throw Error(ErrorCategory::InvalidInput, "lint_serial_invalid", "no serial number");
    if (validity_years <= 0 || validity_years > 50)
        throw Error(ErrorCategory::InvalidInput, "lint_validity_invalid",
                    "CA validity must be 1..50 years");
    TimePoint not_before =
        whole_seconds(options.not_before.value_or(std::chrono::system_clock::now()));
    TimePoint not_after = add_months(not_before, 12 * validity_years) - std::chrono::seconds(1);

    X509Ptr cert(X509_new());
    X509NamePtr name = build_name(subject);
    Asn1IntegerPtr serial = serial_to_asn1(options.serial);
    Asn1TimePtr nb = to_asn1_time(not_before);
    Asn1TimePtr na = to_asn1_time(not_after);
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        X509_set_serialNumber(cert.get(), serial.get()) != 1 ||
        X509_set_issuer_name(cert.get(), name.get()) != 1 ||
        X509_set_subject_name(cert.get(), name.get()) != 1 ||
        X509_set1_notBefore(cert.get(), nb.get()) != 1 ||
        X509_set1_notAfter(cert.get(), na.get()) != 1 ||
        X509_set_pubkey(cert.get(), signer.public_key()) != 1)
        openssl_fail("cannot fill CA certificate fields");
    Bytes key_id = key_identifier_of(signer.public_key());
    for (const X509ExtensionPtr& ext :
         {basic_constraints_extension(true, options.path_length),
          key_usage_extension(ca_key_usage(options.digital_signature)),
          subject_key_identifier_extension(key_id), authority_key_identifier_extension(key_id)})
        if (X509_add_ext(cert.get(), ext.get(), -1) != 1) openssl_fail("X509_add_ext failed");
    set_signature_algorithm(cert.get(), signer.algorithm());
    lint_common(cert.get());
    X509Ptr signed_cert = sign_tbs_certificate(encode_tbs(cert.get()), signer);
    check_issuing_ca_cert(signed_cert.get(), signer);
    return signed_cert;
}

X509ReqPtr make_ca_csr(Signer& signer, const DistinguishedName& subject,
                       std::optional<long> path_length) {
    check_signer(signer);
    X509ReqPtr req(X509_REQ_new());
    X509NamePtr name = build_name(subject);
    if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
        X509_REQ_set_subject_name(req.get(), name.get()) != 1 ||
        X509_REQ_set_pubkey(req.get(), signer.public_key()) != 1)
        openssl_fail("cannot fill request fields");
    X509ExtStackPtr exts(sk_X509_EXTENSION_new_null());
    if (!exts) openssl_fail("stack allocation failed");
    std::array<X509ExtensionPtr, 2> requested{basic_constraints_extension(true, path_length),
                                              key_usage_extension(ca_key_usage(true))};
    for (X509ExtensionPtr& ext : requested) {
        if (!sk_X509_EXTENSION_push(exts.get(), ext.get())) openssl_fail("push failed");
        ext.release();
    }
    if (X509_REQ_add_extensions(req.get(), exts.get()) != 1)
        openssl_fail("X509_REQ_add_extensions failed");
    return sign_request(req.get(), signer);
}

}  // namespace inkan::pki
