// mediajobs::asio_transport: HTTP/1.1 over TCP (and TLS when built with MEDIAJOBS_WITH_OPENSSL)
// on Asio. It models `transport`, `streaming_transport` and `timer` (transport/transport.hpp).
//
//   asio::io_context io;                       // yours: run() it, or poll() it once per frame
//   mediajobs::asio_transport http{io};
//   // or: mediajobs::asio_transport http;     // owns an io_context and one thread
//
// What one exchange does: resolve (skipped for IP literals), connect (connect_timeout covers
// resolve + connect + TLS handshake), TCP_NODELAY, one write of the serialized request, then
// reads fed to the incremental http::response_parser (limits from the options). Connections are
// kept alive per origin (scheme, host, port), at most max_idle_per_origin idle ones each, closed
// after idle_timeout. A response that says `Connection: close`, an HTTP/1.0 one without
// keep-alive, a close-delimited body, an unfinished exchange or a request that said
// `Connection: close` never returns its connection to the pool. When a pooled connection turns
// out to be closed by the server before any byte of the response arrived, the request is sent
// once more on a fresh connection if it is safe to repeat (GET, HEAD, OPTIONS, PUT, DELETE,
// TRACE, or any request with an Idempotency-Key header); otherwise it fails with `transport`.
//
// Errors (transport/transport.hpp contract): resolve/connect/TLS/IO failures and a connection
// dropped mid-response -> `transport`; req.timeout (whole exchange) or connect_timeout elapsed ->
// `timeout`; a stop request -> `cancelled`; malformed framing -> `protocol`; a response larger
// than the limits -> `limit_exceeded`; a request the serializer refuses -> its `validation` or
// `protocol` error. An error raised before any write of the request began carries
// request_not_sent() (error::mark_not_sent). Timeouts and stops close the socket. The completion
// is called exactly once.
//
// Streaming (async_send_streaming): the parser hands a 2xx body to the sink piece by piece
// straight from the read buffer (at most 16 KiB a piece, plain TCP or TLS); the next read starts
// only after the sink has returned, so memory stays bounded by one read buffer whatever the body
// size, and the options' max_body_bytes does not apply (the sink bounds the body). A non-2xx body
// is kept in the response, within the limits. A sink error fails the exchange with that error and
// closes the connection. req.timeout covers the whole exchange, body included: give a large
// download a large timeout (or 0 for none). The sink runs on a thread running the io_context,
// inside the transport's strand; the destructor waits for a sink call in progress on another
// thread, and no sink call starts after the completion was called.
//
// Destruction cancels everything in flight: every pending completion is called (with
// `cancelled`) before the destructor returns, and no completion is called afterwards. With an
// owned io_context the destructor also joins its thread, so every socket is closed when it
// returns; with your io_context the sockets are closed by a handler it runs next (keep the
// io_context alive longer than the transport, as with any Asio object).
//
// Threads: all I/O of one transport runs on one strand of the io_context, so the io_context may
// be run by several threads. Completions are called on a thread running the io_context (or inline
// in async_send when the request is refused at once, or in the destructor). The only thread Asio
// may add is its internal resolver thread, used for host names (not for IP literals).
//
// TLS (https URLs): see asio/tls.hpp — peer and host-name verification on by default, SNI for
// DNS names, the system CA store plus optional extra CAs. resolve_overrides maps a host name to
// an address without DNS (the certificate is still checked against the name in the URL).
//
// Thread-safety: async_send and async_wait may be called concurrently from any threads.
// Destroying the transport must not race with calls to it. Do not destroy a transport that owns
// its io_context from inside one of its own completions: it cannot join its own thread, so it
// then lets the thread finish and leaks the io_context instead.
#pragma once

#include <mediajobs/asio/config.hpp>
#include <mediajobs/asio/tls.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/http/parser.hpp>
#include <mediajobs/http/serializer.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/transport/transport.hpp>

#include <asio/connect.hpp>
#include <asio/dispatch.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>

#if MEDIAJOBS_WITH_OPENSSL
#include <asio/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

#if defined(__unix__) || defined(__APPLE__)
#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace mediajobs {

struct asio_transport_options {
  /// Resolve + connect + TLS handshake of a new connection; 0 = only the request's own timeout.
  std::chrono::milliseconds connect_timeout{10000};
  /// An idle pooled connection older than this is closed instead of reused.
  std::chrono::milliseconds idle_timeout{30000};
  /// Idle connections kept per origin; 0 disables keep-alive.
  std::size_t max_idle_per_origin = 8;
  /// Response size limits (header bytes, body bytes).
  http::parser_limits limits{.max_header_bytes = 64 * 1024, .max_body_bytes = 64 * 1024 * 1024};
  /// Host names answered without DNS (like curl's --resolve): {"api.example", "127.0.0.1"}.
  std::vector<std::pair<std::string, std::string>> resolve_overrides{};
  /// https settings (ignored in a build without OpenSSL, where https URLs fail with `transport`).
  tls_options tls{};
};

