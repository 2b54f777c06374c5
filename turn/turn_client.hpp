// TurnClient: the client side of TURN (RFC 8656 over RFC 8489), sans-IO like the server
// core. It builds requests into the caller's buffer and reads the answers the caller hands
// back; sockets, timers and retransmission stay with the caller (tests, bench, tools).
//
// It keeps what the long-term credential mechanism needs between requests (RFC 8489 §9.2):
// username and password from the start, realm and nonce learned from 401/438 answers, and
// the key MD5(username ":" realm ":" password) computed once the realm is known. Requests
// are signed with MESSAGE-INTEGRITY as soon as a realm and nonce are known.
//
// Nothing here reads a clock or a random source: transaction ids come from a generator
// seeded by the caller (tests replay a seed; bench seeds from std::random_device). The data
// path — channel_data(), send_indication(), parse_incoming() — never allocates.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>
#include <span>
#include <string>

#include "stun/error_codes.hpp"
#include "stun/integrity.hpp"
#include "stun/message_builder.hpp"
#include "stun/message_type.hpp"
#include "stun/transport_address.hpp"

namespace hallpass::turn {

struct AllocateOptions {
    std::optional<std::uint32_t> lifetime;     // LIFETIME; the server's default when absent
    std::optional<AddressFamily> family;       // REQUESTED-ADDRESS-FAMILY
    bool even_port = false;                    // EVEN-PORT
    bool reserve_next = false;                 // with even_port: the R bit, keep port + 1
    std::optional<std::array<std::uint8_t, 8>> reservation_token;  // RESERVATION-TOKEN
    bool dont_fragment = false;                // DONT-FRAGMENT
    // REQUESTED-TRANSPORT protocol number (17 = UDP, the only one RFC 8656 relays);
    // nullopt leaves the attribute out, which a conformant server answers with 400.
    std::optional<std::uint8_t> transport = 17;
    // Attributes written as given, type and value, after the ones above: for testing how a
    // server meets malformed ones (a LIFETIME of 3 bytes, say).
    std::vector<std::pair<std::uint16_t, std::vector<std::uint8_t>>> raw_attributes;
};

struct ClientResult {
    enum class Kind {
        not_mine,  // no transaction of ours, unparseable, or failed its integrity check
        retry,     // 401 with realm+nonce, or 438: send the same kind of request again
        success,
        error,
    };
    Kind kind = Kind::not_mine;
    std::uint16_t method = 0;  // the request's method (stun::Method)
    stun::ErrorCode code{};    // error and retry: the answer's ERROR-CODE
    std::optional<TransportAddress> relayed;  // Allocate: XOR-RELAYED-ADDRESS
    std::optional<TransportAddress> mapped;   // Allocate, Binding: XOR-MAPPED-ADDRESS
    std::optional<std::uint32_t> lifetime;    // Allocate, Refresh: LIFETIME
    std::optional<std::array<std::uint8_t, 8>> reservation_token;  // Allocate with EVEN-PORT R
    std::optional<TransportAddress> alternate_server;  // 300: ALTERNATE-SERVER
    std::string alternate_domain;                      // 300: ALTERNATE-DOMAIN, if any
};

// Application data that arrived from the server for a peer: a ChannelData message
// (channel set, peer unset) or a Data indication (peer set, channel 0). The payload is a
// view into the caller's bytes.
struct IncomingData {
    std::uint16_t channel = 0;
    std::optional<TransportAddress> peer;
    std::span<const std::uint8_t> payload;
};

class TurnClient {
public:
    TurnClient(std::string username, std::string password, std::uint64_t seed);

    // Each request builder returns the message written into `buf` (empty when `buf` is too
    // small) and remembers its transaction id for handle_response().
    std::span<const std::uint8_t> binding_request(std::span<std::uint8_t> buf);
    std::span<const std::uint8_t> allocate_request(std::span<std::uint8_t> buf,
                                                   const AllocateOptions& options = {});
    std::span<const std::uint8_t> refresh_request(std::span<std::uint8_t> buf,
                                                  std::optional<std::uint32_t> lifetime);
    std::span<const std::uint8_t> create_permission_request(
        std::span<std::uint8_t> buf, std::span<const TransportAddress> peers);
    std::span<const std::uint8_t> create_permission_request(std::span<std::uint8_t> buf,
                                                            const TransportAddress& peer) {
        return create_permission_request(buf, std::span<const TransportAddress>(&peer, 1));
    }
    std::span<const std::uint8_t> channel_bind_request(std::span<std::uint8_t> buf,
                                                       std::uint16_t channel,
                                                       const TransportAddress& peer);

    // Matches an answer to a request of ours and says what it means.
    ClientResult handle_response(std::span<const std::uint8_t> bytes);

    // ChannelData (RFC 8656 §12.4); `pad` rounds it up to a multiple of 4, as streams need
    // (§12.5). Empty when it does not fit `buf` or the payload exceeds 65535 bytes.
    static std::span<const std::uint8_t> channel_data(std::span<std::uint8_t> buf,
                                                      std::uint16_t channel,
                                                      std::span<const std::uint8_t> payload,
                                                      bool pad = false);
    // A Send indication (RFC 8656 §11.1); unsigned, and nothing answers it.
    std::span<const std::uint8_t> send_indication(std::span<std::uint8_t> buf,
                                                  const TransportAddress& peer,
                                                  std::span<const std::uint8_t> payload);
    // ChannelData or a Data indication from the server; nullopt for anything else.
    static std::optional<IncomingData> parse_incoming(std::span<const std::uint8_t> bytes);

    const std::string& username() const { return username_; }
    const std::string& realm() const { return realm_; }
    const std::string& nonce() const { return nonce_; }
    // Empty until a realm is known.
    const stun::IntegrityKey& key() const { return key_; }
    bool can_sign() const { return !key_.empty() && !nonce_.empty(); }

private:
    // A request waiting for its answer. A few may be in flight at once (a permission and a
    // channel bind, say); a new one past that overwrites the oldest.
    struct Pending {
        stun::TransactionId id{};
        std::uint16_t method = 0;
        bool signed_request = false;
        bool live = false;
    };
    static constexpr std::size_t max_pending = 8;

    stun::TransactionId next_transaction_id();
    std::span<const std::uint8_t> seal(stun::MessageBuilder& b, std::uint16_t method);
    Pending* find_pending(const stun::TransactionId& id);
    void remember(const stun::TransactionId& id, std::uint16_t method, bool signed_request);
    void learn(std::string_view realm, std::string_view nonce);

    std::string username_;
    std::string password_;
    std::string realm_;
    std::string nonce_;
    stun::IntegrityKey key_;
    std::uint64_t rng_state_;
    std::array<Pending, max_pending> pending_{};
    std::size_t next_slot_ = 0;
};

}  // namespace hallpass::turn
