#include "issuance/row_subject.h"

#include "common/error.h"
#include "policy/subject_dn.h"

namespace inkan::issuance {

pki::DistinguishedName row_subject(const std::string& row_dn) {
    auto parsed = policy::parse_subject_dn(row_dn, 0);
    if (!parsed.dn) {
        throw Error(ErrorCategory::Internal, "row_subject_invalid",
                    "the stored subject DN of a request row does not parse");
    }
    const policy::SubjectDn& dn = *parsed.dn;
    pki::DistinguishedName name;
    name.push_back({"C", dn.c});
    if (dn.st) name.push_back({"ST", *dn.st});
    if (dn.l) name.push_back({"L", *dn.l});
    name.push_back({"O", dn.o});
    for (const auto& ou : dn.ou) name.push_back({"OU", ou});
    name.push_back({"CN", dn.cn});
    return name;
}

}  // namespace inkan::issuance