namespace detail::asio_impl {

using clock = std::chrono::steady_clock;
using strand_type = asio::strand<asio::io_context::executor_type>;
using socket_type = asio::basic_stream_socket<asio::ip::tcp, strand_type>;
using timer_type = asio::basic_waitable_timer<clock, asio::wait_traits<clock>, strand_type>;
using resolver_type = asio::ip::basic_resolver<asio::ip::tcp, strand_type>;
#if MEDIAJOBS_WITH_OPENSSL
using tls_stream_type = asio::ssl::stream<socket_type&>;
#endif

/// RFC 9110 §9.2.2 idempotent methods; a POST with an Idempotency-Key is safe as well.
[[nodiscard]] inline bool safe_to_repeat(const http::request& req) noexcept {
  const std::string_view m = req.method;
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" || m == "TRACE" ||
         req.headers.contains("Idempotency-Key");
}

[[nodiscard]] inline bool says_close(const http::headers& hs) noexcept {
  for (const auto& h : hs)
    if (http::detail::iequals(h.name, "Connection") && h.value.find("close") != std::string::npos) return true;
  return false;
}

/// Scheme, host and port of an absolute URL, read without allocating beyond the host (the URL
/// itself is validated by http::serialize before this runs).
struct origin_info {
  bool https = false;
  std::string host;  // an IPv6 literal without its brackets
  std::uint16_t port = 0;

  [[nodiscard]] bool is_https() const noexcept { return https; }

  [[nodiscard]] bool parse(std::string_view url) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return false;
    const std::string_view scheme = url.substr(0, sep);
    if (http::detail::iequals(scheme, "https"))
      https = true;
    else if (http::detail::iequals(scheme, "http"))
      https = false;
    else
      return false;
    std::string_view rest = url.substr(sep + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    std::string_view port_text;
    if (!rest.empty() && rest.front() == '[') {
      const auto close = rest.find(']');
      if (close == std::string_view::npos) return false;
      host.assign(rest.substr(1, close - 1));
      if (close + 1 < rest.size() && rest[close + 1] == ':') port_text = rest.substr(close + 2);
    } else {
      const auto colon = rest.find(':');
      host.assign(rest.substr(0, colon));
      if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
    }
    for (char& c : host) c = http::detail::ascii_lower(c);
    port = https ? 443 : 80;
    if (!port_text.empty()) {
      const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
      if (r.ec != std::errc{} || r.ptr != port_text.data() + port_text.size() || port == 0) return false;
    }
    return !host.empty();
  }

  /// host:port for messages (IPv6 in brackets).
  [[nodiscard]] std::string authority() const {
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    out += ':';
    out += std::to_string(port);
    return out;
  }
};

/// One TCP (or TLS) connection to one origin, with the parser that reads its responses.
struct connection {
  connection(const strand_type& ex, const http::parser_limits& limits) : socket(ex), parser(limits) {}

  socket_type socket;
#if MEDIAJOBS_WITH_OPENSSL
  std::unique_ptr<tls_stream_type> tls;
  std::unique_ptr<char[]> tls_buffer;  // TLS reads need their own buffer (the stream buffers)
#endif
  bool https = false;
  std::string host;
  std::uint16_t port = 0;
  http::response_parser parser;
  clock::time_point idle_since{};

  [[nodiscard]] bool same_origin(bool s, std::string_view h, std::uint16_t p) const noexcept {
    return https == s && port == p && host == h;
  }

