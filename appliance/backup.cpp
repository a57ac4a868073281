#include "appliance/backup.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "appliance/bootstrap.h"
#include "appliance/services.h"
#include "appliance/tar_archive.h"
#include "common/error.h"
#include "pki/name.h"
#include "store/database.h"
#include "store/online_backup.h"

namespace inkan::appliance {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "inkan-backup";
constexpr const char* kTokensDir = "tokens";
constexpr const char* kPinMember = "hsm-user-pin";
constexpr fs::perms kPrivate = fs::perms::owner_read | fs::perms::owner_write;
constexpr fs::perms kPublic = kPrivate | fs::perms::group_read | fs::perms::others_read;
constexpr size_t kMaxManifestBytes = 4 * 1024 * 1024;

// A scratch folder for the database copy, next to the archive (same file
// system, and /tmp may be small); removed with everything in it.
class ScratchDir {
  public:
    explicit ScratchDir(const fs::path& near) {
        std::string pattern = (near / ".inkan-backup-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) {
            throw Error(ErrorCategory::Unavailable, "backup_archive_failed",
                        "cannot make a scratch folder in " + near.string() +
                            "; check that it exists and is writable");
        }
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string first_line(const fs::path& file) {
    std::ifstream in(file);
    if (!in) {
        throw Error(ErrorCategory::InvalidInput, "file_unreadable",
                    "cannot read " + file.string() + "; check the path and its permissions");
    }
    std::string line;
    std::getline(in, line);
    return line;
}

// The embedded SoftHSM's token folder: `directories.tokendir` of its config.
std::optional<fs::path> embedded_token_dir(const Config& config) {
    if (config.hsm.softhsm_conf.empty() || !fs::exists(config.hsm.softhsm_conf)) {
        return std::nullopt;
    }
    std::ifstream in(config.hsm.softhsm_conf);
    for (std::string line; std::getline(in, line);) {
        auto eq = line.find('=');
        if (line.rfind("directories.tokendir", 0) != 0 || eq == std::string::npos) continue;
        std::string dir = line.substr(eq + 1);
        dir.erase(0, dir.find_first_not_of(" \t"));
        dir.erase(dir.find_last_not_of(" \t\r") + 1);
        return fs::path(dir);
    }
    throw Error(ErrorCategory::InvalidInput, "config_invalid",
                config.hsm.softhsm_conf +
                    " names no directories.tokendir; restore it from "
                    "softhsm-conf/softhsm2.conf.in");
}

json member_entry(const std::string& name, const FileDigest& digest, fs::perms mode) {
    return {{"path", name},
            {"size", digest.size},
            {"sha256", digest.sha256},
            {"mode", static_cast<int>(mode)}};
}

// A member name as restore accepts it: relative, no "." or ".." or empty parts.
bool safe_member_name(const std::string& name) {
    if (name.empty() || name.front() == '/' || name.size() > 4096) return false;
    std::stringstream parts(name);
    for (std::string part; std::getline(parts, part, '/');) {
        if (part.empty() || part == "." || part == "..") return false;
    }
    return name.back() != '/';
}

[[noreturn]] void invalid(const std::string& what) {
    throw Error(ErrorCategory::InvalidInput, "backup_invalid",
                what + "; pass an archive `inkan backup` wrote");
}

[[noreturn]] void tampered(const std::string& what) {
    throw Error(ErrorCategory::InvalidInput, "backup_tampered",
                what +
                    ": the backup was changed or damaged after `inkan backup` wrote it; "
                    "nothing was restored, use another copy");
}

}  // namespace

BackupSummary create_backup(const Config& config, const BackupOptions& options) {
    const fs::path& state = config.state_dir;
    fs::path out = fs::absolute(options.out);
    if (fs::exists(out)) {
        throw Error(ErrorCategory::Conflict, "backup_exists",
                    out.string() + " already exists; choose another --out file");
    }
    ScratchDir scratch(out.parent_path());
    auto database_copy = scratch.path() / "inkan.db";
    auto copied = store::copy_database_online(config.database_path(), database_copy);
    if (!fs::exists(config.ca_certificate_path())) {
        throw Error(ErrorCategory::NotFound, "state_missing",
                    "no CA certificate at " + config.ca_certificate_path().string() +
                        "; finish `inkan init` (or `inkan ca import-cert`) first");
    }

    BackupSummary summary;
    summary.schema_version = copied.schema_version;
    json files = json::array();
    TarGzWriter archive(out);
    auto add = [&](const std::string& name, const fs::path& source, fs::perms mode) {
        files.push_back(member_entry(name, archive.add_file(name, source, mode), mode));
        summary.files.push_back(name);
    };
    auto add_if_present = [&](const std::string& name, fs::perms mode) {
        if (fs::is_regular_file(state / name)) add(name, state / name, mode);
    };
    add("inkan.db", database_copy, kPrivate);
    add_if_present("inkan.json", kPrivate);
    add("ca.pem", config.ca_certificate_path(), kPublic);
    add_if_present("tls/server.pem", kPublic);
    add_if_present("tls/server.key", kPrivate);
    add_if_present("mail/signer.pem", kPublic);
    add_if_present("audit.log", kPrivate);
    if (fs::is_directory(config.mail_templates_dir())) {
        for (const auto& e : fs::directory_iterator(config.mail_templates_dir())) {
            if (e.is_regular_file())
                add("mail/templates/" + e.path().filename().string(), e.path(), kPublic);
        }
    }
    if (auto tokens = embedded_token_dir(config)) {
        summary.embedded_token = true;
        for (const auto& e : fs::recursive_directory_iterator(*tokens)) {
            if (!e.is_regular_file()) continue;
            add(std::string(kTokensDir) + "/" + fs::relative(e.path(), *tokens).string(), e.path(),
                kPrivate);
        }
    }
    if (options.include_pin) {
        if (config.hsm.pin.empty()) {
            throw Error(ErrorCategory::HsmUnavailable, "hsm_pin_missing",
                        "--include-pin: no HSM user PIN to include; set INKAN_HSM_PIN or "
                        "hsm.pin_file (" +
                            config.hsm.pin_file + ")");
        }
        auto digest = archive.add_bytes(kPinMember, config.hsm.pin.str() + "\n", kPrivate);
        files.push_back(member_entry(kPinMember, digest, kPrivate));
        summary.files.push_back(kPinMember);
        summary.includes_pin = true;
    }
    json manifest = {{"format", kFormat},
                     {"format_version", kBackupFormatVersion},
                     {"inkan_version", INKAN_VERSION},
                     {"schema_version", copied.schema_version},
                     {"created_at", utc_now()},
                     {"source_state_dir", fs::absolute(state).lexically_normal().string()},
                     {"source_state_dir_as_named", state.string()},
                     {"hsm",
                      {{"embedded_token", summary.embedded_token},
                       {"module_path", config.hsm.module_path},
                       {"token_label", config.hsm.token_label}}},
                     {"includes_pin", summary.includes_pin},
                     {"files", files}};
    archive.add_bytes(kBackupManifestName, manifest.dump(2) + "\n", kPrivate);
    archive.finish();
    return summary;
}

namespace {

struct Scanned {
    std::map<std::string, FileDigest> members;
    json manifest;
};

// Pass one: read every member, hash it, write nothing.
Scanned scan(const fs::path& in) {
    Scanned s;
    TarGzReader reader(in);
    bool have_manifest = false;
    while (auto entry = reader.next()) {
        if (entry->directory) continue;
        if (!entry->regular_file) invalid("member '" + entry->name + "' is not a regular file");
        if (!safe_member_name(entry->name))
            invalid("member name '" + entry->name + "' leaves the state folder");
        if (entry->name == kBackupManifestName) {
            std::string text;
            reader.read([&](std::string_view chunk) {
                if (text.size() + chunk.size() > kMaxManifestBytes) invalid("manifest too large");
                text.append(chunk);
            });
            try {
                s.manifest = json::parse(text);
            } catch (const json::exception&) {
                tampered("manifest.json is not valid JSON");
            }
            have_manifest = true;
            continue;
        }
        auto digest = reader.read([](std::string_view) {});
        if (!s.members.emplace(entry->name, digest).second)
            invalid("member '" + entry->name + "' appears twice");
    }
    if (!have_manifest) invalid(in.string() + " holds no manifest.json");
    return s;
}

void verify(const Scanned& s) {
    const json& m = s.manifest;
    if (!m.is_object() || m.value("format", "") != kFormat || !m.contains("files") ||
        !m["files"].is_array()) {
        tampered("manifest.json is not an inkan backup manifest");
    }
    if (m.value("format_version", 0) != kBackupFormatVersion) {
        throw Error(ErrorCategory::Unsupported, "backup_version_unsupported",
                    "backup format version " + m.value("format_version", json(0)).dump() +
                        " is not " + std::to_string(kBackupFormatVersion) +
                        "; restore it with the inkan release that wrote it (" +
                        m.value("inkan_version", "unknown") + ")");
    }
    if (m.value("schema_version", 0) > store::Database::latest_schema_version()) {
        throw Error(ErrorCategory::Unsupported, "backup_version_unsupported",
                    "the backup's database schema " + std::to_string(m.value("schema_version", 0)) +
                        " is newer than this inkan understands; restore it with inkan " +
                        m.value("inkan_version", "unknown") + " or later");
    }
    std::map<std::string, bool> listed;
    for (const auto& f : m["files"]) {
        std::string name = f.value("path", "");
        if (!safe_member_name(name) || name == kBackupManifestName)
            tampered("manifest.json lists '" + name + "'");
        listed[name] = true;
        auto it = s.members.find(name);
        if (it == s.members.end()) tampered(name + " is listed in manifest.json but missing");
        if (it->second.size != f.value("size", uint64_t{0}) ||
            it->second.sha256 != f.value("sha256", "")) {
            tampered(name + "'s SHA-256 does not match manifest.json");
        }
    }
    for (const auto& [name, digest] : s.members) {
        if (!listed.count(name)) tampered(name + " is in the archive but not in manifest.json");
    }
    if (!listed.count("inkan.db") || !listed.count("ca.pem"))
        invalid("the backup holds no inkan.db or ca.pem");
}

bool non_empty_dir(const fs::path& dir) {
    return fs::exists(dir) && (!fs::is_directory(dir) || !fs::is_empty(dir));
}

// Pass two: the verified members into the state folder, hashed again on the way.
void extract(const fs::path& in, const fs::path& state, const json& manifest) {
    std::map<std::string, json> files;
    for (const auto& f : manifest["files"]) files[f["path"].get<std::string>()] = f;
    TarGzReader reader(in);
    while (auto entry = reader.next()) {
        auto it = files.find(entry->name);
        if (!entry->regular_file || it == files.end()) continue;
        fs::path target = state / entry->name;
        fs::create_directories(target.parent_path());
        if (entry->name.rfind(std::string(kTokensDir) + "/", 0) == 0)
            fs::permissions(target.parent_path(), fs::perms::owner_all, fs::perm_options::replace);
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        if (!out) {
            throw Error(ErrorCategory::Unavailable, "file_unwritable",
                        "cannot write " + target.string() + "; check permissions");
        }
        fs::permissions(target, kPrivate, fs::perm_options::replace);
        auto digest = reader.read([&](std::string_view chunk) {
            out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        });
        if (!out.flush()) {
            throw Error(ErrorCategory::Unavailable, "file_unwritable",
                        "cannot write " + target.string() + "; check free space");
        }
        if (digest.sha256 != it->second.value("sha256", "")) {
            tampered(entry->name + " changed while it was restored (now partly written to " +
                     state.string() + ")");
        }
        auto mode = static_cast<fs::perms>(it->second.value("mode", 0600)) & kPublic;
        fs::permissions(target, mode | fs::perms::owner_read, fs::perm_options::replace);
    }
}

// inkan.json holds the paths of the pin file and the SoftHSM config as the old
// state folder was named (absolute, or relative to where init ran): point
// them into the new folder. A restored embedded token lives in <state>/tokens,
// so its config is always <state>/softhsm2.conf.
void relocate_config(const fs::path& state, const json& manifest) {
    auto file = state / "inkan.json";
    if (!fs::exists(file)) return;
    json j;
    {
        std::ifstream in(file);
        j = json::parse(in, nullptr, false);
    }
    if (!j.is_object() || !j.contains("hsm") || !j["hsm"].is_object()) return;
    std::string now = fs::absolute(state).lexically_normal().string();
    std::vector<std::string> old_names;
    for (const char* key : {"source_state_dir", "source_state_dir_as_named"}) {
        std::string old = fs::path(manifest.value(key, "")).lexically_normal().string();
        while (old.size() > 1 && old.back() == '/') old.pop_back();
        if (!old.empty()) old_names.push_back(old);
    }
    json& hsm = j["hsm"];
    for (const char* key : {"pin_file", "softhsm_conf"}) {
        if (!hsm.contains(key) || !hsm[key].is_string()) continue;
        std::string value = fs::path(hsm[key].get<std::string>()).lexically_normal().string();
        for (const auto& old : old_names) {
            if (value.rfind(old + "/", 0) == 0) {
                hsm[key] = now + value.substr(old.size());
                break;
            }
        }
    }
    if (manifest["hsm"].value("embedded_token", false)) {
        hsm["softhsm_conf"] = (fs::path(now) / "softhsm2.conf").string();
    }
    write_private_file(file, j.dump(2) + "\n");
}

void clear_for_restore(const fs::path& state, const json& manifest) {
    for (const char* name : {"inkan.db", "inkan.db-wal", "inkan.db-shm", "softhsm2.conf"})
        fs::remove(state / name);
    fs::remove_all(state / kTokensDir);
    for (const auto& f : manifest["files"]) fs::remove(state / f["path"].get<std::string>());
}

}  // namespace

RestoreSummary restore_backup(const RestoreOptions& options) {
    Scanned scanned = scan(options.in);
    verify(scanned);
    const json& manifest = scanned.manifest;
    const fs::path& state = options.state_dir;
    if (non_empty_dir(state) && !options.force) {
        throw Error(ErrorCategory::Conflict, "restore_target_not_empty",
                    state.string() +
                        " is not empty; restore into an empty folder, or stop "
                        "`inkan serve` and pass --force to replace its contents");
    }
    bool pin_in_backup = manifest.value("includes_pin", false);
    const char* pin_env = std::getenv("INKAN_HSM_PIN");
    if (!pin_in_backup && options.pin_file.empty() && !(pin_env && *pin_env)) {
        throw Error(ErrorCategory::InvalidInput, "restore_pin_missing",
                    "the backup holds no HSM user PIN (made without --include-pin): pass "
                    "--pin-file FILE (the PIN on its first line, e.g. a copy of the old "
                    "<state>/hsm-user-pin) or set INKAN_HSM_PIN; nothing was restored");
    }
    std::optional<SecretString> pin;
    if (!options.pin_file.empty()) pin = SecretString(first_line(options.pin_file));

    fs::create_directories(state);
    fs::permissions(state, fs::perms::owner_all, fs::perm_options::replace);
    if (options.force) clear_for_restore(state, manifest);
    extract(options.in, state, manifest);
    relocate_config(state, manifest);

    RestoreSummary summary;
    for (const auto& [name, digest] : scanned.members) summary.files.push_back(name);
    try {
        Config config = load_config(state);
        if (manifest["hsm"].value("embedded_token", false)) write_embedded_softhsm_config(config);
        if (pin) {
            write_private_file(config.hsm.pin_file, pin->str() + "\n");
            config = load_config(state);
        }
        auto services = open_services(config);
        summary.ca_subject =
            pki::name_to_string(X509_get_subject_name(services->ca_certificate.get()));
    } catch (const Error& e) {
        throw Error(e.category(), "restore_check_failed",
                    "the files are restored in " + state.string() +
                        " but the appliance does not open from them: " + e.what() +
                        "; fix that (e.g. the PIN) and check with `inkan hsm status`");
    }
    return summary;
}

}  // namespace inkan::appliance
