// StreamConnection: one TURN client over TCP or TLS (RFC 8656 §3.1, RFC 7443). It reads an
// optional PROXY protocol header, tells HTTP (health checks, the check page) from TURN by
// the first bytes and answers HTTP requests, up to a few on a kept-alive connection; else it
// frames STUN and ChannelData out of the byte stream and hands each message to its owner,
// the worker. Toward the client it keeps a bounded queue: answers always go out, media
// datagrams beyond the bound are dropped and counted, so a slow reader costs only itself.
// What is queued while the worker handles a batch of datagrams is written once, after it.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "alloc/allocation.hpp"
#include "relay/connection_slot.hpp"
#include "relay/http_types.hpp"
#include "relay/tls_stream.hpp"
#include "turn/stream_framer.hpp"

namespace hallpass::relay {

class StreamConnectionBase;

// What a connection needs from the worker that owns it.
class StreamOwner {
public:
    virtual ~StreamOwner() = default;
    // The client's address is known (after the PROXY header, if any): false refuses it.
    // A direct connection's address was counted under its limit at accept; a proxied one's
    // is counted here, once the header has named it.
    virtual bool admit(StreamConnectionBase& c) = 0;
    virtual void on_stream_message(StreamConnectionBase& c, std::span<const std::uint8_t> message) = 0;
    virtual void on_stream_closed(StreamConnectionBase& c) = 0;
    // `c` has queued bytes: call its write_queued() once the handler now running returns,
    // so that what a batch of datagrams brings for one client leaves in one write.
    virtual void write_later(StreamConnectionBase& c) = 0;
    // Whether the connection's 5-tuple has an allocation; without one it times out.
    virtual bool has_allocation(const alloc::FiveTuple& five_tuple) = 0;
    // A TLS handshake ended: `ec` says why it failed, or is empty.
    virtual void on_tls_handshake(StreamConnectionBase& c, const boost::system::error_code& ec) = 0;
    // An HTTP request came where TURN was expected (relay/check/turn_port_http.hpp).
    virtual HttpResponse answer_http(const StreamConnectionBase& c, const HttpRequest& request) = 0;
};

struct StreamSettings {
    bool proxy_protocol = false;
    // From accept: the worker waits for the first bytes within it, and hands the connection
    // what is left of it for the TLS handshake.
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds idle_timeout{60000};
    std::size_t queue_bytes = 1 << 20;
};

class StreamConnectionBase : public std::enable_shared_from_this<StreamConnectionBase> {
public:
    virtual ~StreamConnectionBase() = default;
    virtual void start() = 0;
    // Queues bytes for the client; they are written when the owner calls write_queued().
    // Media beyond the queue bound is dropped (false).
    virtual bool send(std::span<const std::uint8_t> bytes, bool media) = 0;
    // Writes what send() queued: one TLS record (up to 16 KiB) and one write for all of it.
    virtual void write_queued() = 0;
    virtual void close() = 0;

    const alloc::FiveTuple& five_tuple() const { return five_tuple_; }
    bool admitted() const { return admitted_; }
    std::uint64_t dropped() const { return dropped_; }
    ConnectionSlot& slot() { return slot_; }

protected:
    alloc::FiveTuple five_tuple_;
    bool admitted_ = false;
    std::uint64_t dropped_ = 0;
    ConnectionSlot slot_;
};

using TcpSocket = boost::asio::ip::tcp::socket;

// The connection is made when its first bytes have arrived (the worker waits for them), so
// its buffers and TLS state cost nothing while a client stays silent. It holds `slot`
// until it is destroyed.
std::shared_ptr<StreamConnectionBase> make_tcp_connection(TcpSocket socket, ConnectionSlot slot,
                                                          const TransportAddress& local,
                                                          const StreamSettings& settings, StreamOwner& owner);
std::shared_ptr<StreamConnectionBase> make_tls_connection(TcpSocket socket, ConnectionSlot slot,
                                                          std::shared_ptr<boost::asio::ssl::context> context,
                                                          const TransportAddress& local,
                                                          const StreamSettings& settings, StreamOwner& owner);

}  // namespace hallpass::relay