  void close() noexcept {
    asio::error_code ec;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  /// An idle connection is reusable when nothing is waiting to be read on it: not the server's
  /// FIN (it closed), not stray bytes (a response we never asked for, a TLS close_notify).
  [[nodiscard]] bool looks_reusable() noexcept {
    if (!socket.is_open()) return false;
#if defined(__unix__) || defined(__APPLE__)
    char c = 0;
    const auto n = ::recv(socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
#else
    return true;  // a stale one is then found by the read, and the request repeated if safe
#endif
  }
};

class state;

/// An operation in flight (an exchange or a wait). Whoever flips `done` under the state's mutex
/// owns the completion: that is the exactly-once rule.
class operation : public std::enable_shared_from_this<operation> {
 public:
  virtual ~operation() = default;
  /// Calls the completion with `e`. Precondition: the caller has flipped `done`.
  virtual void deliver(error e) = 0;
  /// On the strand: stops timers and I/O, closes the socket.
  virtual void close_io() noexcept = 0;

  operation* prev = nullptr;
  operation* next = nullptr;
  bool done = false;                     // guarded by state::mutex_
  std::shared_ptr<operation> self;       // keeps a live operation alive; guarded by state::mutex_
};

/// Which transport's completions this thread is currently calling, so that a destructor called
/// from inside a completion does not wait for itself.
struct invoking_marker {
  const void* owner = nullptr;
  int depth = 0;
};
inline thread_local invoking_marker tl_invoking{};
/// Likewise for body sinks (streaming).
inline thread_local invoking_marker tl_sinking{};

class state : public std::enable_shared_from_this<state> {
 public:
  state(asio::io_context& io, asio_transport_options opts) : io_(io), strand_(asio::make_strand(io)), opts_(std::move(opts)) {}

  [[nodiscard]] const strand_type& strand() const noexcept { return strand_; }
  [[nodiscard]] asio::io_context& context() const noexcept { return io_; }
  [[nodiscard]] const asio_transport_options& options() const noexcept { return opts_; }

  /// Adds a live operation; false when the transport is shutting down.
  bool enlist(const std::shared_ptr<operation>& op) {
    std::lock_guard lock(mutex_);
    if (closing_) return false;
    op->self = op;
    op->next = head_;
    if (head_) head_->prev = op.get();
    head_ = op.get();
    return true;
  }

  /// Flips `done` if nobody has; returns the keep-alive reference to drop after completing, or
  /// null when the operation was already completed (then the caller must not complete it).
  std::shared_ptr<operation> claim(operation& op) {
    std::lock_guard lock(mutex_);
    if (op.done) return nullptr;
    op.done = true;
    unlink(op);
    ++invoking_;
    return std::move(op.self);
  }

  /// Runs `call` (which calls a user completion) with the bookkeeping the destructor waits on.
  template <class F>
  void invoke(F&& call) {
    const invoking_marker saved = tl_invoking;
    if (tl_invoking.owner == this)
      ++tl_invoking.depth;
    else
      tl_invoking = {this, 1};
    std::forward<F>(call)();
    tl_invoking = saved;
    std::lock_guard lock(mutex_);
    --invoking_;
    drained_.notify_all();
  }

  /// Runs `call` (user code of a live operation, e.g. a body sink) unless the operation was
  /// already completed; the destructor waits for it as for a completion. False when not run.
  template <class F>
  bool run_unless_done(operation& op, F&& call) {
    {
      std::lock_guard lock(mutex_);
      if (op.done) return false;
      ++sinking_;
    }
    const invoking_marker saved = tl_sinking;
    if (tl_sinking.owner == this)
      ++tl_sinking.depth;
    else
      tl_sinking = {this, 1};
    std::forward<F>(call)();
    tl_sinking = saved;
    std::lock_guard lock(mutex_);
    --sinking_;
    drained_.notify_all();
    return true;
  }

  /// Destructor path: completes every live operation with `cancelled` on this thread, waits for
  /// completions running on other threads, and schedules the closing of every socket.
  void shut_down() {
    std::vector<std::shared_ptr<operation>> ops;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      for (operation* op = head_; op != nullptr; op = op->next) {
        op->done = true;
        ops.push_back(std::move(op->self));
        ++invoking_;
      }
      head_ = nullptr;
    }
    {
      // A sink running on another thread finishes before its completion is called.
      std::unique_lock lock(mutex_);
      const int mine = tl_sinking.owner == this ? tl_sinking.depth : 0;
      drained_.wait(lock, [&] { return sinking_ <= mine; });
    }
    for (auto& op : ops)
      invoke([&] { op->deliver(error{error_kind::cancelled, "the transport was destroyed"}); });
    {
      std::unique_lock lock(mutex_);
      const int mine = tl_invoking.owner == this ? tl_invoking.depth : 0;
      drained_.wait(lock, [&] { return invoking_ <= mine; });
    }
    auto close_all = [self = shared_from_this(), ops = std::move(ops)]() mutable {
      for (auto& op : ops) op->close_io();
      for (auto& c : self->idle_) c->close();
      self->idle_.clear();
    };
    if (strand_.running_in_this_thread())
      close_all();
    else
      asio::post(strand_, std::move(close_all));
  }

  [[nodiscard]] bool is_done(const operation& op) {
    std::lock_guard lock(mutex_);
    return op.done;
  }

  [[nodiscard]] bool closing() {
    std::lock_guard lock(mutex_);
    return closing_;
  }

  // --- the pool (strand only) ---------------------------------------------------------------
  std::shared_ptr<connection> take_idle(bool https, std::string_view host, std::uint16_t port) {
    const auto now = clock::now();
    expire_idle(now);
    for (std::size_t i = idle_.size(); i-- > 0;) {
      if (!idle_[i]->same_origin(https, host, port)) continue;
      std::shared_ptr<connection> c = std::move(idle_[i]);
      idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
      if (c->looks_reusable()) return c;
      c->close();  // the server closed it while idle: forget it, look further
    }
    return nullptr;
  }

  void put_idle(std::shared_ptr<connection> c) {
    const auto now = clock::now();
    expire_idle(now);
    std::size_t same = 0;
    for (const auto& i : idle_) same += i->same_origin(c->https, c->host, c->port) ? 1 : 0;
    if (same >= opts_.max_idle_per_origin || closing()) {
      c->close();
      return;
    }
    c->idle_since = now;
    idle_.push_back(std::move(c));
  }

  [[nodiscard]] std::size_t idle_count() const noexcept { return idle_.size(); }

  /// Request buffers are recycled (strand only), so a steady stream of requests does not
  /// allocate one each.
  std::string take_buffer() {
    if (spare_.empty()) return {};
    std::string b = std::move(spare_.back());
    spare_.pop_back();
    b.clear();
    return b;
  }
  void give_buffer(std::string&& b) {
    if (spare_.size() < 64 && b.capacity() <= 64 * 1024) spare_.push_back(std::move(b));
  }

  std::atomic<std::size_t> connections_opened{0};

#if MEDIAJOBS_WITH_OPENSSL
  /// Built on the first https request, not in the constructor: loading the system CA store costs
  /// ~100 ms, which a transport that only ever speaks plain http (a local sandbox) never needs.
  [[nodiscard]] asio::ssl::context* tls_context() noexcept {
    std::call_once(tls_once_, [this] {
      auto ctx = make_client_tls_context(opts_.tls);
      if (ctx)
        tls_ = std::move(*ctx);
      else
        tls_error_ = std::move(ctx.error());
    });
    return tls_.get();
  }
  /// Why tls_context() is null; valid once tls_context() has been called.
  [[nodiscard]] const error& tls_error() const noexcept { return tls_error_; }
#endif

  /// A buffer for plain-TCP reads: reads happen inside strand handlers, one at a time, so one
  /// buffer serves every connection (no per-connection read buffer while waiting).
  [[nodiscard]] asio::mutable_buffer read_buffer() noexcept { return asio::buffer(read_buffer_); }

 private:
  void unlink(operation& op) noexcept {
    if (op.prev)
      op.prev->next = op.next;
    else if (head_ == &op)
      head_ = op.next;
    if (op.next) op.next->prev = op.prev;
    op.prev = op.next = nullptr;
  }

  void expire_idle(clock::time_point now) {
    // idle_ is in the order connections were parked: the expired ones are at the front.
    std::size_t n = 0;
    while (n < idle_.size() && now - idle_[n]->idle_since >= opts_.idle_timeout) idle_[n++]->close();
    if (n > 0) idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(n));
  }

