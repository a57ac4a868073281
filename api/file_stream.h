// Streams a file on disk as a chunked HTTP response, off the reactor thread.
//
// Pistache 0.0.5 queues every write for the connection's reactor thread, so a
// handler that wrote a large body in a loop would hold all of it in memory
// until it returned. Here the handler hands the response (status line and
// headers) to a worker thread, which sends the file in 64 KiB chunks and
// waits until the transport has written each one before reading the next:
// memory is one chunk per download whatever the file's size.
#pragma once

#include <pistache/http.h>

#include <atomic>
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
