// Institutions as the policy engine sees them, and the interfaces through which
// it reads them (the caller owns the storage: store/ implements the registry
// over SQLite, tests use InMemoryInstitutionRegistry).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace inkan::policy {

using Date = std::chrono::year_month_day;

// "YYYY-MM-DD" → Date; std::nullopt if malformed or not a real date.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date date);

// Today's date, injected so tests control expiry.
class Clock {
  public:
    virtual ~Clock() = default;
    virtual Date today() const = 0;
};

// Today in UTC from the system clock.
class SystemClock final : public Clock {
  public:
    Date today() const override;
};

class FixedClock final : public Clock {
  public:
    explicit FixedClock(Date date) : date_(date) {}
    Date today() const override { return date_; }

  private:
    Date date_;
};

struct ApprovedDomain {
    std::string domain;     // lower case, e.g. "example.ac.jp"; subdomains count as approved
    Date approval_expires;  // issuance allowed through this date (inclusive)
};

// Where the institution's WHOIS organisation comes from. Demo: the embedded
// default's demo institution only (made by `inkan init`, never by `institution
// add`): its own whois_names stand in for the registry answer, so the appliance
// runs its main job offline. Shown by `inkan institution show`.
enum class WhoisSource { Registry, Demo };
const char* to_string(WhoisSource source) noexcept;  // "registry" / "demo"

// A reserved example name (RFC 2606, RFC 6761), case-insensitive:
// example.<TLD> or example.<second level>.<TLD> (example.com, example.jp,
// example.ac.jp; not example.realuniv.ac.jp, which is under a real
// registration), or a name ending in .test, .example, .invalid or .localhost. Only for such a
// domain does a Demo institution skip the WHOIS lookup (institution_rules.h); any other domain is
// looked up as for every institution.
bool is_demo_domain(std::string_view domain);

struct Institution {
    std::string name;  // the subject DN's O value, exactly
    std::vector<ApprovedDomain> domains;
    std::optional<std::string> state;      // registered ST (absent: the DN must have no ST)
    std::optional<std::string> locality;   // registered L (absent: the DN must have no L)
    std::vector<std::string> whois_names;  // registrant organisation names as in WHOIS
    std::set<int> enabled_profiles;        // profile ids this institution may use
    WhoisSource whois_source = WhoisSource::Registry;
};

class InstitutionRegistry {
  public:
    virtual ~InstitutionRegistry() = default;
    // The institution whose name equals `o` exactly, or std::nullopt.
    virtual std::optional<Institution> find_by_name(std::string_view o) const = 0;
};

class InMemoryInstitutionRegistry final : public InstitutionRegistry {
  public:
    void put(Institution institution);  // replaces one of the same name
    std::optional<Institution> find_by_name(std::string_view o) const override;

  private:
    std::map<std::string, Institution, std::less<>> by_name_;
};

// A certificate the CA issued, as the renew/revoke rules see it.
struct KnownCertificate {
    std::string serial;       // decimal, no leading zeros
    std::string subject;      // SubjectDn::to_string form
    std::string institution;  // the institution it was issued for
    bool revoked = false;
    bool expired = false;
    // A renewal request row naming this serial is pending (accepted or PIN viewed,
    // URLs not expired): a second renewal of it is refused (renewal_pending).
    bool renewal_pending = false;
};

// Issued subscriber certificates by serial (renew column 4, revoke column 4).
class CertificateLookup {
  public:
    virtual ~CertificateLookup() = default;
    virtual std::optional<KnownCertificate> find_by_serial(const std::string& serial_dec) const = 0;
};

class InMemoryCertificateLookup final : public CertificateLookup {
  public:
    void put(KnownCertificate c) { by_serial_[c.serial] = std::move(c); }
    std::optional<KnownCertificate> find_by_serial(const std::string& serial_dec) const override {
        auto it = by_serial_.find(serial_dec);
        if (it == by_serial_.end()) return std::nullopt;
        return it->second;
    }

  private:
    std::map<std::string, KnownCertificate> by_serial_;
};

// Certificates already issued, for the duplicate-DN rule (service code 212).
class ExistingCertificates {
  public:
    virtual ~ExistingCertificates() = default;
    // True if a certificate with exactly this subject DN (SubjectDn::to_string form)
    // is valid now (issued, not revoked, not expired).
    virtual bool has_valid_certificate_with_subject(const std::string& dn) const = 0;
    // The same for a renewal: the certificate it replaces (decimal serial) does not
    // count against its own DN.
    virtual bool subject_claimed_besides(const std::string& dn,
                                         const std::string& replaced_serial_dec) const = 0;
};

class InMemoryExistingCertificates final : public ExistingCertificates {
  public:
    // serial_dec: the certificate holding the DN (empty: a pending request).
    void add(std::string dn, std::string serial_dec = {}) {
        subjects_.emplace(std::move(dn), std::move(serial_dec));
    }
    bool has_valid_certificate_with_subject(const std::string& dn) const override {
        return subjects_.count(dn) != 0;
    }
    bool subject_claimed_besides(const std::string& dn,
                                 const std::string& replaced_serial_dec) const override {
        auto [first, last] = subjects_.equal_range(dn);
        for (auto it = first; it != last; ++it)
            if (it->second.empty() || it->second != replaced_serial_dec) return true;
        return false;
    }

  private:
    std::multimap<std::string, std::string> subjects_;
};

}  // namespace inkan::policy
