// HTTPS load from libcurl: one curl multi handle driving `clients` concurrent
// transfers over keep-alive connections (each client posts its next body as
// soon as its answer is in), or one easy handle that opens a new TLS connection
// per request (TLS session resumed). Mutual TLS with a PKCS#12 credential,
// read once and held in memory as a real client holds its key.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace inkan::bench {

struct ClientTls {
    std::string ca_file;       // trust anchor (PEM)
    std::string p12_file;      // client certificate and key
    std::string p12_password;  // its password
};

struct LoadResult {
    double seconds = 0;                // wall time of all requests
    std::vector<double> latencies_ms;  // per request, request order
    std::vector<std::string> bodies;   // answers, request order
    std::vector<long> statuses;        // HTTP status, request order (0: transport failure)
    long new_connections = 0;          // TCP connections opened
};

// POSTs bodies[i] to `url`, `clients` requests in flight at a time, with
// `headers` ("Name: value") added.
LoadResult post_concurrently(const std::string& url, const std::vector<std::string>& bodies,
                             size_t clients, const ClientTls& tls,
                             const std::vector<std::string>& headers = {});

// POSTs bodies[i] one after the other, each on a new connection
// (CURLOPT_FORBID_REUSE), the TLS session cache left on.
LoadResult post_new_connection_each(const std::string& url, const std::vector<std::string>& bodies,
                                    const ClientTls& tls);

struct Request {
    std::string url;
    bool post = false;
    std::string body;                  // POST only
    std::vector<std::string> headers;  // "Name: value"
    bool keep_body = true;             // false: only count the answer's bytes
};
struct Answer {
    long status = 0;
    std::string body;  // when kept
    size_t bytes = 0;  // of the body (after any chunked framing)
    double seconds = 0;
};
// One request on its own connection (`tls.p12_file` empty: no client certificate).
Answer request(const Request& req, const ClientTls& tls);

// The p-th percentile (0..100, nearest rank) of `values`.
double percentile(std::vector<double> values, double p);

}  // namespace inkan::bench
