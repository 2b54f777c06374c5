// Probe credentials: the TURN credentials hallpass hands its school network check (the page
// on the TLS listener and `hallpass probe`), one set per check. They follow the REST
// scheme — username "<expiry>:hallpass-check:<client IP>", password
// base64(HMAC-SHA1(key, username)) — under a key of their own (probe_key), so that no
// other issuer can mint them and they never pass for an ordinary user's. The client IP
// they were minted for rides in the username, signed; their allocations may relay only to
// hallpass's own relay addresses and to that IP (PeerPolicy::permits_probe), with a
// lifetime and a bandwidth of their own (ServerOptions::probe): a check page can never be
// used as an open relay.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stun/transport_address.hpp"

namespace hallpass::turn {

// Reserved: an ordinary REST user id that starts with it is never accepted.
inline constexpr std::string_view probe_user_prefix = "hallpass-check:";

std::string probe_username(std::int64_t expiry_unix, const IpAddress& client);

// The client IP a probe username was minted for; nullopt when it is not a probe username.
std::optional<IpAddress> probe_client(std::string_view username);

// The key probe credentials are signed with, derived from a shared secret: every node that
// shares the secret accepts what any of them minted (a page served by one node may
// allocate on another behind the same name).
std::string probe_key(std::string_view shared_secret);

}  // namespace hallpass::turn
