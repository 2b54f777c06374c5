// SharedState: what all workers share (DESIGN.md "Threads and ownership"): the current
// runtime snapshot (config, credentials, peer policy — replaced whole by a reload), the
// relay address book (pool, quotas, reservations) and the connection counts. The book and
// the counts are touched only when an allocation or a connection is made or freed, and sit
// behind one mutex, far from the packet path; workers read the snapshot they hold, not this.
#pragma once

#include <atomic>
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
#include "relay/retired_udp_listeners.hpp"
#include "relay/runtime_snapshot.hpp"
#include "turn/check_rate_limiter.hpp"

namespace hallpass::relay {

// limits.allocations_total as it applies to `c`: the configured value, or the one derived
// from the relay addresses and `open_files` (the process's open file limit).
alloc::AllocationLimit allocation_limit_of(const config::Config& c, std::uint64_t open_files);

class SharedState {
public:
    SharedState(SnapshotPtr first, std::uint64_t open_files);
    ~SharedState();

    // The snapshot published last.
    SnapshotPtr snapshot() const;
    // Makes `next` current for what is shared: quota and connection limits, and the relay
    // pool when relay.ranges or relay.ports changed. Workers switch on their own
    // (Worker::adopt). `next` has been validated: allocation_limit_of gives it room.
    void publish(SnapshotPtr next);

    alloc::AllocationLimit allocation_limit() const;
    std::uint64_t open_files() const { return open_files_; }

    // Runs f(book) under the lock: how open_relay_address reaches the shared book.
    template <class F>
    auto with_book(F&& f) {
        std::lock_guard lock(mutex_);
        return f(book_);
    }
    // Runs f(retired) under the lock: the control thread at a reload, workers at their ticks.
    template <class F>
    auto with_retired_udp(F&& f) {
        std::lock_guard lock(mutex_);
        return f(retired_udp_);
    }
    // Returns unclaimed reservations to the pool and their owners' quotas.
    void expire_reservations(alloc::Millis now);

    // A place for a new TCP/TLS connection under limits.connections_total; empty when full.
    ConnectionSlot take_connection_slot();
    // Whose turn it is among the alternates, for the whole node (an Allocate's rate, not a packet's).
    std::size_t next_alternate() { return alternate_cursor_.fetch_add(1, std::memory_order_relaxed); }

    // One more set of probe credentials for `client` (check.credentials_per_minute*); false past the limit.
    bool take_check_credentials(const IpAddress& client, alloc::Millis now);
    std::uint32_t check_retry_after_seconds() const;
    // TCP/TLS connections holding a slot now.
    std::size_t stream_connections() const;

    // The TLS context store, once TLS listeners are configured: set at start, or by the
    // reload that adds the first one, before any worker has a TLS listener to read it for;
    // never replaced (TlsContextStore::reload swaps its contents).
    class TlsContextStore* tls() const { return tls_.get(); }
    void set_tls(std::unique_ptr<class TlsContextStore> tls);

private:
    friend class ConnectionSlot;
    // The key the client is counted under (see ClientAddressCounter); nullopt at the limit.
    std::optional<IpAddress> count_client(const IpAddress& client);
    void release_connection(const std::optional<IpAddress>& key);

    const std::uint64_t open_files_;
    mutable std::mutex mutex_;
    SnapshotPtr snapshot_;
    alloc::AllocationLimit allocation_limit_;
    alloc::RelayAddressBook book_;
    std::size_t connections_ = 0;
    alloc::ClientAddressCounter connections_per_client_;
    RetiredUdpListeners retired_udp_;
    turn::CheckRateLimiter check_limiter_;
    std::unique_ptr<class TlsContextStore> tls_;
    std::atomic<std::size_t> alternate_cursor_{0};
};

}  // namespace hallpass::relay
