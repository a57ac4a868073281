#include "tests/issuance/issuance_world.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "hsm/key_generation.h"
#include "hsm/operations.h"
#include "pki/ca_bootstrap.h"
#include "pki/encoding.h"
#include "pki/serial.h"
#include "store/sqlite.h"

namespace inkan::test {

std::string request_line(const RowSpec& r) {
    std::string dn =
        "CN=" + r.cn + ",OU=" + r.ou + ",O=Example University,L=" + r.l + ",ST=Tokyo,C=JP";
    std::string cols[15] = {dn,
                            std::to_string(r.profile),
                            std::to_string(r.type),
                            r.renews,
                            "",
                            "",
                            "",
                            "Hanako Admin",
                            "Information Center",
                            r.admin_mail,
                            r.user_name,
                            r.file_name,
                            "Engineering",
                            r.user_mail,
                            r.pin};
    std::string line;
    for (int i = 0; i < 15; ++i) line += (i ? "\t" : "") + cols[i];
    return line + "\n";
}

std::string request_file(int n, int type, int ou_base) {
    std::string file;
    for (int i = 0; i < n; ++i) {
        RowSpec r;
        r.type = type;
        r.ou = std::to_string(ou_base + i);
        r.user_name = "User " + std::to_string(i);
        r.user_mail = "user" + std::to_string(i) + "@example.ac.jp";
        r.file_name = "cert-" + std::to_string(ou_base + i);
        file += request_line(r);
    }
    return file;
}

issuance::IssuanceConfig IssuanceWorld::default_config() {
    issuance::IssuanceConfig c;
    c.p12_key_algorithm = "ec-p256";
    return c;
}

IssuanceWorld::IssuanceWorld(issuance::IssuanceConfig config) {
    state = dir.path() / "state";
    std::filesystem::create_directories(state);
    hsm::TokenConfig tc;
    tc.module_path = softhsm.module_path();
    tc.token_label = softhsm.label();
    tc.pin = SecretString(softhsm.user_pin());
    tc.pool_size = 3;
    token = std::make_unique<hsm::Token>(tc);

    hsm::KeySpec ca_key{"inkan-ca", hsm::random_key_id(*token)};
    hsm::generate_signing_key_pair(*token, hsm::KeyAlgorithm::EcP256, ca_key);
    signer = std::make_unique<ca::HsmSigner>(*token, hsm::KeyLookup{ca_key.id, {}});
    random = std::make_unique<ca::HsmRandom>(*token);
    pki::CaOptions options;
    options.serial = pki::generate_serial(*random);
    ca_certificate = pki::make_self_signed_ca(
        *signer, {{"C", "JP"}, {"O", "Inkan Test"}, {"CN", "Inkan Test CA"}}, 10, options);
    std::ofstream(ca_pem()) << pki::to_pem(ca_certificate.get());

    hsm::KeySpec hmac{"inkan-pin-hmac", hsm::random_key_id(*token)};
    hsm::generate_hmac_key(*token, hmac);
    hsm::KeySpec aes{"inkan-pin-wrap", hsm::random_key_id(*token)};
    hsm::generate_aes_key(*token, aes);
    pin_keys = {hmac.id, aes.id};

    database = std::make_unique<store::Database>((state / "inkan.db").string());
    certificates = std::make_unique<store::SqliteCertificateStore>(*database);
    batches = std::make_unique<store::SqliteBatchStore>(*database);
    bulk_jobs = std::make_unique<store::SqliteBulkJobStore>(*database);
    if (config.bulk_jobs_dir.empty()) config.bulk_jobs_dir = state / "bulk-jobs";
    authority = std::make_unique<ca::CertificateAuthority>(
        *signer, ca_certificate.get(), pki::IssuerOptions{}, *random, *certificates);
    lookup = std::make_unique<store::StoreCertificateLookup>(*certificates);
    operators = std::make_unique<store::SqliteOperatorStore>(*database);
    register_operator(op.name, op.institution);
    gate = std::make_unique<issuance::PolicySigningGate>([this] { return context(); }, *operators,
                                                         *certificates);
    service_config = std::move(config);
    restart_service();
}

void IssuanceWorld::restart_service() {
    service.reset();
    service = std::make_unique<issuance::IssuanceService>(
        *token, *authority, *batches, *bulk_jobs, pin_keys, *gate, service_config,
        [this] { return store::unix_now() + now_offset.load(); });
}

std::string IssuanceWorld::register_operator(const std::string& name,
                                             const std::string& institution) {
    std::string serial = hex_encode(hsm::generate_random(*token, 8));
    serial.replace(0, 1, "7");  // positive, no leading zero: the store's serial form
    certificates->reserve_serial(serial);
    store::CertificateRecord record;
    record.serial_hex = serial;
    record.serial_dec = serial;  // a stand-in: only its status matters here
    record.subject = "CN=" + name + ",O=" + institution + ",C=JP";
    record.issuer = "CN=Inkan Test CA";
    record.not_after = store::unix_now() + 86400;
    record.kind = store::CertificateKind::Operator;
    record.requested_by = "test";
    record.der = Bytes{0x30, 0x00};
    certificates->insert(record);
    store::OperatorRecord o;
    o.name = name;
    o.institution = institution;
    o.certificate_serial = serial;
    operators->add(o);
    return serial;
}

PolicyFixture::PolicyFixture() {
    policy::Institution inst;
    inst.name = "Example University";
    inst.domains = {{"example.ac.jp", policy::Date{std::chrono::year{2099}, std::chrono::March,
                                                   std::chrono::day{31}}}};
    inst.locality = "Chiyoda-ku";
    inst.state = "Tokyo";
    inst.whois_names = {"Example University"};
    inst.enabled_profiles = {5, 7, 13, 14, 15, 16};
    registry.put(inst);
}

policy::Institution PolicyFixture::end_approval_yesterday() {
    policy::Institution before = *registry.find_by_name("Example University");
    policy::Institution expired = before;
    expired.domains[0].approval_expires =
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) -
        std::chrono::days(1);
    registry.put(expired);
    return before;
}

