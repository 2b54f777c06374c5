// The bench's readers of /proc/PID/stat and /proc/PID/status (bench/proc_status, for
// --server-pid): whatever the text, they return without a crash; the CPU ticks depend only on
// what follows the command name's last ')' (a name may hold spaces and parentheses), and
// the resident memory only on the text from its "VmRSS:" line on, in whole KiB.
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/proc_status.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const auto ticks = bench::parse_cpu_ticks(text);
    const auto close = text.rfind(')');
    if (close == std::string_view::npos) fuzz::require(!ticks, "ticks without a command name");
    else fuzz::require(bench::parse_cpu_ticks("1 (name with ) and spaces" + std::string(text.substr(close))) == ticks,
                       "the command name changed the ticks");

    const auto rss = bench::parse_vm_rss(text);
    const auto at = text.find("VmRSS:");
    if (at == std::string_view::npos) fuzz::require(!rss, "memory without a VmRSS line");
    else fuzz::require(bench::parse_vm_rss(text.substr(at)) == rss, "text before VmRSS changed the memory");
    if (rss) fuzz::require(*rss % 1024 == 0, "memory not in whole KiB");
    return 0;
}
