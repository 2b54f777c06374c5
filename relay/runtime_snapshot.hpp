// RuntimeSnapshot: everything a reload may replace — the config and what is built from it:
// credentials, nonce issuer, peer policy, the TURN core's options — made and validated
// whole, then published (DESIGN.md "Running it"). Immutable once made. Each worker holds the
// snapshot it uses and switches to a new one at its next loop turn, so nothing on the packet
// path locks for it, and an old snapshot lives until the last worker has moved on.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "turn/credential_store.hpp"
#include "turn/nonce_issuer.hpp"
#include "turn/peer_policy.hpp"
#include "turn/server_options.hpp"

namespace hallpass::relay {

// What stays the same from one snapshot to the next: the seed of the rate limiter's
// hashing, and the secret probe credentials are signed with when no shared secret is set. (The nonce key comes from the realm, so nonces stay good across a reload, and
// across the nodes of a realm: turn/nonce_issuer.hpp.)
struct ProcessKeys {
    std::uint64_t seed = 0;
    std::string probe_secret;
    static ProcessKeys random();
};

class RuntimeSnapshot {
public:
    RuntimeSnapshot(config::Config config, const ProcessKeys& keys, std::uint64_t generation);

    // 1 at start, one more for each reload that applied.
    std::uint64_t generation() const { return generation_; }
    const config::Config& config() const { return config_; }
    const std::vector<TransportAddress>& own_endpoints() const { return own_endpoints_; }
    const turn::CredentialStore& credentials() const { return credentials_; }
    const turn::NonceIssuer& nonces() const { return nonces_; }
    const turn::PeerPolicy& peers() const { return peers_; }
    const turn::ServerOptions& server_options() const { return server_options_; }

    // Whether relay.ranges has a range of this family.
    bool supports(AddressFamily family) const;
    // The address told to clients for a bound relay address (1:1 NAT), else itself.
    TransportAddress advertised(const TransportAddress& bound) const;

private:
    std::uint64_t generation_;
    config::Config config_;
    std::vector<TransportAddress> own_endpoints_;
    turn::CredentialStore credentials_;
    turn::NonceIssuer nonces_;
    turn::PeerPolicy peers_;
    turn::ServerOptions server_options_;
};

using SnapshotPtr = std::shared_ptr<const RuntimeSnapshot>;

}  // namespace hallpass::relay
