// The school network check's verdicts and IT report, from what a check measured (the page
// posts its measurements to POST /check/report; `hallpass probe` calls this directly) and
// what this server offers (check_offer): one place decides what "works", "slow",
// "blocked", "refused" (the server answered no) and "connects but no media" mean, and what an IT admin is asked to open.
// Pure: no sockets, no clocks.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "stun/result.hpp"

namespace hallpass::relay {

// Measurements, as the page posts them (every key optional except transports):
//   {"host": "turn.example.org", "proxy": false, "reflexive": "203.0.113.7",
//    "transports": [{"name": "UDP 3478", "ok": true, "ms": 84, "error": "",
//                    "answered": false}],   (answered: an error answer came: "refused")
//    "media": [{"transport": "UDP 3478", "connected": true, "sent": 750, "received": 748,
//               "rtt_ms": 12, "kbps": 1490, "jitter_ms": 1.5}],
//    "direct_udp": {"tried": true, "ok": true}}
// Refused (with the reason) when transports or media is not a list of objects, a name is
// unknown to `offer`, or a list is longer than a check makes. Any other key of the wrong
// type, or a number out of range (negative, over 1e9), counts as absent. Text taken from
// either side is cut short and made printable ASCII.
// "reflexive" is the address this network's UDP leaves from (STUN); when it is not the one
// the server saw the check's web request come from (offer "client"), the report says so.
Result<boost::json::object> check_report(const boost::json::object& offer, const boost::json::value& measured);

// The classroom rate the media test aims at, bits per second toward the student.
inline constexpr double check_media_target_kbps = 1500;

}  // namespace hallpass::relay
