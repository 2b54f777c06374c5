// Directory watches with inotify on the control thread's io_context; see file_watch.hpp.
#include "relay/file_watch.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace hallpass::relay {

namespace {

constexpr std::uint32_t kEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ATTRIB;

}  // namespace

FileWatch::FileWatch(boost::asio::io_context& control, std::chrono::milliseconds settle,
                     std::function<void()> on_change)
    : control_(control), settle_(settle), on_change_(std::move(on_change)), settle_timer_(control) {}

FileWatch::~FileWatch() { close(); }

void FileWatch::stop() {
    stopped_ = true;
    close();
}

void FileWatch::close() {
    settle_timer_.cancel();
    if (inotify_) {
        boost::system::error_code ignored;
        inotify_->close(ignored);  // removes every watch with the descriptor
        inotify_.reset();
    }
    names_.clear();
}

void FileWatch::watch(const std::vector<std::string>& files) {
    if (stopped_ || (inotify_ && files == files_)) return;
    close();
    files_ = files;
    if (files.empty()) return;
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        spdlog::warn("watch_files: inotify unavailable ({}): reload with SIGHUP instead", std::strerror(errno));
        return;
    }
    inotify_.emplace(control_, fd);
    std::map<std::string, int> by_directory;
    for (const auto& file : files) {
        const std::filesystem::path path = std::filesystem::absolute(file);
        const std::string directory = path.parent_path().string();
        auto found = by_directory.find(directory);
        if (found == by_directory.end()) {
            const int wd = ::inotify_add_watch(fd, directory.c_str(), kEvents);
            if (wd < 0) {
                spdlog::warn("watch_files: cannot watch {} ({}): changes to {} need a SIGHUP", directory,
                             std::strerror(errno), path.string());
                continue;
            }
            found = by_directory.emplace(directory, wd).first;
        }
        names_[found->second].insert(path.filename().string());
    }
    for (const auto& [directory, wd] : by_directory) {
        std::string names;
        for (const auto& n : names_[wd]) names += (names.empty() ? "" : ", ") + n;
        spdlog::info("watch_files: reloading when {} in {} change", names, directory);
    }
    read();
}

// A file we name, or Kubernetes' atomic writer at work ("..data", "..2026_12_01..."): every
// name in a mounted volume is a symlink through "..data", which is renamed into place.
bool FileWatch::concerns_us(int wd, std::string_view name) const {
    const auto found = names_.find(wd);
    if (found == names_.end()) return false;
    return found->second.contains(std::string(name)) || name.starts_with("..");
}

void FileWatch::read() {
    if (!inotify_) return;
    inotify_->async_read_some(boost::asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t n) {
        if (ec) return;  // closed by stop() or watch()
        on_events(n);
        read();
    });
}

void FileWatch::on_events(std::size_t bytes) {
    bool relevant = false;
    for (std::size_t at = 0; at + sizeof(inotify_event) <= bytes;) {
        inotify_event event{};
        std::memcpy(&event, buffer_.data() + at, sizeof(event));
        const std::size_t size = sizeof(inotify_event) + event.len;
        if (at + size > bytes) break;
        if (event.mask & IN_Q_OVERFLOW) relevant = true;  // events were lost: ours may be among them
        // The name follows the fixed part, NUL-padded to `len`.
        const char* name = buffer_.data() + at + sizeof(inotify_event);
        if (event.len > 0 && concerns_us(event.wd, std::string_view(name, ::strnlen(name, event.len))))
            relevant = true;
        at += size;
    }
    if (!relevant) return;
    settle_timer_.expires_after(settle_);
    settle_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !stopped_) on_change_();
    });
}

std::vector<std::string> watched_files(std::vector<std::string> names) {
    std::erase(names, std::string());
    return names;
}

}  // namespace hallpass::relay
