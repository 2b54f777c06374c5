// The stream path allocates nothing per packet (DESIGN.md "The hot path"), as the UDP path
// does not (tests/turn/hot_path_test.cpp): a StreamConnection over TCP and over TLS, on a
// real loopback connection, reads bursts of ChannelData frames and writes them back through
// the worker's StreamWriteBatch, and every heap allocation the server's side makes once the
// connection has warmed up is counted (tests/support/allocation_counter.hpp: malloc and its
// family, and OpenSSL's allocations apart).
// - Held by the engine: media, which always comes from a peer's datagram, is written at the
//   end of the UDP engine's batch. Nothing is allocated, but OpenSSL 3.0's own 40-byte
//   allocation per TLS record read or written (inside libssl, out of hallpass's reach short
//   of kernel TLS): at most two per record.
// - Posted: answers to a client's own requests go through one posted handler per batch.
//   Asio keeps two freed handler blocks per thread, and a post between a read's completion
//   and the next read can take the block the read needs: at most one allocation per batch.
// The client is in this thread too; its calls are left out of the count.
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <optional>
#include <vector>

#include "relay/stream_acceptor.hpp"
#include "relay/stream_connection.hpp"
#include "relay/stream_write_batch.hpp"
#include "tests/support/allocation_counter.hpp"
#include "tests/support/tls_loopback.hpp"

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t frame_bytes = 4 + 160;  // ChannelData 0x4000, 160 bytes of media
constexpr int frames_per_burst = 6;            // a video frame's packets

// The worker's side: every frame comes back to its client as media, through a write batch.
class EchoOwner final : public StreamOwner {
public:
    // `engine_batches`: hold the batch from the first message on, as the io_uring engine
    // does around a pass; the test releases it once the handler has returned.
    EchoOwner(asio::io_context& io, bool engine_batches) : writes_(io.get_executor()), engine_batches_(engine_batches) {}
    bool admit(StreamConnectionBase& c) override {
        connection_ = c.shared_from_this();
        return true;
    }
    void on_stream_message(StreamConnectionBase& c, std::span<const std::uint8_t> message) override {
        ++messages;
        if (engine_batches_ && !held_) {
            writes_.hold();
            held_ = true;
        }
        c.send(message, true);
    }
    // The end of the engine's pass.
    void end_batch() {
        if (!held_) return;
        held_ = false;
        writes_.release();
    }
    void on_stream_closed(StreamConnectionBase&) override { closed = true; }
    void write_later(StreamConnectionBase& c) override {
        ++write_requests;
        writes_.add(c.shared_from_this());
    }
    bool has_allocation(const alloc::FiveTuple&) override { return true; }
    void on_tls_handshake(StreamConnectionBase&, const boost::system::error_code&) override {}
    HttpResponse answer_http(const StreamConnectionBase&, const HttpRequest&) override { return {}; }

    std::size_t messages = 0;
    std::size_t write_requests = 0;  // one per batch that queued bytes for the connection
    bool closed = false;

private:
    StreamWriteBatch<StreamConnectionBase> writes_;
    bool engine_batches_;
    bool held_ = false;
    std::shared_ptr<StreamConnectionBase> connection_;
};

// The client: a plain non-blocking socket, with an OpenSSL client on it for TLS.
class Client {
public:
    Client(int fd, SSL_CTX* tls) : fd_(fd) {
        if (!tls) return;
        ssl_ = SSL_new(tls);
        SSL_set_fd(ssl_, fd_);
        SSL_set_connect_state(ssl_);
    }
    ~Client() {
        if (ssl_) SSL_free(ssl_);
        ::close(fd_);
    }
    bool handshake() { return !ssl_ || SSL_do_handshake(ssl_) == 1; }
    // Writes all of it (the socket buffer takes a burst at once).
    bool write(const std::uint8_t* p, std::size_t n) {
        if (ssl_) return SSL_write(ssl_, p, static_cast<int>(n)) == static_cast<int>(n);
        return ::write(fd_, p, n) == static_cast<ssize_t>(n);
    }
    // What is readable now, 0 when nothing is.
    std::size_t read(std::uint8_t* p, std::size_t n) {
        if (ssl_) {
            const int r = SSL_read(ssl_, p, static_cast<int>(n));
            return r > 0 ? static_cast<std::size_t>(r) : 0;
        }
        const ssize_t r = ::read(fd_, p, n);
        return r > 0 ? static_cast<std::size_t>(r) : 0;
    }

private:
    int fd_;
    SSL* ssl_ = nullptr;
};

