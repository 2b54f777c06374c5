// Dropping root after the sockets are bound (`user:` and `group:` in the config), so that
// port 443 can be bound at start and nothing afterwards runs as root.
#pragma once

#include <string>

namespace hallpass::relay {

// Throws std::runtime_error naming the account when it cannot switch. Does nothing when
// `user` is empty; logs and does nothing when not running as root.
void drop_privileges(const std::string& user, const std::string& group);

}  // namespace hallpass::relay
