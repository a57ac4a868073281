// inkan request submit FILE --action issue --on-error abort: uploads a request
// file to the REST API with the operator's client certificate (libcurl), for
// scripted RA front ends. Prints the server's answer; exit 0 when accepted,
// 1 when the file was rejected, 5 when the appliance could not be reached.
// --wait: for a P12-bulk file, then follows its ZIP job (GET
// /api/v1/requests/{id}) until the ZIP is ready, printing done / total and the
// time left; exit 1 if the job fails, 5 if it is not ready within --wait-timeout.
#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "appliance/cli.h"
#include "appliance/config.h"
#include "common/error.h"
#include "common/secret.h"

namespace inkan::appliance {
namespace {

struct SubmitOptions {
    std::string file;
    std::string action = "issue";
    std::string on_error = "abort";
    std::string url;
    std::string cert;
    std::string key;
    std::string p12;
    std::string p12_password_file;
    std::string cacert;
    bool json = false;
    bool wait = false;
    int wait_timeout_seconds = 3600;
};

// What identifies the operator to the appliance.
struct ClientCredential {
    std::string cert, key;  // PEM files, or
    std::string p12;        // the handed-over PKCS#12
    SecretString p12_password;
    std::string cacert;  // trust anchor of the appliance's certificate
};

struct Answer {
    long status = 0;
    std::string body;
};

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

size_t collect(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCategory::NotFound, "file_unreadable", "cannot read " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int print_answer(long status, const std::string& body, bool json);

// One request to the operator listener with the operator's credential; `body`
// null: a GET.
Answer call(const std::string& base_url, const std::string& path, const std::string* body,
            const ClientCredential& credential) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw Error(ErrorCategory::Internal, "curl_init_failed", "libcurl could not start");
    const std::string target = base_url + path;
    Answer answer;
    struct curl_slist* headers =
        curl_slist_append(nullptr, "Content-Type: text/tab-separated-values");
    curl_easy_setopt(curl.get(), CURLOPT_URL, target.c_str());
    if (body) {
        curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(body->size()));
        curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
    }
    if (!credential.p12.empty()) {
        curl_easy_setopt(curl.get(), CURLOPT_SSLCERTTYPE, "P12");
        curl_easy_setopt(curl.get(), CURLOPT_SSLCERT, credential.p12.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_KEYPASSWD, credential.p12_password.str().c_str());
    } else {
        curl_easy_setopt(curl.get(), CURLOPT_SSLCERT, credential.cert.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_SSLKEY, credential.key.c_str());
    }
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, credential.cacert.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 600L);
    CURLcode rc = curl_easy_perform(curl.get());
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        throw Error(ErrorCategory::Unavailable, "appliance_unreachable",
                    std::string("cannot reach ") + base_url + ": " + curl_easy_strerror(rc));
    }
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
}

// "running: 12 / 48 rows (25%), about 30 s left"
std::string progress_line(const nlohmann::json& job) {
    const int64_t done = job.value("done", int64_t{0}), total = job.value("total", int64_t{0});
    std::string line = job.value("state", std::string("?")) + ": " + std::to_string(done) + " / " +
                       std::to_string(total) + " rows";
    if (total > 0) line += " (" + std::to_string(done * 100 / total) + "%)";
    if (job.contains("eta_seconds"))
        line += ", about " + std::to_string(job["eta_seconds"].get<int64_t>()) + " s left";
    return line;
}

