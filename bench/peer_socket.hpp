// PeerSocket: a bench-run UDP socket on loopback that plays the peer of the allocations —
// an echo peer (saturate, latency: each datagram goes back where it came from, i.e. to the
// relayed address) or a media server (classroom: it receives the students' audio and sends
// the downstream streams). recvmmsg and sendmmsg move up to 64 datagrams per system call.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "bench/event_loop.hpp"
#include "bench/socket_util.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::bench {

class PeerSocket final : public Pollable {
public:
    // Called for each datagram received when the socket is not an echo peer.
    using Receiver = std::function<void(std::span<const std::uint8_t> payload, std::int64_t now_ns)>;

    // Binds to `local` (port 0: any; peer_bind_address of the options). Throws
    // std::runtime_error when that fails.
    PeerSocket(EventLoop& loop, const TransportAddress& local);
    ~PeerSocket() override;
    PeerSocket(const PeerSocket&) = delete;
    PeerSocket& operator=(const PeerSocket&) = delete;

    void set_receiver(Receiver r) { receiver_ = std::move(r); }  // none: echo
    const TransportAddress& address() const { return address_; }

    // Queues a datagram for `to` (a relayed address); sent by flush() or when
    // the batch is full.
    void queue(const SocketAddress& to, std::span<const std::uint8_t> payload);
    void flush();

    void on_event(std::uint32_t events) override;

    std::uint64_t received() const { return received_; }
    std::uint64_t send_drops() const { return send_drops_; }

private:
    static constexpr std::size_t batch = 64;
    static constexpr std::size_t room = 2048;

    EventLoop& loop_;
    int fd_ = -1;
    TransportAddress address_;
    Receiver receiver_;
    std::uint64_t received_ = 0;
    std::uint64_t send_drops_ = 0;

    // Outgoing batch.
    std::array<std::array<std::uint8_t, room>, batch> out_data_{};
    std::array<SocketAddress, batch> out_to_{};
    std::array<iovec, batch> out_iov_{};
    std::array<mmsghdr, batch> out_headers_{};
    std::size_t queued_ = 0;
};

}  // namespace hallpass::bench
