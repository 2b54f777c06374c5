// The io_uring engine (STYLE.md §9, after liburing's io_uring-udp.c and proxy.c): one ring
// per worker; every UDP socket has a multishot recvmsg over a provided-buffer ring, so
// receiving costs no system call per datagram; relayed data is sent by sendmsg straight
// from the buffer it arrived in (framed in place by the TURN core), and that buffer goes
// back to the ring only when the send has completed. Completions are reaped in batches
// when the ring's descriptor wakes the worker's io_context, and submissions go out once per
// batch; datagrams of a batch that go from one socket to one address in a run of equal
// sizes leave as one UDP GSO send (SegmentGroups).
#include <liburing.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "relay/datagram_io.hpp"
#include "relay/segment_groups.hpp"
#include "relay/udp_segment.hpp"
#include "relay/socket_address.hpp"
#include "turn/turn_server.hpp"

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;

constexpr unsigned sq_entries = 1024;
constexpr unsigned cq_entries = 16384;
constexpr unsigned buffer_count = 4096;  // a power of two, as buffer rings require
constexpr unsigned buffer_size = 4096;  // datagrams up to about 4 KB, as the epoll engine takes
constexpr unsigned send_slots = 4096;
// Sends go out after at most this many completions: a datagram is then still in cache when
// the kernel copies it out of its receive buffer (with thousands of flows, waiting for
// the whole queue doubled the send's copy cost), and it keeps a batch's sends bounded.
constexpr unsigned completions_per_pass = 128;
// After this many the worker lets its other handlers (TCP, TLS, timers) run before going on.
constexpr int max_passes = 4096 / completions_per_pass;
constexpr unsigned max_file_slots = 65536;  // registered-file table, indexed by descriptor
constexpr int buffer_group = 0;
// Each buffer holds io_uring_recvmsg_out, the source address, a control area we never use
// and then the payload. The address and control areas sit before the payload, and once
// the address is read they are the headroom the TURN core frames peer data into.
constexpr socklen_t name_space = sizeof(sockaddr_in6);
constexpr std::size_t control_space = 16;
constexpr std::size_t payload_offset = sizeof(io_uring_recvmsg_out) + name_space + control_space;
static_assert(payload_offset >= turn::peer_headroom);

enum class Op : std::uint8_t { receive_listener = 1, receive_relay = 2, send = 3, cancel = 4 };

std::uint64_t tag(Op op, std::uint32_t incarnation, std::uint32_t value) {
    return (std::uint64_t(op) << 56) | (std::uint64_t(incarnation & 0xFFFFFF) << 32) | value;
}
Op op_of(std::uint64_t t) { return static_cast<Op>(t >> 56); }
std::uint32_t incarnation_of(std::uint64_t t) { return static_cast<std::uint32_t>((t >> 32) & 0xFFFFFF); }
std::uint32_t value_of(std::uint64_t t) { return static_cast<std::uint32_t>(t); }

std::string explain(const char* step, int error) {
    std::string why = std::string(step) + ": " + std::strerror(error);
    if (error == EPERM || error == EACCES)
        why += " (kernel.io_uring_disabled, or a seccomp filter of the container runtime)";
    else if (error == ENOSYS)
        why += " (this kernel has no io_uring)";
    else if (error == ENOMEM)
        why += " (the locked-memory limit is too low: raise ulimit -l / LimitMEMLOCK)";
    else if (error == EINVAL)
        why += " (this kernel lacks a needed io_uring feature: 6.0 or later is required)";
    return why;
}

struct Socket {
    int fd = -1;
    bool relay = false;
    std::uint32_t listener = 0;
    alloc::AllocationId id;
    std::uint32_t incarnation = 0;  // tells completions of a reused descriptor number apart
    bool armed = false;
    bool live = false;
    bool fixed = false;  // registered in the ring's file table at index fd
};

// One sendmsg in flight: a datagram, or a GSO group of them.
struct SendSlot {
    msghdr msg{};
    std::array<iovec, SegmentGroups::max_segments> iov{};
    // The receive buffers the bytes lie in, each returned when the send is done.
    std::array<int, SegmentGroups::max_segments> buffers{};
    unsigned count = 0;
    SegmentControl control;
    SocketAddress to;
    int fd = -1;
    std::uint32_t incarnation = 0;  // of the socket at fd when the send was made
};

