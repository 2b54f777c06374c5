// A self-signed certificate made with the OpenSSL 3 API; see self_signed.hpp.
#include "relay/self_signed.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <system_error>

namespace hallpass::relay {
namespace {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

constexpr long kValidSeconds = 365L * 24 * 60 * 60;
constexpr const char* kCommonName = "hallpass self-signed";
// RFC 5280 §4.2.1.6; clients match names against SAN only (RFC 6125 §6.4.4).
constexpr const char* kSubjectAltName = "DNS:localhost,IP:127.0.0.1,IP:::1";
// RFC 5280 §4.1.2.2: at most 20 octets, positive; 159 random bits fit both.
constexpr int kSerialBits = 159;

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
    throw std::runtime_error(path + ": " + reason);
}

// Throws with the oldest entry of OpenSSL's error queue when `ok` is false.
void check(bool ok, const std::string& path, const char* step) {
    if (ok) return;
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    fail(path, std::string(step) + ": " + (reason != nullptr ? reason : "OpenSSL error"));
}

void add_extension(X509* cert, int nid, const char* value, const std::string& path) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    const ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    check(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, path,
          "cannot add an extension");
}

void set_identity(X509* cert, const std::string& path) {
    const BnPtr serial(BN_new());
    check(serial != nullptr &&
              BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
              BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr,
          path, "cannot make a serial number");
    X509_NAME* name = X509_get_subject_name(cert);
    const auto* cn = reinterpret_cast<const unsigned char*>(kCommonName);
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) == 1 &&
              X509_set_issuer_name(cert, name) == 1,
          path, "cannot set the name");
    check(X509_gmtime_adj(X509_getm_notBefore(cert), 0) != nullptr &&
              X509_gmtime_adj(X509_getm_notAfter(cert), kValidSeconds) != nullptr,
          path, "cannot set the validity");
}

// A leaf certificate (CA:FALSE) that clients may pin or add as a trust anchor.
CertPtr make_certificate(EVP_PKEY* key, const std::string& path) {
    CertPtr cert(X509_new());
    check(cert != nullptr && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
              X509_set_pubkey(cert.get(), key) == 1,
          path, "cannot make the certificate");
    set_identity(cert.get(), path);
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE", path);
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature", path);
    add_extension(cert.get(), NID_ext_key_usage, "serverAuth", path);
    add_extension(cert.get(), NID_subject_key_identifier, "hash", path);
    add_extension(cert.get(), NID_subject_alt_name, kSubjectAltName, path);
    check(X509_sign(cert.get(), key, EVP_sha256()) > 0, path, "cannot sign the certificate");
    return cert;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = EIO;  // callers read errno; a zero-length write sets none
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Temporary file beside `path`, then rename: readers see the old file or the new one.
void write_atomically(const std::string& path, std::string_view data, mode_t mode) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) fail(path, "cannot create the directory: " + ec.message());
    std::string tmp = path + ".XXXXXX";
    const int fd = ::mkstemp(tmp.data());  // mode 0600 from the start: no window for the key
    if (fd < 0) fail(path, std::system_category().message(errno));
    // mkstemp made the file 0600; the certificate gets its own mode (fchmod ignores umask).
    int error = 0;
    if (::fchmod(fd, mode) != 0 || !write_all(fd, data) || ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
    if (error == 0) return;
    ::unlink(tmp.c_str());
    fail(path, std::system_category().message(error));
}

}  // namespace

void write_self_signed(const std::string& certificate_path, const std::string& key_path) {
    const KeyPtr key(EVP_EC_gen("P-256"));
    check(key != nullptr, key_path, "cannot make an EC P-256 key");
    const CertPtr cert = make_certificate(key.get(), certificate_path);

    const BioPtr key_pem(BIO_new(BIO_s_mem()));
    check(key_pem != nullptr && PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr,
                                                         0, nullptr, nullptr) == 1,
          key_path, "cannot encode the key");
    const BioPtr cert_pem(BIO_new(BIO_s_mem()));
    check(cert_pem != nullptr && PEM_write_bio_X509(cert_pem.get(), cert.get()) == 1,
          certificate_path, "cannot encode the certificate");

    // Key first: a reload between the two renames sees a mismatch and keeps its old context.
    write_atomically(key_path, bio_text(key_pem.get()), 0600);
    write_atomically(certificate_path, bio_text(cert_pem.get()), 0644);
}

}  // namespace hallpass::relay
