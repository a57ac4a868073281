#include "policy/revocation_file.h"

#include "common/error.h"
#include "policy/request_text.h"

namespace inkan::policy {

std::string write_revocation_file(const std::vector<RevokeRow>& rows) {
    std::string utf8;
    for (const RevokeRow& row : rows) {
        std::array<std::string, kColumnCount> columns{};
        columns[0] = row.dn.to_string();
        columns[3] = row.serial;
        columns[4] = std::to_string(static_cast<int>(row.reason));
        columns[5] = row.comment;
        columns[9] = row.admin_mail;
        columns[13] = row.user_mail;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i) utf8 += '\t';
            utf8 += columns[i];
        }
        utf8 += "\r\n";
    }
    auto sjis = convert_from_utf8(utf8, "CP932");
    if (!sjis) {
        throw Error(ErrorCategory::InvalidInput, "encoding_unrepresentable",
                    "a value of the revocation request file has no Shift_JIS form");
    }
    return *sjis;
}

}  // namespace inkan::policy
