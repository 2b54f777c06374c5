#include "relay/bound_udp_sockets.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
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

// The entries of a folder under /proc, none when it cannot be read or vanishes meanwhile
// (a process that exits during the scan): never an exception.
std::vector<fs::path> entries_of(const fs::path& folder) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::directory_iterator it(folder, ec), end;
    for (; !ec && it != end; it.increment(ec)) out.push_back(it->path());
    return out;
}

struct Process {
    std::string pid;
    std::string name;  // comm: readable for every process
    fs::path path;
};

std::vector<Process> processes() {
    std::vector<Process> out;
    for (const auto& p : entries_of("/proc")) {
        const std::string pid = p.filename();
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string name = read_whole(p / "comm");
        if (!name.empty() && name.back() == '\n') name.pop_back();
        out.push_back({pid, name, p});
    }
    return out;
}

// "socket:[12345]" -> "name (pid N)", for the processes whose descriptors we may read
// (all of them as root).
std::map<std::uint64_t, std::string> socket_owners(const std::vector<Process>& all) {
    std::map<std::uint64_t, std::string> owners;
    for (const auto& p : all) {
        for (const auto& fd : entries_of(p.path / "fd")) {
            std::error_code ec;
            const std::string target = fs::read_symlink(fd, ec);
            if (ec || target.rfind("socket:[", 0) != 0 || target.back() != ']') continue;
            std::uint64_t inode = 0;
            const char* first = target.data() + 8;
            const char* last = target.data() + target.size() - 1;
            if (auto [end, e] = std::from_chars(first, last, inode); e == std::errc() && end == last)
                owners[inode] = p.name + " (pid " + p.pid + ")";
        }
    }
    return owners;
}

// The real uids of running hallpass processes (/proc/PID/status is readable by all): their
// sockets are hallpass's own even where the descriptors are not readable to this user.
std::set<std::uint32_t> hallpass_uids(const std::vector<Process>& all) {
    std::set<std::uint32_t> uids;
    for (const auto& p : all) {
        if (p.name != "hallpass") continue;
        std::istringstream status(read_whole(p.path / "status"));
        for (std::string line; std::getline(status, line);) {
            std::uint32_t uid = 0;
            if (line.rfind("Uid:", 0) != 0) continue;
            std::istringstream(line.substr(4)) >> uid;
            uids.insert(uid);
        }
    }
    return uids;
}

}  // namespace

std::vector<alloc::BoundUdpSocket> bound_udp_sockets_of_other_programs() {
    const auto all = processes();
    const auto owners = socket_owners(all);
    const auto own_uids = hallpass_uids(all);
    std::vector<alloc::BoundUdpSocket> out;
    for (const char* file : {"/proc/net/udp", "/proc/net/udp6"}) {
        for (const auto& s : parse_proc_net_udp(read_whole(file))) {
            const auto owner = owners.find(s.inode);
            if (owner == owners.end()) {
                if (own_uids.count(s.uid)) continue;
                out.push_back({s.ip, s.port,
                               "a program of uid " + std::to_string(s.uid) +
                                   " (run check-config as root to name it)"});
                continue;
            }
            if (owner->second.rfind("hallpass (", 0) == 0) continue;
            out.push_back({s.ip, s.port, owner->second});
        }
    }
    return out;
}

}  // namespace hallpass::relay
