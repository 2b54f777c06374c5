// See offered_transports.hpp.
#include "relay/check/offered_transports.hpp"

#include <algorithm>

namespace hallpass::relay {

namespace json = boost::json;

std::vector<OfferedTransport> offered_transports(const json::object& offer) {
    const auto text = [](const json::object& o, std::string_view key) {
        const auto* v = o.if_contains(key);
        if (!v || !v->is_string()) return std::string();
        std::string s(v->get_string().subview().substr(0, 64));
        std::replace_if(s.begin(), s.end(), [](char c) { return c < 0x20 || c > 0x7e; }, '?');
        return s;
    };
    const auto port = [](const json::object& o) -> std::uint16_t {
        const auto* v = o.if_contains("port");
        if (!v || !v->is_number()) return 0;
        const double p = v->to_number<double>();
        return p >= 1 && p <= 65535 ? static_cast<std::uint16_t>(p) : 0;
    };
    std::vector<OfferedTransport> out;
    if (const auto* list = offer.if_contains("transports"); list && list->is_array())
        for (const auto& t : list->get_array())
            if (const auto* o = t.if_object())
                out.push_back({text(*o, "name"), text(*o, "protocol"), text(*o, "address"), port(*o)});
    return out;
}

}  // namespace hallpass::relay
