// The web pages' files (HTML, CSS, bundled JavaScript), embedded into the binary
// at build time (web/CMakeLists.txt). Plain data: api/web_pages serves them.
#pragma once

#include <cstddef>
#include <string_view>

namespace inkan::web {

struct Asset {
    std::string_view name;          // "console.html", "console.js"
    std::string_view content_type;  // "text/html; charset=utf-8"
    std::string_view bytes;
};

// The asset of that file name, or nullptr.
const Asset* find_asset(std::string_view name);

namespace detail {
struct EmbeddedFile {
    const char* name;
    const char* content_type;
    const char* begin;
    const char* end;
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;
}  // namespace detail

}  // namespace inkan::web