  asio::io_context& io_;
  strand_type strand_;
  asio_transport_options opts_;

  std::mutex mutex_;
  std::condition_variable drained_;
  operation* head_ = nullptr;
  bool closing_ = false;
  int invoking_ = 0;
  int sinking_ = 0;  // body sink calls in progress (run_unless_done)

  std::vector<std::shared_ptr<connection>> idle_;
  std::vector<std::string> spare_;
  std::array<char, 16 * 1024> read_buffer_{};

#if MEDIAJOBS_WITH_OPENSSL
  std::once_flag tls_once_;
  std::unique_ptr<asio::ssl::context> tls_;
  error tls_error_;
#endif
};

/// Posts a stop request to the strand (a stop callback may run on any thread).
template <class Op>
struct stop_forwarder {
  Op* op;
  void operator()() const noexcept {
    // weak: the operation may be in its destructor, which waits for this callback to return.
    auto self = op->weak_from_this().lock();
    if (!self) return;
    asio::post(op->st->strand(), [self = std::move(self), o = op] { o->on_stop(); });
  }
};

/// One request/response exchange.
class exchange final : public operation, private http::body_handler {
 public:
  enum class phase : std::uint8_t { starting, resolving, connecting, handshaking, writing, reading };

  exchange(std::shared_ptr<state> s, send_completion d)
      : st(std::move(s)), done_fn(std::move(d)), timer(st->strand()) {}

  std::shared_ptr<state> st;
  send_completion done_fn;
  origin_info origin;
  std::string out;  // the serialized request
  std::string method;
  bool repeatable = false;
  bool request_says_close = false;
  std::chrono::milliseconds timeout{0};
  clock::time_point deadline = clock::time_point::max();
  clock::time_point connect_deadline = clock::time_point::max();
  timer_type timer;
  std::unique_ptr<resolver_type> resolver;
  std::shared_ptr<connection> conn;
  std::shared_ptr<connection> retired;  // a stale pooled connection replaced by a fresh one
  phase at = phase::starting;
  bool reused = false;
  bool repeated = false;
  bool wrote = false;  // a write of the request has begun (on any connection)
  bool streams = false;  // async_send_streaming: a 2xx body goes to `sink`
  body_sink sink;
  std::optional<std::stop_callback<stop_forwarder<exchange>>> stop_cb;

