// libFuzzer target: subscriber certificate requests as they arrive over HTTP —
// PKCS#10 (PEM, DER or base64, pki/csr.h) with its subject read as RDNs and checked
// by the DN rules (policy/subject_dn.h), and SPKAC. Every failure must be an
// inkan::Error (a clear answer), never another exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "pki/csr.h"
#include "pki/name.h"
#include "policy/subject_dn.h"

namespace {

std::vector<inkan::policy::Rdn> as_policy_rdns(
    const std::vector<inkan::pki::DistinguishedName>& rdns) {
    std::vector<inkan::policy::Rdn> out;
    for (const auto& rdn : rdns) {
        inkan::policy::Rdn r;
        for (const auto& a : rdn) r.push_back({a.type, a.value});
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    inkan::ByteView bytes(data, size);
    try {
        auto request = inkan::pki::parse_csr(bytes);
        auto rdns = inkan::pki::name_rdns(X509_REQ_get_subject_name(request.get()));
        auto result = inkan::policy::subject_dn_from_rdns(as_policy_rdns(rdns), 1);
        if (result.dn.has_value() == !result.findings.empty()) __builtin_trap();
        (void)inkan::pki::check_csr(request.get());
    } catch (const inkan::Error&) {
    }
    try {
        (void)inkan::pki::parse_and_check_spkac(
            std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const inkan::Error&) {
    }
    return 0;
}
