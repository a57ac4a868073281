#include "api/parsed_certificate_cache.h"

namespace inkan::api {

ParsedCertificateCache::ParsedCertificateCache(size_t capacity) : capacity_(capacity) {}

X509Ptr ParsedCertificateCache::find(const std::string& header) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(header);
    if (it == entries_.end()) return nullptr;
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    X509_up_ref(it->second.cert.get());
    return X509Ptr(it->second.cert.get());
}

void ParsedCertificateCache::keep(const std::string& header, X509* cert) {
    if (capacity_ == 0) return;
    X509_up_ref(cert);
    X509Ptr held(cert);
    std::lock_guard lock(mutex_);
    if (entries_.count(header)) return;  // another request parsed it meanwhile
    if (entries_.size() == capacity_) {
        entries_.erase(recency_.back());
        recency_.pop_back();
    }
    recency_.push_front(header);
    entries_.emplace(header, Entry{std::move(held), recency_.begin()});
}

size_t ParsedCertificateCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace inkan::api
