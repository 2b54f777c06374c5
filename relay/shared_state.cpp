#include "relay/shared_state.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <thread>
#include <utility>

#include "relay/own_endpoints.hpp"
#include "relay/tls_context.hpp"

namespace hallpass::relay {
namespace {

std::vector<turn::StaticUser> users_of(const config::Config& c) {
    std::vector<turn::StaticUser> out;
    for (const auto& u : c.auth.users) out.push_back({u.name, u.password});
    return out;
}

std::array<std::uint8_t, 32> random_key() {
    // Nonces are bound to this key; a restart simply makes old nonces stale (438).
    std::array<std::uint8_t, 32> key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw std::runtime_error("cannot draw random bytes for the nonce key");
    return key;
}

std::uint64_t random_seed() {
    std::uint64_t seed = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
        throw std::runtime_error("cannot draw random bytes for a seed");
    return seed;
}

turn::ServerOptions options_of(const config::Config& c) {
    turn::ServerOptions o;
    o.software = c.software;
    o.default_lifetime = c.limits.default_lifetime;
    o.max_lifetime = c.limits.max_lifetime;
    o.permission_lifetime = c.limits.permission_lifetime;
    o.channel_lifetime = c.limits.channel_lifetime;
    o.table = {c.limits.permissions_per_allocation, c.limits.channels_per_allocation};
    o.allocation_bandwidth = {c.limits.allocation_bps};
    o.unauthenticated_replies.per_prefix_per_second = c.limits.unauthenticated_rate;
    o.unauthenticated_replies.per_prefix_burst = c.limits.unauthenticated_burst;
    o.seed = random_seed();
    return o;
}

alloc::RelayAddressPool pool_of(const config::Config& c) {
    return alloc::RelayAddressPool(c.relay.ranges, {c.relay.ports.min, c.relay.ports.max});
}

std::uint64_t relay_addresses(const alloc::RelayAddressPool& pool) {
    const auto v4 = pool.capacity(AddressFamily::ipv4);
    const auto v6 = pool.capacity(AddressFamily::ipv6);
    return v4 > UINT64_MAX - v6 ? UINT64_MAX : v4 + v6;
}

alloc::AllocationLimit allocation_limit_of(const config::Config& c, const alloc::RelayAddressPool& pool,
                                           std::uint64_t open_files) {
    const auto listeners = c.listen.udp.size() + c.listen.tcp.size() + c.listen.tls.size();
    const auto workers = c.workers ? c.workers : std::max(1u, std::thread::hardware_concurrency());
    const bool streams = !c.listen.tcp.empty() || !c.listen.tls.empty();
    const std::uint64_t connections =
        !streams ? 0 : c.limits.connections_total == 0 ? UINT64_MAX : c.limits.connections_total;
    auto limit = alloc::derive_allocation_limit(
        {relay_addresses(pool), open_files, connections, workers, static_cast<std::uint32_t>(listeners)});
    if (c.limits.allocations_total) limit.value = *c.limits.allocations_total;
    return limit;
}

}  // namespace

SharedState::SharedState(const config::Config& config, std::uint64_t open_files)
    : config_(config),
      own_endpoints_(relay::own_endpoints(config)),
      credentials_(config.realm, users_of(config), config.auth.secrets,
                   {static_cast<std::int64_t>(config.auth.max_credential_lifetime)}),
      nonces_(random_key(), config.auth.nonce_lifetime),
      peers_(turn::PeerRules{config.peers.allow, config.peers.deny, own_endpoints_}),
      server_options_(options_of(config)),
      allocation_limit_(allocation_limit_of(config, pool_of(config), open_files)),
      book_(pool_of(config), alloc::QuotaLedger(allocation_limit_.value, config.limits.allocations_per_user),
            random_seed()),
      connections_per_client_(config.limits.connections_per_ip,
                              static_cast<int>(config.limits.connections_ipv6_prefix)) {}

SharedState::~SharedState() = default;

void SharedState::set_tls(std::unique_ptr<TlsContextStore> tls) { tls_ = std::move(tls); }

ConnectionSlot SharedState::take_connection_slot() {
    std::lock_guard lock(mutex_);
    const auto limit = config_.limits.connections_total;
    if (limit != 0 && connections_ >= limit) return {};
    ++connections_;
    return ConnectionSlot(*this);
}

bool SharedState::count_client(const IpAddress& client) {
    std::lock_guard lock(mutex_);
    return connections_per_client_.admit(client);
}

void SharedState::release_connection(const std::optional<IpAddress>& client) {
    std::lock_guard lock(mutex_);
    if (client) connections_per_client_.release(*client);
    if (connections_ > 0) --connections_;
}

void SharedState::expire_reservations(alloc::Millis now) {
    std::lock_guard lock(mutex_);
    book_.expire_reservations(now);
}

TransportAddress SharedState::advertised(const TransportAddress& bound) const {
    for (const auto& entry : config_.relay.advertise)
        if (entry.bound == bound.ip) return {entry.public_ip, bound.port};
    return bound;
}

}  // namespace hallpass::relay
