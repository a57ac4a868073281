// Revocation on a throwaway SoftHSM token with an EC P-256 CA key in the HSM.
//
// 1. One revocation request file of `certs` rows (reason 5): the real
//    IssuanceService::submit path (policy check against the store, revocations
//    and events in one transaction), then the CRL regenerated once for the batch
//    as the appliance's issuance desk does (ca::CrlPublisher::regenerate). The
//    CRLs published are counted at the store; the CRL is parsed and verified
//    with OpenSSL and must list every revoked certificate.
// 2. `ocsp_requests` OCSP requests (alternately a good and a revoked
//    certificate, each with a nonce) answered by ca::OcspResponder on one
//    thread, against the raw C_Sign rate (CKM_ECDSA over a 32-byte digest) of
//    the same CA key. Every response is checked with OpenSSL after the timing.
//
// The subscriber certificates are issued beforehand through
// ca::CertificateAuthority::issue with EC P-256 keys made by OpenSSL in-process
// (not timed).
//
//   bench_revocation [certs=1000] [ocsp_requests=2000]
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/support/bench_world.h"
#include "ca/crl_publisher.h"
#include "ca/ocsp_responder.h"
#include "common/openssl_ptr.h"
#include "hsm/operations.h"
#include "pki/der.h"
#include "pki/profile.h"
#include "pki/software_signer.h"
#include "store/sqlite_crl_store.h"

using namespace inkan;
using bench::seconds_since;

namespace {

// The CRL store as CrlPublisher sees it, counting the CRLs it publishes.
class CountingCrlStore final : public store::CrlStore {
  public:
    explicit CountingCrlStore(store::CrlStore& inner) : inner_(inner) {}
    std::optional<store::CrlRecord> latest() override { return inner_.latest(); }
    void insert(const store::CrlRecord& record) override {
        inner_.insert(record);
        ++inserted_;
    }
    int64_t revoked_count() override { return inner_.revoked_count(); }
    int inserted() const { return inserted_; }

  private:
    store::CrlStore& inner_;
    int inserted_ = 0;
};

struct Subscriber {
    std::string serial_dec;
    std::string subject;  // request-file form
    X509Ptr certificate;
};

// n client certificates (profile 5) of the world's institution, OUs from ou_base.
std::vector<Subscriber> issue_subscribers(bench::BenchWorld& w, int n, int ou_base) {
    std::vector<Subscriber> issued;
    for (int i = 0; i < n; ++i) {
        EvpPkeyPtr key = pki::generate_key(pki::KeyType::EcP256);
        auto result = w.issue_client_certificate(std::to_string(ou_base + i), key.get());
        issued.push_back(
            {result.record.serial_dec, result.record.subject, std::move(result.certificate)});
    }
    return issued;
}

// A revoke row: 1 subject DN, 4 serial (decimal), 5 reason, 6 comment; the rest empty.
std::string revoke_line(const Subscriber& s) {
    std::string cols[15];
    cols[0] = s.subject;
    cols[3] = s.serial_dec;
    cols[4] = "5";  // cessationOfOperation
    cols[5] = "left the university";
    std::string line;
    for (int i = 0; i < 15; ++i) line += (i ? "\t" : "") + cols[i];
    return line + "\n";
}

Bytes ocsp_request(const X509* certificate, const X509* issuer) {
    OcspRequestPtr request(OCSP_REQUEST_new());
    OcspCertIdPtr id(OCSP_cert_to_id(EVP_sha1(), certificate, issuer));
    if (!request || !id || OCSP_request_add0_id(request.get(), id.get()) == nullptr)
        openssl_fail("cannot build an OCSP request");
    (void)id.release();  // the request owns it now
    if (OCSP_request_add1_nonce(request.get(), nullptr, -1) != 1)
        openssl_fail("cannot add an OCSP nonce");
    return pki::der::der_of([&](unsigned char** p) { return i2d_OCSP_REQUEST(request.get(), p); },
                            "OCSP request");
}

// Verified against the CA and with the expected status; false (and a message) if not.
bool ocsp_response_ok(const Bytes& der, int expected, X509_STORE* trust, STACK_OF(X509) * ca) {
    const unsigned char* p = der.data();
    OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
    if (!response || OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        std::cerr << "OCSP response not successful\n";
        return false;
    }
    OcspBasicRespPtr basic(OCSP_response_get1_basic(response.get()));
    if (!basic || OCSP_basic_verify(basic.get(), ca, trust, 0) != 1) {
        std::cerr << "OCSP response does not verify: " << openssl_error_text() << "\n";
        return false;
    }
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), 0);
    int reason = 0;
    ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
    int status =
        single ? OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update)
               : -1;
    if (status != expected) {
        std::cerr << "OCSP status " << status << ", expected " << expected << "\n";
        return false;
    }
    return true;
}

