#include "appliance/front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace inkan::appliance {
namespace fs = std::filesystem;

namespace {

// Mozilla "intermediate" (TLS 1.2 part; TLS 1.3 suites are OpenSSL's defaults).
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// A bulk ZIP or an export holds its request until the archive is written.
constexpr int kUpstreamReadTimeoutSeconds = 3600;
// Idle connections nginx keeps open to each of the application's listeners,
// closed by nginx after 30 s idle: before Pistache's own header (60 s) and
// keep-alive (300 s) timeouts, so nginx never sends on a connection the
// application is closing.
constexpr int kUpstreamIdleConnections = 32;
constexpr std::chrono::seconds kStartTimeout{10};

[[noreturn]] void start_failed(const std::string& message) {
    throw Error(ErrorCategory::Unavailable, "front_start_failed", message);
}

// One of the application's listeners as an nginx upstream, its idle
// connections kept (kUpstreamIdleConnections).
std::string upstream(const char* name, uint16_t port) {
    return "    upstream " + std::string(name) + " { server 127.0.0.1:" + std::to_string(port) +
           "; keepalive " + std::to_string(kUpstreamIdleConnections) +
           "; keepalive_timeout 30s; }\n";
}

// The proxy directives of one location; nginx inherits proxy_set_header only
// when a level sets none, so each location states them all.
std::string proxy_block(const FrontPlan& p, const char* upstream, bool client_certificate) {
    std::ostringstream o;
    o << "        location / {\n"
      << "            proxy_pass http://" << upstream << ";\n"
      << "            proxy_set_header Host $http_host;\n"
      // Keep the connections to the application open between requests (the
      // upstream's keepalive): Pistache 0.0.5 closes a connection after its
      // answer unless the request says keep-alive, and without it every
      // forwarded request pays a new loopback connection on both sides.
      << "            proxy_set_header Connection \"keep-alive\";\n"
      << "            proxy_set_header X-Inkan-Front \"" << p.secret
      << "\";\n"
      // nginx's own id replaces whatever the client sent; the application logs
      // under it and answers it, and add_header (tls_server) answers it for
      // nginx's own refusals too.
      << "            proxy_set_header X-Request-Id $request_id;\n"
      << "            proxy_hide_header X-Request-Id;\n"
      << "            proxy_set_header X-Inkan-Client-Address $remote_addr;\n";
    if (client_certificate) {
        o << "            proxy_set_header X-Inkan-Client-Certificate $ssl_client_escaped_cert;\n"
          << "            proxy_set_header X-Inkan-Client-Verify $ssl_client_verify;\n";
    } else {  // an empty value drops whatever the client sent under that name
        o << "            proxy_set_header X-Inkan-Client-Certificate \"\";\n"
          << "            proxy_set_header X-Inkan-Client-Verify \"\";\n";
    }
    o << "        }\n";
    return o.str();
}

// nginx's own refusals (before the application sees the request) as the API's
// JSON problems, the same codes the application's request guard uses
// (api/request_guard.h). The application's answers pass unchanged
// (proxy_intercept_errors is off).
std::string json_error_pages(const FrontPlan& p) {
    struct Page {
        const char* nginx_statuses;
        int status;
        const char* code;
        const char* category;
        std::string message;
    };
    const Page pages[] = {
        {"400 497", 400, "bad_request", "invalid_input",
         "malformed HTTP request (request line, headers, a Content-Length that is not one "
         "non-negative decimal number, or two of them)"},
        {"494", 431, "header_too_large", "too_large", "the request headers are too large"},
        {"405", 405, "method_not_allowed", "invalid_input", "method not allowed"},
        {"411", 411, "length_required", "invalid_input",
         "send the request body with a Content-Length header"},
        {"413", 413, "body_too_large", "too_large",
         "the request body exceeds the limit of " + std::to_string(p.max_body_bytes) +
             " bytes (http.max_body_bytes); split the request file"},
        {"414", 414, "uri_too_long", "invalid_input", "the request URI is too long"},
        {"429", 429, "too_many_requests", "unavailable",
         "too many requests or connections from this address; slow down and retry"},
        {"502 504", 503, "application_unavailable", "unavailable",
         "the appliance is not answering behind its TLS front; retry shortly"},
    };
    std::ostringstream o;
    for (const Page& page : pages) {
        std::string name = std::string("@json_") + page.code;
        o << "        error_page " << page.nginx_statuses << " = " << name << ";\n"
          << "        location " << name << " {\n"
          << "            default_type application/json;\n";
        if (page.status == 503) o << "            add_header Retry-After 5 always;\n";
        o << "            return " << page.status << " '{\"code\":\"" << page.code
          << "\",\"category\":\"" << page.category << "\",\"message\":\"" << page.message
          << "\"}';\n"
          << "        }\n";
    }
    return o.str();
}

// A burst of five seconds' worth: one client's sequential requests (an RA
// system fetching a batch, a curl loop) pass; a flood is cut at the rate.
std::string rate_limit(const FrontPlan& p, const char* listener) {
    return "        limit_req zone=inkan_req_" + std::string(listener) +
           " burst=" + std::to_string(5 * p.requests_per_second) + " nodelay;\n";
}

std::string tls_server(const FrontPlan& p, uint16_t port, const char* upstream, bool operators) {
    std::ostringstream o;
    o << "    server {\n"
      << "        listen " << p.bind_address << ":" << port << " ssl;\n"
      << rate_limit(p, operators ? "operator" : "public") << "        ssl_certificate "
      << p.certificate_file << ";\n"
      << "        ssl_certificate_key " << p.key_file << ";\n"
      << "        add_header Strict-Transport-Security \"max-age=63072000\" always;\n"
      << "        add_header X-Request-Id $request_id always;\n";
    if (operators) {
        o << "        ssl_client_certificate " << p.client_ca_file << ";\n"
          << "        ssl_verify_client on;\n"
          << "        ssl_verify_depth 2;\n"
          << "        error_page 495 496 = @client_certificate_required;\n"
          << "        location @client_certificate_required {\n"
          << "            default_type application/json;\n"
          << "            return 401 '{\"code\":\"client_certificate_required\",\"category\":"
             "\"unauthorized\",\"message\":\"this endpoint requires a TLS client certificate "
             "issued by this CA\"}';\n"
          << "        }\n";
    }
    o << json_error_pages(p) << proxy_block(p, upstream, operators) << "    }\n";
    return o.str();
}

void write_private_file(const fs::path& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) start_failed("cannot write " + path.string() + " (check the state folder's owner)");
    ::fchmod(fd, 0600);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) start_failed("cannot write " + path.string() + " (disk full?)");
}

