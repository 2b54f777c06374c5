// DatagramIo: the engine that drives a worker's UDP sockets — listeners and relay sockets —
// and hands every datagram to the worker (DESIGN.md "The hot path"). Two engines exist: epoll
// (Boost.Asio readiness, recvmmsg/sendmmsg) and io_uring (multishot receive over a
// provided-buffer ring). Both run inside the worker's io_context, so TCP/TLS connections and
// timers stay on Asio whichever engine carries UDP.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "alloc/allocation.hpp"
#include "relay/udp_socket.hpp"
#include "turn/counter.hpp"
#include "turn/instant.hpp"

namespace hallpass::relay {

// A received datagram in an engine-owned buffer: `offset` bytes of headroom before the
// payload and some tailroom after it, so the TURN core can frame peer data in place.
struct Datagram {
    std::span<std::uint8_t> storage;
    std::size_t offset = 0;
    std::size_t length = 0;
    TransportAddress from;

    std::span<std::uint8_t> payload() const { return storage.subspan(offset, length); }
};

// Datagrams an engine lost, by why, for the metrics.
struct EngineDrops {
    std::uint64_t truncated = 0;                  // larger than a receive buffer
    std::uint64_t send_failed = 0;                // refused by the kernel on send
    std::uint64_t receive_buffers_exhausted = 0;  // io_uring: every provided buffer was in use
};

class DatagramReceiver {
public:
    virtual ~DatagramReceiver() = default;
    virtual void on_listener_datagram(std::uint32_t listener, const Datagram& d, turn::Instant now) = 0;
    virtual void on_relay_datagram(alloc::AllocationId id, const Datagram& d, turn::Instant now) = 0;
    // Around a batch of datagrams (io_uring: a pass over the completion queue; epoll: one
    // recvmmsg from a socket): what the batch queues for stream clients is written once, at
    // its end, without a post of its own.
    virtual void on_batch_begin() {}
    virtual void on_batch_end() {}
};

class DatagramIo {
public:
    virtual ~DatagramIo() = default;
    virtual std::string_view name() const = 0;

    // The engine owns the sockets it is given and returns their descriptors for sending.
    virtual int add_listener(UdpSocket socket, std::uint32_t listener) = 0;
    virtual int add_relay(UdpSocket socket, alloc::AllocationId id) = 0;
    // Stops receiving on the socket and closes it.
    virtual void remove_relay(int fd) = 0;
    virtual void remove_listener(int fd) = 0;

    // Sends `bytes` to `to` through `fd`. Bytes inside the datagram being handled go out
    // before its buffer is reused (without a copy where the engine can); other bytes go
    // out before send() returns.
    virtual void send(int fd, std::span<const std::uint8_t> bytes, const TransportAddress& to) = 0;
    // Whatever is queued goes out now.
    virtual void flush() = 0;

    virtual void start(DatagramReceiver& receiver) = 0;
    virtual void stop() = 0;
    // Safe from any thread (the engine counts in turn::Counters).
    virtual EngineDrops drops() const = 0;
};

// Why io_uring cannot be used here; the message goes to the log when `auto` falls back.
class EngineUnavailable : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::unique_ptr<DatagramIo> make_epoll_io(boost::asio::io_context& io);
// Throws EngineUnavailable when the kernel, a seccomp filter or a memlock limit says no.
std::unique_ptr<DatagramIo> make_uring_io(boost::asio::io_context& io);

turn::Instant instant_now();

}  // namespace hallpass::relay
