// TLS set-up for TURN over TLS: self-signed certificates, the server context's settings,
// ALPN, reload. Handshakes run in memory: a client and a server SSL over a BIO pair.
#include "relay/self_signed.hpp"
#include "relay/tls_context.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace hallpass::relay {
namespace {

namespace fs = std::filesystem;

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;

struct ClientOptions {
    int max_version = 0;  // 0: the highest both know
    std::vector<std::string> alpn{};
    std::string tls12_ciphers{};  // empty: OpenSSL's default
    bool legacy = false;          // security level 0, so that the client can offer TLS 1.1
};

// A client context that trusts exactly the certificate now at `trusted`.
SslCtxPtr make_client(const std::string& trusted, const ClientOptions& options = {}) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    EXPECT_EQ(SSL_CTX_load_verify_locations(ctx.get(), trusted.c_str(), nullptr), 1);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (options.legacy) {
        SSL_CTX_set_security_level(ctx.get(), 0);
        SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
        SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0");
    }
    if (options.max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), options.max_version);
    if (!options.tls12_ciphers.empty()) {
        EXPECT_EQ(SSL_CTX_set_cipher_list(ctx.get(), options.tls12_ciphers.c_str()), 1);
    }
    std::vector<unsigned char> wire;  // RFC 7301 §3.1: length-prefixed names
    for (const auto& name : options.alpn) {
        wire.push_back(static_cast<unsigned char>(name.size()));
        wire.insert(wire.end(), name.begin(), name.end());
    }
    if (!wire.empty()) {  // returns 0 on success, unlike the rest of OpenSSL
        const auto size = static_cast<unsigned>(wire.size());
        EXPECT_EQ(SSL_CTX_set_alpn_protos(ctx.get(), wire.data(), size), 0);
    }
    return ctx;
}

// A client and a server joined by a BIO pair, driven by hand in one thread.
class Connection {
public:
    Connection(SSL_CTX* server_ctx, SSL_CTX* client_ctx)
        : server_(SSL_new(server_ctx)), client_(SSL_new(client_ctx)) {
        BIO* client_bio = nullptr;
        BIO* server_bio = nullptr;
        BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
        SSL_set_bio(client_.get(), client_bio, client_bio);
        SSL_set_bio(server_.get(), server_bio, server_bio);
        SSL_set_connect_state(client_.get());
        SSL_set_accept_state(server_.get());
        SSL_set1_host(client_.get(), "localhost");  // checked against the SAN
    }

    bool handshake() {
        ERR_clear_error();
        for (int turn = 0; turn < 20; ++turn) {
            const Step c = step(client());
            const Step s = step(server());
            if (c == Step::done && s == Step::done) return true;
            if (c == Step::failed || s == Step::failed) return false;
        }
        return false;
    }

    // Application data both ways after the handshake.
    bool round_trip(const std::string& text) {
        return send(client(), server(), text) && send(server(), client(), text);
    }

    SSL* client() { return client_.get(); }
    SSL* server() { return server_.get(); }
    std::string alpn() {
        const unsigned char* name = nullptr;
        unsigned int size = 0;
        SSL_get0_alpn_selected(client(), &name, &size);
        return std::string(reinterpret_cast<const char*>(name), size);
    }
    const std::string& error() const { return error_; }

private:
    enum class Step { done, waiting, failed };

    // SSL_get_error reads the thread's error queue, which both sides share here, so it
    // must come right after this side's call.
    Step step(SSL* ssl) {
        const int result = SSL_do_handshake(ssl);
        if (result == 1) return Step::done;
        const int e = SSL_get_error(ssl, result);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Step::waiting;
        const char* reason = ERR_reason_error_string(ERR_peek_error());
        error_ = std::string(ssl == server() ? "server: " : "client: ") + (reason ? reason : "?");
        return Step::failed;
    }

    static bool send(SSL* from, SSL* to, const std::string& text) {
        if (SSL_write(from, text.data(), static_cast<int>(text.size())) !=
            static_cast<int>(text.size()))
            return false;
        std::string got(text.size(), '\0');
        const int n = SSL_read(to, got.data(), static_cast<int>(got.size()));
        return n == static_cast<int>(text.size()) && got == text;
    }

