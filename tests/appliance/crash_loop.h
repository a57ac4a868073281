// Crash loops (issue 13, "Crash safety as a test"): the real `inkan serve` on
// one state folder, killed (SIGKILL) or stopped (SIGTERM) at random points of
// a piece of work and started again, and the checks every loop ends with.
#pragma once

#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/appliance/inkan_process.h"

namespace inkan::test {

// A P12-bulk request file row (download type 2, profile 5) of the demo
// institution; `serial` (column 4) makes it a renewal row.
std::string bulk_row(const std::string& name, const std::string& serial = "");
// A revocation request file row (reason 5, cessation of operation), no mails.
std::string revoke_row(const std::string& subject_dn, const std::string& serial);

// The path (and query) of a URL.
std::string path_part(const std::string& url);

class CrashLoopAppliance {
  public:
    // `inkan init --key-type ec-p256` with `config` (merged over EC P-256
    // subscriber keys and Maildir mails sent every second) written first, then
    // `inkan serve`.
    explicit CrashLoopAppliance(const nlohmann::json& config = nlohmann::json::object());

    HttpsClient operator_client() const;
    HttpsClient public_client() const;
    const Serving& serving() const { return serving_; }
    const TempDir& dir() const { return dir_; }

    // Interruption number `i`: SIGKILL when even, SIGTERM when odd (which must
    // exit 0 and leave no signed certificate unaccounted for: nothing for the
    // next start to sweep); then starts again. Every certificate a kill left
    // signed but not delivered is revoked by the new start before it listens.
    void interrupt(int i);
    int kills() const { return kills_; }
    int stops() const { return stops_; }
    // Starts after an interruption that resumed a bulk job.
    int resumed_jobs() const { return resumed_; }
    // A random wait in [0, max_ms] milliseconds.
    int random_ms(int max_ms);

    // Rows of a query on the appliance's database, tab-separated, one a line.
    std::string sql(const std::string& query) const;
    long long count(const std::string& query) const;

    // The path of the URL (`kind`: pin or download) in a mail whose subject has
    // `subject_part` and whose first DN line is `first_dn` (not `except`); waits for it.
    std::string mailed_path(const std::string& subject_part, const std::string& first_dn,
                            const std::string& kind, const std::string& except = "") const;

    // Interruptions `first` .. `first` + `count` - 1 of the bulk job behind
    // `zip_path` (`rows` rows), each a random few milliseconds after the job has
    // built a random number of rows (ascending). Returns how many came while the
    // job was running.
    int interrupt_bulk_job(const std::string& zip_path, int rows, int first, int count);
    // POSTs `body` (a request file) to `path` on the operator listener on a
    // thread and makes interruption `i` after a random wait of up to `max_ms`;
    // the answer the client got (status 0 when the connection was cut).
    HttpResponse post_interrupted(const std::string& path, const std::string& body, int i,
                                  int max_ms);

    // Waits until the outbox holds no queued mail (none may be dead).
    void wait_until_mails_sent(int timeout_seconds = 120);
    void stop();

    // The end of every loop, on a stopped appliance:
    // - every request row is in exactly one documented state: waiting (accepted,
    //   PIN viewed or locked, no valid certificate), built by its bulk job
    //   (one valid certificate, pending, in the job's files), downloaded (its
    //   one valid certificate, delivered), or downloaded and since revoked;
    // - every valid subscriber certificate belongs to a row that has it or
    //   will get it from its bulk job;
    // - no serial repeats, and each certificate's DER carries its stored serial;
    // - every notification is in the Maildir at least once (type, recipient and
    //   the batch or serial it names); `expected_notifications` is their count.
    void expect_consistent_store() const;
    void expect_every_mail_delivered(long long expected_notifications) const;

  private:
    std::vector<nlohmann::json> mails() const;  // the Maildir's, decoded

    TempDir dir_;
    Serving serving_;
    std::mt19937 random_{std::random_device{}()};
    int kills_ = 0;
    int stops_ = 0;
    int resumed_ = 0;
};

}  // namespace inkan::test
