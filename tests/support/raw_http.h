// Raw bytes to a plain-HTTP port and what came back, for requests no HTTP
// client library would send (odd framing, oversized bodies).
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace inkan::test {

struct RawExchange {
    std::string raw;      // every byte received
    bool closed = false;  // the server ended the connection (EOF or reset) within the timeout
    int status = 0;       // of the first response; 0 if none arrived
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

// Connects to 127.0.0.1:port, sends `request` (a send error after the first
// byte, as when the server refuses early, is ignored), then reads until the
// server closes or `timeout` passes.
RawExchange raw_exchange(unsigned short port, const std::string& request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace inkan::test
