#include "relay/check/check_page.hpp"

namespace hallpass::relay {

std::optional<CheckAsset> find_check_asset(std::string_view path) {
    const auto body = check_asset_body(path);
    if (!body) return std::nullopt;
    std::string_view type = "text/html; charset=utf-8";
    if (path.ends_with(".js")) type = "text/javascript; charset=utf-8";
    if (path.ends_with(".css")) type = "text/css; charset=utf-8";
    return CheckAsset{type, *body};
}

}  // namespace hallpass::relay
