// Probe credentials: the TURN credentials hallpass hands its school network check (the page
// on the TLS listener and `hallpass probe`), one set per check. They follow the REST
// scheme — username "<expiry>:hallpass-check:<nonce>:<client IP>", password
// base64(HMAC-SHA1(key, username)) — under a key of their own (probe_key), so that a
// credential never passes for a probe one or the other way round. The client IP they were
// minted for rides in the username, signed: their allocations may relay to hallpass's own
// relay addresses (relay ports only), and to that IP and to the address the allocation is
// used from when the peer policy allows them as it would any peer (PeerPolicy::permits_probe,
// turn/handle_permission.cpp), with a lifetime and a bandwidth of their own
// (ServerOptions::probe). So a check page is never an open relay, and whoever holds the
// shared secret the key derives from gains nothing by minting probe credentials that
// ordinary ones would not give. The nonce makes each check its own quota identity: a
// school's students behind one NAT address do not share one user's allocations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stun/transport_address.hpp"

namespace hallpass::turn {

// Reserved: a username "<expiry>:hallpass-check:..." is a probe one or nothing.
inline constexpr std::string_view probe_user_prefix = "hallpass-check:";

// `nonce`: up to 32 lower-case hex digits, fresh per check.
std::string probe_username(std::int64_t expiry_unix, std::string_view nonce, const IpAddress& client);

// Whether `username` is in the reserved form, well made or not.
bool is_probe_username(std::string_view username);
// The client IP of a well-made probe username; nullopt otherwise.
std::optional<IpAddress> probe_client(std::string_view username);

// The key probe credentials are signed with, derived from a shared secret: every node that
// shares the secret accepts what any of them minted (a page served by one node may
// allocate on another behind the same name).
std::string probe_key(std::string_view shared_secret);

}  // namespace hallpass::turn
