#include "appliance/metered.h"

#include "common/error.h"

namespace inkan::appliance {
namespace {

// Runs fn; calls count("") when it returns, count(code) when it throws
// ("internal_error" for anything but an inkan::Error), and rethrows.
template <typename Fn, typename Count>
auto metered(Fn&& fn, Count&& count) {
    try {
        auto result = fn();
        count(std::string(), result);
        return result;
    } catch (const Error& e) {
        count(e.code(), nullptr);
        throw;
    } catch (const std::exception&) {
        count("internal_error", nullptr);
        throw;
    }
}

}  // namespace

api::CertificateView MeteredAuthority::issue_from_csr(const api::OperatorIdentity& who,
                                                      ByteView csr, int profile_id) {
    return metered([&] { return inner_.issue_from_csr(who, csr, profile_id); },
                   [&](const std::string& code, const auto&) { metrics_.issuance("csr", code); });
}

issuance::BatchResult MeteredDesk::submit(const api::OperatorIdentity& who, std::string_view file,
                                          policy::Action action, policy::ErrorMode mode) {
    const std::string name = policy::to_string(action);
    return metered(
        [&] { return inner_.submit(who, file, action, mode); },
        [&](std::string code, const auto& result) {
            size_t revoked = 0;
            if constexpr (std::is_same_v<std::decay_t<decltype(result)>, issuance::BatchResult>) {
                // A file the policy check rejected stored nothing.
                if (result.status != "accepted") code = "request_file_rejected";
                revoked = result.revoked.size();
            }
            metrics_.request_file(name, code);
            if (action == policy::Action::Revoke) {
                metrics_.revocation("request_file", code, revoked);
            }
        });
}

issuance::RevocationResult MeteredDesk::revoke_by_mail(const api::OperatorIdentity& who,
                                                       const std::string& mail, int reason,
                                                       const std::string& comment) {
    return metered([&] { return inner_.revoke_by_mail(who, mail, reason, comment); },
                   [&](const std::string& code, const auto& result) {
                       size_t revoked = 0;
                       if constexpr (std::is_same_v<std::decay_t<decltype(result)>,
                                                    issuance::RevocationResult>) {
                           revoked = result.revoked.size();
                       }
                       metrics_.revocation("by_mail", code, revoked);
                   });
}

issuance::PinPage MeteredDesk::view_pins(const std::string& token) {
    return metered(
        [&] { return inner_.view_pins(token); },
        [&](const std::string& code, const auto&) { metrics_.download("pin_page", code); });
}

issuance::DownloadedFile MeteredDesk::download_p12(const std::string& token,
                                                   const SecretString& pin,
                                                   const issuance::P12Choice& choice) {
    return metered([&] { return inner_.download_p12(token, pin, choice); },
                   [&](const std::string& code, const auto&) {
                       metrics_.download("p12", code);
                       metrics_.issuance("p12", code);
                   });
}

// A ZIP request counts only when refused; a ZIP counts once, when delivered.
issuance::BulkZip MeteredDesk::download_bulk_zip(const std::string& token, bool legacy) {
    return metered([&] { return inner_.download_bulk_zip(token, legacy); },
                   [&](const std::string& code, const auto&) {
                       if (code.empty()) return;
                       metrics_.download("bulk_zip", code);
                       metrics_.issuance("bulk_zip", code);
                   });
}

void MeteredDesk::bulk_zip_delivered(const std::string& token) {
    inner_.bulk_zip_delivered(token);
    metrics_.download("bulk_zip", "");
    metrics_.issuance("bulk_zip", "");
}

issuance::EnrolledCertificate MeteredDesk::enroll_browser(const std::string& token,
                                                          const SecretString& pin,
                                                          const issuance::BrowserRequest& request) {
    return metered([&] { return inner_.enroll_browser(token, pin, request); },
                   [&](const std::string& code, const auto&) {
                       metrics_.download("browser", code);
                       metrics_.issuance("browser", code);
                   });
}

}  // namespace inkan::appliance
