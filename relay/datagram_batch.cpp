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
    if (fd != fd_ || count_ == batch_size) flush();
    fd_ = fd;
    to_[count_] = to_socket_address(to);
    iov_[count_] = {const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    headers_[count_] = {};
    headers_[count_].msg_hdr.msg_iov = &iov_[count_];
    headers_[count_].msg_hdr.msg_iovlen = 1;
    headers_[count_].msg_hdr.msg_name = to_[count_].get();
    headers_[count_].msg_hdr.msg_namelen = to_[count_].length;
    ++count_;
}

void SendBatch::flush() {
    std::size_t sent = 0;
    while (sent < count_) {
        const int n = ::sendmmsg(fd_, headers_.data() + sent, static_cast<unsigned>(count_ - sent), MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        // A full socket buffer or an unreachable peer: UDP drops, and so do we, by
        // skipping the datagram that failed.
        ++dropped_;
        ++sent;
    }
    count_ = 0;
}

}  // namespace hallpass::relay
