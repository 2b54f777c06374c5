#include "bench/proc_status.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace hallpass::bench {

std::optional<std::uint64_t> parse_vm_rss(std::string_view text) {
    const auto at = text.find("VmRSS:");
    if (at == std::string_view::npos) return std::nullopt;
    std::size_t i = at + 6;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::uint64_t kib = 0;
    const auto r = std::from_chars(text.data() + i, text.data() + text.size(), kib);
    if (r.ec != std::errc{} || r.ptr == text.data() + i) return std::nullopt;
    std::string_view rest(r.ptr, static_cast<std::size_t>(text.data() + text.size() - r.ptr));
    if (rest.substr(0, 3) != " kB") return std::nullopt;
    return kib * 1024;
}

std::optional<std::uint64_t> read_vm_rss(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return parse_vm_rss(text.str());
}

}  // namespace hallpass::bench