class UringDatagramIo final : public DatagramIo {
public:
    explicit UringDatagramIo(asio::io_context& io) : wakeup_(io) {
        setup_ring();
        setup_buffers();
        setup_wakeup_and_files();
        recv_template_.msg_namelen = name_space;
        recv_template_.msg_controllen = control_space;
        slots_.resize(send_slots);
        for (unsigned i = 0; i < send_slots; ++i) free_slots_.push_back(send_slots - 1 - i);
    }

    ~UringDatagramIo() override {
        for (auto& s : sockets_)
            if (s.live) ::close(s.fd);
        free_buffer_ring();
        io_uring_queue_exit(&ring_);
    }

    std::string_view name() const override { return "io_uring"; }

    int add_listener(UdpSocket socket, std::uint32_t listener) override {
        Socket& s = adopt(socket.release());
        s.listener = listener;
        if (receiver_) {  // added by a reload, while the worker runs
            arm(s);
            if (!reaping_) io_uring_submit(&ring_);
        }
        return s.fd;
    }

    int add_relay(UdpSocket socket, alloc::AllocationId id) override {
        Socket& s = adopt(socket.release());
        s.relay = true;
        s.id = id;
        arm(s);
        // Inside a reap the arm goes out with the batch; from elsewhere (an Allocate over
        // TCP or TLS) nothing else would submit it.
        if (!reaping_) io_uring_submit(&ring_);
        return s.fd;
    }

    void remove_relay(int fd) override { remove(fd); }
    void remove_listener(int fd) override { remove(fd); }

    // Datagrams framed in a receive buffer wait for the end of the batch, where they are
    // grouped; the buffer stays out of the ring until their send completes.
    void send(int fd, std::span<const std::uint8_t> bytes, const TransportAddress& to) override {
        if (current_buffer_ < 0 || !in_buffer(current_buffer_, bytes.data())) return send_now(fd, bytes, to);
        ++buffer_users_[current_buffer_];
        batch_.add({fd, to, bytes, current_buffer_});
    }

    void flush() override {
        send_groups();
        commit_buffers();
        io_uring_submit(&ring_);
    }

    void start(DatagramReceiver& receiver) override {
        receiver_ = &receiver;
        for (auto& s : sockets_)
            if (s.live && !s.armed) arm(s);
        io_uring_submit(&ring_);
        wait_for_completions();
    }

    void stop() override {
        boost::system::error_code ignored;
        wakeup_.cancel(ignored);
    }

    EngineDrops drops() const override {
        return {truncated_.value(), send_failed_.value(), buffers_exhausted_.value()};
    }

private:
    void remove(int fd) {
        if (fd < 0 || static_cast<std::size_t>(fd) >= sockets_.size() || !sockets_[fd].live) return;
        Socket& s = sockets_[fd];
        // The ring holds its own reference to the file: cancel the multishot receive, then
        // close; a late completion carries the old incarnation and is ignored.
        send_groups();  // what is queued for this socket goes out before it closes
        if (s.armed) {
            io_uring_sqe* sqe = sqe_or_submit();
            const Op op = s.relay ? Op::receive_relay : Op::receive_listener;
            io_uring_prep_cancel64(sqe, tag(op, s.incarnation, static_cast<std::uint32_t>(fd)), 0);
            io_uring_sqe_set_data64(sqe, tag(Op::cancel, 0, 0));
        }
        io_uring_submit(&ring_);
        s.live = false;
        s.armed = false;
        if (s.fixed) {
            const int none = -1;
            io_uring_register_files_update(&ring_, static_cast<unsigned>(fd), &none, 1);
        }
        ::close(fd);
    }

