// The admin API's routes: what each path answers, and the bearer token every request must
// carry when admin.token is set. The work behind each route is the AdminBackend's (the
// server process); this part has no sockets, so unit tests drive it directly.
//
//   GET  /metrics   Prometheus text          GET  /healthz  200 while the process runs
//   GET  /readyz    200, or 503 when draining GET  /info     version, engine, counts (JSON)
//   POST /reload    re-read the config (JSON report; 422 when the file is refused)
//   POST /drain     send new allocations elsewhere and exit once the last one ends (JSON)
//   GET  /sessions[?user=NAME]       the allocations (JSON)
//   DELETE /sessions/ID              end one allocation
//   DELETE /users/NAME/sessions      end every allocation of a user (name or shared-secret id)
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "relay/admin/admin_server.hpp"
#include "relay/config_reload.hpp"

namespace hallpass::relay {

class AdminBackend {
public:
    virtual ~AdminBackend() = default;
    virtual std::string metrics() = 0;
    virtual boost::json::object info() = 0;
    virtual ReloadReport reload() = 0;
    virtual boost::json::object drain() = 0;
    virtual boost::json::array sessions(const std::string& user) = 0;
    // How many ended (0 or 1); nullopt when `id` is not a session id.
    virtual std::optional<std::size_t> disconnect_session(const std::string& id) = 0;
    virtual std::size_t disconnect_user(const std::string& user) = 0;
    virtual bool ready() = 0;
    // The bearer token requests must carry; empty when none is required.
    virtual std::string token() = 0;
    // Whether /metrics, /healthz and /readyz are answered without the token (admin.open_metrics).
    virtual bool open_metrics() { return false; }
};

HttpResponse handle_admin_request(const HttpRequest& request, AdminBackend& backend);

// Percent-decoding of one path segment or query value ("+" stays a plus); nullopt when malformed.
std::optional<std::string> percent_decode(std::string_view text);

boost::json::object to_json(const ReloadReport& report);

}  // namespace hallpass::relay