bool accepts(const std::string& address, uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    bool ok = ::inet_pton(AF_INET, address.c_str(), &a.sin_addr) == 1 &&
              ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

std::string log_tail(const fs::path& log) {
    std::ifstream in(log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string tail;
    for (size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i)
        tail += "\n  " + lines[i];
    return tail;
}

}  // namespace

FrontPlan front_plan(const Config& config, uint16_t app_operator_port, uint16_t app_public_port,
                     uint16_t app_crl_port, std::string secret) {
    const HttpConfig& h = config.http;
    if (h.operator_port == 0 || h.public_port == 0 || h.crl_port == 0) {
        throw Error(ErrorCategory::InvalidInput, "config_invalid",
                    "with http.front nginx, http.operator_port, public_port and crl_port must be "
                    "set (nginx cannot report a port the kernel picked); or set http.front none");
    }
    FrontPlan p;
    p.dir = fs::absolute(config.state_dir / "front");
    p.bind_address = h.bind_address;
    p.operator_port = h.operator_port;
    p.public_port = h.public_port;
    p.crl_port = h.crl_port;
    p.app_operator_port = app_operator_port;
    p.app_public_port = app_public_port;
    p.app_crl_port = app_crl_port;
    p.certificate_file = fs::absolute(config.tls_certificate_path()).string();
    p.key_file = fs::absolute(config.tls_key_path()).string();
    p.client_ca_file = fs::absolute(config.ca_certificate_path()).string();
    p.secret = std::move(secret);
    p.max_body_bytes = h.max_body_bytes;
    p.timeout_seconds = h.front_timeout_seconds;
    p.requests_per_second = h.front_requests_per_second;
    p.connections_per_client = h.front_connections_per_client;
    return p;
}

std::string new_front_secret() {
    Bytes b(32);
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
        throw Error(ErrorCategory::Internal, "random_failed", "OpenSSL RAND_bytes failed");
    }
    return hex_encode(b);
}

