#include "tests/support/https_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

namespace inkan::test {
namespace {

struct CtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free_all(b); }
};

std::string ssl_errors() {
    std::string out;
    while (auto e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += buf;
        out += "; ";
    }
    return out;
}

// A chunked body (after the head) decoded, and whether it arrived up to its last chunk.
struct Dechunked {
    std::string body;
    bool complete = false;
};
Dechunked dechunk(const std::string& chunked) {
    Dechunked out;
    size_t at = 0;
    for (;;) {
        size_t eol = chunked.find("\r\n", at);
        if (eol == std::string::npos) return out;
        size_t n = std::stoul(chunked.substr(at, eol - at), nullptr, 16);
        if (n == 0) {
            out.complete = chunked.size() >= eol + 4;
            return out;
        }
        if (eol + 2 + n > chunked.size()) return out;
        out.body.append(chunked, eol + 2, n);
        at = eol + 2 + n + 2;
    }
}

HttpResponse parse(const std::string& raw) {
    HttpResponse r;
    auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos) {
        r.error = "no HTTP header in response";
        return r;
    }
    std::string head = raw.substr(0, head_end);
    r.body = raw.substr(head_end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    auto sp = status_line.find(' ');
    r.status = sp == std::string::npos ? 0 : std::stoi(status_line.substr(sp + 1, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
        size_t e = head.find("\r\n", pos);
        if (e == std::string::npos) e = head.size();
        std::string line = head.substr(pos, e - pos);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), ::tolower);
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            r.headers[name] = value;
        }
        pos = e + 2;
    }
    if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
        size_t n = std::stoul(it->second);
        if (r.body.size() > n) r.body.resize(n);
    }
    if (auto it = r.headers.find("transfer-encoding");
        it != r.headers.end() && it->second == "chunked") {
        r.body = dechunk(r.body).body;  // truncated: what arrived
    }
    return r;
}

}  // namespace

HttpResponse HttpsClient::request(const std::string& method, const std::string& path,
                                  const std::string& body, const std::string& content_type) const {
    // A server may close early (413); writing then must not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    HttpResponse fail;
    std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ca_file.empty()) {
        SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr);
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    }
    if (!client_cert_file.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx.get(), client_cert_file.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx.get(), client_key_file.c_str(), SSL_FILETYPE_PEM) !=
                1) {
            fail.error = "cannot load client certificate: " + ssl_errors();
            return fail;
        }
    }
    std::unique_ptr<BIO, BioFree> bio(BIO_new_ssl_connect(ctx.get()));
    std::string target = host + ":" + std::to_string(port);
    BIO_set_conn_hostname(bio.get(), target.c_str());
    SSL* ssl = nullptr;
    BIO_get_ssl(bio.get(), &ssl);
    SSL_set_mode(ssl, SSL_MODE_AUTO_RETRY);
    if (BIO_do_connect(bio.get()) <= 0 || BIO_do_handshake(bio.get()) <= 0) {
        fail.error = "connect/handshake failed: " + ssl_errors();
        return fail;
    }
    std::string extra;
    std::string host_header = host;
    for (const auto& [name, value] : headers) {
        if (name == "Host")
            host_header = value;
        else
            extra += name + ": " + value + "\r\n";
    }
    // No Content-Type at all when none is given (like curl -X POST without data).
    std::string type_header = content_type.empty() ? "" : "Content-Type: " + content_type + "\r\n";
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + host_header +
                      "\r\nConnection: close\r\n" + type_header +
                      "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" +
                      body;
    size_t off = 0;
    while (off < req.size()) {
        int n = BIO_write(bio.get(), req.data() + off,
                          static_cast<int>(std::min<size_t>(req.size() - off, 1 << 20)));
        if (n <= 0) {
            // The server may answer early (e.g. 413) and close; read what it said.
            break;
        }
        off += static_cast<size_t>(n);
    }
    std::string raw;
    char buf[16384];
    for (;;) {
        int n = BIO_read(bio.get(), buf, sizeof buf);
        if (n <= 0) break;
        raw.append(buf, static_cast<size_t>(n));
        auto head_end = raw.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            auto parsed = parse(raw);
            auto it = parsed.headers.find("content-length");
            if (it != parsed.headers.end() && raw.size() - head_end - 4 >= std::stoul(it->second)) {
                return parsed;
            }
            auto te = parsed.headers.find("transfer-encoding");
            if (te != parsed.headers.end() && te->second == "chunked" &&
                dechunk(raw.substr(head_end + 4)).complete) {
                return parsed;
            }
        }
    }
    if (raw.empty()) {
        fail.error = "connection closed without a response: " + ssl_errors();
        return fail;
    }
    return parse(raw);
}

HttpResponse fetch_bulk_zip(const HttpsClient& client, const std::string& path,
                            const std::string& body, int timeout_seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    for (;;) {
        HttpResponse answer = client.post(path, body, "application/json");
        if (answer.status == 200) {
            // The rows count as downloaded once the last chunk was written, an
            // instant after the client has it: wait for that, as a test checks it.
            while (std::chrono::steady_clock::now() < deadline &&
                   client.get(path + "/status").body.find("\"delivered\"") == std::string::npos)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (answer.status != 202 || std::chrono::steady_clock::now() > deadline) return answer;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace inkan::test
