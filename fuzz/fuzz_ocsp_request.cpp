// libFuzzer target: OCSP requests (pki/ocsp.h) as a relying party posts them. Every
// input gets a DER OCSPResponse that OpenSSL parses back: malformedRequest for what
// does not parse, a signed answer otherwise. Signing uses a fixed in-process P-256
// key, so that the seed requests in corpus/ocsp (made with `openssl ocsp -issuer` for a
// certificate of this key and name) reach the good/revoked paths.
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>

#include "common/error.h"
#include "pki/ca_bootstrap.h"
#include "pki/ocsp.h"
#include "pki/serial.h"
#include "pki/software_signer.h"

namespace {

constexpr char kFuzzCaKey[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNfPRSGCVRSVsN0Pa
2GuvsEx4CJdnoKR/z6CUN4gMx/GhRANCAASKQK5J1Eq3Yl0lxh6+Oa9b616wQt/Z
yBd3DYddjIs/nZ8i7EDMUnnmvlPwDTb0CeWsxJWGk8EbYHJIBg9vqFv+
-----END PRIVATE KEY-----
)";

inkan::EvpPkeyPtr fuzz_ca_key() {
    inkan::BioPtr bio(BIO_new_mem_buf(kFuzzCaKey, -1));
    return inkan::EvpPkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

struct Responder {
    inkan::pki::SoftwareSigner signer{fuzz_ca_key()};
    inkan::X509Ptr issuer;
    Responder() {
        inkan::pki::OpenSslRandomSource random;
        inkan::pki::CaOptions options;
        options.serial = inkan::pki::generate_serial(random);
        issuer = inkan::pki::make_self_signed_ca(
            signer, {{"C", "JP"}, {"O", "Fuzz"}, {"CN", "Fuzz CA"}}, 5, options);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Responder responder;
    auto lookup = [](const inkan::Bytes& serial) {
        inkan::pki::OcspStatus s;
        if (!serial.empty())
            s.status = serial.back() % 2 ? inkan::pki::OcspCertStatus::Good
                                         : inkan::pki::OcspCertStatus::Revoked;
        s.revocation_time = std::chrono::system_clock::now() - std::chrono::hours(1);
        return s;
    };
    inkan::pki::OcspResponderOptions options{std::chrono::system_clock::now()};
    inkan::Bytes response = inkan::pki::respond_ocsp(responder.signer, responder.issuer.get(),
                                                     inkan::ByteView(data, size), lookup, options);
    const unsigned char* p = response.data();
    OCSP_RESPONSE* parsed = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response.size()));
    if (parsed == nullptr) __builtin_trap();
    OCSP_RESPONSE_free(parsed);
    return 0;
}