std::string render_nginx_conf(const FrontPlan& p) {
    const std::string d = p.dir.string();
    std::ostringstream o;
    o << "# Written by `inkan serve` from inkan.json at every start: edit that, not this.\n"
      << "# Holds the front secret: mode 0600.\n";
    if (::geteuid() == 0) {
        // Workers keep the invoking user (they write the temp folders below).
        if (const passwd* pw = ::getpwuid(0)) o << "user " << pw->pw_name << ";\n";
    }
    // A worker per core: the TLS handshakes of clients arriving together are
    // shared out instead of waiting for one worker in turn.
    o << "daemon off;\n"
      << "worker_processes auto;\n"
      << "pid " << d << "/nginx.pid;\n"
      << "error_log " << d << "/error.log warn;\n"
      << "events { worker_connections 1024; }\n"
      << "http {\n"
      // One JSON object a line, under the request id the application logs too.
      << "    log_format inkan_json escape=json '{\"time\":\"$time_iso8601\",\"request_id\":"
         "\"$request_id\",\"remote\":\"$remote_addr\",\"listener_port\":\"$server_port\","
         "\"method\":\"$request_method\",\"status\":$status,\"duration_s\":"
         "$request_time,\"bytes\":$body_bytes_sent,\"tls\":\"$ssl_protocol\","
         "\"tls_resumed\":\"$ssl_session_reused\"}';\n"
      << "    access_log " << d << "/access.log inkan_json;\n"
      << "    client_body_temp_path " << d << "/tmp/body;\n"
      << "    proxy_temp_path " << d << "/tmp/proxy;\n"
      << "    fastcgi_temp_path " << d << "/tmp/fastcgi;\n"
      << "    uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
      << "    scgi_temp_path " << d << "/tmp/scgi;\n"
      << "    server_tokens off;\n"
      << "    tcp_nodelay on;\n"
      // nginx 1.22 bounds the TLS handshake by client_header_timeout.
      << "    client_header_timeout " << p.timeout_seconds << "s;\n"
      << "    client_body_timeout " << p.timeout_seconds << "s;\n"
      << "    send_timeout " << 3 * p.timeout_seconds << "s;\n"
      << "    keepalive_timeout 65s;\n"
      << "    keepalive_requests 1000;\n"
      << "    client_max_body_size " << p.max_body_bytes
      << ";\n"
      // After a refusal (413) nginx reads what the client still sends for at
      // most this long, so the client sees the answer, then closes.
      << "    lingering_time 10s;\n"
      << "    lingering_timeout 2s;\n"
      << "    limit_conn_zone $binary_remote_addr zone=inkan_conn:10m;\n"
      << "    limit_conn inkan_conn " << p.connections_per_client << ";\n";
    // The request rate per client address, counted per listener: relying
    // parties fetching CRLs behind one NAT do not use up its subscribers' rate.
    for (const char* listener : {"operator", "public", "publication"}) {
        o << "    limit_req_zone $binary_remote_addr zone=inkan_req_" << listener
          << ":10m rate=" << p.requests_per_second << "r/s;\n";
    }
    o << "    limit_conn_status 429;\n"
      << "    limit_req_status 429;\n"
      << "    ssl_protocols TLSv1.2 TLSv1.3;\n"
      << "    ssl_ciphers " << kCiphers << ";\n"
      << "    ssl_prefer_server_ciphers off;\n"
      << "    ssl_session_cache shared:inkan_tls:10m;\n"
      << "    ssl_session_timeout 1h;\n"
      << "    ssl_session_tickets off;\n"
      << "    proxy_http_version 1.1;\n"
      << "    proxy_read_timeout " << kUpstreamReadTimeoutSeconds << "s;\n"
      << upstream("inkan_operator", p.app_operator_port)
      << upstream("inkan_public", p.app_public_port)
      << upstream("inkan_publication", p.app_crl_port)
      << tls_server(p, p.operator_port, "inkan_operator", true)
      << tls_server(p, p.public_port, "inkan_public", false) << "    server {\n"
      << "        listen " << p.bind_address << ":" << p.crl_port << ";\n"
      << rate_limit(p, "publication") << "        add_header X-Request-Id $request_id always;\n"
      << json_error_pages(p) << proxy_block(p, "inkan_publication", false) << "    }\n"
      << "}\n";
    return o.str();
}

NginxFront::NginxFront(const std::string& nginx_binary, const FrontPlan& plan) {
    if (::access(nginx_binary.c_str(), X_OK) != 0) {
        throw Error(ErrorCategory::NotFound, "nginx_missing",
                    "http.front is nginx but " + nginx_binary +
                        " is not there: run scripts/install-deps.sh (Debian nginx-light), set "
                        "http.nginx_binary, or set http.front none");
    }
    fs::create_directories(plan.dir / "tmp");
    fs::permissions(plan.dir, fs::perms::owner_all, fs::perm_options::replace);
    const fs::path conf = plan.dir / "nginx.conf";
    const fs::path log = plan.dir / "error.log";
    write_private_file(conf, render_nginx_conf(plan));

    std::vector<std::string> args = {nginx_binary, "-p", plan.dir.string(), "-e",
                                     log.string(), "-c", conf.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls until exec
        // `inkan serve` blocks SIGINT/SIGTERM for sigwait; nginx needs them. The
        // front ends with this process even when it is killed outright.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    if (pid_ < 0) {
        int err = errno;
        pid_ = -1;
        start_failed("cannot start " + nginx_binary + ": " + std::strerror(err));
    }
    auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (!accepts(plan.bind_address, plan.public_port)) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            start_failed("nginx exited at start (ports " + std::to_string(plan.operator_port) +
                         ", " + std::to_string(plan.public_port) + ", " +
                         std::to_string(plan.crl_port) + " taken?); " + log.string() +
                         " says:" + log_tail(log));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            stop();
            start_failed("nginx did not accept connections within 10 s; see " + log.string());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

NginxFront::~NginxFront() { stop(); }

void NginxFront::stop() noexcept {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);  // fast shutdown: the master ends its workers
    for (int i = 0; i < 250; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

}  // namespace inkan::appliance
