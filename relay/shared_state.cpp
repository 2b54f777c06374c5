#include "relay/shared_state.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "alloc/even_port_pair.hpp"
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

turn::ServerOptions options_of(const config::Config& c) {
    turn::ServerOptions o;
    o.software = c.software;
    o.default_lifetime = c.limits.default_lifetime;
    o.max_lifetime = c.limits.max_lifetime;
    o.permission_lifetime = c.limits.permission_lifetime;
    o.channel_lifetime = c.limits.channel_lifetime;
    return o;
}

std::uint64_t random_seed() {
    std::uint64_t seed = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed);
    return seed;
}

}  // namespace

std::vector<alloc::CidrBlock> parse_blocks(const std::vector<std::string>& texts) {
    std::vector<alloc::CidrBlock> out;
    for (const auto& t : texts) {
        auto parsed = alloc::CidrBlock::parse_with_reason(t);
        if (!parsed.block) throw std::runtime_error(parsed.error);
        out.push_back(*parsed.block);
    }
    return out;
}

SharedState::SharedState(const config::Config& config)
    : config_(config),
      credentials_(config.realm, users_of(config), config.auth.secrets),
      nonces_(random_key(), config.auth.nonce_lifetime),
      peers_(parse_blocks(config.peers.allow), parse_blocks(config.peers.deny)),
      server_options_(options_of(config)),
      pool_(parse_blocks(config.relay.ranges), {config.relay.ports.min, config.relay.ports.max}),
      ledger_(config.limits.allocations_total, config.limits.allocations_per_user),
      rng_(random_seed()) {}

SharedState::~SharedState() = default;

void SharedState::set_tls(std::unique_ptr<TlsContextStore> tls) { tls_ = std::move(tls); }

bool SharedState::open_connection() {
    std::lock_guard lock(mutex_);
    const auto limit = config_.limits.connections_total;
    if (limit != 0 && connections_ >= limit) return false;
    ++connections_;
    return true;
}

void SharedState::close_connection() {
    std::lock_guard lock(mutex_);
    if (connections_ > 0) --connections_;
}

bool SharedState::admit_client_ip(const IpAddress& ip) {
    std::lock_guard lock(mutex_);
    const auto limit = config_.limits.connections_per_ip;
    auto& count = connections_per_ip_[ip];
    if (limit != 0 && count >= limit) {
        if (count == 0) connections_per_ip_.erase(ip);
        return false;
    }
    ++count;
    return true;
}

void SharedState::release_client_ip(const IpAddress& ip) {
    std::lock_guard lock(mutex_);
    auto it = connections_per_ip_.find(ip);
    if (it == connections_per_ip_.end()) return;
    if (--it->second == 0) connections_per_ip_.erase(it);
}

std::optional<TransportAddress> SharedState::acquire(AddressFamily family, bool even_port) {
    std::lock_guard lock(mutex_);
    return pool_.acquire(family, rng_, even_port);
}

void SharedState::release(const TransportAddress& address) {
    std::lock_guard lock(mutex_);
    pool_.release(address);
}

std::optional<std::pair<TransportAddress, TransportAddress>> SharedState::acquire_even_pair(
    AddressFamily family) {
    std::lock_guard lock(mutex_);
    return alloc::acquire_even_pair(pool_, family, rng_);
}

alloc::ReservationToken SharedState::reserve(const TransportAddress& address, alloc::Millis now) {
    alloc::ReservationToken token{};
    RAND_bytes(token.data(), static_cast<int>(token.size()));
    std::lock_guard lock(mutex_);
    reservations_.add(token, address, now);
    return token;
}

std::optional<TransportAddress> SharedState::take_reservation(const alloc::ReservationToken& token,
                                                              alloc::Millis now) {
    std::lock_guard lock(mutex_);
    return reservations_.take(token, now);
}

void SharedState::expire_reservations(alloc::Millis now) {
    std::lock_guard lock(mutex_);
    for (const auto& address : reservations_.expire(now)) pool_.release(address);
}

alloc::QuotaLedger::Verdict SharedState::reserve_quota(std::string_view user) {
    std::lock_guard lock(mutex_);
    return ledger_.reserve(user);
}

void SharedState::release_quota(std::string_view user) {
    std::lock_guard lock(mutex_);
    ledger_.release(user);
}

TransportAddress SharedState::advertised(const TransportAddress& bound) const {
    for (const auto& entry : config_.relay.advertise)
        if (entry.bound == bound.ip) return {entry.public_ip, bound.port};
    return bound;
}

}  // namespace hallpass::relay
