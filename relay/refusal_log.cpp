#include "relay/refusal_log.hpp"

#include <spdlog/spdlog.h>

#include "relay/log_field.hpp"
#include "turn/turn_counters.hpp"

namespace hallpass::relay {

bool RefusalLog::admit(const IpAddress& client, std::string_view reason, alloc::Millis now) {
    const std::size_t h = (hash_value(client) * 31 + std::hash<std::string_view>{}(reason)) % table_.size();
    Slot& s = table_[h];
    if (s.used && s.client == client && s.reason == reason && now - s.opened < window) {
        ++s.more;
        return false;
    }
    if (s.used) summarise(s, now);
    s = Slot{client, reason, now, 0, true};
    if (budget(now)) return true;
    ++held_back_;
    return false;
}

void RefusalLog::summarise(Slot& s, alloc::Millis now) {
    if (s.more > 0 && !budget(now)) held_back_ += s.more;
    else if (s.more > 0) {
        ++lines_;
        spdlog::info("refused client={} reason={}: {} more time(s) in {} s worker={}", s.client.to_string(), s.reason,
                     s.more, std::chrono::duration_cast<std::chrono::seconds>(window).count(), worker_);
    }
    s.used = false;
}

void RefusalLog::note(const turn::Refusal& r, alloc::Millis now) {
    if (!admit(r.from.client.ip, r.reason, now)) return;
    ++lines_;
    spdlog::info("refused client={} user={} transport={} reason={}{}{} worker={}", r.from.client.to_string(),
                 r.user.empty() ? std::string("-") : log_field(r.user), turn::name_of(r.from.transport), r.reason,
                 r.peer ? " peer=" : "", r.peer ? r.peer->to_string() : std::string(), worker_);
}

void RefusalLog::note(const alloc::FiveTuple& from, std::string_view reason, std::string_view detail,
                      alloc::Millis now) {
    if (!admit(from.client.ip, reason, now)) return;
    ++lines_;
    // `detail` is the server's own text (an OpenSSL reason), not the client's bytes.
    spdlog::info("refused client={} transport={} reason={} detail=\"{}\" worker={}", from.client.to_string(),
                 turn::name_of(from.transport), reason, detail, worker_);
}

// A bounded share of the table per call, so a tick stays short.
void RefusalLog::tick(alloc::Millis now) {
    constexpr std::size_t per_tick = slots / 8;
    for (std::size_t i = 0; i < per_tick; ++i) {
        Slot& s = table_[sweep_];
        sweep_ = (sweep_ + 1) % table_.size();
        if (s.used && now - s.opened >= window) summarise(s, now);
    }
    if (held_back_ > 0 && budget(now)) {
        ++lines_;
        spdlog::info("refused: {} more refusal(s) not logged (over {} lines a second) worker={}", held_back_,
                     lines_per_second, worker_);
        held_back_ = 0;
    }
}

}  // namespace hallpass::relay
