#include "alloc/quota_ledger.hpp"

namespace hallpass::alloc {

QuotaLedger::Verdict QuotaLedger::reserve(std::string_view user, std::size_t count) {
    if (per_user_limit_ != 0 && of(user) + count > per_user_limit_) return Verdict::user_quota_reached;
    if (total_limit_ != 0 && total_ + count > total_limit_) return Verdict::total_quota_reached;
    if (count == 0) return Verdict::ok;
    auto it = by_user_.find(user);
    if (it == by_user_.end()) it = by_user_.emplace(std::string(user), 0).first;
    it->second += count;
    total_ += count;
    return Verdict::ok;
}

bool QuotaLedger::release(std::string_view user) {
    const auto it = by_user_.find(user);
    if (it == by_user_.end()) return false;
    --total_;
    if (--it->second == 0) by_user_.erase(it);
    return true;
}

std::size_t QuotaLedger::of(std::string_view user) const {
    const auto it = by_user_.find(user);
    return it == by_user_.end() ? 0 : it->second;
}

}  // namespace hallpass::alloc