    void setup_ring() {
        io_uring_params p{};
        // No SINGLE_ISSUER: the ring is made on the main thread at start (so that a refusal
        // is known before any worker runs) and used by the worker thread afterwards.
        // COOP_TASKRUN: a datagram arriving while the worker runs no longer interrupts it
        // (an IPI and a trip through the kernel per packet); the receive completes at the
        // worker's next system call, which each batch makes anyway. TASKRUN_FLAG lets
        // liburing see such pending work and enter the kernel for it.
        p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
        p.cq_entries = cq_entries;
        int r = io_uring_queue_init_params(sq_entries, &ring_, &p);
        if (r == -EINVAL) {  // an older kernel (before 5.19) without the optional flags
            p = {};
            p.flags = IORING_SETUP_CQSIZE;
            p.cq_entries = cq_entries;
            r = io_uring_queue_init_params(sq_entries, &ring_, &p);
        }
        if (r < 0) throw EngineUnavailable(explain("io_uring_queue_init", -r));
        io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
        const bool ok = probe && io_uring_opcode_supported(probe, IORING_OP_RECVMSG) &&
                        io_uring_opcode_supported(probe, IORING_OP_SENDMSG);
        io_uring_free_probe(probe);
        if (!ok) {
            io_uring_queue_exit(&ring_);
            throw EngineUnavailable("io_uring: this kernel lacks recvmsg/sendmsg operations");
        }
    }

    void setup_buffers() {
        map_buffer_memory();
        // liburing 2.3 (Debian 12) has no io_uring_setup_buf_ring: map and register by hand.
        void* mem = ::mmap(nullptr, ring_bytes(), PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if (mem == MAP_FAILED) {
            io_uring_queue_exit(&ring_);
            throw EngineUnavailable(explain("mmap of the buffer ring", errno));
        }
        buffers_ring_ = static_cast<io_uring_buf_ring*>(mem);
        io_uring_buf_ring_init(buffers_ring_);
        io_uring_buf_reg reg{};
        reg.ring_addr = reinterpret_cast<std::uint64_t>(mem);
        reg.ring_entries = buffer_count;
        reg.bgid = buffer_group;
        if (const int r = io_uring_register_buf_ring(&ring_, &reg, 0); r < 0) {
            ::munmap(mem, ring_bytes());
            buffers_ring_ = nullptr;
            io_uring_queue_exit(&ring_);
            throw EngineUnavailable(explain("io_uring_register_buf_ring", -r));
        }
        for (unsigned b = 0; b < buffer_count; ++b) recycle(static_cast<int>(b));
        buffer_users_.assign(buffer_count, 0);
        commit_buffers();
    }

    // The ring's own descriptor is readable while completions wait, so the io_context
    // watches it directly: no eventfd to signal and read per wake-up. Sockets are
    // registered files, which spares the kernel a descriptor lookup per operation.
    void setup_wakeup_and_files() {
        const int fd = ::dup(ring_.ring_fd);
        rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit);  // the table may not exceed it
        file_slots_ = static_cast<unsigned>(std::min<rlim_t>(limit.rlim_cur, max_file_slots));
        const int files = io_uring_register_files_sparse(&ring_, file_slots_);
        if (fd < 0 || files < 0) {
            if (fd >= 0) ::close(fd);
            free_buffer_ring();
            io_uring_queue_exit(&ring_);
            throw EngineUnavailable(explain("io_uring_register_files_sparse", files < 0 ? -files : errno));
        }
        wakeup_.assign(fd);
    }

    static std::size_t ring_bytes() { return buffer_count * sizeof(io_uring_buf); }

    void free_buffer_ring() {
        if (!buffers_ring_) return;
        io_uring_unregister_buf_ring(&ring_, buffer_group);
        ::munmap(buffers_ring_, ring_bytes());
        buffers_ring_ = nullptr;
    }

    Socket& adopt(int fd) {
        if (sockets_.size() <= static_cast<std::size_t>(fd)) sockets_.resize(fd + 1);
        Socket& s = sockets_[fd];
        const std::uint32_t incarnation = (s.incarnation + 1) & 0xFFFFFF;  // as many bits as the tag holds
        s = Socket{};
        s.fd = fd;
        s.incarnation = incarnation;
        s.live = true;
        s.fixed = fd < static_cast<int>(file_slots_) && io_uring_register_files_update(&ring_, static_cast<unsigned>(fd), &fd, 1) == 1;
        return s;
    }

