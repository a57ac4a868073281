#include "web/web_assets.h"

#include <vector>

namespace inkan::web {
namespace {

std::vector<Asset> load() {
    std::vector<Asset> all;
    for (std::size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
        const auto& f = detail::kEmbeddedFiles[i];
        all.push_back({f.name, f.content_type,
                       std::string_view(f.begin, static_cast<std::size_t>(f.end - f.begin))});
    }
    return all;
}

}  // namespace

const Asset* find_asset(std::string_view name) {
    static const std::vector<Asset> all = load();
    for (const Asset& a : all) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

}  // namespace inkan::web
