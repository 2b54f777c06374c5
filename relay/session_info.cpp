#include "relay/session_info.hpp"

#include <charconv>

namespace hallpass::relay {

std::string SessionId::to_string() const {
    return std::to_string(worker) + "-" + std::to_string(allocation.index) + "-" + std::to_string(allocation.generation);
}

std::optional<SessionId> SessionId::parse(std::string_view text) {
    std::uint32_t parts[3]{};
    const char* p = text.data();
    const char* end = text.data() + text.size();
    for (int i = 0; i < 3; ++i) {
        auto [next, ec] = std::from_chars(p, end, parts[i]);
        if (ec != std::errc() || next == p) return std::nullopt;
        p = next;
        if (i < 2) {
            if (p == end || *p != '-') return std::nullopt;
            ++p;
        }
    }
    if (p != end) return std::nullopt;
    return SessionId{parts[0], {parts[1], parts[2]}};
}

}  // namespace hallpass::relay
