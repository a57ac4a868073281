#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "policy/request_check.h"

namespace inkan::policy {
namespace {

nlohmann::json finding_to_json(const Finding& f) {
    return {{"line", f.line},
            {"column", f.column},
            {"column_ja", f.column_ja},
            {"column_en", f.column_en},
            {"code", f.code},
            {"service_code", f.service_code},
            {"message_ja", f.message_ja},
            {"message_en", f.message_en}};
}

std::vector<std::size_t> accepted_lines(const CheckReport& report) {
    std::vector<std::size_t> lines;
    for (const auto& r : report.accepted_issue) lines.push_back(r.line);
    for (const auto& r : report.accepted_renew) lines.push_back(r.request.line);
    for (const auto& r : report.accepted_revoke) lines.push_back(r.line);
    return lines;
}

void write_finding_text(const Finding& f, std::ostream& out) {
    out << f.service_code << ':' << f.line << ',' << f.column_ja << ',' << f.message_ja << '\n'
        << "  (" << f.code << ") " << f.message_en << '\n';
}

}  // namespace

nlohmann::json report_to_json(const CheckReport& report) {
    nlohmann::json rejected = nlohmann::json::array();
    nlohmann::json notices = nlohmann::json::array();
    for (const Finding& f : report.notices) notices.push_back(finding_to_json(f));
    for (const RejectedRow& row : report.rejected) {
        nlohmann::json errors = nlohmann::json::array();
        for (const Finding& f : row.findings) errors.push_back(finding_to_json(f));
        rejected.push_back({{"line", row.line}, {"errors", std::move(errors)}});
    }
    return {{"action", to_string(report.action)},
            {"mode", to_string(report.mode)},
            {"encoding", report.encoding ? nlohmann::json(to_string(*report.encoding))
                                         : nlohmann::json(nullptr)},
            {"ok", !report.has_errors()},
            {"accepted_count", report.accepted_count()},
            {"accepted_lines", accepted_lines(report)},
            {"withheld_lines", report.withheld_lines},
            {"file_error",
             report.file_error ? finding_to_json(*report.file_error) : nlohmann::json(nullptr)},
            {"rejected", std::move(rejected)},
            {"notices", notices}};
}

std::string report_to_text(const CheckReport& report) {
    std::ostringstream out;
    for (const Finding& f : report.all_findings()) write_finding_text(f, out);
    for (const Finding& f : report.notices) {
        out << "notice ";
        write_finding_text(f, out);
    }
    out << (report.has_errors() ? "NG" : "OK") << ": action " << to_string(report.action)
        << ", mode " << to_string(report.mode) << ", " << report.accepted_count()
        << " row(s) accepted, " << report.rejected.size() << " row(s) rejected, "
        << report.withheld_lines.size() << " valid row(s) withheld\n";
    return out.str();
}

int run_request_check(const std::string& path, Action action, bool json,
                      const CheckContext& context, std::ostream& out, ErrorMode mode) {
    struct stat st {};
    CheckReport report;
    report.action = action;
    report.mode = mode;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        out << (json
                    ? nlohmann::json{{"ok", false}, {"error", "cannot read " + path}}.dump(2) + "\n"
                    : "cannot read " + path + "\n");
        return 1;
    }
    if (static_cast<std::size_t>(st.st_size) > context.limits.max_file_bytes) {
        report.file_error =
            make_finding("file_too_large", 0, 0,
                         "limit " + std::to_string(context.limits.max_file_bytes) + " bytes");
    } else {
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) {
            out << "cannot read " << path << "\n";
            return 1;
        }
        report = check_request_file(bytes, action, mode, context);
    }
    if (json)
        out << report_to_json(report).dump(2) << '\n';
    else
        out << report_to_text(report);
    return report.has_errors() ? 1 : 0;
}

}  // namespace inkan::policy