policy::CheckContext PolicyFixture::context() {
    return policy::CheckContext{registry, whois, existing, clock};
}

policy::CheckContext IssuanceWorld::context() {
    policy::CheckContext c = policy.context();
    c.certificates = lookup.get();
    return c;
}

issuance::BatchResult IssuanceWorld::submit(const std::string& file, policy::ErrorMode mode) {
    return service->submit(op, file, policy::Action::Issue, mode, context());
}

int64_t IssuanceWorld::count(const std::string& table) {
    return database->with([&](store::Connection& c) {
        std::string where;
        if (table == "certificates") where = " WHERE kind = 'subscriber'";
        if (table == "serials")
            where =
                " WHERE serial_hex NOT IN (SELECT serial_hex FROM certificates WHERE kind != "
                "'subscriber')";
        store::Statement s(c, "SELECT COUNT(*) FROM " + table + where);
        s.step();
        return s.int64(0);
    });
}

issuance::BulkZipProgress wait_for_job(IssuanceWorld& w, const std::string& retrieval_token,
                                       store::BulkJobState state, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        issuance::BulkZipProgress p = w.service->bulk_zip_status(retrieval_token);
        if (p.state == state) return p;
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "the bulk job is " << store::to_string(p.state) << ", not "
                          << store::to_string(state);
            return p;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

issuance::DownloadedFile fetch_bulk_zip(IssuanceWorld& w, const std::string& retrieval_token,
                                        bool legacy, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        issuance::BulkZip zip = w.service->download_bulk_zip(retrieval_token, legacy);
        if (zip.file) {
            std::ifstream in(zip.file->path, std::ios::binary);
            Bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            w.service->bulk_zip_delivered(retrieval_token);
            return {zip.file->file_name, std::move(content), "", ""};
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "the bulk ZIP job did not finish: " << zip.progress.done << " of "
                          << zip.progress.total << " rows";
            return {};
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::filesystem::path write_bytes(const std::filesystem::path& dir, const std::string& name,
                                  const Bytes& content) {
    auto path = dir / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(content.data()),
               static_cast<std::streamsize>(content.size()));
    return path;
}

}  // namespace inkan::test
