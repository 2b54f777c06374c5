// RefusalLog: one info line per refused request — client address, user where known,
// transport and reason — so that a support engineer can tell why a student failed, without
// letting a flood fill the disk. The first refusal of a client and reason in a window is
// logged; later ones in that window are counted and summed up in one line when the window
// ends or the slot is needed. A table of fixed size holds the windows, and a budget caps
// the lines a second from one worker whatever the sources.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "alloc/millis.hpp"
#include "alloc/token_bucket.hpp"
#include "turn/allocation_host.hpp"

namespace hallpass::relay {

class RefusalLog {
public:
    static constexpr std::size_t slots = 4096;
    static constexpr alloc::Millis window{60'000};
    static constexpr std::uint64_t lines_per_second = 20;
    static constexpr std::uint64_t line_burst = 100;

    // `worker` is named in each line.
    explicit RefusalLog(unsigned worker) : worker_(worker), table_(slots) {}

    void note(const turn::Refusal& r, alloc::Millis now);
    // A refusal that has no request behind it (a TLS handshake that failed), with the
    // server's own text for it (OpenSSL's reason; never bytes the client chose).
    void note(const alloc::FiveTuple& from, std::string_view reason, std::string_view detail, alloc::Millis now);
    // Summaries of windows that have ended, and of lines the budget held back; call about
    // once a second.
    void tick(alloc::Millis now);

    std::uint64_t lines() const { return lines_; }  // info lines written, for tests

private:
    struct Slot {
        IpAddress client;
        std::string_view reason;  // always a static string
        alloc::Millis opened{0};
        std::uint64_t more = 0;  // refusals counted since the logged one
        bool used = false;
    };
    // True when this refusal should be written out now.
    bool admit(const IpAddress& client, std::string_view reason, alloc::Millis now);
    void summarise(Slot& s, alloc::Millis now);
    bool budget(alloc::Millis now) { return bucket_.take(1, now, lines_per_second, line_burst); }

    unsigned worker_;
    std::vector<Slot> table_;
    alloc::TokenBucket bucket_;
    std::uint64_t held_back_ = 0;  // refusals neither logged nor summed up: over the line budget
    std::size_t sweep_ = 0;
    std::uint64_t lines_ = 0;
};

}  // namespace hallpass::relay
