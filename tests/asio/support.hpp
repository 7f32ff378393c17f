// Test support for the Asio transport: a raw scripted HTTP server on 127.0.0.1 (blocking sockets,
// one thread per connection, answers with exact bytes), a TLS variant, test certificates made
// with the OpenSSL API at run time, and a small "wait for the completion" helper.
#pragma once

#include <mediajobs/asio/config.hpp>
#include <mediajobs/asio/transport.hpp>

#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/write.hpp>

#if MEDIAJOBS_WITH_OPENSSL
#include <asio/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mj_test {

/// Waits (without sleeping) for one completion delivered on any thread.
template <class T>
class outcome {
 public:
  void set(T v) {
    std::lock_guard lock(mutex_);
    ++calls_;
    if (!value_) value_.emplace(std::move(v));
    cv_.notify_all();
  }
  /// Waits at most `limit` (a safety net against a hung test, not a timing assumption).
  T& get(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, limit, [&] { return value_.has_value(); });
    if (!value_) value_.emplace(mediajobs::unexpect, mediajobs::error{mediajobs::error_kind::none, "test: no completion"});
    return *value_;
  }
  [[nodiscard]] bool ready() {
    std::lock_guard lock(mutex_);
    return value_.has_value();
  }
  [[nodiscard]] int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<T> value_;
  int calls_ = 0;
};

using response_outcome = outcome<mediajobs::result<mediajobs::http::response>>;

/// A one-shot event another thread can wait on.
class latch_flag {
 public:
  void set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

/// A stream the scripts read from and write to (plain TCP or TLS behind the same calls).
class peer {
 public:
  virtual ~peer() = default;
  virtual std::size_t read_some(char* data, std::size_t size, asio::error_code& ec) = 0;
  virtual void write(std::string_view bytes, asio::error_code& ec) = 0;
  virtual void close() = 0;

  /// Reads one request (head + Content-Length body). Empty optional when the client closed.
  std::optional<std::string> read_request() {
    for (;;) {
      const std::size_t head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        const std::string head = buffer_.substr(0, head_end);
        std::string lower;
        for (char c : head) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (const auto p = lower.find("\r\ncontent-length:"); p != std::string::npos)
          length = std::stoul(head.substr(p + 17));
        const std::size_t total = head_end + 4 + length;
        if (buffer_.size() >= total) {
          std::string req = buffer_.substr(0, total);
          buffer_.erase(0, total);
          ++requests_;
          return req;
        }
      }
      char tmp[4096];
      asio::error_code ec;
      const std::size_t n = read_some(tmp, sizeof tmp, ec);
      if (ec) return std::nullopt;
      buffer_.append(tmp, n);
    }
  }
  void send(std::string_view bytes) {
    asio::error_code ec;
    write(bytes, ec);
  }
  /// Reads (and drops) until the client closes.
  void wait_for_close() {
    char tmp[65536];
    asio::error_code ec;
    while (!ec) read_some(tmp, sizeof tmp, ec);
  }
  [[nodiscard]] int requests() const noexcept { return requests_; }

 private:
  std::string buffer_;
  int requests_ = 0;
};

class tcp_peer final : public peer {
 public:
  explicit tcp_peer(asio::ip::tcp::socket s) : socket_(std::move(s)) {}
  std::size_t read_some(char* data, std::size_t size, asio::error_code& ec) override {
    return socket_.read_some(asio::buffer(data, size), ec);
  }
  void write(std::string_view bytes, asio::error_code& ec) override { asio::write(socket_, asio::buffer(bytes), ec); }
  void close() override {
    asio::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }
  asio::ip::tcp::socket& socket() { return socket_; }

 private:
  asio::ip::tcp::socket socket_;
};

/// Accepts connections on 127.0.0.1 (a free port) and runs `script` for each, on its own thread.
class scripted_server {
 public:
  using script = std::function<void(peer&)>;

  explicit scripted_server(script s, bool start_now = true) : script_(std::move(s)), acceptor_(io_) {
    const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    asio::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor_.bind(ep, ec);
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    port_ = acceptor_.local_endpoint(ec).port();
    if (start_now) start();
  }
  scripted_server(const scripted_server&) = delete;
  scripted_server& operator=(const scripted_server&) = delete;
  virtual ~scripted_server() { stop(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    {
      // Wake the blocking accept with a connection of our own.
      asio::io_context io;
      asio::ip::tcp::socket s(io);
      asio::error_code ec;
      s.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
      if (thread_.joinable()) thread_.join();
    }
    {
      // Wake every blocked script: shutting a socket down ends its pending read.
      std::lock_guard lock(mutex_);
      for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  [[nodiscard]] int accepted() const noexcept { return accepted_.load(); }

 protected:
  virtual std::unique_ptr<peer> make_peer(asio::ip::tcp::socket s) { return std::make_unique<tcp_peer>(std::move(s)); }
  /// A derived server starts the accept thread once it is fully constructed.
  void start() { thread_ = std::thread([this] { accept_loop(); }); }

 private:
  void accept_loop() {
    for (;;) {
      asio::ip::tcp::socket s(io_);
      asio::error_code ec;
      acceptor_.accept(s, ec);
      if (stopping_.load()) return;
      if (ec) continue;
      accepted_.fetch_add(1);
      {
        std::lock_guard lock(mutex_);
        fds_.push_back(s.native_handle());
      }
      workers_.emplace_back([this, s = std::move(s)]() mutable {
        auto p = make_peer(std::move(s));
        if (p) script_(*p);
        p.reset();
      });
    }
  }

  script script_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<int> fds_;
  std::thread thread_;
  std::vector<std::thread> workers_;
};

/// A response with a Content-Length body.
inline std::string http_ok(std::string_view body, std::string_view extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}

#if MEDIAJOBS_WITH_OPENSSL

/// PEM texts of a test PKI made at run time: a CA, a leaf for `names` signed by it, and a second
/// CA nobody trusts with its own leaf for the same names.
struct test_pki {
  std::string ca_cert;
  std::string leaf_cert;
  std::string leaf_key;
  std::string rogue_leaf_cert;  // signed by an untrusted CA
  std::string rogue_leaf_key;
};

namespace detail {

struct evp_key_deleter {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct x509_deleter {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, evp_key_deleter>;
using cert_ptr = std::unique_ptr<X509, x509_deleter>;

inline key_ptr make_key() { return key_ptr(EVP_EC_gen("P-256")); }

inline void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

inline cert_ptr make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, const char* san, long serial) {
  cert_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (san == nullptr) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), signer, NID_subject_alt_name, san);
    add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid");
  }
  X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256());
  return cert;
}

inline std::string pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}
inline std::string pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

}  // namespace detail