    SslPtr server_;
    SslPtr client_;
    std::string error_;
};

std::string fingerprint(const X509* cert) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    X509_digest(cert, EVP_sha256(), digest.data(), &size);
    return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

std::string fingerprint(const std::shared_ptr<boost::asio::ssl::context>& context) {
    return fingerprint(SSL_CTX_get0_certificate(context->native_handle()));
}

CertPtr read_certificate(const std::string& path) {
    FILE* file = std::fopen(path.c_str(), "r");
    if (file == nullptr) return nullptr;
    CertPtr cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
    std::fclose(file);
    return cert;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "hallpass-tls-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    TlsFiles files() const { return {path("cert.pem"), path("key.pem"), false}; }
    TlsFiles made_files() const {
        write_self_signed(path("cert.pem"), path("key.pem"));
        return files();
    }

    fs::path dir_;
};

// --- self-signed generation -------------------------------------------------------------

TEST_F(TlsTest, SelfSignedCreatesDirectoriesAndKeyMode0600) {
    const std::string cert = path("a/b/cert.pem");
    const std::string key = path("c/key.pem");
    write_self_signed(cert, key);
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_NE(read_text(key).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    EXPECT_NE(read_text(cert).find("-----BEGIN CERTIFICATE-----"), std::string::npos);
    EXPECT_TRUE(fs::directory_iterator(path("a/b")) != fs::directory_iterator());
    EXPECT_EQ(std::distance(fs::directory_iterator(path("a/b")), fs::directory_iterator()), 1)
        << "no temporary file is left behind";
}

TEST_F(TlsTest, SelfSignedCertificateHasTheAgreedFields) {
    write_self_signed(path("cert.pem"), path("key.pem"));
    const CertPtr cert = read_certificate(path("cert.pem"));
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
    std::array<char, 128> cn{};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn.data(),
                              cn.size());
    EXPECT_STREQ(cn.data(), "hallpass self-signed");
    EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
    int days = 0;
    int seconds = 0;
    ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                   X509_get0_notAfter(cert.get()));
    EXPECT_EQ(days, 365);
    EXPECT_EQ(seconds, 0);
    const EVP_PKEY* key = X509_get0_pubkey(cert.get());
    std::array<char, 64> group{};
    ASSERT_EQ(EVP_PKEY_get_group_name(key, group.data(), group.size(), nullptr), 1);
    EXPECT_STREQ(group.data(), "prime256v1");  // OpenSSL's name for P-256
}

TEST_F(TlsTest, SelfSignedSerialsAreRandom) {
    write_self_signed(path("1.pem"), path("1.key"));
    write_self_signed(path("2.pem"), path("2.key"));
    const CertPtr a = read_certificate(path("1.pem"));
    const CertPtr b = read_certificate(path("2.pem"));
    EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()), X509_get0_serialNumber(b.get())),
              0);
}

TEST_F(TlsTest, SelfSignedFailureNamesThePath) {
    write_text(path("file"), "x");  // a file where a directory should be
    try {
        write_self_signed(path("file/cert.pem"), path("key.pem"));
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(path("file/cert.pem")), std::string::npos) << e.what();
    }
}

// --- loading -----------------------------------------------------------------------------

TEST_F(TlsTest, StoreMakesSelfSignedFilesWhenBothMissing) {
    TlsFiles f = files();
    f.self_signed = true;
    const TlsContextStore store(f);
    EXPECT_TRUE(fs::exists(f.certificate));
    EXPECT_TRUE(fs::exists(f.private_key));
    const std::string summary = store.certificate_summary();
    EXPECT_NE(summary.find("subject=CN=hallpass self-signed"), std::string::npos) << summary;
    EXPECT_NE(summary.find("notAfter="), std::string::npos) << summary;
    EXPECT_NE(summary.find("sha256="), std::string::npos) << summary;
}