  std::shared_ptr<exchange> shared_this() { return std::static_pointer_cast<exchange>(shared_from_this()); }

  // --- operation ------------------------------------------------------------------------------
  void deliver(error e) override { done_fn(result<http::response>(unexpect, std::move(e))); }
  void close_io() noexcept override {
    timer.cancel();
    if (resolver) resolver->cancel();
    if (conn) conn->close();  // closed, not freed: a composed operation may still refer to it
    stop_cb.reset();
    sink = body_sink{};
  }

  // --- the steps (all on the strand) ------------------------------------------------------------
  void start(http::request& req, std::stop_token stop) {
    if (is_done()) return;  // the transport was destroyed before this ran
    if (stop.stop_requested()) return fail(error{error_kind::cancelled, "stop requested before the request was sent"});
    out = st->take_buffer();
    if (auto ok = http::serialize(req, out); !ok) return fail(std::move(ok.error()));  // validates the URL too
    if (!origin.parse(req.url))
      return fail(error{error_kind::protocol, "the request URL must be absolute (http:// or https://)"});
    if (origin.is_https()) {
#if MEDIAJOBS_WITH_OPENSSL
      if (st->tls_context() == nullptr) return fail(st->tls_error());
#else
      return fail(error{error_kind::transport, "https needs a mediajobs build with MEDIAJOBS_WITH_OPENSSL"});
#endif
    }
    repeatable = safe_to_repeat(req);
    method = std::move(req.method);
    request_says_close = says_close(req.headers);
    timeout = req.timeout;
    const auto now = clock::now();
    if (timeout.count() > 0) deadline = now + timeout;
    // A stop requested from here on posts on_stop() to the strand (even if it is now).
    if (stop.stop_possible()) stop_cb.emplace(std::move(stop), stop_forwarder<exchange>{this});
    arm_timer(deadline);
    acquire();
  }

  void on_stop() { fail(error{error_kind::cancelled, phase_text("stop requested while ")}); }

  void acquire() {
    conn = st->take_idle(origin.is_https(), origin.host, origin.port);
    if (conn) {
      reused = true;
      return write();
    }
    connect_new();
  }

  void connect_new() {
    reused = false;
    conn = std::make_shared<connection>(st->strand(), st->options().limits);
    conn->https = origin.is_https();
    conn->host = origin.host;
    conn->port = origin.port;
    const auto ct = st->options().connect_timeout;
    if (ct.count() > 0) {
      connect_deadline = clock::now() + ct;
      if (connect_deadline < deadline) arm_timer(connect_deadline);
    }
    asio::error_code ec;
    std::string_view address_text = origin.host;
    for (const auto& [name, address] : st->options().resolve_overrides)
      if (http::detail::iequals(name, origin.host)) address_text = address;
    const asio::ip::address literal = asio::ip::make_address(address_text, ec);
    if (!ec) {
      at = phase::connecting;
      conn->socket.async_connect(asio::ip::tcp::endpoint(literal, origin.port),
                                 [self = shared_this()](const asio::error_code& e) { self->on_connect(e); });
      return;
    }
    at = phase::resolving;
    resolver = std::make_unique<resolver_type>(st->strand());
    char port_text[8];
    const auto pr = std::to_chars(port_text, port_text + sizeof port_text, origin.port);
    resolver->async_resolve(origin.host, std::string_view(port_text, static_cast<std::size_t>(pr.ptr - port_text)),
                            [self = shared_this()](const asio::error_code& e, resolver_type::results_type results) {
                              self->on_resolve(e, std::move(results));
                            });
  }

  void on_resolve(const asio::error_code& e, resolver_type::results_type results) {
    if (is_done()) return;
    if (e) return fail(error{error_kind::transport, "cannot resolve " + origin.host + ": " + e.message()});
    at = phase::connecting;
    asio::async_connect(conn->socket, results,
                        [self = shared_this()](const asio::error_code& ec, const asio::ip::tcp::endpoint&) {
                          self->on_connect(ec);
                        });
  }

