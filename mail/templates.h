// Mail templates an operator can edit without rebuilding: one file per mail in a
// folder (state/mail/templates), read at every send, written with the built-in
// defaults when missing. A file is "Subject: <text>", an empty line, then the
// body. {{name}} is replaced by the field of that name; a name the mail has no
// field for is an error (mail_template_invalid), so a typo is found, not sent.
//
// Files and their fields (every mail also has institution, locality, state):
//   access_pin_issued.txt     url, url_expires, subject_dn_lines (empty for a bulk
//                             batch), batch_id, rows
//   issuance_accepted.txt     url, url_expires, subject_dn_lines, batch_id, rows
//   download_completed.txt    subject_dn_lines, serial
//   renewal_completed.txt     subject_dn_lines, serial (new), old_serial,
//                             revocation_file_note (whether the file is attached)
//   revocation_completed.txt  subject_dn_lines, serial, reason_ja, reason_en
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace inkan::mail {

struct RenderedText {
    std::string subject;
    std::string body;
};

class MailTemplates {
  public:
    explicit MailTemplates(std::filesystem::path folder);
    // Writes the built-in default of every template that has no file yet.
    void install_defaults() const;
    // Reads `name`.txt (see above) and fills it in.
    RenderedText render(const std::string& name,
                        const std::map<std::string, std::string>& fields) const;
    const std::filesystem::path& folder() const { return folder_; }

    static const std::vector<std::string>& names();

  private:
    std::filesystem::path folder_;
};

}  // namespace inkan::mail
