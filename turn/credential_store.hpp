// CredentialStore: turns a USERNAME into the long-term keys that may have signed a request
// (RFC 8489 §9.2): one for a configured user, one per shared secret for a TURN REST
// username (several secrets are valid at once while they are rotated). It also says who
// the user is for quotas: a static user by name, a shared-secret user by the id after
// "expiry:", so that minting a fresh expiry does not mint a fresh quota (a bare "expiry"
// username carries no id, and counts by itself).
#pragma once

#include <cstdint>
#include <string>
#include <span>
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
    // too_far_ahead: a shared-secret username whose expiry lies further ahead than the
    // longest lifetime the operator allows (auth.max_credential_lifetime): a credential
    // minted for years, leaked once, would otherwise work for years.
    enum class Status { found, unknown_user, expired, too_far_ahead };
    Status status = Status::unknown_user;
    std::vector<stun::IntegrityKey> keys;  // try each; the one that verifies wins
    // Where the quota identity starts in the username (see Allocation::identity).
    std::uint16_t identity_offset = 0;
};

struct CredentialPolicy {
    // Longest time ahead a shared-secret username's expiry may lie; 0: no limit.
    std::int64_t max_lifetime_seconds = 0;
    // Probe credentials (turn/probe_credentials.hpp): their key, empty when the check is
    // off, and the longest time ahead their expiry may lie.
    std::string probe_key;
    std::int64_t probe_lifetime_seconds = 600;
};

class CredentialStore {
public:
    CredentialStore(std::string realm, const std::vector<StaticUser>& users,
                    std::vector<std::string> secrets, CredentialPolicy policy = {});

    const std::string& realm() const { return realm_; }
    const CredentialPolicy& policy() const { return policy_; }
    CredentialLookup lookup(std::string_view username, std::int64_t now_unix) const;

private:
    CredentialLookup lookup_rest(std::string_view username, std::int64_t now_unix,
                                 std::int64_t max_lifetime, std::span<const std::string> secrets) const;

    std::string realm_;
    std::unordered_map<std::string, stun::IntegrityKey> users_;  // keys computed once at start
    std::vector<std::string> secrets_;
    CredentialPolicy policy_;
};

}  // namespace hallpass::turn
