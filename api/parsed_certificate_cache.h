// The client certificate the TLS front forwards (front_gate.h) is the same PEM
// on every request of an operator's client, and parsing it costs OpenSSL 3.0 a
// public-key decoder context each time (about 0.25 ms, 14% of a P-256 REST
// issuance; README "Benchmarks"). This keeps the parsed certificates of the
// last few distinct headers, keyed by the header's exact bytes. Only parsing is
// remembered: whether the certificate belongs to an operator, is the one on
// record and is still valid is decided afresh on every request
// (Authority::authenticate_operator).
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/openssl_ptr.h"

namespace inkan::api {

class ParsedCertificateCache {
  public:
    explicit ParsedCertificateCache(size_t capacity);
    // The certificate kept for exactly these header bytes (a new reference), or null.
    X509Ptr find(const std::string& header);
    // Keeps a reference to `cert`; the least recently used entry goes when full.
    void keep(const std::string& header, X509* cert);
    size_t size() const;

  private:
    struct Entry {
        X509Ptr cert;
        std::list<std::string>::iterator recency;
    };
    const size_t capacity_;
    mutable std::mutex mutex_;
    std::list<std::string> recency_;  // most recently used first
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace inkan::api
