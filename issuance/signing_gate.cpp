#include "issuance/signing_gate.h"

#include "common/error.h"
#include "policy/institution_rules.h"

namespace inkan::issuance {

PolicySigningGate::PolicySigningGate(ContextSource context, store::OperatorStore& operators,
                                     store::CertificateStore& certificates)
    : context_(std::move(context)), operators_(operators), certificates_(certificates) {}

void PolicySigningGate::check_operator(const std::string& name) {
    auto op = operators_.find_by_name(name);
    if (!op) {
        throw Error(
            ErrorCategory::Forbidden, "operator_unknown",
            "the RA operator who submitted this request (" + name +
                ") is no longer on record; ask your RA office to submit it again / "
                "申請したRA担当者が登録されていません。RA担当者に再申請を依頼してください。");
    }
    auto certificate = certificates_.find(op->certificate_serial);
    if (!certificate || certificate->status == store::CertificateStatus::Revoked) {
        throw Error(
            ErrorCategory::Forbidden, "operator_revoked",
            "the RA operator who submitted this request (" + name +
                ") has been revoked; ask your RA office to submit it again / "
                "申請したRA担当者の証明書は失効しています。RA担当者に再申請を依頼してください。");
    }
}

void PolicySigningGate::check(const SigningRequest& request) {
    check_operator(request.operator_name);
    const policy::CheckContext context = context_();
    const policy::IssueRow& row = request.row;
    if (!context.enabled_profiles.count(row.profile_id)) {
        throw policy::to_error(policy::make_finding("profile_disabled", row.line, 2));
    }
    policy::InstitutionContext institutions{context.registry, context.whois, context.clock};
    if (!request.institution.empty()) institutions.requester = request.institution;
    std::vector<policy::Finding> findings;
    if (!policy::check_institution_rules(row, institutions, findings))
        throw policy::to_error(findings.front());
}

}  // namespace inkan::issuance
