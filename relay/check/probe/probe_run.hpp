// The checks of `hallpass probe`, the command-line twin of the check page: what this
// network lets through to one hallpass server. It measures the same things as the page
// and in the same form, so relay/check/check_report.hpp turns either into the same verdicts:
//   - STUN Binding over UDP (reflexive address, round trip);
//   - a TURN allocation over each transport the server offers (time to allocate, or why not);
//   - relayed round trips through two allocations at a classroom rate (1.5 Mbit/s of
//     1200-byte packets one way, a small packet back for every third) on the best working
//     transport and on TLS: loss, round trip, jitter, rate;
//   - UDP straight to the relay addresses: a plain UDP socket sends to an allocation's
//     relay address, which gets it only if this network lets UDP out to the relay range.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "relay/check/probe/probe_link.hpp"

namespace hallpass::relay::probe {

struct ProbeTarget {
    std::string host;
    std::optional<ProxyAddress> proxy;  // for TCP and TLS
    std::string ca_file;                // empty: the system's trust store
    std::chrono::milliseconds timeout{5000};
    std::chrono::milliseconds media{3000};
};

struct ProbeCredentials {
    std::string username;
    std::string password;
};

// POST /check/credentials on the server's TLS port: probe credentials and the offer
// (relay/check/check_credentials.hpp). `error` says why not (429, check off, TLS refused...).
struct FetchedOffer {
    boost::json::object offer;
    ProbeCredentials credentials;
    std::string error;
};
FetchedOffer fetch_offer(const ProbeTarget& target, std::uint16_t tls_port);
// The same from the raw HTTP answer; refuses an offer that is not in the form the server
// writes (types, sizes, protocols, ports), so nothing later reads past what it checked.
FetchedOffer parse_offer_answer(std::string_view raw);

// An offer for credentials given on the command line: UDP, TCP and TLS on these ports
// (0 leaves one out), at the address the host resolves to; the relay addresses are not
// known until an allocation shows one.
boost::json::object local_offer(const std::string& host, std::uint16_t udp, std::uint16_t tcp, std::uint16_t tls);

struct ProbeOutcome {
    boost::json::object stun;      // {"tried", "ok", "reflexive", "rtt_ms", "error"}
    boost::json::object measured;  // as the page posts it to /check/report
};

// Runs every check; fills the offer's relay addresses from what the allocations showed when
// it had none.
ProbeOutcome run_probe(const ProbeTarget& target, boost::json::object& offer, const ProbeCredentials& credentials);

}  // namespace hallpass::relay::probe
