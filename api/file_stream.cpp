#include "api/file_stream.h"

#include <pistache/peer.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <vector>

#include "api/request_tracing.h"
#include "common/log.h"

namespace inkan::api {

using namespace Pistache;

namespace {

constexpr size_t kChunk = 64 * 1024;
// A client that takes longer than this to accept one chunk is given up on.
constexpr std::chrono::seconds kChunkTimeout{60};

// Sends one chunk and waits until the transport wrote it; false on failure or timeout.
bool send_chunk(Tcp::Peer& peer, std::string bytes, const std::atomic<bool>& stopping) {
    struct Outcome {
        std::mutex m;
        std::condition_variable cv;
        int state = 0;  // 0 pending, 1 written, -1 failed
    };
    auto outcome = std::make_shared<Outcome>();
    auto settle = [outcome](int state) {
        std::lock_guard lock(outcome->m);
        outcome->state = state;
        outcome->cv.notify_all();
    };
    const size_t size = bytes.size();
    try {
        peer.send(RawBuffer(std::move(bytes), size))
            .then([settle](ssize_t) { settle(1); }, [settle](std::exception_ptr) { settle(-1); });
    } catch (const std::exception&) {
        return false;
    }
    std::unique_lock lock(outcome->m);
    auto deadline = std::chrono::steady_clock::now() + kChunkTimeout;
    while (outcome->state == 0 && !stopping) {
        if (outcome->cv.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                                std::chrono::milliseconds(200))) ==
                std::cv_status::timeout &&
            std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
    }
    return outcome->state == 1;
}

std::string chunk_frame(const char* data, size_t n) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", n);
    std::string out(size);
    out.append(data, n);
    out += "\r\n";
    return out;
}

}  // namespace

FileStreamer::~FileStreamer() {
    stopping_ = true;
    std::lock_guard lock(mutex_);
    for (auto& w : workers_) w.thread.join();
}

void FileStreamer::start(Http::ResponseWriter& writer, std::unique_ptr<ExportArchive> file,
                         const std::string& content_type, const std::string& filename) {
    std::shared_ptr<ExportArchive> owned(std::move(file));
    auto path = owned->path();
    start(writer, path, content_type, filename, [owned](bool) {});
}

void FileStreamer::start(Http::ResponseWriter& writer, std::filesystem::path file,
                         const std::string& content_type, const std::string& filename,
                         Finished finished) {
    auto peer = writer.peer();
    // The head is written here too, not through the ResponseWriter: its stream's
    // flush() runs the transport's queue on the calling thread, which races with
    // the reactor (Pistache 0.0.5 aborts with "could not find write data").
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: " + content_type +
                       "\r\nContent-Disposition: attachment; filename=\"" + filename +
                       "\"\r\nTransfer-Encoding: chunked\r\n";
    if (RequestContext* request = current_request()) {
        request->status = 200;
        head += std::string(kRequestIdHeader) + ": " + request->id + "\r\n";
    }
    head += "\r\n";
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard lock(mutex_);
    for (auto it = workers_.begin(); it != workers_.end();) {
        if (*it->done) {
            it->thread.join();
            it = workers_.erase(it);
        } else {
            ++it;
        }
    }
    workers_.push_back({std::thread([this, peer, head, file, filename, done, finished] {
                            std::ifstream in(file, std::ios::binary);
                            std::vector<char> buf(kChunk);
                            bool ok = in && send_chunk(*peer, head, stopping_);
                            while (ok && in) {
                                in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
                                auto n = static_cast<size_t>(in.gcount());
                                if (n == 0) break;
                                ok = send_chunk(*peer, chunk_frame(buf.data(), n), stopping_);
                            }
                            // A failed transfer ends without the last chunk: the
                            // client sees a truncated body, never a complete one.
                            if (ok) ok = send_chunk(*peer, "0\r\n\r\n", stopping_);
                            in.close();
                            try {
                                finished(ok);
                            } catch (const std::exception& e) {
                                log::error("a streamed download could not be settled",
                                           {{"file", filename}, {"cause", e.what()}});
                            }
                            *done = true;
                        }),
                        done});
}

}  // namespace inkan::api
