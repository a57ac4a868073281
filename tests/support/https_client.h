// A minimal HTTPS/1.1 client for tests (OpenSSL, one request per connection,
// "Connection: close"). Verifies the server against a CA file; can present a
// client certificate.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace inkan::test {

struct HttpResponse {
    int status = 0;                              // 0 when the TLS handshake or connection failed
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string error;  // transport error text when status == 0
};

struct HttpsClient {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    std::string ca_file;           // trust anchor for the server certificate
    std::string client_cert_file;  // PEM, optional
    std::string client_key_file;   // PEM, optional
    // Sent with every request (e.g. Origin, Sec-Fetch-Site); "Host" replaces the default.
    std::map<std::string, std::string> headers;

    // An empty content_type sends no Content-Type header.
    HttpResponse request(const std::string& method, const std::string& path,
                         const std::string& body = "",
                         const std::string& content_type = "application/octet-stream") const;
    HttpResponse get(const std::string& path) const { return request("GET", path); }
    HttpResponse post(const std::string& path, const std::string& body,
                      const std::string& content_type = "application/octet-stream") const {
        return request("POST", path, body, content_type);
    }
};

// P12 bulk: POSTs `body` to a ZIP URL until the answer is not 202 (the ZIP
// job's progress): the ZIP (then waits until the job says delivered), or a
// refusal. Gives up (returns the last 202) after `timeout_seconds`.
HttpResponse fetch_bulk_zip(const HttpsClient& client, const std::string& path,
                            const std::string& body = "{}", int timeout_seconds = 120);

}  // namespace inkan::test
