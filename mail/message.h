// A notification mail before it is composed and signed (see compose_signed).
#pragma once

#include <string>
#include <vector>

namespace inkan::mail {

struct Attachment {
    std::string file_name;
    std::string content_type;
    std::string content;  // raw bytes
};

struct OutgoingMail {
    std::string from;             // "Inkan CA <inkan@example.ac.jp>" or a bare address
    std::vector<std::string> to;  // bare addresses
    std::string subject;          // UTF-8; RFC 2047-encoded in the header
    std::string body;             // UTF-8 plain text (Japanese first, then English)
    std::vector<Attachment> attachments;
    std::string message_id;  // "<...@...>" or empty: generated
};

}  // namespace inkan::mail
