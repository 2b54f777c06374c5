#include "relay/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hallpass::relay {

void drop_privileges(const std::string& user, const std::string& group) {
    if (user.empty()) return;
    if (::geteuid() != 0) {
        spdlog::info("not running as root: staying uid {} (user: {} applies only when started as root)",
                     ::geteuid(), user);
        return;
    }
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) throw std::runtime_error("user: no account named '" + user + "' on this host");
    gid_t gid = pw->pw_gid;
    if (!group.empty()) {
        const struct group* gr = ::getgrnam(group.c_str());
        if (!gr) throw std::runtime_error("group: no group named '" + group + "' on this host");
        gid = gr->gr_gid;
    }
    // Supplementary groups first, then the group, then the user: once uid changes, the
    // other two can no longer be changed.
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(pw->pw_uid) != 0)
        throw std::runtime_error("cannot switch to user '" + user + "': " + std::strerror(errno));
    spdlog::info("dropped root: running as user {} (uid {}, gid {})", user, pw->pw_uid, gid);
}

}  // namespace hallpass::relay