  void on_connect(const asio::error_code& e) {
    if (is_done()) return;
    if (e) return fail(error{error_kind::transport, "cannot connect to " + origin.authority() + ": " + e.message()});
    st->connections_opened.fetch_add(1, std::memory_order_relaxed);
    asio::error_code ignored;
    conn->socket.set_option(asio::ip::tcp::no_delay(true), ignored);
#if MEDIAJOBS_WITH_OPENSSL
    if (conn->https) return handshake();
#endif
    connected();
  }

#if MEDIAJOBS_WITH_OPENSSL
  void handshake() {
    at = phase::handshaking;
    conn->tls = std::make_unique<tls_stream_type>(conn->socket, *st->tls_context());
    SSL* ssl = conn->tls->native_handle();
    asio::error_code ec;
    const bool ip_literal = (asio::ip::make_address(origin.host, ec), !ec);
    // RFC 6066 §3: SNI carries DNS names only, never IP literals.
    if (!ip_literal && SSL_set_tlsext_host_name(ssl, origin.host.c_str()) != 1)
      return fail(error{error_kind::transport, "TLS: cannot set the SNI host name"});
    if (!st->options().tls.danger_disable_verification_for_local_testing_only) {
      // OpenSSL's own name check (RFC 6125) rather than a verify callback, so that a mismatch is
      // reported as "hostname mismatch" / "IP address mismatch", not as an unspecified error.
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int named = ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, origin.host.c_str())
                                   : X509_VERIFY_PARAM_set1_host(param, origin.host.c_str(), origin.host.size());
      if (named != 1) return fail(error{error_kind::transport, "TLS: cannot set the host name to verify"});
    }
    conn->tls->async_handshake(asio::ssl::stream_base::client,
                               [self = shared_this()](const asio::error_code& e) { self->on_handshake(e); });
  }

  void on_handshake(const asio::error_code& e) {
    if (is_done()) return;
    if (e) {
      std::string why = e.message();
      const long v = SSL_get_verify_result(conn->tls->native_handle());
      if (v != X509_V_OK) {
        why += " (certificate: ";
        why += X509_verify_cert_error_string(v);
        why += ')';
      }
      return fail(error{error_kind::transport, "TLS handshake with " + origin.authority() + " failed: " + why});
    }
    connected();
  }
#endif

  void connected() {
    connect_deadline = clock::time_point::max();
    write();
  }

  void write() {
    at = phase::writing;
    wrote = true;
    conn->parser.reset();
    conn->parser.set_request_method(method);
    if (streams) conn->parser.set_body_handler(static_cast<http::body_handler*>(this));
    auto on_written = [self = shared_this()](const asio::error_code& e, std::size_t) { self->on_write(e); };
#if MEDIAJOBS_WITH_OPENSSL
    if (conn->tls) return asio::async_write(*conn->tls, asio::buffer(out), std::move(on_written));
#endif
    asio::async_write(conn->socket, asio::buffer(out), std::move(on_written));
  }

  void on_write(const asio::error_code& e) {
    if (is_done()) return;
    if (e) return broken(e, "while sending the request");
    read();
  }

  void read() {
    at = phase::reading;
#if MEDIAJOBS_WITH_OPENSSL
    if (conn->tls) {
      if (!conn->tls_buffer) conn->tls_buffer = std::make_unique<char[]>(tls_read_size);
      conn->tls->async_read_some(asio::buffer(conn->tls_buffer.get(), tls_read_size),
                                 [self = shared_this()](const asio::error_code& e, std::size_t n) {
                                   if (self->is_done()) return;
                                   self->on_bytes(e, std::string_view(self->conn->tls_buffer.get(), n));
                                 });
      return;
    }
#endif
    // Plain TCP: wait for readability, then read into the shared buffer, so that a connection
    // waiting for its answer holds no read buffer.
    conn->socket.async_wait(asio::socket_base::wait_read,
                            [self = shared_this()](const asio::error_code& e) { self->on_readable(e); });
  }

  void on_readable(const asio::error_code& e) {
    if (is_done()) return;
    if (e) {
      (void)on_bytes(e, {});
      return;
    }
    if (!conn->socket.non_blocking()) {
      asio::error_code ignored;
      conn->socket.non_blocking(true, ignored);
    }
    for (;;) {
      asio::error_code ec;
      const asio::mutable_buffer buf = st->read_buffer();
      const std::size_t n = conn->socket.read_some(buf, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) return read();
      if (!on_bytes(ec, std::string_view(static_cast<const char*>(buf.data()), n))) return;
    }
  }

  /// Feeds what arrived. Returns true when more should be read at once (plain TCP loop).
  bool on_bytes(const asio::error_code& e, std::string_view data) {
    if (!data.empty()) {
      auto used = conn->parser.feed(data);
      if (!used) {
        fail(std::move(used.error()));
        return false;
      }
      if (conn->parser.done()) {
        finish_response(*used == data.size());
        return false;
      }
    }
    if (!e) {
      if (data.empty()) {
        read();
        return false;
      }
#if MEDIAJOBS_WITH_OPENSSL
      if (conn->tls) {
        read();
        return false;
      }
#endif
      return true;
    }
    const bool closed = e == asio::error::eof
#if MEDIAJOBS_WITH_OPENSSL
                        || e == asio::ssl::error::stream_truncated
#endif
        ;
    if (closed && conn->parser.started()) {
      // The server closed: that ends a close-delimited body; anything else is cut short.
      if (auto r = conn->parser.eof(); !r) {
        fail(error{error_kind::transport, "the server closed the connection mid-response: " +
                                              std::string(r.error().detail())});
        return false;
      }
      if (conn->parser.done()) finish_response(false);
      return false;
    }
    broken(e, "before the response began");
    return false;
  }

