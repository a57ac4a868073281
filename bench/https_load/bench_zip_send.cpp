// How fast a large ready ZIP leaves the appliance (issue 12: >= 100 MB/s over
// loopback). The real `inkan serve` behind its TLS front builds a one-row
// P12-bulk ZIP job per batch (uploaded by the operator, started when the PIN
// page is opened); once the job is ready its
// ZIP on disk is replaced by a file of the given size (random bytes, so
// nothing compresses on the way), and `POST /download/{token}/zip` fetches
// it, as a subscriber does: once through the front (HTTPS, nginx) and once
// straight from Pistache (the application's plain-HTTP public listener on
// loopback, with the front's secret header, as nginx sends it). Both go
// through api::FileStreamer. Prints MB/s (10^6 bytes) for each and checks the
// byte count and that the batch then counts as delivered.
//
//   bench_zip_send [MiB=150]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench/https_load/curl_load.h"
#include "bench/https_load/served_appliance.h"

using namespace inkan;
using nlohmann::json;

namespace {

std::string bulk_row(const std::string& name) {
    return "CN=" + name +
           ".example.ac.jp,O=Inkan Demo University,L=Chiyoda-ku,ST=Tokyo,C=JP\t5\t2\t\t\t\t\t"
           "Admin Taro\tIT Center\tadmin@example.ac.jp\tUser\t" +
           name + "\tEngineering\t" + name + "@example.ac.jp\t\r\n";
}

std::string path_part(const std::string& url) {
    return url.substr(url.find('/', url.find("://") + 3));
}

// `bytes` of random data at `path` (replacing the job's ZIP; same name).
void write_random_file(const std::filesystem::path& path, size_t bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::mt19937_64 rng(12);
    std::vector<uint64_t> block(1 << 16);
    for (size_t written = 0; written < bytes;) {
        for (auto& w : block) w = rng();
        size_t n = std::min(bytes - written, block.size() * sizeof(uint64_t));
        out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
        written += n;
    }
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

struct ReadyBatch {
    std::string batch_id;
    std::string zip_path;  // /download/<token>/zip
};

// A one-row P12-bulk batch uploaded by the operator, its job built and ready,
// its ZIP then replaced by `bytes` of random data.
ReadyBatch ready_batch(bench::ServedAppliance& a, const std::string& name, size_t bytes) {
    bench::ClientTls op{a.ca_file().string(), a.operator_p12().string(), a.operator_p12_password()};
    bench::ClientTls anyone{a.ca_file().string(), "", ""};
    auto up = bench::request({"https://127.0.0.1:" + std::to_string(a.operator_port()) +
                                  "/api/v1/requests?action=issue&on_error=abort",
                              true,
                              bulk_row(name),
                              {"Content-Type: text/tab-separated-values"}},
                             op);
    if (up.status != 201 && up.status != 200)
        throw std::runtime_error("upload: " + std::to_string(up.status) + " " + up.body);
    json batch = json::parse(up.body);
    ReadyBatch b{batch.at("batch_id"), path_part(batch.at("retrieval_url"))};
    // The PIN page, as the subscriber's administrator opens it: starts the job.
    const std::string public_base = "https://127.0.0.1:" + std::to_string(a.public_port());
    auto pins =
        bench::request({public_base + path_part(batch.at("pin_url")), true, "", {}, true}, anyone);
    if (pins.status != 200)
        throw std::runtime_error("PIN page: " + std::to_string(pins.status) + " " + pins.body);
    const std::string status_url = public_base + b.zip_path + "/status";
    for (int i = 0;; ++i) {
        auto s = bench::request({status_url, false, "", {}, true}, anyone);
        if (s.status == 200 && json::parse(s.body).at("state") == "ready") break;
        if (i > 600) throw std::runtime_error("job not ready: " + s.body);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto zip = a.state() / "bulk-jobs" / b.batch_id / (b.batch_id + ".zip");
    if (!std::filesystem::exists(zip)) throw std::runtime_error("no ZIP at " + zip.string());
    write_random_file(zip, bytes);
    return b;
}

void fetch(bench::ServedAppliance& a, const char* how, const std::string& base, const ReadyBatch& b,
           const std::vector<std::string>& headers, size_t bytes) {
    bench::ClientTls anyone{a.ca_file().string(), "", ""};
    auto r = bench::request({base + b.zip_path, true, "", headers, false}, anyone);
    if (r.status != 200 || r.bytes != bytes)
        throw std::runtime_error(std::string(how) + ": status " + std::to_string(r.status) + ", " +
                                 std::to_string(r.bytes) + " bytes");
    // Delivered: the job's folder goes once the last chunk was written.
    auto folder = a.state() / "bulk-jobs" / b.batch_id;
    for (int i = 0; i < 100 && std::filesystem::exists(folder / (b.batch_id + ".zip")); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::printf(
        "  %-44s %8.2f s  %7.1f MB/s%s\n", how, r.seconds,
        static_cast<double>(bytes) / r.seconds / 1e6,
        std::filesystem::exists(folder / (b.batch_id + ".zip")) ? "  (not delivered!)" : "");
}

}  // namespace

int main(int argc, char** argv) {
    const size_t mib = argc > 1 ? static_cast<size_t>(std::atol(argv[1])) : 150;
    const size_t bytes = mib << 20;
    try {
        bench::ServedAppliance a("ec-p256", {{"issuance", {{"p12_key_type", "ec-p256"}}}});
        a.start();
        auto via_front = ready_batch(a, "zipfront", bytes);
        auto direct = ready_batch(a, "zipdirect", bytes);
        std::printf("ready P12-bulk ZIP of %zu MiB (%zu bytes) over loopback\n", mib, bytes);
        fetch(a, "through the TLS front (nginx, HTTPS)",
              "https://127.0.0.1:" + std::to_string(a.public_port()), via_front, {}, bytes);
        fetch(a, "straight from Pistache (plain HTTP)",
              "http://127.0.0.1:" + std::to_string(a.app_public_port()), direct,
              {"X-Inkan-Front: " + a.front_secret()}, bytes);
    } catch (const std::exception& e) {
        std::cerr << "bench failed: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
