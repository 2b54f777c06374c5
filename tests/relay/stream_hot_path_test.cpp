// The stream path allocates nothing per packet (DESIGN.md "The hot path"), as the UDP path
// does not (tests/turn/hot_path_test.cpp): a StreamConnection over TCP and over TLS, on a
// real loopback connection, reads ChannelData frames and writes them back as media through
// the worker's StreamWriteBatch, and a replaced global operator new counts every heap
// allocation this binary makes once the connection has warmed up (its buffers grown, Asio's
// handler memory recycled). The client side is in this thread too, so it is counted as well.
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <vector>

#include "relay/self_signed.hpp"
#include "relay/stream_acceptor.hpp"
#include "relay/stream_connection.hpp"
#include "relay/stream_write_batch.hpp"
#include "relay/tls_context.hpp"

namespace {
bool counting = false;
std::size_t allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
    if (counting) ++allocations;
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace hallpass::relay {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t frame_bytes = 4 + 160;  // ChannelData 0x4000, 160 bytes of media
constexpr int frames_per_burst = 6;            // a video frame's packets

// The worker's side: every frame comes back to its client as media, through a write batch.
class EchoOwner final : public StreamOwner {
public:
    explicit EchoOwner(asio::io_context& io) : writes_(io.get_executor()) {}
    bool admit(StreamConnectionBase& c) override {
        connection_ = c.shared_from_this();
        return true;
    }
    void on_stream_message(StreamConnectionBase& c, std::span<const std::uint8_t> message) override {
        ++messages;
        c.send(message, true);
    }
    void on_stream_closed(StreamConnectionBase&) override { closed = true; }
    void write_later(StreamConnectionBase& c) override { writes_.add(c.shared_from_this()); }
    bool has_allocation(const alloc::FiveTuple&) override { return true; }
    void on_tls_handshake(StreamConnectionBase&, const boost::system::error_code&) override {}
    HttpResponse answer_http(const StreamConnectionBase&, const HttpRequest&) override { return {}; }

    std::size_t messages = 0;
    bool closed = false;

private:
    StreamWriteBatch<StreamConnectionBase> writes_;
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

class StreamHotPath : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override {
        if (GetParam()) {
            dir_ = std::filesystem::temp_directory_path() / ("hallpass-stream-hot-" + std::to_string(::getpid()));
            std::filesystem::create_directories(dir_);
            write_self_signed((dir_ / "cert.pem").string(), (dir_ / "key.pem").string());
            server_tls_ = make_server_context({(dir_ / "cert.pem").string(), (dir_ / "key.pem").string()});
            client_tls_ = SSL_CTX_new(TLS_client_method());
        }
        tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
        tcp::socket client_socket(io_);
        client_socket.connect(acceptor.local_endpoint());
        client_socket.non_blocking(true);
        tcp::socket server_socket = acceptor.accept();
        const TransportAddress local = from_endpoint(server_socket.local_endpoint());
        connection_ = GetParam() ? make_tls_connection(std::move(server_socket), ConnectionSlot{}, server_tls_, local,
                                                       StreamSettings{}, owner_)
                                 : make_tcp_connection(std::move(server_socket), ConnectionSlot{}, local,
                                                       StreamSettings{}, owner_);
        client_ = std::make_unique<Client>(client_socket.release(), client_tls_);
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
        connection_->close();
        client_.reset();
        if (client_tls_) SSL_CTX_free(client_tls_);
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    // Runs what is ready, or waits a millisecond for something to be.
    void pump() {
        if (io_.poll() == 0) io_.run_one_for(std::chrono::milliseconds(1));
        io_.restart();
    }

    // One burst out and all of it back; false when it does not come back.
    bool round_trip() {
        if (!client_->write(burst_.data(), burst_.size())) return false;
        std::size_t back = 0;
        for (int i = 0; i < 5000 && back < burst_.size(); ++i) {
            pump();
            back += client_->read(in_.data(), in_.size());
        }
        return back == burst_.size();
    }

    asio::io_context io_{1};
    EchoOwner owner_{io_};
    std::filesystem::path dir_;
    std::shared_ptr<asio::ssl::context> server_tls_;
    SSL_CTX* client_tls_ = nullptr;
    std::shared_ptr<StreamConnectionBase> connection_;
    std::unique_ptr<Client> client_;
    std::vector<std::uint8_t> burst_ = std::vector<std::uint8_t>(frame_bytes * frames_per_burst, 0x55);
    std::vector<std::uint8_t> in_ = std::vector<std::uint8_t>(64 * 1024);
};

TEST_P(StreamHotPath, RelaysBurstsOfMediaWithoutAllocating) {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(round_trip()) << "round " << i << ", " << owner_.messages << " messages";  // buffers grow, handler memory is cached
    allocations = 0;
    counting = true;
    bool all_back = true;
    for (int i = 0; i < 200; ++i) all_back = round_trip() && all_back;
    counting = false;
    EXPECT_TRUE(all_back);
    EXPECT_EQ(allocations, 0u);
    EXPECT_EQ(owner_.messages, 220u * frames_per_burst);
    EXPECT_FALSE(owner_.closed);
}

INSTANTIATE_TEST_SUITE_P(TcpAndTls, StreamHotPath, ::testing::Values(false, true),
                         [](const auto& test) { return test.param ? "Tls" : "Tcp"; });

}  // namespace
}  // namespace hallpass::relay
