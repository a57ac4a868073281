#include "policy_world.h"

#include <iconv.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace inkan::test {

std::string jprs_answer_utf8(const std::string& domain, const std::string& org_ja,
                             const std::string& org_en) {
    return "[ JPRS database provides information on network administration. Its use is    ]\r\n"
           "[ restricted to network administration purposes.                              ]\r\n"
           "\r\n"
           "Domain Information: [ドメイン情報]\r\n"
           "a. [ドメイン名]                 " +
           domain +
           "\r\n"
           "e. [そしきめい]                 れいじだいがく\r\n"
           "f. [組織名]                     " +
           org_ja +
           "\r\n"
           "g. [Organization]               " +
           org_en +
           "\r\n"
           "k. [組織種別]                   国立大学法人\r\n"
           "[状態]                          Connected (2027/03/31)\r\n";
}

std::string to_iso2022jp(const std::string& utf8) {
    iconv_t cd = iconv_open("ISO-2022-JP", "UTF-8");
    if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv_open");
    std::string out(utf8.size() * 4 + 16, '\0');
    char* in = const_cast<char*>(utf8.data());
    std::size_t in_left = utf8.size();
    char* o = out.data();
    std::size_t out_left = out.size();
    std::size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
    iconv(cd, nullptr, nullptr, &o, &out_left);
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1)) throw std::runtime_error("iconv to ISO-2022-JP");
    out.resize(out.size() - out_left);
    return out;
}

policy::Institution example_university() {
    auto date = [](int y, unsigned m, unsigned d) {
        return policy::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    };
    policy::Institution inst;
    inst.name = "Example University";
    inst.domains = {{"example.ac.jp", date(2030, 3, 31)},
                    {"mismatch.ac.jp", date(2030, 3, 31)},
                    {"down.ac.jp", date(2030, 3, 31)},
                    {"old.ac.jp", date(2020, 3, 31)}};
    inst.locality = "Chiyoda-ku";
    inst.state = "Tokyo";
    inst.whois_names = {"国立大学法人 例示大学", "Example University"};
    inst.enabled_profiles = {5, 7, 13, 14, 15};
    return inst;
}

PolicyWorld::PolicyWorld() {
    registry.put(example_university());
    existing.add("CN=Taro Yamada,OU=9999,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP");
    // The ideographic space in the WHOIS name checks whitespace normalisation.
    whois_server.answer("example.ac.jp",
                        to_iso2022jp(jprs_answer_utf8("EXAMPLE.AC.JP", "国立大学法人\u3000例示大学",
                                                      "Example University")));
    whois_server.answer("mismatch.ac.jp",
                        "Domain Name: MISMATCH.AC.JP\r\n"
                        "Registrant Organization: Some Other Corporation\r\n");
    policy::WhoisConfig config;
    config.servers["jp"] = policy::WhoisServer{"127.0.0.1", whois_server.port()};
    config.servers["down.ac.jp"] = policy::WhoisServer{"127.0.0.1", closed_loopback_port()};
    config.connect_timeout = std::chrono::milliseconds(300);
    config.read_timeout = std::chrono::milliseconds(300);
    whois_client = std::make_unique<policy::TcpWhoisClient>(config);
    whois = std::make_unique<policy::CachingWhoisLookup>(*whois_client, std::chrono::seconds(600));
}

policy::CheckContext PolicyWorld::context() {
    return policy::CheckContext{registry, *whois, existing, clock};
}

std::filesystem::path request_corpus_dir() {
    const char* src = std::getenv("INKAN_SOURCE_DIR");
    return std::filesystem::path(src ? src : ".") / "tests" / "data" / "requests";
}

std::string read_binary(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

policy::IssueRow issue_row(const std::string& cn, const std::string& o, std::size_t line) {
    policy::IssueRow row;
    row.line = line;
    row.dn.cn = cn;
    row.dn.o = o;
    row.dn.l = "Chiyoda-ku";
    row.dn.st = "Tokyo";
    row.dn.c = "JP";
    row.profile_id = 5;
    return row;
}

}  // namespace inkan::test
