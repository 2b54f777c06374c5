#include "relay/bound_udp_sockets.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "relay/proc_net_udp.hpp"

namespace hallpass::relay {
namespace {

namespace fs = std::filesystem;

std::string read_whole(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// "socket:[12345]" -> "name (pid N)" for every socket descriptor we may look at.
std::map<std::uint64_t, std::string> socket_owners() {
    std::map<std::uint64_t, std::string> owners;
    std::error_code ec;
    for (const auto& proc : fs::directory_iterator("/proc", ec)) {
        const std::string pid = proc.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string name = read_whole(proc.path() / "comm");
        if (!name.empty() && name.back() == '\n') name.pop_back();
        std::error_code fd_ec;
        for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
            std::error_code link_ec;
            const std::string target = fs::read_symlink(fd.path(), link_ec);
            if (link_ec || target.rfind("socket:[", 0) != 0) continue;
            owners[std::stoull(target.substr(8))] = name + " (pid " + pid + ")";
        }
    }
    return owners;
}

}  // namespace

std::vector<alloc::BoundUdpSocket> bound_udp_sockets_of_other_programs() {
    const auto owners = socket_owners();
    std::vector<alloc::BoundUdpSocket> out;
    for (const char* file : {"/proc/net/udp", "/proc/net/udp6"}) {
        for (const auto& s : parse_proc_net_udp(read_whole(file))) {
            const auto owner = owners.find(s.inode);
            if (owner == owners.end()) {
                out.push_back({s.ip, s.port, "a program this user cannot see (run check-config as root to name it)"});
                continue;
            }
            if (owner->second.rfind("hallpass (", 0) == 0) continue;
            out.push_back({s.ip, s.port, owner->second});
        }
    }
    return out;
}

}  // namespace hallpass::relay
