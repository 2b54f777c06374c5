// The STUN codec (stun/): any bytes parse or fail cleanly; a message that parses is built
// again from its view and parses to the same message (tests/stun/round_trip.hpp); every
// known attribute decodes or names why not; integrity checks read only what is there.
#include <cstdint>

#include "stun/attribute_check.hpp"
#include "stun/integrity.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/stun/round_trip.hpp"

using namespace hallpass;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto m = stun::MessageView::parse({data, size});
    if (!m) return 0;
    for (const auto& a : m->attributes())
        fuzz::require(a.value.data() >= data && a.value.data() + a.value.size() <= data + size,
                      "an attribute lies outside the message");
    (void)stun::check_known_attributes(*m);
    const auto difference = stun::round_trip_difference(*m);
    fuzz::require(difference.empty(), difference);
    static const auto key = stun::long_term_key_md5("alice", "hallpass.test", "alice-pw");
    (void)stun::message_integrity_matches(*m, key);
    (void)stun::message_integrity_sha256_matches(*m, key);
    return 0;
}
