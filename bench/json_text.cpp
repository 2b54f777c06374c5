#include "bench/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <cmath>
#include <cstdio>

namespace hallpass::bench {

std::string json_quote(std::string_view s) { return boost::json::serialize(boost::json::string_view(s.data(), s.size())); }

std::string json_number(double v, int significant) {
    if (!std::isfinite(v)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", significant, v);
    return buf;
}

std::string json_fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "null";
    char buf[400];  // %f of the largest double is 309 digits before the point
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace hallpass::bench