TEST_F(TlsTest, StoreWithSelfSignedKeepsExistingFiles) {
    const TlsFiles f = made_files();
    const std::string before = read_text(f.certificate);
    TlsFiles again = f;
    again.self_signed = true;
    const TlsContextStore store(again);
    EXPECT_EQ(read_text(f.certificate), before);
}

TEST_F(TlsTest, StoreWithSelfSignedNeverOverwritesWhenOneFileIsPresent) {
    TlsFiles f = files();
    f.self_signed = true;
    write_text(f.certificate, "operator's file\n");
    EXPECT_THROW(TlsContextStore{f}, std::runtime_error);
    EXPECT_EQ(read_text(f.certificate), "operator's file\n");
}

std::string load_error(const TlsFiles& f) {
    try {
        TlsContextStore store(f);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST_F(TlsTest, MissingFilesNameTlsCertificateAndThePath) {
    EXPECT_EQ(load_error(files()),
              "tls.certificate: " + path("cert.pem") + ": No such file or directory");
}

TEST_F(TlsTest, MissingKeyNamesTlsPrivateKey) {
    TlsFiles f = made_files();
    fs::remove(f.private_key);
    EXPECT_EQ(load_error(f), "tls.private_key: " + f.private_key + ": No such file or directory");
}

TEST_F(TlsTest, MismatchedKeyNamesTlsPrivateKey) {
    TlsFiles f = made_files();
    write_self_signed(path("other.pem"), path("other.key"));
    f.private_key = path("other.key");
    EXPECT_EQ(load_error(f),
              "tls.private_key: " + f.private_key + ": does not match " + f.certificate);
}

TEST_F(TlsTest, EncryptedKeyFailsWithoutAskingForAPassPhrase) {
    TlsFiles f = made_files();
    FILE* in = std::fopen(f.private_key.c_str(), "r");
    ASSERT_NE(in, nullptr);
    EVP_PKEY* key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
    std::fclose(in);
    ASSERT_NE(key, nullptr);
    FILE* out = std::fopen(f.private_key.c_str(), "w");
    char secret[] = "secret";
    PEM_write_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), nullptr, 0, nullptr, secret);
    std::fclose(out);
    EVP_PKEY_free(key);
    const std::string error = load_error(f);
    EXPECT_EQ(error.rfind(
                  "tls.private_key: " + f.private_key + ": not an unencrypted PEM private key", 0),
              0u)
        << error;
}

TEST_F(TlsTest, DirectoryAsKeyIsNamed) {
    TlsFiles f = made_files();
    f.private_key = dir_.string();
    EXPECT_EQ(load_error(f), "tls.private_key: " + f.private_key + ": is a directory");
}

TEST_F(TlsTest, GarbageCertificateNamesTlsCertificate) {
    TlsFiles f = made_files();
    write_text(f.certificate, "not a certificate\n");
    EXPECT_EQ(load_error(f), "tls.certificate: " + f.certificate +
                                 ": not a PEM certificate chain (no start line)");
}

TEST_F(TlsTest, ChainFileSendsIntermediates) {
    TlsFiles f = made_files();
    write_self_signed(path("extra.pem"), path("extra.key"));
    write_text(f.certificate, read_text(f.certificate) + read_text(path("extra.pem")));
    const TlsContextStore store(f);
    const SslCtxPtr client = make_client(f.certificate);
    Connection c(store.current()->native_handle(), client.get());
    ASSERT_TRUE(c.handshake()) << c.error();
    EXPECT_EQ(sk_X509_num(SSL_get_peer_cert_chain(c.client())), 2);
}

// --- context settings ----------------------------------------------------------------------

