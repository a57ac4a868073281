// Streams a file on disk as a chunked HTTP response, off the reactor thread.
//
// Pistache 0.0.5 queues every write for the connection's reactor thread, so a
// handler that wrote a large body in a loop would hold all of it in memory
// until it returned. Here a worker thread writes the head, the file in 64 KiB
// chunks and the last chunk, each through Tcp::Peer::send, and waits until the
// transport has written one before reading the next: memory is one chunk per
// download whatever the file's size or the client's speed. (ResponseStream's
// flush() runs the transport's queue on the calling thread and, called from a
// worker, raced with the reactor: "Assertion Error: could not find write data".)
#pragma once

#include <pistache/http.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include "api/reports.h"

namespace inkan::api {

class FileStreamer {
  public:
    FileStreamer() = default;
    ~FileStreamer();  // stops and joins every download still running
    FileStreamer(const FileStreamer&) = delete;
    FileStreamer& operator=(const FileStreamer&) = delete;

    // Starts the 200 response with these headers; `file` is removed when done.
    void start(Pistache::Http::ResponseWriter& writer, std::unique_ptr<ExportArchive> file,
               const std::string& content_type, const std::string& filename);
    // The same for a file that stays; `finished(true)` runs (on the streaming
    // thread) once the last chunk was written, `finished(false)` if the transfer
    // failed or was given up. The file must stay until `finished` ran.
    using Finished = std::function<void(bool sent)>;
    void start(Pistache::Http::ResponseWriter& writer, std::filesystem::path file,
               const std::string& content_type, const std::string& filename, Finished finished);

  private:
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::list<Worker> workers_;
};

}  // namespace inkan::api
