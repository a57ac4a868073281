// Offline validation of a 10,000-row valid issue file (UTF-8 and Shift_JIS):
// in-memory institution registry, a WHOIS lookup that answers at once behind the
// TTL cache, no existing certificates. Prints the best and median of 7 runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "policy/request_check.h"

namespace {

using namespace inkan::policy;

class InstantWhois final : public WhoisLookup {
  public:
    WhoisAnswer lookup(const std::string&) override {
        ++calls;
        return {WhoisAnswer::Status::Found, {"Example University"}, {}};
    }
    int calls = 0;
};

std::string make_file(std::size_t rows) {
    std::string out;
    for (std::size_t i = 0; i < rows; ++i) {
        out += "CN=Taro Yamada,OU=" + std::to_string(100000 + i) +
               ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t1\t\t\t\t\t山田 "
               "太郎\t情報基盤センター\t"
               "admin@example.ac.jp\t山田 太郎\tNIIcert20240401-120000\t工学部\tuser" +
               std::to_string(i) + "@mail.example.ac.jp\t\r\n";
    }
    return out;
}

void run(const char* label, const std::string& bytes, std::size_t rows) {
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

    std::vector<double> seconds;
    for (int i = 0; i < 7; ++i) {
        auto start = std::chrono::steady_clock::now();
        CheckReport report = check_request_file(bytes, Action::Issue, ErrorMode::Abort, context);
        seconds.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (report.has_errors() || report.accepted_issue.size() != rows) {
            std::printf("%s: unexpected findings:\n%s", label,
                        report_to_text(report).substr(0, 2000).c_str());
            return;
        }
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf(
        "%-10s %zu rows, %.1f MB: best %.1f ms (%.0f rows/s), median %.1f ms (%.0f rows/s), WHOIS "
        "queries %d\n",
        label, rows, bytes.size() / 1e6, seconds.front() * 1e3, rows / seconds.front(),
        seconds[3] * 1e3, rows / seconds[3], instant.calls);
}

}  // namespace

int main() {
    constexpr std::size_t kRows = 10000;
    std::string utf8 = make_file(kRows);
    // The Shift_JIS (CP932) variant, made with iconv like the RA front ends' output.
    std::string shift_jis(utf8.size() * 2, '\0');
    iconv_t cd = iconv_open("CP932", "UTF-8");
    char* in = utf8.data();
    std::size_t in_left = utf8.size();
    char* out = shift_jis.data();
    std::size_t out_left = shift_jis.size();
    std::size_t rc = iconv(cd, &in, &in_left, &out, &out_left);
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1)) return 1;
    shift_jis.resize(shift_jis.size() - out_left);

    run("utf-8", utf8, kRows);
    run("shift_jis", shift_jis, kRows);
    return 0;
}
