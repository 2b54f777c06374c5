// `hallpass probe` reads what a server (or whatever answers on its address) sends back to
// POST /check/credentials, and the proxy setting from the environment: neither may crash
// it, and an offer it accepts has the form everything after it relies on.
#include <cstdint>
#include <string_view>

#include "relay/check/probe/probe_run.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace hallpass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto proxy = relay::probe::parse_proxy(text))
        fuzz::require(!proxy->host.empty() && proxy->port != 0, "a proxy without a host or port");
    const auto fetched = relay::probe::parse_offer_answer(text);
    if (fetched.error.empty()) {
        fuzz::require(fetched.offer.at("transports").is_array(), "an accepted offer without transports");
        for (const auto& t : fetched.offer.at("transports").as_array())
            fuzz::require(t.at("port").to_number<int>() > 0, "an accepted transport without a port");
    }
    return 0;
}