int run(int certs, int requests) {
    bench::BenchWorld w("revocation", 2, {});

    // Setup (not timed): certificates to revoke, and some that stay good for OCSP.
    const int good_count = std::max(1, certs / 4);
    auto t_issue = std::chrono::steady_clock::now();
    std::vector<Subscriber> to_revoke = issue_subscribers(w, certs, 100000);
    std::vector<Subscriber> good = issue_subscribers(w, good_count, 900000);
    double issue_s = seconds_since(t_issue);
    std::string file;
    for (const auto& s : to_revoke) file += revoke_line(s);

    store::SqliteCrlStore sqlite_crls(w.database);
    CountingCrlStore crls(sqlite_crls);
    ca::CrlPublisher publisher(w.signer, w.ca_certificate.get(), w.certificates, crls,
                               std::chrono::hours(24));

    // 1. The revocation file, then one CRL for the batch (as the issuance desk does).
    auto t0 = std::chrono::steady_clock::now();
    auto batch =
        w.service.submit(w.op, file, policy::Action::Revoke, policy::ErrorMode::Abort, w.context());
    double submit_s = seconds_since(t0);
    if (batch.status != "accepted" || batch.revoked.size() != static_cast<size_t>(certs)) {
        std::cerr << "revocation file not accepted in full (" << batch.revoked.size()
                  << " revoked): " << batch.report.dump(1) << "\n";
        return 1;
    }
    auto t1 = std::chrono::steady_clock::now();
    std::optional<store::CrlRecord> crl_record;
    if (!batch.revoked.empty()) crl_record = publisher.regenerate();
    double crl_s = seconds_since(t1);
    double total_s = seconds_since(t0);
    if (crls.inserted() != 1 || !crl_record) {
        std::cerr << "expected exactly 1 CRL regeneration, got " << crls.inserted() << "\n";
        return 1;
    }
    const unsigned char* p = crl_record->der.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl_record->der.size())));
    if (!crl || X509_CRL_verify(crl.get(), X509_get0_pubkey(w.ca_certificate.get())) != 1) {
        std::cerr << "the CRL does not parse or verify: " << openssl_error_text() << "\n";
        return 1;
    }
    STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
    int crl_entries = entries ? sk_X509_REVOKED_num(entries) : 0;
    if (crl_entries != certs) {
        std::cerr << "the CRL lists " << crl_entries << " certificates, expected " << certs << "\n";
        return 1;
    }
    std::printf("Revocation file, %d rows (reason 5), EC P-256 CA key in SoftHSM\n", certs);
    std::printf("  setup (not timed): %d + %d certificates issued in %.2f s\n", certs, good_count,
                issue_s);
    std::printf("  submit (check + store)  %8.3f s  %9.0f rows/s\n", submit_s, certs / submit_s);
    std::printf("  CRL regeneration        %8.3f s  (%zu bytes, %d entries)\n", crl_s,
                crl_record->der.size(), crl_entries);
    std::printf("  total                   %8.3f s\n", total_s);
    std::printf("  CRL regenerations       %8d\n", crls.inserted());

    // 2. OCSP (alternately good and revoked) against raw C_Sign with the same key.
    std::vector<Bytes> ocsp_requests;
    std::vector<int> expected;
    for (int i = 0; i < requests; ++i) {
        bool revoked = i % 2 == 1;
        const auto& pool = revoked ? to_revoke : good;
        const Subscriber& s = pool[static_cast<size_t>(i / 2) % pool.size()];
        ocsp_requests.push_back(ocsp_request(s.certificate.get(), w.ca_certificate.get()));
        expected.push_back(revoked ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD);
    }
    ca::OcspResponder responder(w.signer, w.ca_certificate.get(), w.certificates,
                                std::chrono::hours(1));
    std::vector<Bytes> responses;
    responses.reserve(ocsp_requests.size());
    auto t2 = std::chrono::steady_clock::now();
    for (const auto& request : ocsp_requests) responses.push_back(responder.respond(request));
    double ocsp_s = seconds_since(t2);

    hsm::KeyObject key = hsm::find_private_key(w.token, {w.ca_key.id, {}});
    Bytes digest = hsm::digest(hsm::DigestAlgorithm::Sha256, as_bytes("bench_revocation"));
    size_t signature_bytes = 0;
    auto t3 = std::chrono::steady_clock::now();
    for (int i = 0; i < requests; ++i) signature_bytes += hsm::sign(key, CKM_ECDSA, digest).size();
    double sign_s = seconds_since(t3);
    if (signature_bytes != static_cast<size_t>(requests) * 64) {
        std::cerr << "unexpected raw ECDSA signature sizes\n";
        return 1;
    }

    X509StorePtr trust(X509_STORE_new());
    X509StackPtr ca(sk_X509_new_null());
    if (!trust || !ca || X509_STORE_add_cert(trust.get(), w.ca_certificate.get()) != 1 ||
        X509_up_ref(w.ca_certificate.get()) != 1)
        openssl_fail("cannot set up OCSP verification");
    X509Ptr ca_reference(w.ca_certificate.get());  // the reference the stack will hold
    if (sk_X509_push(ca.get(), ca_reference.get()) <= 0)
        openssl_fail("cannot set up OCSP verification");
    (void)ca_reference.release();
    for (size_t i = 0; i < responses.size(); ++i)
        if (!ocsp_response_ok(responses[i], expected[i], trust.get(), ca.get())) return 1;

    double ocsp_rate = requests / ocsp_s;
    double sign_rate = requests / sign_s;
    std::printf("OCSP, %d requests (half good, half revoked, with nonce), 1 thread\n", requests);
    std::printf("  OcspResponder::respond  %8.3f s  %9.0f responses/s\n", ocsp_s, ocsp_rate);
    std::printf("  raw C_Sign (CKM_ECDSA)  %8.3f s  %9.0f signatures/s\n", sign_s, sign_rate);
    std::printf("  OCSP / C_Sign           %8.2f\n", ocsp_rate / sign_rate);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int certs = argc > 1 ? std::atoi(argv[1]) : 1000;
    int requests = argc > 2 ? std::atoi(argv[2]) : 2000;
    if (certs < 1 || requests < 2) {
        std::cerr << "usage: bench_revocation [certs=1000] [ocsp_requests=2000]\n";
        return 2;
    }
    try {
        return run(certs, requests);
    } catch (const std::exception& e) {
        std::cerr << "bench failed: " << e.what() << "\n";
        return 1;
    }
}
