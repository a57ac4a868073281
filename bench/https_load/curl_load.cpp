#include "bench/https_load/curl_load.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "tests/support/client_credential.h"

namespace inkan::bench {

namespace {

struct EasyDeleter {
    void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct MultiDeleter {
    void operator()(CURLM* m) const noexcept { curl_multi_cleanup(m); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// curl_global_init once per process, before any handle.
void global_init() {
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) throw std::runtime_error("curl_global_init failed");
}

// "Expect:" (no 100-continue round trip) and `more`.
SlistPtr header_list(const std::vector<std::string>& more) {
    SlistPtr list(curl_slist_append(nullptr, "Expect:"));
    for (const auto& h : more) {
        curl_slist* longer = curl_slist_append(list.get(), h.c_str());
        if (longer == nullptr) throw std::runtime_error("curl_slist_append failed");
        list.release();
        list.reset(longer);
    }
    return list;
}

size_t append_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

size_t count_bytes(char*, size_t size, size_t n, void* out) {
    *static_cast<size_t*>(out) += size * n;
    return size * n;
}

// The client certificate and key, read from the PKCS#12 once per process: a
// real client holds its key in memory, whereas libcurl would read and decrypt
// the file (PBKDF2) for every new connection, about 4 ms of the client's CPU.
using Credential = test::OpenedPkcs12;

const Credential& credential_of(const ClientTls& tls) {
    static std::mutex mutex;
    static std::map<std::string, Credential> parsed;
    std::lock_guard lock(mutex);
    auto it = parsed.find(tls.p12_file);
    if (it != parsed.end()) return it->second;
    auto opened = test::open_pkcs12(tls.p12_file, tls.p12_password);
    if (!opened) throw std::runtime_error("cannot read the client PKCS#12 " + tls.p12_file);
    return parsed.emplace(tls.p12_file, std::move(*opened)).first->second;
}

// CURLOPT_SSL_CTX_FUNCTION: each new connection's SSL_CTX gets the credential.
CURLcode use_credential(CURL*, void* ssl_ctx, void* credential) {
    auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
    const auto* c = static_cast<const Credential*>(credential);
    if (SSL_CTX_use_certificate(ctx, c->cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, c->key.get()) != 1)
        return CURLE_SSL_CERTPROBLEM;
    return CURLE_OK;
}

EasyPtr make_handle(const std::string& url, const ClientTls& tls, curl_slist* headers) {
    EasyPtr h(curl_easy_init());
    if (!h) throw std::runtime_error("curl_easy_init failed");
    curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(h.get(), CURLOPT_CAINFO, tls.ca_file.c_str());
    if (!tls.p12_file.empty()) {
        curl_easy_setopt(h.get(), CURLOPT_SSL_CTX_FUNCTION, use_credential);
        curl_easy_setopt(h.get(), CURLOPT_SSL_CTX_DATA,
                         const_cast<Credential*>(&credential_of(tls)));
    }
    curl_easy_setopt(h.get(), CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h.get(), CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(h.get(), CURLOPT_TIMEOUT, 120L);
    return h;
}

void set_request(CURL* h, const std::string& body, std::string* answer) {
    answer->clear();
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(h, CURLOPT_WRITEDATA, answer);
}

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

LoadResult sized(size_t n) {
    LoadResult r;
    r.latencies_ms.resize(n);
    r.bodies.resize(n);
    r.statuses.resize(n);
    return r;
}

long connects_of(CURL* h) {
    long n = 0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &n);
    return n;
}

}  // namespace

LoadResult post_concurrently(const std::string& url, const std::vector<std::string>& bodies,
                             size_t clients, const ClientTls& tls,
                             const std::vector<std::string>& extra_headers) {
    global_init();
    LoadResult r = sized(bodies.size());
    SlistPtr headers = header_list(extra_headers);
    MultiPtr multi(curl_multi_init());
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(clients));
    curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(clients));

    struct Client {
        EasyPtr handle;
        size_t index = 0;
        std::chrono::steady_clock::time_point sent;
    };
    std::vector<Client> pool(std::min(clients, bodies.size()));
    size_t next = 0;
    auto send_next = [&](Client& c) {
        c.index = next++;
        set_request(c.handle.get(), bodies[c.index], &r.bodies[c.index]);
        c.sent = std::chrono::steady_clock::now();
        curl_multi_add_handle(multi.get(), c.handle.get());
    };
    auto start = std::chrono::steady_clock::now();
    for (auto& c : pool) {
        c.handle = make_handle(url, tls, headers.get());
        curl_easy_setopt(c.handle.get(), CURLOPT_PRIVATE, &c);
        send_next(c);
    }
    int running = 1;
    while (running > 0) {
        if (curl_multi_perform(multi.get(), &running) != CURLM_OK)
            throw std::runtime_error("curl_multi_perform failed");
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
            if (msg->msg != CURLMSG_DONE) continue;
            Client* c = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &c);
            r.latencies_ms[c->index] = ms_since(c->sent);
            long status = 0;
            if (msg->data.result == CURLE_OK)
                curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            else
                r.bodies[c->index] = curl_easy_strerror(msg->data.result);
            r.statuses[c->index] = status;
            r.new_connections += connects_of(msg->easy_handle);
            curl_multi_remove_handle(multi.get(), msg->easy_handle);
            if (next < bodies.size()) {
                send_next(*c);
                running = 1;
            }
        }
        if (running > 0) curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
    }
    r.seconds = ms_since(start) / 1000.0;
    return r;
}

LoadResult post_new_connection_each(const std::string& url, const std::vector<std::string>& bodies,
                                    const ClientTls& tls) {
    global_init();
    LoadResult r = sized(bodies.size());
    SlistPtr headers = header_list({});
    EasyPtr h = make_handle(url, tls, headers.get());
    curl_easy_setopt(h.get(), CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.get(), CURLOPT_SSL_SESSIONID_CACHE, 1L);
    auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < bodies.size(); ++i) {
        set_request(h.get(), bodies[i], &r.bodies[i]);
        auto sent = std::chrono::steady_clock::now();
        CURLcode rc = curl_easy_perform(h.get());
        r.latencies_ms[i] = ms_since(sent);
        if (rc == CURLE_OK)
            curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &r.statuses[i]);
        else
            r.bodies[i] = curl_easy_strerror(rc);
        r.new_connections += connects_of(h.get());
    }
    r.seconds = ms_since(start) / 1000.0;
    return r;
}

Answer request(const Request& req, const ClientTls& tls) {
    global_init();
    SlistPtr headers = header_list(req.headers);
    EasyPtr h = make_handle(req.url, tls, headers.get());
    Answer a;
    if (req.keep_body) {
        curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &a.body);
    } else {
        curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, count_bytes);
        curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &a.bytes);
    }
    if (req.post) {
        curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, req.body.data());
        curl_easy_setopt(h.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
    }
    auto start = std::chrono::steady_clock::now();
    CURLcode rc = curl_easy_perform(h.get());
    a.seconds = ms_since(start) / 1000.0;
    if (rc != CURLE_OK) throw std::runtime_error(req.url + ": " + curl_easy_strerror(rc));
    curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &a.status);
    if (req.keep_body) a.bytes = a.body.size();
    return a;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

}  // namespace inkan::bench
