// QuotaLedger: counts what each user holds — allocations, and relay addresses reserved for
// them by EVEN-PORT — per user and in total, and says whether more is allowed. Classroom
// bursts put hundreds of allocations behind one school NAT, so the limits are per user (the
// credential's identity: a shared-secret user id, not the username with its expiry), not
// per source address. Not thread-safe: relay/ guards it with the address pool's lock.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hallpass::alloc {

class QuotaLedger {
public:
    enum class Verdict {
        ok,
        user_quota_reached,   // → TURN 486 Allocation Quota Reached (RFC 8656 §7.2)
        total_quota_reached,  // → TURN 508 Insufficient Capacity (RFC 8656 §7.2)
    };

    // A limit of 0 means unlimited.
    QuotaLedger(std::size_t total_limit, std::size_t per_user_limit)
        : total_limit_(total_limit), per_user_limit_(per_user_limit) {}

    // Counts `count` units for `user` when the verdict is ok; otherwise changes nothing.
    // The user's own quota is checked first: it is the answer that stays true on retry.
    Verdict reserve(std::string_view user, std::size_t count = 1);
    // False when `user` held nothing. A user's entry goes away at zero.
    bool release(std::string_view user);
    // New limits (a reload): what is counted stays; a user already over a lowered limit keeps
    // what they hold and gets no more.
    void set_limits(std::size_t total_limit, std::size_t per_user_limit) {
        total_limit_ = total_limit;
        per_user_limit_ = per_user_limit;
    }
    std::size_t per_user_limit() const { return per_user_limit_; }
    std::size_t total_limit() const { return total_limit_; }

    std::size_t total() const { return total_; }
    std::size_t of(std::string_view user) const;
    std::size_t users() const { return by_user_.size(); }

private:
    // Transparent hashing: look up by string_view without building a std::string.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    std::size_t total_limit_;
    std::size_t per_user_limit_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> by_user_;
};

}  // namespace hallpass::alloc
