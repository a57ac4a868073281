#include "issuance/row_subject.h"

#include "common/error.h"

namespace inkan::issuance {
namespace {

policy::SubjectDn parse_stored(const std::string& row_dn) {
    auto parsed = policy::parse_subject_dn(row_dn, 0);
    if (!parsed.dn) {
        throw Error(ErrorCategory::Internal, "row_subject_invalid",
                    "the stored subject DN of a request row does not parse");
    }
    return std::move(*parsed.dn);
}

}  // namespace

pki::DistinguishedName row_subject(const policy::SubjectDn& dn) {
    pki::DistinguishedName name;
    name.push_back({"C", dn.c});
    if (dn.st) name.push_back({"ST", *dn.st});
    if (dn.l) name.push_back({"L", *dn.l});
    name.push_back({"O", dn.o});
    for (auto ou = dn.ou.rbegin(); ou != dn.ou.rend(); ++ou) name.push_back({"OU", *ou});
    name.push_back({"CN", dn.cn});
    return name;
}

pki::DistinguishedName row_subject(const std::string& row_dn) {
    return row_subject(parse_stored(row_dn));
}

policy::IssueRow issue_row_of(const store::BatchRowRecord& row) {
    policy::IssueRow r;
    r.line = static_cast<std::size_t>(row.line);
    r.dn = parse_stored(row.subject_dn);
    r.profile_id = row.profile_id;
    r.download_type = static_cast<policy::DownloadType>(row.download_type);
    r.admin_name = row.admin_name;
    r.admin_mail = row.admin_mail;
    r.user_name = row.user_name;
    r.user_mail = row.user_mail;
    r.p12_file_name = row.p12_file_name;
    return r;
}

}  // namespace inkan::issuance