    io_uring_sqe* sqe_or_submit() {
        io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
        while (!sqe) {
            io_uring_submit(&ring_);
            sqe = io_uring_get_sqe(&ring_);
        }
        return sqe;
    }

    void arm(Socket& s) {
        io_uring_sqe* sqe = sqe_or_submit();
        io_uring_prep_recvmsg_multishot(sqe, s.fd, &recv_template_, 0);
        sqe->flags |= IOSQE_BUFFER_SELECT | (s.fixed ? IOSQE_FIXED_FILE : 0);
        sqe->buf_group = buffer_group;
        const Op op = s.relay ? Op::receive_relay : Op::receive_listener;
        io_uring_sqe_set_data64(sqe, tag(op, s.incarnation, static_cast<std::uint32_t>(s.fd)));
        s.armed = true;
    }

    // The ring hands buffers out in turn, so every one of them is touched once per
    // buffer_count datagrams: with 4 KiB pages that is 4,096 TLB entries, and the kernel's
    // copy into the buffer and ours out of it both miss. Transparent huge pages make it 8.
    void map_buffer_memory() {
        constexpr std::size_t huge = std::size_t{2} << 20;
        void* p = ::mmap(nullptr, memory_bytes + huge, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if (p == MAP_FAILED) {
            io_uring_queue_exit(&ring_);
            throw EngineUnavailable(explain("mmap of the receive buffers", errno));
        }
        mapping_.reset(p);
        const auto aligned = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
        memory_ = reinterpret_cast<std::uint8_t*>(aligned);
        ::madvise(memory_, memory_bytes, MADV_HUGEPAGE);  // a hint: without THP, plain pages
        // Touched now, at start: a fixed cost of the worker, not memory that seems to grow
        // with the first few thousand datagrams.
        std::memset(memory_, 0, memory_bytes);
    }

    std::uint8_t* buffer(int b) { return memory_ + std::size_t(b) * buffer_size; }
    bool in_buffer(int b, const std::uint8_t* p) { return p >= buffer(b) && p < buffer(b) + buffer_size; }

    void recycle(int b) {
        io_uring_buf_ring_add(buffers_ring_, buffer(b), buffer_size, static_cast<unsigned short>(b),
                              io_uring_buf_ring_mask(buffer_count), pending_buffers_++);
    }
    void commit_buffers() {
        if (pending_buffers_ == 0) return;
        io_uring_buf_ring_advance(buffers_ring_, pending_buffers_);
        pending_buffers_ = 0;
    }

    void wait_for_completions() {
        wakeup_.async_wait(asio::posix::descriptor_base::wait_read, [this](boost::system::error_code ec) {
            if (!ec) on_ready();
        });
    }

    // The reactor reports the ring's descriptor by edges: completions left after a
    // bounded reap are taken up once other handlers have had their turn, and only an
    // empty queue goes back to waiting.
    void on_ready() {
        reap();
        if (io_uring_cq_ready(&ring_) > 0) {
            asio::post(wakeup_.get_executor(), [this] { on_ready(); });
            return;
        }
        wait_for_completions();
    }

    void reap() {
        reaping_ = true;
        reap_passes();
        reaping_ = false;
    }

    void reap_passes() {
        // Bounded passes: completions that keep arriving are left for the next wake-up.
        for (int pass = 0; pass < max_passes; ++pass) {
            unsigned head;
            unsigned seen = 0;
            io_uring_cqe* cqe;
            now_ = instant_now();
            receiver_->on_batch_begin();
            io_uring_for_each_cqe(&ring_, head, cqe) {
                complete(*cqe);
                if (++seen == completions_per_pass) break;
            }
            io_uring_cq_advance(&ring_, seen);
            if (seen > 0) {
                rearm();
                flush();
            }
            receiver_->on_batch_end();
            // The writes may have led to a request (a client's Allocate) that armed a socket.
            if (io_uring_sq_ready(&ring_) > 0) io_uring_submit(&ring_);
            if (seen == 0) break;
        }
    }

    void complete(const io_uring_cqe& cqe) {
        const std::uint64_t t = cqe.user_data;
        switch (op_of(t)) {
            case Op::receive_listener:
            case Op::receive_relay: return received(cqe, t);
            case Op::send: return sent(cqe, value_of(t));
            case Op::cancel: return;
        }
    }

    void received(const io_uring_cqe& cqe, std::uint64_t t) {
        const int fd = static_cast<int>(value_of(t));
        const bool current = static_cast<std::size_t>(fd) < sockets_.size() && sockets_[fd].live &&
                             sockets_[fd].incarnation == incarnation_of(t);
        const bool has_buffer = (cqe.flags & IORING_CQE_F_BUFFER) != 0;
        const int b = has_buffer ? static_cast<int>(cqe.flags >> IORING_CQE_BUFFER_SHIFT) : -1;
        if (current && !(cqe.flags & IORING_CQE_F_MORE)) {
            // Multishot ended (-ENOBUFS is back-pressure: the buffers are all in use);
            // it is armed again after this batch.
            if (cqe.res == -ENOBUFS) buffers_exhausted_.add();
            sockets_[fd].armed = false;
            disarmed_.push_back(fd);
        }
        if (b < 0) return;
        // Delivery holds the buffer too, so that sends from it that finish during delivery
        // cannot return it to the ring while it is still being read.
        ++buffer_users_[b];
        if (current && cqe.res > 0) deliver(sockets_[fd], b, cqe.res);
        release(b);
    }

    void deliver(Socket& s, int b, int length) {
        io_uring_recvmsg_out* out = io_uring_recvmsg_validate(buffer(b), length, &recv_template_);
        if (!out || (out->flags & MSG_TRUNC)) {
            truncated_.add();
            return;
        }
        sockaddr_storage from{};
        std::memcpy(&from, io_uring_recvmsg_name(out), std::min<std::size_t>(out->namelen, sizeof from));
        const auto payload_length = io_uring_recvmsg_payload_length(out, length, &recv_template_);
        const Datagram d{{buffer(b), buffer_size}, payload_offset, payload_length, from_socket_address(from)};
        current_buffer_ = b;
        if (s.relay) receiver_->on_relay_datagram(s.id, d, now_);
        else receiver_->on_listener_datagram(s.listener, d, now_);
        current_buffer_ = -1;
    }

    void send_groups() {
        for (const auto& g : batch_.groups()) {
            if (g.count == 1 || gso_.on) {
                send_group(g.first, g.count, g.segment_size);
                continue;
            }
            for (auto i = g.first; i != SegmentGroups::none; i = batch_.next(i)) send_group(i, 1, 0);
        }
        batch_.clear();
    }

    // One sendmsg for `count` datagrams chained from `first`; with more than one, the kernel
    // cuts them apart at `segment_size` (UDP_SEGMENT).
    void send_group(std::uint32_t first, unsigned count, std::uint16_t segment_size) {
        const OutgoingDatagram& head = batch_.datagram(first);
        if (free_slots_.empty()) return send_chain_now(first, count);
        const unsigned index = free_slots_.back();
        free_slots_.pop_back();
        SendSlot& slot = slots_[index];
        slot.fd = head.fd;
        slot.incarnation = known(head.fd) ? sockets_[head.fd].incarnation : 0;
        slot.to = to_socket_address(head.to);
        slot.count = 0;
        for (auto i = first; slot.count < count; i = batch_.next(i), ++slot.count) {
            const OutgoingDatagram& d = batch_.datagram(i);
            slot.iov[slot.count] = {const_cast<std::uint8_t*>(d.bytes.data()), d.bytes.size()};
            slot.buffers[slot.count] = d.buffer;
        }
        slot.msg = {};
        slot.msg.msg_name = slot.to.get();
        slot.msg.msg_namelen = slot.to.length;
        slot.msg.msg_iov = slot.iov.data();
        slot.msg.msg_iovlen = slot.count;
        if (count > 1) set_segment_size(slot.msg, slot.control, segment_size);
        io_uring_sqe* sqe = sqe_or_submit();
        io_uring_prep_sendmsg(sqe, slot.fd, &slot.msg, 0);
        if (static_cast<std::size_t>(slot.fd) < sockets_.size() && sockets_[slot.fd].fixed)
            sqe->flags |= IOSQE_FIXED_FILE;
        io_uring_sqe_set_data64(sqe, tag(Op::send, 0, index));
    }

    // Every send slot is in flight: the datagrams go out now, one by one.
    void send_chain_now(std::uint32_t first, unsigned count) {
        for (auto i = first; count > 0; i = batch_.next(i), --count) {
            const OutgoingDatagram& d = batch_.datagram(i);
            const auto sa = to_socket_address(d.to);
            if (::sendto(d.fd, d.bytes.data(), d.bytes.size(), MSG_DONTWAIT, sa.get(), sa.length) < 0) send_failed_.add();
            release(d.buffer);
        }
    }

    void sent(const io_uring_cqe& cqe, std::uint32_t index) {
        SendSlot& slot = slots_[index];
        if (cqe.res < 0 && slot.count > 1 && gso_refused(-cqe.res)) resend_one_by_one(slot, -cqe.res);
        else if (cqe.res < 0) send_failed_.add(slot.count);
        for (unsigned i = 0; i < slot.count; ++i) release(slot.buffers[i]);
        slot.count = 0;
        free_slots_.push_back(index);
    }

    // The group's bytes are still in their buffers: they go out as plain datagrams, and
    // GSO is not tried again by this worker. A socket closed since then (its descriptor
    // number perhaps reused) loses them.
    void resend_one_by_one(const SendSlot& slot, int error) {
        gso_.refused("io_uring", error);
        if (!known(slot.fd) || !sockets_[slot.fd].live || sockets_[slot.fd].incarnation != slot.incarnation) {
            send_failed_.add(slot.count);
            return;
        }
        send_failed_.add(send_each(slot.fd, slot.to, std::span(slot.iov.data(), slot.count)));
    }

    bool known(int fd) const { return fd >= 0 && static_cast<std::size_t>(fd) < sockets_.size(); }

    void release(int b) {
        if (b >= 0 && --buffer_users_[b] == 0) recycle(b);
    }

    void rearm() {
        for (int fd : disarmed_) {
            Socket& s = sockets_[fd];
            if (s.live && !s.armed) arm(s);
        }
        disarmed_.clear();
    }

    void send_now(int fd, std::span<const std::uint8_t> bytes, const TransportAddress& to) {
        send_groups();  // what was queued before goes out before this
        io_uring_submit(&ring_);
        const auto sa = to_socket_address(to);
        if (::sendto(fd, bytes.data(), bytes.size(), MSG_DONTWAIT, sa.get(), sa.length) < 0) send_failed_.add();
    }

    io_uring ring_{};
    unsigned file_slots_ = 0;
    io_uring_buf_ring* buffers_ring_ = nullptr;
    static constexpr std::size_t memory_bytes = std::size_t{buffer_count} * buffer_size;
    struct Unmap {
        void operator()(void* p) const { ::munmap(p, memory_bytes + (std::size_t{2} << 20)); }
    };
    std::unique_ptr<void, Unmap> mapping_;  // memory_ rounded up to a huge-page boundary inside it
    std::uint8_t* memory_ = nullptr;
    std::vector<std::uint16_t> buffer_users_;
    int pending_buffers_ = 0;
    asio::posix::stream_descriptor wakeup_;
    msghdr recv_template_{};
    std::vector<Socket> sockets_;  // by descriptor
    std::vector<int> disarmed_;
    std::vector<SendSlot> slots_;
    std::vector<unsigned> free_slots_;
    SegmentGroups batch_;
    GsoSwitch gso_;
    DatagramReceiver* receiver_ = nullptr;
    int current_buffer_ = -1;
    bool reaping_ = false;
    turn::Instant now_;
    turn::Counter truncated_, send_failed_, buffers_exhausted_;  // read by a metrics scrape
};

}  // namespace

std::unique_ptr<DatagramIo> make_uring_io(asio::io_context& io) { return std::make_unique<UringDatagramIo>(io); }

}  // namespace hallpass::relay