// Follows a P12-bulk batch's ZIP job until it is ready (or delivered).
int follow_bulk_job(const std::string& url, const std::string& batch_id,
                    const ClientCredential& credential, std::chrono::seconds timeout) {
    const bool tty = isatty(STDOUT_FILENO) != 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string shown;
    for (;;) {
        Answer answer = call(url, "/api/v1/requests/" + batch_id, nullptr, credential);
        auto j = nlohmann::json::parse(answer.body, nullptr, false);
        if (answer.status != 200 || j.is_discarded())
            return print_answer(answer.status, answer.body, false);
        std::string line = j.contains("bulk_job")
                               ? progress_line(j["bulk_job"])
                               : "waiting for the job to start (issuance.bulk_start: the PIN page, "
                                 "or the first ZIP request)";
        if (line != shown) {
            std::cout << (tty ? "\r\033[K" : "") << line << (tty ? "" : "\n") << std::flush;
            shown = line;
        }
        const std::string state = j.contains("bulk_job") ? j["bulk_job"].value("state", "") : "";
        if (state == "ready" || state == "delivered") {
            if (tty) std::cout << "\n";
            std::cout << "the ZIP is ready at the batch's retrieval URL\n";
            return kExitOk;
        }
        if (state == "failed") {
            if (tty) std::cout << "\n";
            const auto& error = j["bulk_job"]["error"];
            std::cout << "the ZIP job failed: " << error.value("code", "") << ": "
                      << error.value("message", "")
                      << "\nthe next ZIP request starts it again once the rows pass\n";
            return kExitFailure;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            if (tty) std::cout << "\n";
            std::cout << "gave up waiting after " << timeout.count()
                      << " s; the job goes on (GET /api/v1/requests/" << batch_id << ")\n";
            return kExitUnavailable;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
}

int print_answer(long status, const std::string& body, bool json) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (json || j.is_discarded()) {
        std::cout << body << "\n";
    } else {
        std::cout << "HTTP " << status << ": "
                  << j.value("status", j.value("code", std::string("?"))) << "\n";
        if (j.contains("batch_id") && !j["batch_id"].is_null())
            std::cout << "batch: " << j["batch_id"].get<std::string>() << "\n";
        if (j.contains("message")) std::cout << j["message"].get<std::string>() << "\n";
        if (j.contains("report")) {
            for (const auto& row : j["report"].value("rejected", nlohmann::json::array())) {
                for (const auto& f : row["errors"]) {
                    std::cout << f.value("service_code", 0) << ":" << f.value("line", 0) << ","
                              << f.value("column_ja", "") << "," << f.value("message_ja", "")
                              << "\n"
                              << "  (" << f.value("code", "") << ") " << f.value("message_en", "")
                              << "\n";
                }
            }
            if (j["report"].contains("file_error") && !j["report"]["file_error"].is_null()) {
                const auto& f = j["report"]["file_error"];
                std::cout << f.value("code", "") << ": " << f.value("message_en", "") << "\n";
            }
        }
        if (j.value("urls_sent_by_mail", false))
            std::cout << "PIN and retrieval URLs: sent by mail, each to its own recipient\n";
        if (j.contains("pin_url"))
            std::cout << "PIN URL: " << j["pin_url"].get<std::string>() << "\n";
        if (j.contains("retrieval_url"))
            std::cout << "retrieval URL: " << j["retrieval_url"].get<std::string>() << "\n";
        for (const auto& row : j.value("rows", nlohmann::json::array())) {
            std::cout << "line " << row.value("line", 0) << ": " << row.value("subject", "");
            if (row.contains("pin_url"))
                std::cout << "\n  PIN URL: " << row["pin_url"].get<std::string>();
            if (row.contains("retrieval_url"))
                std::cout << "\n  retrieval URL: " << row["retrieval_url"].get<std::string>();
            std::cout << "\n";
        }
    }
    if (status == 201) return kExitOk;
    if (status == 422 || status == 413 || status == 400) return kExitFailure;
    if (status == 401 || status == 403) return kExitHsm;
    return kExitUnavailable;
}

int run_submit(const GlobalOptions& global, const SubmitOptions& o) {
    Config config = load_config(global.state_dir, global.config_file);
    auto ops = config.operators_dir();
    std::string url = o.url.empty() ? "https://" + config.http.bind_address + ":" +
                                          std::to_string(config.http.operator_port)
                                    : o.url;
    if (o.p12.empty() == (o.cert.empty() || o.key.empty())) {
        throw Error(ErrorCategory::InvalidInput, "client_credential_missing",
                    "name the operator's credential: --p12 FILE --p12-password-file FILE, or "
                    "--cert PEM --key PEM (no clear operator key is kept in " +
                        ops.string() + ")");
    }
    SecretString p12_password;
    if (!o.p12.empty()) {
        std::string text = read_file(o.p12_password_file);
        p12_password = SecretString(text.substr(0, text.find_first_of("\r\n")));
        OPENSSL_cleanse(text.data(), text.size());
    }
    std::string cacert = o.cacert.empty() ? config.ca_certificate_path().string() : o.cacert;
    std::string body = read_file(o.file);

    ClientCredential credential{o.cert, o.key, o.p12, std::move(p12_password), cacert};
    Answer answer = call(url, "/api/v1/requests?action=" + o.action + "&on_error=" + o.on_error,
                         &body, credential);
    int exit = print_answer(answer.status, answer.body, o.json);
    if (!o.wait || exit != kExitOk) return exit;
    auto j = nlohmann::json::parse(answer.body, nullptr, false);
    if (j.is_discarded() || j.value("download_type", "") != "p12_bulk") return exit;
    return follow_bulk_job(url, j["batch_id"].get<std::string>(), credential,
                           std::chrono::seconds(o.wait_timeout_seconds));
}

}  // namespace

void add_request_submit_command(CLI::App& request, const GlobalOptions& global, int& exit_code) {
    auto o = std::make_shared<SubmitOptions>();
    auto* submit =
        request.add_subcommand("submit", "upload a request file to the appliance's REST API");
    submit->add_option("file", o->file, "the TSV request file")->required();
    submit->add_option("--action", o->action, "issue, renew or revoke")
        ->check(CLI::IsMember({"issue", "renew", "revoke"}));
    submit
        ->add_option("--on-error", o->on_error,
                     "abort (nothing registered if any row is wrong) or skip")
        ->check(CLI::IsMember({"abort", "skip"}));
    submit->add_option("--url", o->url,
                       "operator API base URL (default https://<bind>:<operator_port>)");
    submit->add_option("--p12", o->p12, "the operator's PKCS#12 (as handed over)");
    submit->add_option("--p12-password-file", o->p12_password_file,
                       "file holding the PKCS#12 password (first line)");
    submit->add_option("--cert", o->cert, "operator certificate PEM (instead of --p12)");
    submit->add_option("--key", o->key, "operator key PEM (instead of --p12)");
    submit->add_option("--cacert", o->cacert,
                       "CA certificate to verify the appliance (default <state>/ca.pem)");
    submit->add_flag("--json", o->json, "print the server's JSON answer");
    submit->add_flag("--wait", o->wait,
                     "P12 bulk: follow the ZIP job until the ZIP is ready, showing its progress");
    submit
        ->add_option("--wait-timeout", o->wait_timeout_seconds,
                     "seconds --wait waits at most (default 3600)")
        ->check(CLI::Range(1, 86400));
    submit->callback([&global, o, &exit_code] { exit_code = run_submit(global, *o); });
}

}  // namespace inkan::appliance
