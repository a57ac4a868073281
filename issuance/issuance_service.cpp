#include "issuance/issuance_service.h"

#include <algorithm>
#include <set>

#include "common/error.h"
#include "hsm/operations.h"
#include "issuance/bulk_jobs.h"
#include "issuance/service_impl.h"
#include "issuance/undelivered.h"
#include "issuance/url_tokens.h"
#include "pki/serial.h"

namespace inkan::issuance {
namespace {

constexpr std::string_view kPinUrlPurpose = "inkan-notification-pin-url-v1";
constexpr std::string_view kRetrievalUrlPurpose = "inkan-notification-retrieval-url-v1";

policy::DownloadType download_type_of(int value) {
    return static_cast<policy::DownloadType>(value);
}

RowStatus row_status(const store::BatchRowRecord& row, int64_t now) {
    if (row.status == store::StoredRowStatus::Downloaded) return RowStatus::Downloaded;
    if (row.status == store::StoredRowStatus::Locked) return RowStatus::Locked;
    if (now >= row.urls_expire_at) return RowStatus::Expired;
    return row.status == store::StoredRowStatus::PinViewed ? RowStatus::PinViewed
                                                           : RowStatus::Accepted;
}

// A batch's summary from its row counts (the store's for the list, the rows'
// own for get_batch()).
BatchState batch_state(const store::BatchRecord& b, const store::BatchRowCounts& counts) {
    BatchState s;
    s.batch_id = b.id;
    s.institution = b.institution;
    s.operator_name = b.operator_name;
    s.action = policy::parse_action(b.action).value_or(policy::Action::Issue);
    s.mode = policy::parse_error_mode(b.error_mode).value_or(policy::ErrorMode::Abort);
    s.download_type = download_type_of(b.download_type);
    s.created_at = b.created_at;
    s.urls_expire_at = std::max(b.expires_at, counts.latest_urls_expire_at);
    s.counts = counts;
    s.status = counts.downloaded == counts.rows
                   ? BatchStatus::Completed
                   : (counts.open > 0 ? BatchStatus::Open : BatchStatus::Expired);
    return s;
}

// The same counts from rows already read (get_batch() shows them), so the
// batch's status and the rows in one answer come from one read of the store.
store::BatchRowCounts count_rows(const std::vector<RowState>& rows, int64_t now) {
    store::BatchRowCounts n;
    for (const RowState& r : rows) {
        ++n.rows;
        switch (r.status) {
            case RowStatus::Accepted:
                ++n.accepted;
                break;
            case RowStatus::PinViewed:
                ++n.pin_viewed;
                break;
            case RowStatus::Downloaded:
                ++n.downloaded;
                break;
            case RowStatus::Locked:
                ++n.locked;
                break;
            case RowStatus::Expired:
                ++n.expired;
                break;
        }
        if (r.status != RowStatus::Downloaded && now < r.urls_expire_at) ++n.open;
        n.latest_urls_expire_at = std::max(n.latest_urls_expire_at, r.urls_expire_at);
    }
    return n;
}

int64_t system_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

RowState row_state(const store::BatchRowRecord& r, int64_t now) {
    RowState rs;
    rs.row_id = r.row_no;
    rs.line = static_cast<size_t>(r.line);
    rs.subject_dn = r.subject_dn;
    rs.profile_id = r.profile_id;
    rs.download_type = download_type_of(r.download_type);
    rs.status = row_status(r, now);
    rs.failed_pin_attempts = r.failed_attempts;
    rs.serial_hex = r.serial_hex;
    if (r.serial_hex) rs.serial = pki::serial_to_decimal(pki::serial_from_hex(*r.serial_hex));
    rs.downloaded_at = r.downloaded_at;
    rs.urls_expire_at = r.urls_expire_at;
    if (r.renews_serial_hex)
        rs.renews_serial = pki::serial_to_decimal(pki::serial_from_hex(*r.renews_serial_hex));
    return rs;
}

IssuanceService::Impl::Impl(hsm::Token& t, ca::CertificateAuthority& a, store::BatchStore& b,
                            store::BulkJobStore& j, const PinKeys& keys, SigningGate& g,
                            IssuanceConfig c, Now n)
    : token(t),
      authority(a),
      batches(b),
      bulk_jobs(j),
      gate(g),
      config(std::move(c)),
      now(n ? std::move(n) : Now(system_now)),
      pins(t, keys.hmac_key_id, keys.aes_key_id, config.pin_length),
      p12_key_algorithm(hsm::parse_key_algorithm(config.p12_key_algorithm)) {
    if (config.max_pin_failures < 1) {
        throw Error(ErrorCategory::InvalidInput, "config_max_pin_failures",
                    "max_pin_failures must be at least 1");
    }
    if (config.key_pool_size > 0) {
        key_pool = std::make_unique<hsm::KeyPool>(t, p12_key_algorithm, config.key_pool_size);
    }
    runner = std::make_unique<BulkJobRunner>(*this);
}

IssuanceService::Impl::~Impl() = default;

IssuanceService::IssuanceService(hsm::Token& token, ca::CertificateAuthority& authority,
                                 store::BatchStore& batches, store::BulkJobStore& bulk_jobs,
                                 const PinKeys& pin_keys, SigningGate& gate, IssuanceConfig config,
                                 Now now)
    : impl_(std::make_unique<Impl>(token, authority, batches, bulk_jobs, pin_keys, gate,
                                   std::move(config), std::move(now))) {}

IssuanceService::~IssuanceService() = default;

const IssuanceConfig& IssuanceService::config() const noexcept { return impl_->config; }

std::optional<std::string> IssuanceService::notification_url_token(
    const store::NotificationRecord& event) const {
    std::string_view purpose;
    if (event.type == "access_pin_issued") {
        purpose = kPinUrlPurpose;
    } else if (event.type == "issuance_accepted") {
        purpose = kRetrievalUrlPurpose;
    } else {
        return std::nullopt;
    }
    if (event.secret_ciphertext.empty()) return std::nullopt;
    Bytes token = impl_->pins.open(purpose, event.secret_ciphertext, event.batch_id,
                                   event.row_no.value_or(0));
    return inkan::to_string(ByteView(token));
}

bool nothing_to_store(const policy::CheckReport& report, bool no_rows) {
    return report.file_error.has_value() || no_rows ||
           (report.mode == policy::ErrorMode::Abort && report.has_errors());
}

std::vector<RequestToStore> requests_to_store(const policy::CheckReport& report) {
    std::vector<RequestToStore> out;
    for (const policy::IssueRow& r : report.accepted_issue) out.push_back({r, std::nullopt});
    for (const policy::RenewRow& r : report.accepted_renew)
        out.push_back({r.request, ca::serial_key_of_text(r.old_serial)});
    return out;
}

NewBatchPlan IssuanceService::Impl::plan_batch(const OperatorInfo& op,
                                               const policy::CheckReport& report,
                                               const std::vector<RequestToStore>& requests,
                                               const std::string& batch_id) {
    const int64_t created = now();
    const int64_t expires = created + config.url_lifetime.count();
    const auto type = requests.front().row.download_type;

    NewBatchPlan plan;
    store::NewBatch& nb = plan.batch;
    BatchResult& result = plan.result;
    result.report = policy::report_to_json(report);
    nb.batch.id = batch_id;
    nb.batch.institution = op.institution;
    nb.batch.operator_name = op.name;
    nb.batch.operator_email = op.email;
    nb.batch.action = policy::to_string(report.action);
    nb.batch.error_mode = policy::to_string(report.mode);
    nb.batch.download_type = static_cast<int>(type);
    nb.batch.report_json = result.report.dump();
    nb.batch.created_at = created;
    nb.batch.expires_at = expires;

    int64_t row_no = 0;
    for (const RequestToStore& request : requests) {
        const policy::IssueRow& r = request.row;
        ++row_no;
        store::BatchRowRecord row;
        row.batch_id = batch_id;
        row.row_no = row_no;
        row.line = static_cast<int64_t>(r.line);
        row.subject_dn = r.dn.to_string();
        row.profile_id = r.profile_id;
        row.download_type = static_cast<int>(r.download_type);
        row.admin_name = r.admin_name;
        row.admin_mail = r.admin_mail;
        row.user_name = r.user_name;
        row.user_mail = r.user_mail;
        row.p12_file_name = r.p12_file_name;
        row.raw_json = nlohmann::json(r.raw).dump();
        row.pin_nonce = pins.new_nonce();
        if (!r.access_pin.empty())
            row.pin_ciphertext = pins.seal_supplied_pin(r.access_pin, batch_id, row_no);
        row.renews_serial_hex = request.renews_serial_hex;
        nb.rows.push_back(std::move(row));
    }
    add_urls(batch_id, op.email, nb.rows, created, expires, nb.urls, nb.notifications, result);
    result.batch_id = batch_id;
    result.status = "accepted";
    result.download_type = type;
    result.urls_expire_at = expires;
    return plan;
}

void IssuanceService::Impl::add_urls(const std::string& batch_id, const std::string& operator_email,
                                     const std::vector<store::BatchRowRecord>& rows,
                                     int64_t created, int64_t expires,
                                     std::vector<store::UrlRecord>& urls,
                                     std::vector<store::NotificationRecord>& events,
                                     BatchResult& result) {
    auto add_url = [&](const char* kind, std::optional<int64_t> row_no) {
        std::string url_token = new_url_token(token);
        urls.push_back({url_token_hash(url_token), kind, batch_id, row_no, expires, std::nullopt});
        return url_token;
    };
    auto add_event = [&](const char* event, std::optional<int64_t> row_no, std::string recipient,
                         std::string_view purpose, const std::string& url_token,
                         std::optional<std::string> subject) {
        store::NotificationRecord n;
        n.type = event;
        n.batch_id = batch_id;
        n.row_no = row_no;
        n.recipient = std::move(recipient);
        n.subject = std::move(subject);
        n.secret_ciphertext = pins.seal(purpose, as_bytes(url_token), batch_id, row_no.value_or(0));
        n.created_at = created;
        events.push_back(std::move(n));
    };
    const bool bulk = download_type_of(rows.front().download_type) == policy::DownloadType::P12Bulk;
    for (const store::BatchRowRecord& r : rows) {
        AcceptedRow accepted;
        accepted.row_id = r.row_no;
        accepted.line = static_cast<size_t>(r.line);
        accepted.download_type = download_type_of(r.download_type);
        accepted.subject_dn = r.subject_dn;
        if (!bulk) {
            accepted.pin_token = add_url("pin", r.row_no);
            accepted.retrieval_token = add_url("retrieval", r.row_no);
            std::string pin_recipient = !r.admin_mail.empty() ? r.admin_mail : r.user_mail;
            std::string retrieval_recipient = !r.user_mail.empty() ? r.user_mail : r.admin_mail;
            add_event("access_pin_issued", r.row_no, pin_recipient, kPinUrlPurpose,
                      *accepted.pin_token, r.subject_dn);
            add_event("issuance_accepted", r.row_no, retrieval_recipient, kRetrievalUrlPurpose,
                      *accepted.retrieval_token, r.subject_dn);
        }
        result.rows.push_back(std::move(accepted));
    }
    if (bulk) {
        result.batch_pin_token = add_url("pin", std::nullopt);
        result.batch_retrieval_token = add_url("retrieval", std::nullopt);
        // P12 bulk: the PIN URL goes to the RA operator (who hands it to the PIN
        // distributor), the ZIP URL to the subscriber admin.
        add_event("access_pin_issued", std::nullopt, operator_email, kPinUrlPurpose,
                  *result.batch_pin_token, std::nullopt);
        add_event("issuance_accepted", std::nullopt, rows.front().admin_mail, kRetrievalUrlPurpose,
                  *result.batch_retrieval_token, std::nullopt);
    }
}

BatchResult IssuanceService::submit(const OperatorInfo& op, std::string_view file,
                                    policy::Action action, policy::ErrorMode mode,
                                    const policy::CheckContext& context) {
    policy::CheckContext scoped = context;
    scoped.institution = op.institution;  // an operator acts only for its own institution
    policy::CheckReport report = policy::check_request_file(file, action, mode, scoped);
    Impl& m = *impl_;
    if (action == policy::Action::Revoke) return m.submit_revocations(op, report);
    const std::string batch_id = hex_encode(hsm::generate_random(m.token, 16));
    for (;;) {
        std::vector<RequestToStore> requests = requests_to_store(report);
        if (nothing_to_store(report, requests.empty())) {
            BatchResult rejected;
            rejected.report = policy::report_to_json(report);
            rejected.status = "rejected";
            return rejected;
        }
        const bool bulk = requests.front().row.download_type == policy::DownloadType::P12Bulk;
        if (bulk && requests.size() > m.config.bulk_max_rows) {
            throw Error(ErrorCategory::TooLarge, "bulk_rows_over_limit",
                        "a P12 bulk file may have at most " +
                            std::to_string(m.config.bulk_max_rows) + " rows (this one has " +
                            std::to_string(requests.size()) +
                            " to store); split it into several files");
        }
        NewBatchPlan plan = m.plan_batch(op, report, requests, batch_id);
        std::vector<store::ConflictingRow> conflicts = m.batches.create(plan.batch);
        if (conflicts.empty()) {
            if (bulk && m.config.bulk_start == BulkJobStart::Upload) {
                std::lock_guard lock(m.bulk_mutex);
                start_bulk_job(m, batch_id, false, requests.size());
            }
            return std::move(plan.result);
        }
        // Another upload or a download took these DNs (or renewals) after the
        // check: the rules, as the storing transaction saw them.
        std::set<std::size_t> claimed, renewing;
        for (const store::ConflictingRow& c : conflicts) {
            std::size_t line = requests.at(static_cast<size_t>(c.row_no - 1)).row.line;
            (c.conflict == store::RowConflict::RenewalPending ? renewing : claimed).insert(line);
        }
        policy::reject_accepted_lines(report, claimed, "dn_duplicate",
                                      "a valid certificate or a pending request has this DN");
        policy::reject_accepted_lines(report, renewing, "renewal_pending", "");
    }
}

size_t IssuanceService::recover_undelivered() {
    size_t revoked = revoke_undelivered(impl_->authority.certificates(), impl_->now());
    impl_->runner->resume();
    return revoked;
}

store::BatchRecord IssuanceService::Impl::own_batch(const OperatorInfo& op,
                                                    const std::string& batch_id) {
    auto batch = batches.find_batch(batch_id);
    if (!batch || (!op.every_institution && batch->institution != op.institution)) {
        throw Error(ErrorCategory::NotFound, "batch_not_found",
                    "no such request batch in your institution; list yours with GET "
                    "/api/v1/requests");
    }
    return *batch;
}

BatchState IssuanceService::get_batch(const OperatorInfo& op, const std::string& batch_id) {
    store::BatchRecord batch = impl_->own_batch(op, batch_id);
    const int64_t now = impl_->now();
    std::vector<RowState> rows;
    for (const auto& r : impl_->batches.rows(batch_id)) rows.push_back(row_state(r, now));
    BatchState state = batch_state(batch, count_rows(rows, now));
    state.rows = std::move(rows);
    state.bulk_job = bulk_progress(*impl_, batch_id);
    return state;
}

std::vector<BatchState> IssuanceService::list_batches(const OperatorInfo& op, size_t limit) {
    std::vector<BatchState> out;
    int64_t now = impl_->now();
    std::optional<std::string> scope;
    if (!op.every_institution) scope = op.institution;
    for (const auto& b : impl_->batches.list_batches(scope, limit)) {
        out.push_back(batch_state(b, impl_->batches.row_counts(b.id, now)));
        out.back().bulk_job = bulk_progress(*impl_, b.id);
    }
    return out;
}

PinPage IssuanceService::view_pins(const std::string& pin_token) {
    Impl& m = *impl_;
    store::UrlRecord url = m.open_url(pin_token, "pin");
    store::BatchRecord batch = m.batch_of(url);
    PinPage page;
    page.batch_id = batch.id;
    page.download_type = download_type_of(batch.download_type);
    std::vector<store::BatchRowRecord> rows;
    if (url.row_no) {
        rows.push_back(m.row_of(url));
    } else {
        rows = m.batches.rows(batch.id);
    }
    for (const auto& r : rows) {
        PinEntry e;
        e.row_id = r.row_no;
        e.name = !r.user_name.empty() ? r.user_name : r.admin_name;
        e.mail = !r.user_mail.empty() ? r.user_mail : r.admin_mail;
        e.subject_dn = r.subject_dn;
        e.pin = m.pin_of(r);
        page.entries.push_back(std::move(e));
    }
    // Used only once every PIN was derived: an HSM failure above (503) leaves the
    // URL unused, so the same link works once the HSM is back.
    if (!m.batches.consume_pin_url(url.token_hash, m.now())) {
        throw Error(ErrorCategory::Gone, "pin_url_used",
                    "this PIN URL was already opened; the PINs are shown only once");
    }
    if (page.download_type == policy::DownloadType::P12Bulk &&
        m.config.bulk_start == BulkJobStart::PinView) {
        std::lock_guard lock(m.bulk_mutex);
        if (!m.bulk_jobs.find(batch.id))
            start_bulk_job(m, batch.id, false, bulk_rows(m, rows).size());
    }
    return page;
}

PinUrlState IssuanceService::pin_url_state(const std::string& pin_token) {
    Impl& m = *impl_;
    store::UrlRecord url = m.open_url(pin_token, "pin");
    store::BatchRecord batch = m.batch_of(url);
    PinUrlState state;
    state.download_type = download_type_of(batch.download_type);
    state.expires_at = url.expires_at;
    state.rows = url.row_no ? 1 : m.batches.rows(batch.id).size();
    return state;
}

store::UrlRecord IssuanceService::Impl::open_url(const std::string& url_token, const char* kind) {
    const bool pin_url = std::string_view(kind) == "pin";
    auto url = batches.find_url(url_token_hash(url_token));
    if (!url || url->kind != kind) {
        throw Error(ErrorCategory::NotFound, "url_not_found", "unknown or invalid URL");
    }
    if (pin_url && url->used_at) {
        throw Error(ErrorCategory::Gone, "pin_url_used",
                    "this PIN URL was already opened; the PINs are shown only once");
    }
    if (now() >= url->expires_at) {
        if (pin_url)
            throw Error(ErrorCategory::Gone, "pin_url_expired", "this PIN URL has expired");
        throw Error(ErrorCategory::Gone, "url_expired",
                    "this certificate retrieval URL has expired");
    }
    return *url;
}

store::BatchRecord IssuanceService::Impl::batch_of(const store::UrlRecord& url) {
    auto b = batches.find_batch(url.batch_id);
    if (!b) throw Error(ErrorCategory::NotFound, "url_not_found", "unknown or invalid URL");
    return *b;
}

store::BatchRowRecord IssuanceService::Impl::row_of(const store::UrlRecord& url) {
    auto r = url.row_no ? batches.row(url.batch_id, *url.row_no) : std::nullopt;
    if (!r) throw Error(ErrorCategory::NotFound, "url_not_found", "unknown or invalid URL");
    return *r;
}

SecretString IssuanceService::Impl::pin_of(const store::BatchRowRecord& row) {
    if (!row.pin_ciphertext.empty())
        return pins.open_supplied_pin(row.pin_ciphertext, row.batch_id, row.row_no);
    return pins.derive(row.batch_id, row.row_no, row.pin_nonce);
}

void IssuanceService::Impl::check_downloadable(const store::BatchRowRecord& row) {
    if (row.status == store::StoredRowStatus::Locked ||
        row.failed_attempts >= config.max_pin_failures) {
        throw Error(ErrorCategory::Locked, "row_locked",
                    "too many wrong access PINs: this request row is locked; ask the RA operator");
    }
    if (row.status == store::StoredRowStatus::Downloaded && !config.allow_redownload) {
        throw Error(ErrorCategory::Gone, "already_downloaded",
                    "the certificate of this request row was already downloaded");
    }
}

void IssuanceService::Impl::check_row_and_pin(const store::BatchRowRecord& row,
                                              const SecretString& pin) {
    check_downloadable(row);
    if (PinDeriver::equal(pin, pin_of(row))) return;
    store::PinFailure f =
        batches.record_pin_failure(row.batch_id, row.row_no, config.max_pin_failures);
    if (f.locked) {
        throw Error(ErrorCategory::Locked, "row_locked",
                    "too many wrong access PINs: this request row is locked; ask the RA operator");
    }
    int left = std::max(0, config.max_pin_failures - f.failed_attempts);
    throw Error(ErrorCategory::Forbidden, "pin_incorrect",
                "wrong access PIN (" + std::to_string(left) + " attempts left)");
}

}  // namespace inkan::issuance
