#include "turn/credential_store.hpp"

#include "turn/probe_credentials.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::turn {

CredentialStore::CredentialStore(std::string realm, const std::vector<StaticUser>& users,
                                 std::vector<std::string> secrets, CredentialPolicy policy)
    : realm_(std::move(realm)), secrets_(std::move(secrets)), policy_(policy) {
    for (const auto& u : users) users_[u.name] = stun::long_term_key_md5(u.name, realm_, u.password);
}

// A probe username is signed with the probe key only, whatever else is configured: the
// prefix is reserved, so an ordinary credential can never carry a probe's identity.
CredentialLookup CredentialStore::lookup(std::string_view username, std::int64_t now_unix) const {
    if (is_probe_username(username)) {
        if (policy_.probe_key.empty() || !probe_client(username)) return {};
        return lookup_rest(username, now_unix, policy_.probe_lifetime_seconds, {&policy_.probe_key, 1});
    }
    CredentialLookup out;
    if (auto it = users_.find(std::string(username)); it != users_.end()) {
        out.status = CredentialLookup::Status::found;
        out.keys.push_back(it->second);
        return out;
    }
    return lookup_rest(username, now_unix, policy_.max_lifetime_seconds, secrets_);
}

CredentialLookup CredentialStore::lookup_rest(std::string_view username, std::int64_t now_unix,
                                              std::int64_t max_lifetime, std::span<const std::string> secrets) const {
    CredentialLookup out;
    if (secrets.empty()) return out;
    const auto expiry = rest_expiry(username);
    if (!expiry) return out;
    if (*expiry <= now_unix) {
        out.status = CredentialLookup::Status::expired;
        return out;
    }
    if (max_lifetime > 0 && *expiry - now_unix > max_lifetime) {
        out.status = CredentialLookup::Status::too_far_ahead;
        return out;
    }
    out.status = CredentialLookup::Status::found;
    // "expiry:user-id" → "user-id". A bare "expiry" names no user, so its quota can only be
    // the username's own (lumping them all into one would cap such a deployment at one
    // user's quota).
    const auto colon = username.find(':');
    out.identity_offset = static_cast<std::uint16_t>(colon == std::string_view::npos ? 0 : colon + 1);
    for (const auto& secret : secrets)
        out.keys.push_back(
            stun::long_term_key_md5(username, realm_, rest_password(secret, username)));
    return out;
}

}  // namespace hallpass::turn
