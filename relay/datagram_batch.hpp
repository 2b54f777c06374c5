// Batched datagram I/O with recvmmsg/sendmmsg: one system call moves many datagrams, which
// is most of what the epoll engine can do to keep up (DESIGN.md "The hot path"). Buffers are
// made once per worker; receive buffers keep headroom so the TURN core can frame peer data
// in place.
#pragma once

#include "turn/counter.hpp"

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "relay/segment_groups.hpp"
#include "relay/socket_address.hpp"
#include "relay/udp_segment.hpp"

namespace hallpass::relay {

inline constexpr std::size_t batch_size = 32;
inline constexpr std::size_t datagram_capacity = 4096;
inline constexpr std::size_t buffer_headroom = 64;
inline constexpr std::size_t buffer_tailroom = 8;

class ReceiveBatch {
public:
    ReceiveBatch();
    // Reads up to batch_size datagrams from a non-blocking socket; returns how many (0 when
    // none are waiting).
    std::size_t receive(int fd);

    // The i-th datagram's whole buffer, its data offset, length and sender.
    std::span<std::uint8_t> storage(std::size_t i) { return {buffers_[i].data(), buffers_[i].size()}; }
    std::size_t length(std::size_t i) const { return headers_[i].msg_len; }
    bool truncated(std::size_t i) const { return (headers_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
    const sockaddr_storage& sender(std::size_t i) const { return senders_[i]; }
    // Whether `p` points into this batch's buffers (one contiguous allocation).
    bool owns(const std::uint8_t* p) const {
        return p >= buffers_.front().data() && p < buffers_.back().data() + buffers_.back().size();
    }

private:
    std::vector<std::array<std::uint8_t, buffer_headroom + datagram_capacity + buffer_tailroom>> buffers_;
    std::array<mmsghdr, batch_size> headers_{};
    std::array<iovec, batch_size> iov_{};
    std::array<sockaddr_storage, batch_size> senders_{};
};

// Collects the datagrams of one receive batch and sends them at flush(): runs of datagrams
// from one socket to one address leave as one UDP GSO message (SegmentGroups), and the
// messages of one socket go in one sendmmsg. The bytes must stay valid until flush().
class SendBatch {
public:
    void add(int fd, std::span<const std::uint8_t> bytes, const TransportAddress& to);
    void flush();
    const turn::Counter& dropped() const { return dropped_; }

private:
    struct Message {
        int fd = -1;
        std::size_t first_iov = 0;
        std::size_t count = 0;  // datagrams; more than one makes it a GSO message
        std::uint16_t segment_size = 0;
    };
    void build_messages();
    void add_message(int fd, const TransportAddress& to, std::size_t first_iov, std::size_t count,
                     std::uint16_t segment_size);
    void send_run(std::size_t first, std::size_t count);
    void send_one_by_one(const Message& m, int error);

    SegmentGroups groups_;
    std::vector<Message> messages_;
    std::vector<mmsghdr> headers_;
    std::vector<iovec> iov_;
    std::vector<SocketAddress> to_;
    std::vector<SegmentControl> control_;  // per message
    GsoSwitch gso_;
    turn::Counter dropped_;  // read by a metrics scrape
};

}  // namespace hallpass::relay