struct Case {
    bool tls;
    bool engine_batches;
};

class StreamHotPath : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override {
        if (GetParam().tls) tls_.emplace("stream-hot-path");
        auto pair = hallpass::testing::connect_loopback(io_);
        tcp::socket server_socket = std::move(pair.server);
        const TransportAddress local = from_endpoint(server_socket.local_endpoint());
        connection_ = GetParam().tls ? make_tls_connection(std::move(server_socket), ConnectionSlot{}, tls_->server(), local,
                                                       StreamSettings{}, owner_)
                                 : make_tcp_connection(std::move(server_socket), ConnectionSlot{}, local,
                                                       StreamSettings{}, owner_);
        client_ = std::make_unique<Client>(pair.client_fd, tls_ ? tls_->client() : nullptr);
        connection_->start();
        for (int i = 0; i < 2000 && !client_->handshake(); ++i) pump();
        ASSERT_TRUE(client_->handshake());
        for (std::size_t i = 0; i < burst_.size(); i += frame_bytes) {
            burst_[i] = 0x40;  // channel 0x4000, length 160
            burst_[i + 1] = 0;
            burst_[i + 2] = 0;
            burst_[i + 3] = 160;
        }
    }

    void TearDown() override {
        if (connection_) connection_->close();
        client_.reset();
    }

    // Runs what is ready, or waits a millisecond for something to be.
    void pump() {
        if (io_.poll() == 0) io_.run_one_for(std::chrono::milliseconds(1));
        owner_.end_batch();
        io_.restart();
    }

    // One burst out and all of it back; false when it does not come back. Only the server's
    // side is counted (`count`): the client, an OpenSSL client here, is not what is tested.
    bool round_trip(bool count = false) {
        if (!client_->write(burst_.data(), burst_.size())) return false;
        std::size_t back = 0;
        for (int i = 0; i < 5000 && back < burst_.size(); ++i) {
            hallpass::testing::count_allocations(count);
            pump();
            hallpass::testing::count_allocations(false);
            back += client_->read(in_.data(), in_.size());
        }
        return back == burst_.size();
    }

    asio::io_context io_{1};
    EchoOwner owner_{io_, GetParam().engine_batches};
    std::optional<hallpass::testing::SelfSignedTls> tls_;
    std::shared_ptr<StreamConnectionBase> connection_;
    std::unique_ptr<Client> client_;
    std::vector<std::uint8_t> burst_ = std::vector<std::uint8_t>(frame_bytes * frames_per_burst, 0x55);
    std::vector<std::uint8_t> in_ = std::vector<std::uint8_t>(64 * 1024);
};

TEST_P(StreamHotPath, RelaysBurstsOfMediaWithoutAllocating) {
#if !defined(__SANITIZE_ADDRESS__)
    ASSERT_TRUE(hallpass::testing::openssl_allocations_counted())
        << "OpenSSL allocated before the counting functions were set";
#endif
    // Buffers grow and handler memory is cached in the first rounds.
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(round_trip()) << "round " << i << ", " << owner_.messages << " messages";
    constexpr std::size_t rounds = 200;
    hallpass::testing::reset_allocation_counts();
    bool all_back = true;
    for (std::size_t i = 0; i < rounds; ++i) all_back = round_trip(true) && all_back;
    EXPECT_TRUE(all_back);
    const auto [allocations, openssl_allocations] = hallpass::testing::allocation_counts();
    if (GetParam().engine_batches) EXPECT_EQ(allocations, 0u);
    else EXPECT_LE(allocations, rounds);  // one per batch at most, never one per packet
    // A burst arrives as one record and leaves as one: two records a round.
    EXPECT_LE(openssl_allocations, GetParam().tls ? 2 * 2 * rounds : 0u);
    EXPECT_EQ(owner_.messages, 220u * frames_per_burst);
    // A burst read at once is written at once: one request to write per burst, not per frame.
    EXPECT_LE(owner_.write_requests, 2 * 220u);
    EXPECT_FALSE(owner_.closed);
}

INSTANTIATE_TEST_SUITE_P(TcpAndTls, StreamHotPath,
                         ::testing::Values(Case{false, false}, Case{true, false}, Case{false, true}, Case{true, true}),
                         [](const auto& test) {
                             return std::string(test.param.tls ? "Tls" : "Tcp") +
                                    (test.param.engine_batches ? "HeldByTheEngine" : "Posted");
                         });

}  // namespace
}  // namespace hallpass::relay
