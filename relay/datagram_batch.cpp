#include "relay/datagram_batch.hpp"

#include <cerrno>

namespace hallpass::relay {

ReceiveBatch::ReceiveBatch() : buffers_(batch_size) {}

std::size_t ReceiveBatch::receive(int fd) {
    for (std::size_t i = 0; i < batch_size; ++i) {
        iov_[i] = {buffers_[i].data() + buffer_headroom, datagram_capacity};
        headers_[i] = {};
        headers_[i].msg_hdr.msg_iov = &iov_[i];
        headers_[i].msg_hdr.msg_iovlen = 1;
        headers_[i].msg_hdr.msg_name = &senders_[i];
        headers_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    }
    const int n = ::recvmmsg(fd, headers_.data(), batch_size, MSG_DONTWAIT, nullptr);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void SendBatch::add(int fd, std::span<const std::uint8_t> bytes, const TransportAddress& to) {
    groups_.add({fd, to, bytes, -1});
}

void SendBatch::flush() {
    if (groups_.empty()) return;
    build_messages();
    std::size_t run = 0;
    for (std::size_t i = 1; i <= messages_.size(); ++i) {
        if (i < messages_.size() && messages_[i].fd == messages_[run].fd) continue;
        send_run(run, i - run);
        run = i;
    }
    groups_.clear();
}

// One message per group (or per datagram once GSO is off), in the groups' order, so that
// each destination's datagrams keep theirs.
void SendBatch::build_messages() {
    messages_.clear();
    std::size_t datagrams = 0;
    for (const auto& g : groups_.groups()) datagrams += g.count;
    iov_.resize(datagrams);  // before any pointer into it is taken
    std::size_t v = 0;
    for (const auto& g : groups_.groups()) {
        const OutgoingDatagram& head = groups_.datagram(g.first);
        const std::size_t first = v;
        for (auto i = g.first; i != SegmentGroups::none; i = groups_.next(i)) {
            const auto bytes = groups_.datagram(i).bytes;
            iov_[v++] = {const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
        }
        if (g.count == 1 || gso_.on) {
            add_message(head.fd, head.to, first, g.count, g.segment_size);
            continue;
        }
        for (std::size_t k = first; k < v; ++k) add_message(head.fd, head.to, k, 1, 0);
    }
    headers_.resize(messages_.size());
    for (std::size_t m = 0; m < messages_.size(); ++m) {
        msghdr& h = headers_[m].msg_hdr;
        h = {};
        h.msg_name = to_[m].get();
        h.msg_namelen = to_[m].length;
        h.msg_iov = &iov_[messages_[m].first_iov];
        h.msg_iovlen = messages_[m].count;
        if (messages_[m].count > 1) set_segment_size(h, control_[m], messages_[m].segment_size);
    }
}

void SendBatch::add_message(int fd, const TransportAddress& to, std::size_t first_iov, std::size_t count,
                            std::uint16_t segment_size) {
    const std::size_t m = messages_.size();
    messages_.push_back({fd, first_iov, count, segment_size});
    if (to_.size() <= m) {
        to_.resize(m + 1);
        control_.resize(m + 1);
    }
    to_[m] = to_socket_address(to);
}

void SendBatch::send_run(std::size_t first, std::size_t count) {
    const int fd = messages_[first].fd;
    std::size_t sent = 0;
    while (sent < count) {
        const int n = ::sendmmsg(fd, headers_.data() + first + sent, static_cast<unsigned>(count - sent), MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        const Message& failed = messages_[first + sent];
        const int error = errno;
        if (failed.count > 1 && gso_refused(error)) send_one_by_one(failed, error);
        // Otherwise a full socket buffer or an unreachable peer: UDP drops, and so do we, by
        // skipping the message that failed.
        else dropped_.add(failed.count);
        ++sent;
    }
}

// A path that refuses GSO (no checksum offload on the device, an old kernel): the group goes
// out datagram by datagram, and this worker stops grouping.
void SendBatch::send_one_by_one(const Message& m, int error) {
    gso_.refused("epoll", error);
    const std::size_t index = static_cast<std::size_t>(&m - messages_.data());
    dropped_.add(send_each(m.fd, to_[index], std::span(iov_).subspan(m.first_iov, m.count)));
}

}  // namespace hallpass::relay
