// What the school network check is told by POST /check/credentials: a set of probe
// credentials for the asking client (turn/probe_credentials.hpp), the transports this
// server offers (so the page tries each one alone), and the addresses, protocols and ports
// a school's firewall must let out — the IT report is written from them.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "relay/check/offered_transports.hpp"
#include "relay/runtime_snapshot.hpp"

namespace hallpass::relay {

// The connection the request came on: whom to mint for, and which server address it reached
// (a wildcard listener's clients are told the address they connected to).
struct CheckRequester {
    IpAddress client;
    TransportAddress local;
};

// What this server offers a check, as seen from `requester`:
//   {"client", "transports": [{"name": "UDP 3478", "protocol": "udp"|"tcp"|"tls", "port", "address"}],
//    "stun": [{"port", "address"}],
//    "relay": {"addresses": ["203.0.113.0/25", ...], "ports": {"min", "max"}}}
// "address" is the listener's own when it has one, else the one the request reached.
boost::json::object check_offer(const config::Config& config, const CheckRequester& requester);

// The offer and a set of probe credentials; requires the check to be on (a probe key in the snapshot's credentials).
//   {"username", "credential", "ttl", "expires", ...the offer}
boost::json::object check_credentials(const RuntimeSnapshot& snapshot, const CheckRequester& requester,
                                      std::int64_t now_unix, std::string_view nonce);

// The relay addresses a school must let UDP out to: the advertised public address for a
// bound one behind 1:1 NAT, else the configured ranges themselves.
boost::json::array relay_addresses_for_firewalls(const config::Config& config);

}  // namespace hallpass::relay
