// Private to mail/: the built-in text of each template (MailTemplates).
#pragma once

#include <string_view>

namespace inkan::mail {

// The default file content of template `name`; empty if there is none.
std::string_view default_template(std::string_view name);

}  // namespace inkan::mail
