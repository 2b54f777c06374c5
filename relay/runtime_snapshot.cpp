#include "relay/runtime_snapshot.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "relay/own_endpoints.hpp"
#include "turn/alternates.hpp"
#include "turn/probe_credentials.hpp"

namespace hallpass::relay {
namespace {

// The relay ranges and the public addresses advertised for them: a probe allocation's peers.
std::vector<alloc::CidrBlock> relay_addresses(const config::Config& c) {
    std::vector<alloc::CidrBlock> out = c.relay.ranges;
    for (const auto& entry : c.relay.advertise)
        out.push_back({entry.public_ip, entry.public_ip.is_v4() ? 32 : 128});
    return out;
}

// Probe credentials exist only while the check is on. They are signed under a key derived
// from the first shared secret, so that every node sharing it accepts them; a node with
// static users only signs them with a key of its own process (its own page's credentials
// work on it alone).
turn::CredentialPolicy credential_policy(const config::Config& c, const ProcessKeys& keys) {
    turn::CredentialPolicy p;
    p.max_lifetime_seconds = static_cast<std::int64_t>(c.auth.max_credential_lifetime);
    if (c.check.enabled) {
        p.probe_key = turn::probe_key(c.auth.secrets.empty() ? keys.probe_secret : c.auth.secrets.front());
        p.probe_lifetime_seconds = c.check.credential_lifetime;
    }
    return p;
}

std::vector<turn::StaticUser> users_of(const config::Config& c) {
    std::vector<turn::StaticUser> out;
    for (const auto& u : c.auth.users) out.push_back({u.name, u.password});
    return out;
}

turn::ServerOptions options_of(const config::Config& c, std::uint64_t seed, const std::vector<TransportAddress>& own) {
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
    o.seed = seed;
    const std::vector<config::AlternateServer>* lists[] = {&c.alternates.udp, &c.alternates.tcp, &c.alternates.tls};
    for (std::size_t t = 0; t < 3; ++t) {
        std::vector<turn::Alternate> all;
        for (const auto& a : *lists[t]) all.push_back({a.address, a.domain});
        o.alternates[t] = turn::alternates_except(all, own);
    }
    return o;
}

}  // namespace

ProcessKeys ProcessKeys::random() {
    ProcessKeys k;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&k.seed), sizeof k.seed) != 1)
        throw std::runtime_error("cannot draw random bytes for a seed");
    unsigned char secret[32];
    if (RAND_bytes(secret, sizeof secret) != 1) throw std::runtime_error("cannot draw random bytes for a key");
    static constexpr char hex[] = "0123456789abcdef";
    for (unsigned char b : secret) {
        k.probe_secret.push_back(hex[b >> 4]);
        k.probe_secret.push_back(hex[b & 15]);
    }
    return k;
}

RuntimeSnapshot::RuntimeSnapshot(config::Config config, const ProcessKeys& keys, std::uint64_t generation)
    : generation_(generation),
      config_(std::move(config)),
      own_endpoints_(relay::own_endpoints(config_)),
      credentials_(config_.realm, users_of(config_), config_.auth.secrets, credential_policy(config_, keys)),
      nonces_(turn::NonceIssuer::key_for_realm(config_.realm), config_.auth.nonce_lifetime),
      peers_(turn::PeerRules{config_.peers.allow, config_.peers.deny, own_endpoints_, relay_addresses(config_),
                             config_.relay.ports.min, config_.relay.ports.max}),
      server_options_(options_of(config_, keys.seed, own_endpoints_)) {}

bool RuntimeSnapshot::supports(AddressFamily family) const {
    for (const auto& r : config_.relay.ranges)
        if (r.network.family == family) return true;
    return false;
}

TransportAddress RuntimeSnapshot::advertised(const TransportAddress& bound) const {
    for (const auto& entry : config_.relay.advertise)
        if (entry.bound == bound.ip) return {entry.public_ip, bound.port};
    return bound;
}

}  // namespace hallpass::relay
