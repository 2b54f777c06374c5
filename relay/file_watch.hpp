// FileWatch: tells the control thread when a file the running config names (the config file
// itself, the secrets file, the certificate and key) has changed on disk, so that it reloads
// as on SIGHUP (config `watch_files`). For deployments that replace files without signalling
// the process: Kubernetes swaps a mounted ConfigMap or Secret by renaming a "..data" symlink
// in the mount's directory; certbot and editors write a new file and rename it over the old.
// So each file's directory is watched, not the file (whose inode a rename replaces).
// Changes are reported once they have settled, so a burst of writes costs one reload.
#pragma once

#include <sys/inotify.h>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace hallpass::relay {

class FileWatch {
public:
    FileWatch(boost::asio::io_context& control, std::chrono::milliseconds settle, std::function<void()> on_change);
    ~FileWatch();
    FileWatch(const FileWatch&) = delete;
    FileWatch& operator=(const FileWatch&) = delete;

    // Watches these files from now on, replacing the last set; empty: none. The same set as
    // before keeps its watches (and the events already queued). A directory that cannot be
    // watched is logged and skipped, never fatal.
    void watch(const std::vector<std::string>& files);
    // For good: at shutdown, so that nothing keeps the control thread's loop running and no
    // change that settles afterwards starts a reload.
    void stop();

private:
    void close();
    void read();
    void on_events(std::size_t bytes);
    bool concerns_us(int wd, std::string_view name) const;

    boost::asio::io_context& control_;
    std::chrono::milliseconds settle_;
    std::function<void()> on_change_;
    std::optional<boost::asio::posix::stream_descriptor> inotify_;
    boost::asio::steady_timer settle_timer_;
    std::map<int, std::set<std::string>> names_;  // watch descriptor -> the file names in that directory
    std::vector<std::string> files_;              // what watch() was last given
    bool stopped_ = false;
    alignas(inotify_event) std::array<char, 8192> buffer_{};
};

// The files a config names that a change on disk should reload: the config file, the
// secrets file, the admin token file, the certificate and key; empty names are left out.
std::vector<std::string> watched_files(std::vector<std::string> names);

}  // namespace hallpass::relay
