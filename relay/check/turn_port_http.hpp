// HTTP on the TURN ports: what a request that came in on a TCP or TLS listener is answered
// (relay/http_probe.hpp tells it from TURN by its first bytes; relay/http_request_reader.hpp
// reads it). Every stream listener answers load balancers' and uptime checkers' health
// check; the TLS listeners also serve the school network check, when check.enabled:
//
//   GET  /healthz             200 "ok"
//   GET  /  /check.js  /check.css          the check page (built into the binary)
//   POST /check/credentials   probe credentials and what to try (relay/check/check_credentials.hpp);
//                             429 with Retry-After past check.credentials_per_minute
//   POST /check/report        verdicts and the IT report for the page's measurements
//                             (relay/check/check_report.hpp); 400 when they do not parse
//
// No sockets here: the worker supplies the connection's facts and the backend.
#pragma once

#include <cstdint>
#include <string>

#include "relay/check/check_credentials.hpp"
#include "relay/http_types.hpp"
#include "relay/runtime_snapshot.hpp"

namespace hallpass::relay {

struct TurnPortConnection {
    CheckRequester requester;  // the client (after any PROXY header) and the address it reached
    bool tls = false;
};

class TurnPortBackend {
public:
    virtual ~TurnPortBackend() = default;
    virtual const RuntimeSnapshot& snapshot() = 0;
    // Counts one set of probe credentials for `client`: false when over a limit.
    virtual bool take_check_credentials(const IpAddress& client) = 0;
    virtual std::uint32_t check_retry_after_seconds() = 0;
    virtual std::int64_t now_unix() = 0;
    // 32 lower-case hex digits, fresh each time.
    virtual std::string fresh_nonce() = 0;
};

HttpResponse answer_turn_port_request(const HttpRequest& request, const TurnPortConnection& connection,
                                      TurnPortBackend& backend);

// The bytes of an answer to `request`: its HTTP version, Connection (kept alive only if
// both sides want it and `keep_alive`), Content-Length; for HEAD, GET's headers alone.
std::string turn_port_response_bytes(HttpResponse response, const HttpRequest& request, bool keep_alive);

// The answer to a request over the size limits (431 for the head, else 413); the
// connection closes after it.
HttpResponse turn_port_too_large(bool header);

}  // namespace hallpass::relay
