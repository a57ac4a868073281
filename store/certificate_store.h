// Certificates the CA has issued, and the serial numbers it has reserved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace inkan::store {

enum class CertificateKind { Subscriber, Operator, TlsServer };
enum class CertificateStatus { Valid, Revoked };

const char* to_string(CertificateKind kind);
const char* to_string(CertificateStatus status);

struct CertificateRecord {
    std::string serial_hex;  // lowercase, no leading zeros
    std::string serial_dec;
    std::string subject;     // request-file form "CN=..,O=..,C=JP" (pki::name_to_request_form)
    std::string issuer;
    int64_t not_before = 0;  // unix seconds
    int64_t not_after = 0;
    CertificateStatus status = CertificateStatus::Valid;
    std::optional<int64_t> revoked_at;
    std::optional<int64_t> revocation_reason;
    std::optional<std::string> revocation_comment;
    CertificateKind kind = CertificateKind::Subscriber;
    std::optional<int64_t> profile_id;
    std::optional<std::string> institution;
    std::string requested_by;
    Bytes der;
    int64_t created_at = 0;
};

struct CertificateFilter {
    std::optional<std::string> institution;
    std::optional<CertificateKind> kind;
    std::optional<CertificateStatus> status;
    size_t limit = 1000;
    size_t offset = 0;
};

struct RevokedEntry {
    std::string serial_hex;
    int64_t revoked_at = 0;
    int64_t reason = 0;
};

class CertificateStore {
public:
    virtual ~CertificateStore() = default;

    // Records a serial before anything is signed with it. A serial that was
    // ever reserved can never be reserved again: throws Error(Conflict).
    virtual void reserve_serial(const std::string& serial_hex) = 0;
    // Stores an issued certificate; its serial must have been reserved.
    virtual void insert(const CertificateRecord& record) = 0;
    virtual std::optional<CertificateRecord> find(const std::string& serial_hex) = 0;
    virtual std::optional<CertificateRecord> find_by_decimal(const std::string& serial_dec) = 0;
    virtual std::vector<CertificateRecord> list(const CertificateFilter& filter) = 0;
    virtual bool has_valid_with_subject(const std::string& subject, int64_t now) = 0;
    // Marks a valid certificate revoked. Throws NotFound for an unknown serial
    // and Conflict when it is already revoked.
    virtual void revoke(const std::string& serial_hex, int64_t reason,
                        const std::optional<std::string>& comment, int64_t when) = 0;
    virtual std::vector<RevokedEntry> revoked() = 0;
};

}  // namespace inkan::store
