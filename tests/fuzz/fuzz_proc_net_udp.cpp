// The /proc/net/udp reader (relay/proc_net_udp) that check-config uses: whatever the text,
// it returns without a crash, every socket it reads has an address of a known family, and
// the same text read twice gives the same sockets.
#include <cstdint>
#include <string_view>

#include "relay/proc_net_udp.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto first = relay::parse_proc_net_udp(text);
    for (const auto& s : first)
        fuzz::require(s.ip.family == AddressFamily::ipv4 || s.ip.family == AddressFamily::ipv6, "no family");
    const auto again = relay::parse_proc_net_udp(text);
    fuzz::require(again.size() == first.size(), "a second read differs");
    for (std::size_t i = 0; i < first.size(); ++i)
        fuzz::require(again[i].ip == first[i].ip && again[i].port == first[i].port && again[i].uid == first[i].uid && again[i].inode == first[i].inode,
                      "a second read differs");
    return 0;
}