  /// The connection failed before any byte of the response: repeat once on a fresh
  /// connection when it was a pooled one and the request is safe to repeat.
  void broken(const asio::error_code& e, const char* when) {
    if (reused && !repeated && repeatable && !conn->parser.started()) {
      repeated = true;
      conn->close();
      retired = std::move(conn);  // its last handler may still be unwinding
      return connect_new();
    }
    fail(error{error_kind::transport, "connection to " + origin.authority() + " lost " + when + ": " + e.message()});
  }

  void finish_response(bool nothing_left_over) {
    http::response res = conn->parser.take();
    const bool reusable = nothing_left_over && res.keep_alive && !request_says_close &&
                          st->options().max_idle_per_origin > 0;
    auto keep = st->claim(*this);
    if (!keep) return;
    cleanup();
    if (reusable)
      st->put_idle(std::move(conn));
    else
      release_connection();
    st->give_buffer(std::move(out));  // no write is pending once the response is complete
    st->invoke([&] { done_fn(std::move(res)); });
  }

  void fail(error e) {
    auto keep = st->claim(*this);
    if (!keep) return;
    if (!wrote) e.mark_not_sent();  // nothing reached the network: even a POST may be repeated
    cleanup();
    release_connection();
    st->invoke([&] { deliver(std::move(e)); });
  }

  void on_timer(const asio::error_code& e) {
    if (e || is_done()) return;
    const auto now = clock::now();
    if (now >= connect_deadline) {
      return fail(error{error_kind::timeout, "no connection within " + std::to_string(st->options().connect_timeout.count()) +
                                                 " ms (connect timeout, " + phase_text("while ") + ")"});
    }
    if (now >= deadline)
      return fail(error{error_kind::timeout, "no complete response within " + std::to_string(timeout.count()) + " ms (" +
                                                 phase_text("while ") + ")"});
    arm_timer(std::min(deadline, connect_deadline));  // the connect deadline moved: wait on
  }

 private:
  static constexpr std::size_t tls_read_size = 16 * 1024;

  // --- http::body_handler (called inside parser.feed, on the strand) -----------------------------
  result<bool> on_head(int status, const http::headers& headers) override {
    if (status < 200 || status >= 300) return false;  // kept in the response for the error
    result<void> r;
    if (!st->run_unless_done(*this, [&] { r = sink.head(status, headers); }))
      return mediajobs::fail(error_kind::cancelled, "the exchange ended");
    if (!r) return unexpected(std::move(r.error()));
    return true;
  }
  result<void> on_body(std::string_view piece) override {
    result<void> r;
    if (!st->run_unless_done(*this, [&] { r = sink(piece); })) return mediajobs::fail(error_kind::cancelled, "the exchange ended");
    return r;
  }

  [[nodiscard]] bool is_done() { return st->is_done(*this); }

  void arm_timer(clock::time_point when) {
    if (when == clock::time_point::max()) return;
    timer.expires_at(when);
    timer.async_wait([self = shared_this()](const asio::error_code& e) { self->on_timer(e); });
  }

  void cleanup() noexcept {
    timer.cancel();
    if (resolver) resolver->cancel();
    stop_cb.reset();
    sink = body_sink{};  // what the sink owns goes before the completion runs
  }

  /// Closes the connection. It is freed with the exchange, after the handlers of the operations
  /// it had in flight (which refer to its socket) have run.
  void release_connection() noexcept {
    if (conn) conn->close();
  }

  [[nodiscard]] std::string phase_text(std::string_view prefix) const {
    std::string s(prefix);
    switch (at) {
      case phase::starting: s += "starting"; break;
      case phase::resolving: s += "resolving"; break;
      case phase::connecting: s += "connecting"; break;
      case phase::handshaking: s += "in the TLS handshake"; break;
      case phase::writing: s += "sending the request"; break;
      case phase::reading: s += "waiting for the response"; break;
    }
    return s;
  }
};

/// One async_wait.
class waiter final : public operation {
 public:
  waiter(std::shared_ptr<state> s, wait_completion d) : st(std::move(s)), done_fn(std::move(d)), timer(st->strand()) {}

  std::shared_ptr<state> st;
  wait_completion done_fn;
  timer_type timer;
  std::optional<std::stop_callback<stop_forwarder<waiter>>> stop_cb;

  std::shared_ptr<waiter> shared_this() { return std::static_pointer_cast<waiter>(shared_from_this()); }

