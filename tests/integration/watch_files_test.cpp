// watch_files: the real binary reloads by itself when the files its config names change on
// disk — an operator's edit of the config, and a Kubernetes Secret volume's atomic swap of
// its "..data" symlink — with the new secret in force afterwards and no signal sent; a
// broken file is refused as on SIGHUP; and with watch_files off an edit changes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/server_process.hpp"
#include "tests/integration/turn_session.hpp"
#include "turn/rest_credentials.hpp"

namespace hallpass::testing {
namespace {

using Kind = turn::ClientResult::Kind;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
}

turn::ClientResult allocate_with(const ServerProcess& server, const std::string& secret) {
    const std::string user = turn::rest_username(unix_now() + 3600, "student");
    return TurnSession(server.address(), user, turn::rest_password(secret, user)).allocate();
}

// An editor's save: a new file renamed over the old one.
void replace_file(const fs::path& path, const std::string& text) {
    const fs::path temporary = path.string() + ".new";
    std::ofstream(temporary, std::ios::trunc) << text;
    fs::rename(temporary, path);
}

std::string read_file(const fs::path& path) {
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
}

void edit(const ServerProcess& server, const std::string& from, const std::string& to) {
    std::string yaml = read_file(server.config_path());
    const auto at = yaml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    yaml.replace(at, from.size(), to);
    replace_file(server.config_path(), yaml);
}

TEST(WatchFiles, AnEditedConfigAppliesWithoutASignal) {
    ServerProcess server{{"watch_files: true\nauth:\n  secrets: [\"secret-a\"]\n"}};
    ASSERT_TRUE(server.wait_for_log("watch_files: reloading when", 1s)) << server.log();
    ASSERT_EQ(allocate_with(server, "secret-a").kind, Kind::success);

    edit(server, "secret-a", "secret-b");
    ASSERT_TRUE(server.wait_for_log("reload: generation 2 applied", 5s)) << server.log();
    EXPECT_EQ(allocate_with(server, "secret-b").kind, Kind::success);
    EXPECT_EQ(allocate_with(server, "secret-a").code, stun::ErrorCode::unauthenticated);

    // A broken save is refused as on SIGHUP, and the running secret stays.
    edit(server, "secret-b\"]\n", "secret-b\"]\nlimits: {allocations_per_user: -5}\n");
    ASSERT_TRUE(server.wait_for_log("reload failed, nothing changed (generation 2 stays): " + server.config_path() +
                                    ": limits.allocations_per_user: ", 5s))
        << server.log();
    EXPECT_EQ(allocate_with(server, "secret-b").kind, Kind::success);
    edit(server, "limits: {allocations_per_user: -5}\n", "");
    ASSERT_TRUE(server.wait_for_log("reload: generation 3 applied", 5s)) << server.log();
}

// How the kubelet updates a mounted Secret: the files are symlinks through "..data", a
// symlink to a timestamped directory; a new directory is written, then "..data_tmp" is
// renamed over "..data".
class SecretVolume {
public:
    SecretVolume() : dir_(fs::temp_directory_path() / ("hallpass-volume-" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        publish("secret-a\n");
        fs::create_symlink("..data/secrets", dir_ / "secrets");
    }
    ~SecretVolume() { fs::remove_all(dir_); }
    void publish(const std::string& secrets) {
        const std::string version = "..2026_12_01_" + std::to_string(++generation_);
        fs::create_directories(dir_ / version);
        std::ofstream(dir_ / version / "secrets") << secrets;
        fs::create_symlink(version, dir_ / "..data_tmp");
        fs::rename(dir_ / "..data_tmp", dir_ / "..data");
    }
    std::string secrets_path() const { return (dir_ / "secrets").string(); }

private:
    fs::path dir_;
    int generation_ = 0;
};

TEST(WatchFiles, AKubernetesSecretVolumeSwapApplies) {
    SecretVolume volume;
    ServerProcess server{{"watch_files: true\nauth:\n  secrets_file: " + volume.secrets_path() + "\n"}};
    ASSERT_TRUE(server.wait_for_log("watch_files: reloading when secrets in", 1s)) << server.log();
    ASSERT_EQ(allocate_with(server, "secret-a").kind, Kind::success);

    volume.publish("secret-b\nsecret-a\n");  // rotation: the new one first, the old one kept
    ASSERT_TRUE(server.wait_for_log("reload: generation 2 applied", 5s)) << server.log();
    EXPECT_EQ(allocate_with(server, "secret-b").kind, Kind::success);
    EXPECT_EQ(allocate_with(server, "secret-a").kind, Kind::success);
    volume.publish("secret-b\n");
    ASSERT_TRUE(server.wait_for_log("reload: generation 3 applied", 5s)) << server.log();
    EXPECT_EQ(allocate_with(server, "secret-a").code, stun::ErrorCode::unauthenticated);
}

TEST(WatchFiles, OffByDefault) {
    ServerProcess server{{"auth:\n  secrets: [\"secret-a\"]\n"}};
    edit(server, "secret-a", "secret-b");
    EXPECT_FALSE(server.wait_for_log("reload:", 2s)) << server.log();
    EXPECT_EQ(allocate_with(server, "secret-a").kind, Kind::success);
}

}  // namespace
}  // namespace hallpass::testing
