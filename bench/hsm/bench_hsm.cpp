// HSM micro benchmarks (Google Benchmark) against SoftHSM in a throwaway token:
//   raw C_Sign with a CA key (token object), as ca::HsmSigner signs: EC P-256
//     CKM_ECDSA over a SHA-256 digest, RSA-2048 CKM_SHA256_RSA_PKCS; 1 and 2 threads
//     (HSM session pool of 2), each signature through hsm::sign on a pooled session;
//   raw C_GenerateKeyPair of a session key pair (hsm::generate_session_key_pair,
//     as the P12 issuance makes subscriber keys): RSA-2048 and EC P-256; the
//     C_DestroyObject of the pair afterwards is not timed.
// items_per_second is signatures (key pairs) per second over all threads.
// Run: bench/hsm/bench_hsm [--benchmark_repetitions=3 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>

#include <memory>

#include "bench/support/bench_world.h"
#include "hsm/key_generation.h"
#include "hsm/operations.h"
#include "hsm/session_key.h"
#include "hsm/token.h"

namespace inkan::bench {
namespace {

// The token and the two CA keys, made on first use and kept for the process.
struct HsmWorld {
    HsmWorld()
        : scratch("hsm"),
          token(scratch_token_config(2)),
          ec_key(make_key(hsm::KeyAlgorithm::EcP256, "ca-p256")),
          rsa_key(make_key(hsm::KeyAlgorithm::Rsa2048, "ca-rsa2048")),
          digest(hsm::digest(hsm::DigestAlgorithm::Sha256, as_bytes("bench_hsm"))) {}

    hsm::KeyObject make_key(hsm::KeyAlgorithm algorithm, const std::string& label) {
        hsm::KeySpec spec{label, hsm::random_key_id(token)};
        return hsm::generate_signing_key_pair(token, algorithm, spec).private_key;
    }

    ScratchToken scratch;  // declared first: the token closes before its dir goes
    hsm::Token token;
    hsm::KeyObject ec_key;
    hsm::KeyObject rsa_key;
    Bytes digest;
};

HsmWorld& world() {
    static HsmWorld w;
    return w;
}

void BM_CSign_EcP256(benchmark::State& state) {
    HsmWorld& w = world();
    for (auto _ : state) {
        Bytes signature = hsm::sign(w.ec_key, CKM_ECDSA, w.digest);
        if (signature.size() != 64) state.SkipWithError("unexpected P-256 signature size");
        benchmark::DoNotOptimize(signature.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_CSign_Rsa2048(benchmark::State& state) {
    HsmWorld& w = world();
    for (auto _ : state) {
        Bytes signature = hsm::sign_rsa_pkcs1_sha256(w.rsa_key, w.digest);
        if (signature.size() != 256) state.SkipWithError("unexpected RSA-2048 signature size");
        benchmark::DoNotOptimize(signature.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_GenerateKeyPair(benchmark::State& state, hsm::KeyAlgorithm algorithm) {
    HsmWorld& w = world();
    for (auto _ : state) {
        auto pair = std::make_unique<hsm::SessionKeyPair>(
            hsm::generate_session_key_pair(w.token, algorithm));
        state.PauseTiming();
        pair.reset();  // C_DestroyObject of both objects
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations());
}

// Thread 0 makes the world before the timed loops start (its constructor makes
// an RSA key: seconds).
void make_world(const benchmark::State&) { world(); }

BENCHMARK(BM_CSign_EcP256)->Setup(make_world)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_CSign_Rsa2048)->Setup(make_world)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_GenerateKeyPair, EcP256, hsm::KeyAlgorithm::EcP256)
    ->Setup(make_world)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GenerateKeyPair, Rsa2048, hsm::KeyAlgorithm::Rsa2048)
    ->Setup(make_world)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace inkan::bench

BENCHMARK_MAIN();
