#include "pki/csr.h"

#include <openssl/pem.h>

#include <cctype>

#include "common/error.h"
#include "pki/encoding.h"
#include "pki/key_policy.h"

namespace inkan::pki {

namespace {

[[noreturn]] void malformed(const std::string& what) {
    openssl_error_text();  // clear the queue
    throw Error(ErrorCategory::InvalidInput, "csr_malformed", what);
}

void check_key_policy(const EVP_PKEY* key) {
    if (auto why = key_policy_violation(key))
        throw Error(ErrorCategory::Unsupported, "csr_key_unsupported",
                    "request key not accepted: " + *why);
}

std::string without_whitespace(std::string_view text) {
    std::string out;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    return out;
}

Bytes base64_decode(const std::string& text) {
    if (text.empty() || text.size() % 4 != 0) malformed("request is not PEM, DER or base64");
    Bytes out(text.size() / 4 * 3);
    int len = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                              static_cast<int>(text.size()));
    if (len < 0) malformed("request is not PEM, DER or base64");
    size_t padding = (text.back() == '=') + (text.size() > 1 && text[text.size() - 2] == '=');
    out.resize(static_cast<size_t>(len) - padding);
    return out;
}

X509ReqPtr parse_der(ByteView der) {
    const unsigned char* p = der.data();
    X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    if (!req || p != der.data() + der.size()) malformed("request is not a DER PKCS#10 structure");
    return req;
}

}  // namespace

X509ReqPtr parse_csr(ByteView input) {
    if (input.empty()) malformed("empty request");
    if (looks_like_pem(input)) {
        BioPtr bio(BIO_new_mem_buf(input.data(), static_cast<int>(input.size())));
        X509ReqPtr req(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
        if (!req) malformed("request is not a PEM PKCS#10 structure");
        return req;
    }
    if (input[0] == 0x30) return parse_der(input);
    std::string text = without_whitespace(to_string(input));
    return parse_der(base64_decode(text));
}

EvpPkeyPtr check_csr(X509_REQ* request) {
    EVP_PKEY* key = X509_REQ_get0_pubkey(request);
    if (!key) malformed("request public key does not decode");
    check_key_policy(key);
    if (X509_REQ_verify(request, key) != 1) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "csr_bad_signature",
                    "request signature does not verify");
    }
    EVP_PKEY_up_ref(key);
    return EvpPkeyPtr(key);
}

CheckedCsr parse_and_check_csr(ByteView input) {
    CheckedCsr out;
    out.request = parse_csr(input);
    out.public_key = check_csr(out.request.get());
    return out;
}

SpkacKey parse_and_check_spkac(std::string_view base64) {
    std::string text = without_whitespace(base64);
    if (text.rfind("SPKAC=", 0) == 0) text.erase(0, 6);
    if (text.empty()) malformed("empty SPKAC");
    NetscapeSpkiPtr spki(NETSCAPE_SPKI_b64_decode(text.c_str(), static_cast<int>(text.size())));
    if (!spki) malformed("SPKAC does not decode");
    EvpPkeyPtr key(NETSCAPE_SPKI_get_pubkey(spki.get()));
    if (!key) malformed("SPKAC public key does not decode");
    check_key_policy(key.get());
    if (NETSCAPE_SPKI_verify(spki.get(), key.get()) != 1) {
        openssl_error_text();
        throw Error(ErrorCategory::InvalidInput, "csr_bad_signature",
                    "SPKAC signature does not verify");
    }
    SpkacKey out;
    out.public_key = std::move(key);
    if (spki->spkac && spki->spkac->challenge)
        out.challenge.assign(
            reinterpret_cast<const char*>(ASN1_STRING_get0_data(spki->spkac->challenge)),
            static_cast<size_t>(ASN1_STRING_length(spki->spkac->challenge)));
    return out;
}

}  // namespace inkan::pki
