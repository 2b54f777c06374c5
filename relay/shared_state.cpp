#include "relay/shared_state.hpp"

#include <algorithm>

#include <openssl/rand.h>

#include <stdexcept>
#include <thread>
#include <utility>

#include "relay/tls_context.hpp"

namespace hallpass::relay {
namespace {

std::uint64_t random_seed() {
    std::uint64_t seed = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
        throw std::runtime_error("cannot draw random bytes for a seed");
    return seed;
}

alloc::RelayAddressPool pool_of(const config::Config& c) {
    return alloc::RelayAddressPool(c.relay.ranges, {c.relay.ports.min, c.relay.ports.max});
}

std::uint64_t relay_addresses(const alloc::RelayAddressPool& pool) {
    const auto v4 = pool.capacity(AddressFamily::ipv4);
    const auto v6 = pool.capacity(AddressFamily::ipv6);
    return v4 > UINT64_MAX - v6 ? UINT64_MAX : v4 + v6;
}

}  // namespace

alloc::AllocationLimit allocation_limit_of(const config::Config& c, std::uint64_t open_files) {
    const auto listeners = c.listen.udp.size() + c.listen.tcp.size() + c.listen.tls.size();
    const auto workers = c.workers ? c.workers : std::max(1u, std::thread::hardware_concurrency());
    const bool streams = !c.listen.tcp.empty() || !c.listen.tls.empty();
    const std::uint64_t connections =
        !streams ? 0 : c.limits.connections_total == 0 ? UINT64_MAX : c.limits.connections_total;
    auto limit = alloc::derive_allocation_limit(
        {relay_addresses(pool_of(c)), open_files, connections, workers, static_cast<std::uint32_t>(listeners)});
    if (c.limits.allocations_total) limit.value = *c.limits.allocations_total;
    return limit;
}

namespace {

turn::CheckRateLimits check_limits_of(const config::Config& c) {
    turn::CheckRateLimits l;
    l.per_client_per_minute = c.check.credentials_per_minute;
    l.total_per_minute = c.check.credentials_per_minute_total;
    l.ipv6_prefix = static_cast<int>(c.limits.connections_ipv6_prefix);
    // Room for every client a minute's total could serve, so that the table fails closed
    // only under a flood of addresses, not under the load the operator allowed.
    l.table_size = std::clamp<std::size_t>(2 * std::size_t{c.check.credentials_per_minute_total}, 8192, 131072);
    return l;
}

}  // namespace

SharedState::SharedState(SnapshotPtr first, std::uint64_t open_files)
    : open_files_(open_files),
      snapshot_(std::move(first)),
      allocation_limit_(allocation_limit_of(snapshot_->config(), open_files)),
      book_(pool_of(snapshot_->config()),
            alloc::QuotaLedger(allocation_limit_.value, snapshot_->config().limits.allocations_per_user),
            random_seed()),
      connections_per_client_(snapshot_->config().limits.connections_per_ip,
                              static_cast<int>(snapshot_->config().limits.connections_ipv6_prefix)),
      check_limiter_(check_limits_of(snapshot_->config())) {}

SharedState::~SharedState() = default;

SnapshotPtr SharedState::snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
}

void SharedState::publish(SnapshotPtr next) {
    const auto& c = next->config();
    const auto limit = allocation_limit_of(c, open_files_);
    // Built outside the lock: a large range takes a moment to set up.
    std::optional<alloc::RelayAddressPool> pool;
    const auto& running = snapshot()->config().relay;
    if (!(running.ranges == c.relay.ranges) || !(running.ports == c.relay.ports)) pool.emplace(pool_of(c));
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(next);
    allocation_limit_ = limit;
    book_.set_limits(limit.value, c.limits.allocations_per_user);
    if (pool) book_.replace_pool(std::move(*pool));
    connections_per_client_.set_limit(c.limits.connections_per_ip);
    connections_per_client_.set_ipv6_prefix(static_cast<int>(c.limits.connections_ipv6_prefix));
    check_limiter_.set_limits(check_limits_of(c));
}

bool SharedState::take_check_credentials(const IpAddress& client, alloc::Millis now) {
    std::lock_guard lock(mutex_);
    return check_limiter_.allow(client, now);
}

std::uint32_t SharedState::check_retry_after_seconds() const {
    std::lock_guard lock(mutex_);
    return check_limiter_.retry_after_seconds();
}

alloc::AllocationLimit SharedState::allocation_limit() const {
    std::lock_guard lock(mutex_);
    return allocation_limit_;
}

void SharedState::set_tls(std::unique_ptr<TlsContextStore> tls) { tls_ = std::move(tls); }

ConnectionSlot SharedState::take_connection_slot() {
    std::lock_guard lock(mutex_);
    const auto limit = snapshot_->config().limits.connections_total;
    if (limit != 0 && connections_ >= limit) return {};
    ++connections_;
    return ConnectionSlot(*this);
}

std::size_t SharedState::stream_connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

std::optional<IpAddress> SharedState::count_client(const IpAddress& client) {
    std::lock_guard lock(mutex_);
    return connections_per_client_.admit(client);
}

void SharedState::release_connection(const std::optional<IpAddress>& key) {
    std::lock_guard lock(mutex_);
    if (key) connections_per_client_.release(*key);
    if (connections_ > 0) --connections_;
}

void SharedState::expire_reservations(alloc::Millis now) {
    std::lock_guard lock(mutex_);
    book_.expire_reservations(now);
}

}  // namespace hallpass::relay
