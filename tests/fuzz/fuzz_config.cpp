// The YAML config loader (config/): any text is either a Config or a ConfigError naming
// where and why; no other exception, no crash, no hang. (Paths in the text are resolved
// but, except auth.secrets_file, never opened; that one only as a regular file of 64 KiB
// at most.)
#include <cstdint>
#include <string_view>

#include "config/config_loader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto c = config::parse_config(text, "fuzz.yaml");
        fuzz::require(!c.realm.empty() && !c.relay.ranges.empty(), "a config without what it must have");
    } catch (const config::ConfigError& e) {
        fuzz::require(std::string_view(e.what()).rfind("fuzz.yaml", 0) == 0 ||
                          std::string_view(e.what()).rfind("command line", 0) == 0,
                      "an error that does not name its source");
    }
    return 0;
}
