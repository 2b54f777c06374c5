// SharedState: what all workers share, read-mostly (DESIGN.md "Threads and ownership"):
// the config, credentials, nonce key and peer policy, plus the relay address pool and the
// quota ledger, which are touched only when an allocation is made or freed and so sit
// behind one mutex, far from the packet path.
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <random>
#include <vector>

#include "alloc/quota_ledger.hpp"
#include "alloc/relay_address_pool.hpp"
#include "alloc/reservation_table.hpp"
#include "config/config.hpp"
#include "turn/credential_store.hpp"
#include "turn/nonce_issuer.hpp"
#include "turn/peer_policy.hpp"
#include "turn/server_options.hpp"

namespace hallpass::relay {

class SharedState {
public:
    explicit SharedState(const config::Config& config);
    ~SharedState();

    const config::Config& config() const { return config_; }
    const turn::CredentialStore& credentials() const { return credentials_; }
    const turn::NonceIssuer& nonces() const { return nonces_; }
    const turn::PeerPolicy& peers() const { return peers_; }
    const turn::ServerOptions& server_options() const { return server_options_; }

    bool supports(AddressFamily family) const { return pool_.supports(family); }
    std::optional<TransportAddress> acquire(AddressFamily family, bool even_port);
    void release(const TransportAddress& address);
    // An even port and the next one, both taken from the pool (EVEN-PORT with R).
    std::optional<std::pair<TransportAddress, TransportAddress>> acquire_even_pair(AddressFamily family);
    // Keeps `address` for a later Allocate with the returned RESERVATION-TOKEN.
    alloc::ReservationToken reserve(const TransportAddress& address, alloc::Millis now);
    std::optional<TransportAddress> take_reservation(const alloc::ReservationToken& token,
                                                     alloc::Millis now);
    // Returns unclaimed reservations to the pool.
    void expire_reservations(alloc::Millis now);
    alloc::QuotaLedger::Verdict reserve_quota(std::string_view user);
    void release_quota(std::string_view user);
    // Stream connections: counted in total at accept, and per client IP once the client's
    // address is known (after a PROXY header). false: over the limit.
    bool open_connection();
    void close_connection();
    bool admit_client_ip(const IpAddress& ip);
    void release_client_ip(const IpAddress& ip);

    // The TLS context store, when TLS listeners are configured (set once at start).
    class TlsContextStore* tls() const { return tls_.get(); }
    void set_tls(std::unique_ptr<class TlsContextStore> tls);

    // The address told to clients for a bound relay address (1:1 NAT), else itself.
    TransportAddress advertised(const TransportAddress& bound) const;

private:
    const config::Config& config_;
    turn::CredentialStore credentials_;
    turn::NonceIssuer nonces_;
    turn::PeerPolicy peers_;
    turn::ServerOptions server_options_;

    std::mutex mutex_;
    alloc::RelayAddressPool pool_;
    alloc::QuotaLedger ledger_;
    alloc::ReservationTable reservations_;
    std::size_t connections_ = 0;
    std::unordered_map<IpAddress, std::size_t> connections_per_ip_;
    std::unique_ptr<class TlsContextStore> tls_;
    std::mt19937_64 rng_;
};

std::vector<alloc::CidrBlock> parse_blocks(const std::vector<std::string>& texts);

}  // namespace hallpass::relay
