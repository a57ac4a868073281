// inkan stats [--institution O] [--format json|csv]: the issued-certificate
// statistics (issue 9 point 5) read from the store directly, as GET
// /api/v1/statistics gives them to operators. No HSM login is needed.
#include <iostream>

#include "appliance/cli.h"
#include "appliance/reports.h"
#include "common/error.h"
#include "report/statistics_format.h"
#include "store/sqlite_certificate_store.h"

namespace inkan::appliance {
namespace {

struct StatsOptions {
    std::string institution;
    std::string format = "json";
};

void stats(const Config& config, const StatsOptions& o) {
    auto format = report::statistics_format(o.format);
    if (!std::filesystem::exists(config.database_path())) {
        throw Error(ErrorCategory::NotFound, "state_missing",
                    "no database at " + config.database_path().string() +
                        "; run `inkan init` first or pass --state-dir");
    }
    store::Database database(config.database_path().string());
    store::SqliteCertificateStore certificates(database);
    std::optional<std::string> institution;
    if (!o.institution.empty()) institution = o.institution;
    std::cout << render_statistics(certificates, institution,
                                   format == report::StatisticsFormat::Csv);
}

}  // namespace

void add_stats_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
    auto o = std::make_shared<StatsOptions>();
    auto* cmd = app.add_subcommand(
        "stats",
        "issued-certificate statistics: issued, renewed, revoked, valid and expiring within 30 "
        "days, per month, profile and download type");
    cmd->add_option("--institution", o->institution, "one institution (default: all)");
    cmd->add_option("--format", o->format, "json (default) or csv");
    cmd->callback([&global, o, &exit_code] {
        stats(load_config(global.state_dir, global.config_file), *o);
        exit_code = kExitOk;
    });
}

}  // namespace inkan::appliance
