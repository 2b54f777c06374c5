// SharedState: what all workers share, read-mostly (DESIGN.md "Threads and ownership"):
// the config, credentials, nonce key and peer policy, plus the relay address book (pool,
// quotas, reservations) and the connection counts, which are touched only when an
// allocation or a connection is made or freed and so sit behind one mutex, far from the
// packet path.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "alloc/allocation_limit.hpp"
#include "alloc/client_address_counter.hpp"
#include "alloc/relay_address_book.hpp"
#include "config/config.hpp"
#include "relay/connection_slot.hpp"
#include "turn/credential_store.hpp"
#include "turn/nonce_issuer.hpp"
#include "turn/peer_policy.hpp"
#include "turn/server_options.hpp"

namespace hallpass::relay {

class SharedState {
public:
    // `open_files`: the process's open file limit, for the default allocations_total.
    SharedState(const config::Config& config, std::uint64_t open_files);
    ~SharedState();

    const config::Config& config() const { return config_; }
    const turn::CredentialStore& credentials() const { return credentials_; }
    const turn::NonceIssuer& nonces() const { return nonces_; }
    const turn::PeerPolicy& peers() const { return peers_; }
    const turn::ServerOptions& server_options() const { return server_options_; }
    // limits.allocations_total as it applies: the configured value, or the derived one.
    const alloc::AllocationLimit& allocation_limit() const { return allocation_limit_; }
    const std::vector<TransportAddress>& own_endpoints() const { return own_endpoints_; }

    bool supports(AddressFamily family) const { return book_.supports(family); }
    // Runs f(book) under the lock: how open_relay_address reaches the shared book.
    template <class F>
    auto with_book(F&& f) {
        std::lock_guard lock(mutex_);
        return f(book_);
    }
    // Returns unclaimed reservations to the pool and their owners' quotas.
    void expire_reservations(alloc::Millis now);

    // A place for a new TCP/TLS connection under limits.connections_total; empty when full.
    ConnectionSlot take_connection_slot();

    // The TLS context store, when TLS listeners are configured (set once at start).
    class TlsContextStore* tls() const { return tls_.get(); }
    void set_tls(std::unique_ptr<class TlsContextStore> tls);

    // The address told to clients for a bound relay address (1:1 NAT), else itself.
    TransportAddress advertised(const TransportAddress& bound) const;

private:
    friend class ConnectionSlot;
    bool count_client(const IpAddress& client);
    void release_connection(const std::optional<IpAddress>& client);

    const config::Config& config_;
    std::vector<TransportAddress> own_endpoints_;
    turn::CredentialStore credentials_;
    turn::NonceIssuer nonces_;
    turn::PeerPolicy peers_;
    turn::ServerOptions server_options_;
    alloc::AllocationLimit allocation_limit_;

    std::mutex mutex_;
    alloc::RelayAddressBook book_;
    std::size_t connections_ = 0;
    alloc::ClientAddressCounter connections_per_client_;
    std::unique_ptr<class TlsContextStore> tls_;
};

}  // namespace hallpass::relay
