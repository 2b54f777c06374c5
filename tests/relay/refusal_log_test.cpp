// RefusalLog: the first refusal of a client and reason is written, the rest of its window is
// summed up in one line, and no flood — one source or many — writes more than a bounded
// number of lines.
#include "relay/refusal_log.hpp"

#include <gtest/gtest.h>

namespace hallpass::relay {
namespace {

alloc::FiveTuple from(std::uint8_t c, std::uint8_t d) {
    return {{IpAddress::v4(198, 51, c, d), 40000}, {IpAddress::v4(192, 0, 2, 1), 3478}, alloc::Transport::udp};
}

TEST(RefusalLog, OneLineForAClientAndReasonThenASummary) {
    RefusalLog log(0);
    alloc::Millis now{1'000'000};
    const auto tuple = from(100, 7);
    for (int i = 0; i < 10'000; ++i) log.note(turn::Refusal{tuple, "student", "bad_credentials"}, now);
    EXPECT_EQ(log.lines(), 1u);
    log.note(turn::Refusal{tuple, "student", "peer_forbidden"}, now);  // another reason: its own line
    EXPECT_EQ(log.lines(), 2u);
    now += RefusalLog::window;
    for (int i = 0; i < 8; ++i) log.tick(now);  // the sweep covers the table
    EXPECT_EQ(log.lines(), 3u);                 // "... 9999 more time(s)"
}

TEST(RefusalLog, AFloodFromManySourcesIsHeldToTheLineBudget) {
    RefusalLog log(0);
    alloc::Millis now{1'000'000};
    for (int i = 0; i < 10'000; ++i)
        log.note(turn::Refusal{from(static_cast<std::uint8_t>(i / 250), static_cast<std::uint8_t>(i % 250)), "", "stale_nonce"},
                 now);
    EXPECT_LE(log.lines(), RefusalLog::line_burst);
    // A minute of it, one tick a second: the budget, and one "not logged" summary at most per tick.
    for (int s = 1; s <= 60; ++s) {
        now += alloc::Millis{1000};
        for (int i = 0; i < 200; ++i)
            log.note(turn::Refusal{from(static_cast<std::uint8_t>(s), static_cast<std::uint8_t>(i)), "", "stale_nonce"}, now);
        log.tick(now);
    }
    EXPECT_LE(log.lines(), RefusalLog::line_burst + 60 * RefusalLog::lines_per_second + 60);
}

}  // namespace
}  // namespace hallpass::relay