/// `san` is the leaf's subjectAltName, e.g. "DNS:mediajobs.test,IP:127.0.0.1".
inline test_pki make_test_pki(const char* san) {
  test_pki pki;
  auto ca_key = detail::make_key();
  auto ca = detail::make_cert(ca_key.get(), "mediajobs test CA", nullptr, nullptr, nullptr, 1);
  auto leaf_key = detail::make_key();
  auto leaf = detail::make_cert(leaf_key.get(), "mediajobs test server", ca.get(), ca_key.get(), san, 2);
  auto rogue_ca_key = detail::make_key();
  auto rogue_ca = detail::make_cert(rogue_ca_key.get(), "untrusted CA", nullptr, nullptr, nullptr, 3);
  auto rogue_key = detail::make_key();
  auto rogue = detail::make_cert(rogue_key.get(), "mediajobs test server", rogue_ca.get(), rogue_ca_key.get(), san, 4);
  pki.ca_cert = detail::pem(ca.get());
  pki.leaf_cert = detail::pem(leaf.get());
  pki.leaf_key = detail::pem(leaf_key.get());
  pki.rogue_leaf_cert = detail::pem(rogue.get());
  pki.rogue_leaf_key = detail::pem(rogue_key.get());
  return pki;
}

class tls_peer final : public peer {
 public:
  tls_peer(asio::ip::tcp::socket s, asio::ssl::context& ctx) : stream_(std::move(s), ctx) {}
  bool handshake() {
    asio::error_code ec;
    stream_.handshake(asio::ssl::stream_base::server, ec);
    return !ec;
  }
  std::string sni() {
    const char* name = SSL_get_servername(stream_.native_handle(), TLSEXT_NAMETYPE_host_name);
    return name ? name : "";
  }
  std::size_t read_some(char* data, std::size_t size, asio::error_code& ec) override {
    return stream_.read_some(asio::buffer(data, size), ec);
  }
  void write(std::string_view bytes, asio::error_code& ec) override { asio::write(stream_, asio::buffer(bytes), ec); }
  void close() override {
    asio::error_code ec;
    stream_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    stream_.lowest_layer().close(ec);
  }

 private:
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
};

/// A TLS server presenting `cert_pem`/`key_pem`; records the SNI name of the last handshake and
/// how many handshakes succeeded; answers every request with `response`.
class tls_server : public scripted_server {
 public:
  tls_server(const std::string& cert_pem, const std::string& key_pem, std::string response)
      : scripted_server([this, response](peer& p) {
          auto& t = static_cast<tls_peer&>(p);
          if (!t.handshake()) return;
          {
            std::lock_guard lock(m_);
            sni_ = t.sni();
          }
          ++handshakes_;
          while (p.read_request()) p.send(response);
        },
                        false),
        ctx_(asio::ssl::context::tls_server) {
    asio::error_code ec;
    ctx_.use_certificate_chain(asio::buffer(cert_pem), ec);
    ctx_.use_private_key(asio::buffer(key_pem), asio::ssl::context::pem, ec);
    start();
  }
  ~tls_server() override { stop(); }

  [[nodiscard]] std::string url(std::string_view host, std::string_view path = "/") const {
    return "https://" + std::string(host) + ":" + std::to_string(port()) + std::string(path);
  }
  [[nodiscard]] std::string last_sni() {
    std::lock_guard lock(m_);
    return sni_;
  }
  [[nodiscard]] int handshakes() const noexcept { return handshakes_.load(); }

 protected:
  std::unique_ptr<peer> make_peer(asio::ip::tcp::socket s) override {
    return std::make_unique<tls_peer>(std::move(s), ctx_);
  }

 private:
  std::mutex m_;
  std::string sni_;
  std::atomic<int> handshakes_{0};
  asio::ssl::context ctx_;
};

#endif  // MEDIAJOBS_WITH_OPENSSL

}  // namespace mj_test
