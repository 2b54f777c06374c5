// CredentialStore: turns a USERNAME into the long-term keys that may have signed a request
// (RFC 8489 §9.2): one for a configured user, one per shared secret for a TURN REST
// username (several secrets are valid at once while they are rotated).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stun/integrity.hpp"

namespace hallpass::turn {

struct StaticUser {
    std::string name;
    std::string password;
};

struct CredentialLookup {
    enum class Status { found, unknown_user, expired };
    Status status = Status::unknown_user;
    std::vector<stun::IntegrityKey> keys;  // try each; the one that verifies wins
};

class CredentialStore {
public:
    CredentialStore(std::string realm, const std::vector<StaticUser>& users,
                    std::vector<std::string> secrets);

    const std::string& realm() const { return realm_; }
    CredentialLookup lookup(std::string_view username, std::int64_t now_unix) const;

private:
    std::string realm_;
    std::unordered_map<std::string, stun::IntegrityKey> users_;  // keys computed once at start
    std::vector<std::string> secrets_;
};

}  // namespace hallpass::turn
