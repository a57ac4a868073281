#include "mail/templates.h"

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "mail/default_templates.h"

namespace inkan::mail {
namespace {

const std::vector<std::string> kNames = {"access_pin_issued", "issuance_accepted",
                                         "download_completed", "renewal_completed",
                                         "revocation_completed"};

[[noreturn]] void invalid(const std::filesystem::path& file, const std::string& why) {
    throw Error(ErrorCategory::InvalidInput, "mail_template_invalid",
                "mail template " + file.string() + ": " + why +
                    " (fix the file; queued mails are retried)");
}

std::string fill(const std::string& text, const std::map<std::string, std::string>& fields,
                 const std::filesystem::path& file) {
    std::string out;
    size_t at = 0;
    for (;;) {
        size_t open = text.find("{{", at);
        if (open == std::string::npos) break;
        size_t close = text.find("}}", open + 2);
        if (close == std::string::npos) invalid(file, "'{{' without '}}'");
        std::string name = text.substr(open + 2, close - open - 2);
        auto it = fields.find(name);
        if (it == fields.end()) invalid(file, "unknown field {{" + name + "}}");
        out.append(text, at, open - at);
        out += it->second;
        at = close + 2;
    }
    out.append(text, at, std::string::npos);
    return out;
}

}  // namespace

MailTemplates::MailTemplates(std::filesystem::path folder) : folder_(std::move(folder)) {}

const std::vector<std::string>& MailTemplates::names() { return kNames; }

void MailTemplates::install_defaults() const {
    std::filesystem::create_directories(folder_);
    for (const std::string& name : kNames) {
        auto file = folder_ / (name + ".txt");
        if (std::filesystem::exists(file)) continue;
        std::ofstream out(file, std::ios::binary);
        out << default_template(name);
        if (!out) {
            throw Error(ErrorCategory::Internal, "mail_template_write_failed",
                        "cannot write " + file.string());
        }
    }
}

RenderedText MailTemplates::render(const std::string& name,
                                   const std::map<std::string, std::string>& fields) const {
    auto file = folder_ / (name + ".txt");
    std::ifstream in(file, std::ios::binary);
    if (!in) invalid(file, "cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (content.rfind("Subject:", 0) != 0) invalid(file, "the first line must be 'Subject: ...'");
    size_t end = content.find('\n');
    if (end == std::string::npos) invalid(file, "no body after the Subject line");
    RenderedText out;
    std::string subject = content.substr(8, end - 8);
    while (!subject.empty() && (subject.front() == ' ')) subject.erase(0, 1);
    while (!subject.empty() && (subject.back() == '\r' || subject.back() == ' '))
        subject.pop_back();
    out.subject = fill(subject, fields, file);
    std::string body = content.substr(end + 1);
    if (body.rfind("\r\n", 0) == 0) {
        body.erase(0, 2);
    } else if (body.rfind("\n", 0) == 0) {
        body.erase(0, 1);
    }
    out.body = fill(body, fields, file);
    if (out.subject.find_first_of("\r\n") != std::string::npos)
        invalid(file, "a field put a line break into the Subject");
    return out;
}

}  // namespace inkan::mail
