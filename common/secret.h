// A string holding a secret (PIN, password). Zeroed on destruction and never
// printed: there is no operator<<, and str() must be asked for explicitly.
#pragma once

#include <openssl/crypto.h>

#include <string>
#include <utility>

namespace inkan {

class SecretString {
  public:
    SecretString() = default;
    explicit SecretString(std::string value) : value_(std::move(value)) {}
    SecretString(const SecretString& other) : value_(other.value_) {}
    SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
    SecretString& operator=(SecretString other) noexcept {
        wipe();
        value_.swap(other.value_);
        return *this;
    }
    ~SecretString() { wipe(); }

    const std::string& str() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    size_t size() const noexcept { return value_.size(); }

  private:
    void wipe() noexcept {
        if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
        value_.clear();
    }
    std::string value_;
};

}  // namespace inkan
