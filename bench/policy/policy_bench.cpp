// Offline validation of a 10,000-row valid issue file (UTF-8 and Shift_JIS), as
// a Google Benchmark: in-memory institution registry, a WHOIS lookup that answers
// at once behind the TTL cache, no existing certificates. items_per_second is
// rows per second of wall time (the report's destruction not timed); one
// iteration checks the whole file.
// Run: bench/policy/policy_bench [--benchmark_repetitions=3]
#include <benchmark/benchmark.h>
#include <iconv.h>

#include <cstdio>
#include <string>

#include "policy/request_check.h"

namespace {

using namespace inkan::policy;

constexpr std::size_t kRows = 10000;

class InstantWhois final : public WhoisLookup {
  public:
    WhoisAnswer lookup(const std::string&) override {
        ++calls;
        return {WhoisAnswer::Status::Found, {"Example University"}, {}};
    }
    int calls = 0;
};

const std::string& utf8_file() {
    static const std::string file = [] {
        std::string out;
        for (std::size_t i = 0; i < kRows; ++i) {
            out += "CN=Taro Yamada,OU=" + std::to_string(100000 + i) +
                   ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t\t\t\t\t山田 "
                   "太郎\t情報基盤センター\t"
                   "admin@example.ac.jp\t山田 太郎\tNIIcert20240401-120000\t工学部\tuser" +
                   std::to_string(i) + "@mail.example.ac.jp\t\r\n";
        }
        return out;
    }();
    return file;
}

// The Shift_JIS (CP932) variant, made with iconv like the RA front ends' output.
const std::string& shift_jis_file() {
    static const std::string file = [] {
        std::string utf8 = utf8_file();
        std::string out(utf8.size() * 2, '\0');
        iconv_t cd = iconv_open("CP932", "UTF-8");
        char* in = utf8.data();
        std::size_t in_left = utf8.size();
        char* o = out.data();
        std::size_t out_left = out.size();
        std::size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
        iconv_close(cd);
        if (rc == static_cast<std::size_t>(-1)) out_left = out.size();  // empty: the check fails
        out.resize(out.size() - out_left);
        return out;
    }();
    return file;
}

void BM_CheckIssueFile(benchmark::State& state, const std::string& (*file)()) {
    const std::string& bytes = file();
    InMemoryInstitutionRegistry registry;
    Institution inst;
    inst.name = "Example University";
    inst.domains = {{"example.ac.jp", *parse_date("2030-03-31")}};
    inst.locality = "Chiyoda-ku";
    inst.state = "Tokyo";
    inst.whois_names = {"Example University"};
    inst.enabled_profiles = {5, 7};
    registry.put(inst);
    InstantWhois instant;
    CachingWhoisLookup whois(instant, std::chrono::seconds(3600));
    InMemoryExistingCertificates existing;
    FixedClock clock(*parse_date("2026-04-01"));
    CheckContext context{registry, whois, existing, clock};

    for (auto _ : state) {
        CheckReport report = check_request_file(bytes, Action::Issue, ErrorMode::Abort, context);
        if (report.has_errors() || report.accepted_issue.size() != kRows) {
            std::fprintf(stderr, "unexpected findings:\n%s",
                         report_to_text(report).substr(0, 2000).c_str());
            state.SkipWithError("the file did not check clean");
            break;
        }
        state.PauseTiming();  // the report's destruction is not part of the check
        report = CheckReport{};
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRows));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
    state.counters["whois_queries"] = instant.calls;
}

BENCHMARK_CAPTURE(BM_CheckIssueFile, utf8, utf8_file)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_CheckIssueFile, shift_jis, shift_jis_file)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
