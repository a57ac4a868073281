// The test world the request corpus (tests/data/requests/) assumes: one
// institution "Example University" (L=Chiyoda-ku, ST=Tokyo) with approved domains
// example.ac.jp and mismatch.ac.jp and down.ac.jp (to 2030-03-31) and old.ac.jp
// (expired 2020-03-31), WHOIS names "国立大学法人 例示大学" / "Example University",
// profiles 5, 7, 13, 14, 15; today is 2026-04-01; an existing valid certificate
// for OU=9999. WHOIS goes to a real loopback server: example.ac.jp answers in
// JPRS format (ISO-2022-JP), mismatch.ac.jp names another organisation, down.ac.jp
// is served from a closed port.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "policy/request_check.h"
#include "policy/tcp_whois_client.h"
#include "tests/support/loopback_whois_server.h"

namespace inkan::test {

// The JPRS-style answer for example.ac.jp, UTF-8 (the server sends it as ISO-2022-JP).
std::string jprs_answer_utf8(const std::string& domain, const std::string& org_ja,
                             const std::string& org_en);
std::string to_iso2022jp(const std::string& utf8);

policy::Institution example_university();

// An issue row that passed its column checks: CN, O, L=Chiyoda-ku, ST=Tokyo,
// C=JP, profile 5, on `line`.
policy::IssueRow issue_row(const std::string& cn, const std::string& o, std::size_t line = 1);

struct PolicyWorld {
    PolicyWorld();

    LoopbackWhoisServer whois_server;
    policy::InMemoryInstitutionRegistry registry;
    policy::InMemoryExistingCertificates existing;
    policy::FixedClock clock{
        policy::Date{std::chrono::year{2026}, std::chrono::April, std::chrono::day{1}}};
    std::unique_ptr<policy::TcpWhoisClient> whois_client;
    std::unique_ptr<policy::CachingWhoisLookup> whois;

    policy::CheckContext context();
};

std::filesystem::path request_corpus_dir();
std::string read_binary(const std::filesystem::path& path);

}  // namespace inkan::test
