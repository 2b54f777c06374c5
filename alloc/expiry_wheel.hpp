// ExpiryWheel: deadlines kept in one-second buckets, so that a tick looks only at what is
// due now instead of sweeping every allocation, permission and channel (a hashed timer
// wheel). A deadline further away than the wheel's span waits in its bucket and is passed
// over until its turn comes round. Entries are not removed when what they stand for is
// refreshed or freed: the owner checks each due key against its own state and schedules it
// again if it lives on. So each object has one entry at a time, whatever its refreshes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "alloc/millis.hpp"

namespace hallpass::alloc {

template <class Key>
class ExpiryWheel {
public:
    static constexpr std::size_t bucket_count = 1024;  // 17 minutes of one-second buckets

    explicit ExpiryWheel(Millis start = Millis{0}) : cursor_(second_of(start)) {}

    // `key` is due at or after `deadline` (rounded up to a whole second).
    void schedule(const Key& key, Millis deadline) {
        const std::int64_t second = std::max(ceil_second(deadline), cursor_);
        buckets_[static_cast<std::size_t>(second) % bucket_count].push_back({key, second});
        ++size_;
    }

    // Calls due(key) for keys whose deadline is at or before `now`, at most `budget` of
    // them; the rest wait for the next call. Returns how many were handed out. `due` may
    // schedule keys again.
    template <class Due>
    std::size_t advance(Millis now, std::size_t budget, Due&& due) {
        const std::int64_t now_second = second_of(now);
        if (size_ == 0) {
            cursor_ = std::max(cursor_, now_second + 1);
            return 0;
        }
        // After a long gap every bucket is due at most once: one turn of the wheel will do.
        if (now_second - cursor_ >= static_cast<std::int64_t>(bucket_count))
            cursor_ = now_second - static_cast<std::int64_t>(bucket_count) + 1;
        std::size_t handed = 0;
        for (; cursor_ <= now_second; ++cursor_) {
            auto& bucket = buckets_[static_cast<std::size_t>(cursor_) % bucket_count];
            scratch_.clear();
            std::swap(scratch_, bucket);
            std::size_t i = 0;
            for (; i < scratch_.size() && handed < budget; ++i) {
                if (scratch_[i].second > now_second) {
                    bucket.push_back(scratch_[i]);  // a later round of the wheel
                    continue;
                }
                --size_;
                ++handed;
                due(scratch_[i].key);
            }
            bucket.insert(bucket.end(), scratch_.begin() + static_cast<std::ptrdiff_t>(i), scratch_.end());
            if (handed >= budget) break;  // this second again next time
        }
        return handed;
    }

    std::size_t size() const { return size_; }

private:
    struct Entry {
        Key key;
        std::int64_t second;
    };
    static std::int64_t second_of(Millis t) { return t.count() / 1000; }
    static std::int64_t ceil_second(Millis t) { return (t.count() + 999) / 1000; }

    std::vector<Entry> buckets_[bucket_count];
    std::vector<Entry> scratch_;
    std::int64_t cursor_;  // the first second not yet fully handed out
    std::size_t size_ = 0;
};

}  // namespace hallpass::alloc