  void deliver(error e) override { done_fn(result<void>(unexpect, std::move(e))); }
  void close_io() noexcept override {
    timer.cancel();
    stop_cb.reset();
  }

  void start(std::chrono::milliseconds d, std::stop_token stop) {
    if (st->is_done(*this)) return;  // the transport was destroyed before this ran
    if (stop.stop_requested()) return complete(error{error_kind::cancelled, "stop requested before the wait began"});
    if (stop.stop_possible()) stop_cb.emplace(std::move(stop), stop_forwarder<waiter>{this});
    timer.expires_after(d);
    timer.async_wait([self = shared_this()](const asio::error_code& e) {
      if (!e) self->complete(std::nullopt);
    });
  }

  void on_stop() { complete(error{error_kind::cancelled, "stop requested during the wait"}); }

  void complete(std::optional<error> e) {
    auto keep = st->claim(*this);
    if (!keep) return;
    close_io();
    st->invoke([&] {
      if (e)
        deliver(std::move(*e));
      else
        done_fn(result<void>());
    });
  }
};

}  // namespace detail::asio_impl

class asio_transport {
 public:
  using options = asio_transport_options;

  /// Runs on `io` (which you run, poll or run_one); `io` must outlive the transport.
  explicit asio_transport(asio::io_context& io, options opts = {})
      : state_(std::make_shared<detail::asio_impl::state>(io, std::move(opts))) {}

  /// Owns an io_context and runs it on one thread of its own.
  explicit asio_transport(options opts = {})
      : owned_(std::make_unique<asio::io_context>(1)),
        work_(std::make_unique<work_guard>(owned_->get_executor())),
        state_(std::make_shared<detail::asio_impl::state>(*owned_, std::move(opts))) {
    thread_ = std::thread([io = owned_.get()] { io->run(); });
  }

  asio_transport(const asio_transport&) = delete;
  asio_transport& operator=(const asio_transport&) = delete;

  /// Completes everything in flight with `cancelled` (see the file comment).
  ~asio_transport() {
    state_->shut_down();
    if (owned_) {
      work_.reset();
      if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id()) {
          // Destroyed from one of its own completions: the io_context is running below us on
          // this very thread. Let that thread finish on its own and leak the io_context rather
          // than destroy it under the running handler.
          thread_.detach();
          (void)owned_.release();
        } else {
          thread_.join();
        }
      }
    }
    state_.reset();
  }

  /// Sends `req` and calls `done` once with the response or an error (transport concept).
  void async_send(http::request req, std::stop_token stop, send_completion done) {
    auto ex = std::make_shared<detail::asio_impl::exchange>(state_, std::move(done));
    send(std::move(ex), std::move(req), std::move(stop));
  }

  /// Like async_send, with a 2xx body handed to `sink` as it arrives (streaming_transport; see
  /// the file comment).
  void async_send_streaming(http::request req, std::stop_token stop, body_sink sink, send_completion done) {
    auto ex = std::make_shared<detail::asio_impl::exchange>(state_, std::move(done));
    ex->streams = true;
    ex->sink = std::move(sink);
    send(std::move(ex), std::move(req), std::move(stop));
  }

  /// Calls `done` with success after `d`, or with `cancelled` on a stop request (timer concept).
  void async_wait(std::chrono::milliseconds d, std::stop_token stop, wait_completion done) {
    auto w = std::make_shared<detail::asio_impl::waiter>(state_, std::move(done));
    if (!state_->enlist(w)) return w->deliver(error{error_kind::cancelled, "the transport is shutting down"});
    asio::dispatch(state_->strand(), [w = std::move(w), d, stop = std::move(stop)]() mutable { w->start(d, std::move(stop)); });
  }

  /// The io_context the transport runs on (yours, or the one it owns).
  [[nodiscard]] asio::io_context& context() const noexcept { return state_->context(); }

  /// TCP connections opened so far (a keep-alive pool opens few): for tests and monitoring.
  [[nodiscard]] std::size_t connections_opened() const noexcept {
    return state_->connections_opened.load(std::memory_order_relaxed);
  }

 private:
  void send(std::shared_ptr<detail::asio_impl::exchange> ex, http::request req, std::stop_token stop) {
    if (!state_->enlist(ex))
      return ex->deliver(error{error_kind::cancelled, "the transport is shutting down"});
    asio::dispatch(state_->strand(), [ex = std::move(ex), req = std::move(req), stop = std::move(stop)]() mutable {
      ex->start(req, std::move(stop));
    });
  }

  using work_guard = asio::executor_work_guard<asio::io_context::executor_type>;

  std::unique_ptr<asio::io_context> owned_;
  std::unique_ptr<work_guard> work_;
  std::thread thread_;
  std::shared_ptr<detail::asio_impl::state> state_;
};

static_assert(streaming_transport<asio_transport>);

}  // namespace mediajobs