TEST_F(TlsTest, ContextOptionsFollowIntermediateProfile) {
    const TlsContextStore store(made_files());
    SSL_CTX* ctx = store.current()->native_handle();
    const uint64_t options = SSL_CTX_get_options(ctx);
    EXPECT_NE(options & SSL_OP_NO_COMPRESSION, 0u);
    EXPECT_NE(options & SSL_OP_NO_RENEGOTIATION, 0u);
    EXPECT_NE(options & SSL_OP_NO_TICKET, 0u);
    EXPECT_EQ(options & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    EXPECT_EQ(SSL_CTX_get_num_tickets(ctx), 0u);
}

TEST_F(TlsTest, Tls13HandshakeVerifiesAgainstTheSan) {
    const TlsContextStore store(made_files());
    const SslCtxPtr client = make_client(files().certificate);
    Connection c(store.current()->native_handle(), client.get());
    ASSERT_TRUE(c.handshake()) << c.error();
    EXPECT_EQ(SSL_version(c.client()), TLS1_3_VERSION);
    EXPECT_EQ(SSL_get_verify_result(c.client()), X509_V_OK);
    EXPECT_TRUE(c.round_trip("allocate"));
}

TEST_F(TlsTest, Tls12HandshakeWhenClientForcesIt) {
    const TlsContextStore store(made_files());
    const SslCtxPtr client = make_client(files().certificate, {.max_version = TLS1_2_VERSION});
    Connection c(store.current()->native_handle(), client.get());
    ASSERT_TRUE(c.handshake()) << c.error();
    EXPECT_EQ(SSL_version(c.client()), TLS1_2_VERSION);
    // OpenSSL's default client list puts AES-256 first, and the client's order wins.
    EXPECT_STREQ(SSL_get_cipher_name(c.client()), "ECDHE-ECDSA-AES256-GCM-SHA384");
    EXPECT_TRUE(c.round_trip("allocate"));
}

TEST_F(TlsTest, Tls12ClientCipherOrderWins) {
    const TlsContextStore store(made_files());
    for (const std::string first :
         {"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-GCM-SHA384"}) {
        const SslCtxPtr client = make_client(
            files().certificate, {.max_version = TLS1_2_VERSION,
                                  .tls12_ciphers = first + ":ECDHE-ECDSA-AES128-GCM-SHA256"});
        Connection c(store.current()->native_handle(), client.get());
        ASSERT_TRUE(c.handshake()) << c.error();
        EXPECT_EQ(SSL_get_cipher_name(c.client()), first);
    }
}

TEST_F(TlsTest, Tls12CbcOnlyClientIsRefused) {
    const TlsContextStore store(made_files());
    const SslCtxPtr client =
        make_client(files().certificate,
                    {.max_version = TLS1_2_VERSION, .tls12_ciphers = "ECDHE-ECDSA-AES128-SHA"});
    Connection c(store.current()->native_handle(), client.get());
    EXPECT_FALSE(c.handshake());
    EXPECT_EQ(c.error(), "server: no shared cipher");
}

TEST_F(TlsTest, Tls11ClientIsRefused) {
    const TlsContextStore store(made_files());
    const SslCtxPtr client =
        make_client(files().certificate, {.max_version = TLS1_1_VERSION, .legacy = true});
    Connection c(store.current()->native_handle(), client.get());
    EXPECT_FALSE(c.handshake());
    EXPECT_EQ(c.error(), "server: unsupported protocol");
}

// --- ALPN (RFC 7443) -----------------------------------------------------------------------

std::string negotiated_alpn(const TlsContextStore& store, const std::string& trusted,
                            std::vector<std::string> offer) {
    const SslCtxPtr client = make_client(trusted, {.alpn = std::move(offer)});
    Connection c(store.current()->native_handle(), client.get());
    EXPECT_TRUE(c.handshake()) << c.error();
    return c.alpn();
}

TEST_F(TlsTest, AlpnChoosesStunTurn) {
    const TlsContextStore store(made_files());
    EXPECT_EQ(negotiated_alpn(store, files().certificate, {"stun.turn"}), "stun.turn");
    EXPECT_EQ(negotiated_alpn(store, files().certificate, {"http/1.1", "stun.turn"}), "stun.turn");
}

TEST_F(TlsTest, AlpnChoosesHttp11ForHealthChecks) {
    const TlsContextStore store(made_files());
    EXPECT_EQ(negotiated_alpn(store, files().certificate, {"h2", "http/1.1"}), "http/1.1");
}

TEST_F(TlsTest, AlpnNoneOrUnknownProceedsWithout) {
    const TlsContextStore store(made_files());
    EXPECT_EQ(negotiated_alpn(store, files().certificate, {}), "");
    EXPECT_EQ(negotiated_alpn(store, files().certificate, {"h2"}), "");
}

// --- reload ----------------------------------------------------------------------------------

TEST_F(TlsTest, ReloadSwapsContextAndLeavesOldConnectionsAlone) {
    const TlsFiles f = made_files();
    TlsContextStore store(f);
    const auto old_context = store.current();
    const std::string old_summary = store.certificate_summary();
    const SslCtxPtr old_client = make_client(f.certificate);
    Connection open(old_context->native_handle(), old_client.get());
    ASSERT_TRUE(open.handshake()) << open.error();

    write_self_signed(f.certificate, f.private_key);  // the renewal
    std::string why;
    ASSERT_TRUE(store.reload(f, &why)) << why;

    EXPECT_NE(store.current(), old_context);
    EXPECT_NE(fingerprint(store.current()), fingerprint(old_context));
    EXPECT_NE(store.certificate_summary(), old_summary);
    EXPECT_TRUE(open.round_trip("still here")) << "a connection made before the reload";
    Connection late(old_context->native_handle(), old_client.get());
    ASSERT_TRUE(late.handshake()) << late.error();
    EXPECT_EQ(fingerprint(SSL_get0_peer_certificate(late.client())), fingerprint(old_context));

    const SslCtxPtr new_client = make_client(f.certificate);
    Connection fresh(store.current()->native_handle(), new_client.get());
    ASSERT_TRUE(fresh.handshake()) << fresh.error();
    EXPECT_EQ(fingerprint(SSL_get0_peer_certificate(fresh.client())), fingerprint(store.current()));
}

TEST_F(TlsTest, ReloadWithBrokenCertificateKeepsOldContext) {
    const TlsFiles f = made_files();
    TlsContextStore store(f);
    const auto before = store.current();
    write_text(f.certificate, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
    std::string why;
    EXPECT_FALSE(store.reload(f, &why));
    EXPECT_EQ(why.rfind("tls.certificate: " + f.certificate + ": ", 0), 0u) << why;
    EXPECT_EQ(store.current(), before);
    EXPECT_FALSE(store.reload(f, nullptr));
}

TEST_F(TlsTest, ReloadWithMismatchedKeyKeepsOldContext) {
    const TlsFiles f = made_files();
    TlsContextStore store(f);
    const auto before = store.current();
    write_self_signed(path("new.pem"), f.private_key);  // new key, old certificate
    std::string why;
    EXPECT_FALSE(store.reload(f, &why));
    EXPECT_EQ(why, "tls.private_key: " + f.private_key + ": does not match " + f.certificate);
    EXPECT_EQ(store.current(), before);
}

TEST_F(TlsTest, ReloadTakesNewPathsAndKeepsThemOnlyWhenTheyLoad) {
    const TlsFiles f = made_files();
    TlsContextStore store(f);
    const auto before = store.current();
    const TlsFiles moved{path("renewed-cert.pem"), path("renewed-key.pem"), false};
    write_self_signed(moved.certificate, moved.private_key);
    std::string why;
    ASSERT_TRUE(store.reload(moved, &why)) << why;
    EXPECT_NE(fingerprint(store.current()), fingerprint(before));
    const auto renewed = store.current();
    EXPECT_FALSE(store.reload({path("missing.pem"), moved.private_key, false}, &why));
    EXPECT_EQ(why.rfind("tls.certificate: " + path("missing.pem") + ": ", 0), 0u) << why;
    EXPECT_EQ(store.current(), renewed);
}

TEST_F(TlsTest, CurrentIsSafeWhileAnotherThreadReloads) {
    const TlsFiles f = made_files();
    TlsContextStore store(f);
    std::thread reloader([&] {
        for (int i = 0; i < 50; ++i) EXPECT_TRUE(store.reload(f, nullptr));
    });
    for (int i = 0; i < 200; ++i) {
        const auto context = store.current();
        ASSERT_NE(SSL_CTX_get0_certificate(context->native_handle()), nullptr);
    }
    reloader.join();
}

}  // namespace
}  // namespace hallpass::relay
