// The school network check page's files (relay/check/page/), built into the binary by
// cmake/embed_files.cmake: the page loads nothing from any other host.
#pragma once

#include <optional>
#include <string_view>

namespace hallpass::relay {

struct CheckAsset {
    std::string_view content_type;
    std::string_view body;
};

// "/" (the page), "/check.js", "/check.css"; nullopt for any other path.
std::optional<CheckAsset> find_check_asset(std::string_view path);

// The embedded file at a path (generated).
std::optional<std::string_view> check_asset_body(std::string_view path);

}  // namespace hallpass::relay
