// The epoll engine: Asio's reactor says when a socket is readable; the engine drains it in
// recvmmsg batches and sends in sendmmsg batches, runs to one address as UDP GSO messages
// (DESIGN.md "The hot path").
#include <boost/asio.hpp>
#include <vector>

#include "relay/datagram_batch.hpp"
#include "relay/datagram_io.hpp"

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;

// A bounded number of batches per wake-up keeps one busy socket from starving others.
constexpr int rounds_per_wakeup = 8;

struct Watched {
    asio::posix::stream_descriptor descriptor;
    bool relay = false;
    std::uint32_t listener = 0;
    alloc::AllocationId id;
};

class EpollDatagramIo final : public DatagramIo {
public:
    explicit EpollDatagramIo(asio::io_context& io) : io_(io) {}

    std::string_view name() const override { return "epoll"; }

    int add_listener(UdpSocket socket, std::uint32_t listener) override {
        auto w = watch(std::move(socket));
        w->listener = listener;
        listeners_.push_back(w);
        if (receiver_) arm(w);
        return w->descriptor.native_handle();
    }

    int add_relay(UdpSocket socket, alloc::AllocationId id) override {
        auto w = watch(std::move(socket));
        w->relay = true;
        w->id = id;
        const int fd = w->descriptor.native_handle();
        if (relays_.size() <= static_cast<std::size_t>(fd)) relays_.resize(fd + 1);
        relays_[fd] = w;
        arm(w);
        return fd;
    }

    void remove_relay(int fd) override {
        flush();  // nothing queued may go out on a descriptor number that is reused later
        if (fd < 0 || static_cast<std::size_t>(fd) >= relays_.size() || !relays_[fd]) return;
        relays_[fd]->descriptor.close();
        relays_[fd].reset();
    }

    void remove_listener(int fd) override {
        flush();
        std::erase_if(listeners_, [fd](const std::shared_ptr<Watched>& w) {
            if (w->descriptor.native_handle() != fd) return false;
            w->descriptor.close();
            return true;
        });
    }

    void send(int fd, std::span<const std::uint8_t> bytes, const TransportAddress& to) override {
        if (receive_.owns(bytes.data())) return send_.add(fd, bytes, to);
        send_.flush();  // keeps the order of what the client sees
        send_.add(fd, bytes, to);
        send_.flush();
    }

    void flush() override { send_.flush(); }

    void start(DatagramReceiver& receiver) override {
        receiver_ = &receiver;
        for (auto& w : listeners_) arm(w);
    }

    void stop() override {
        listeners_.clear();
        relays_.clear();
    }

    EngineDrops drops() const override { return {truncated_.value(), send_.dropped().value(), 0}; }

private:
    std::shared_ptr<Watched> watch(UdpSocket socket) {
        return std::make_shared<Watched>(Watched{asio::posix::stream_descriptor(io_, socket.release()), false, 0, {}});
    }

    void arm(const std::shared_ptr<Watched>& w) {
        w->descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                                 [this, w](boost::system::error_code ec) {
                                     if (!ec) on_ready(w);
                                 });
    }

    // Readiness comes by edges: a socket still holding datagrams after a bounded drain is
    // drained again once other handlers have had their turn, not when the next one comes.
    void on_ready(const std::shared_ptr<Watched>& w) {
        if (!w->descriptor.is_open()) return;
        if (drain(*w) && w->descriptor.is_open()) {
            asio::post(io_, [this, w] { on_ready(w); });
            return;
        }
        if (w->descriptor.is_open()) arm(w);
    }

    // True when it stopped at its round limit with datagrams possibly left.
    bool drain(Watched& w) {
        for (int round = 0; round < rounds_per_wakeup && w.descriptor.is_open(); ++round) {
            const std::size_t n = receive_.receive(w.descriptor.native_handle());
            if (n == 0) return false;
            const turn::Instant now = instant_now();
            receiver_->on_batch_begin();
            for (std::size_t i = 0; i < n && w.descriptor.is_open(); ++i) deliver(w, i, now);
            send_.flush();
            receiver_->on_batch_end();
            if (n < batch_size) return false;
        }
        return true;
    }

    void deliver(Watched& w, std::size_t i, turn::Instant now) {
        if (receive_.truncated(i)) {
            truncated_.add();
            return;
        }
        const Datagram d{receive_.storage(i), buffer_headroom, receive_.length(i),
                         from_socket_address(receive_.sender(i))};
        if (w.relay) receiver_->on_relay_datagram(w.id, d, now);
        else receiver_->on_listener_datagram(w.listener, d, now);
    }

    asio::io_context& io_;
    DatagramReceiver* receiver_ = nullptr;
    std::vector<std::shared_ptr<Watched>> listeners_;
    std::vector<std::shared_ptr<Watched>> relays_;  // by descriptor
    ReceiveBatch receive_;
    SendBatch send_;
    turn::Counter truncated_;
};

}  // namespace

std::unique_ptr<DatagramIo> make_epoll_io(asio::io_context& io) { return std::make_unique<EpollDatagramIo>(io); }

turn::Instant instant_now() {
    using namespace std::chrono;
    return {duration_cast<milliseconds>(steady_clock::now().time_since_epoch()),
            duration_cast<seconds>(system_clock::now().time_since_epoch()).count()};
}

}  // namespace hallpass::relay
