// mediajobs::sandbox::server — the local HTTP/1.1 server that mounts the simulated services
// (sandbox/ugen.hpp, style.hpp, techforge.hpp, or your own sandbox::service) under /ugen, /style
// and /tfi, drives their clocks, POSTs their webhooks, and injects faults on demand.
//
//   asio::io_context io;
//   mediajobs::sandbox::server sandbox{io, {.manual_clock = true}};   // 127.0.0.1, a free port
//   if (!sandbox) log(sandbox.error().message());
//   client_options.base_url = sandbox.url("ugen");                    // http://127.0.0.1:PORT/ugen
//   sandbox.advance(std::chrono::seconds(5));                         // manual clock: jobs move on
//
// HTTP: our own http::request_parser (limits from max_request_bytes) and http::serialize.
// Keep-alive; pipelined requests answered in order; chunked request bodies; `Connection: close`
// and HTTP/1.0 honoured. A malformed request is answered 400, a request over the size limits 413,
// both then close (after a short lingering read so the client can read the answer). Unknown
// paths answer a JSON 404. Connections beyond max_connections get a 503 and are closed. A
// connection idle (or stuck writing) for idle_timeout real time is closed.
//
// Routing: "/<name>/rest" goes to the service named <name> with path "/rest" ("/" for "/<name>");
// with root_service set, any other path goes to that service unchanged. "/_sandbox/..." are the
// control endpoints: no auth, no faults, not counted in "requests":
//   GET  /_sandbox/health -> {"status":"ok"}
//   GET  /_sandbox/stats  -> stats() (see below)
//   GET  /_sandbox/faults -> fault_options as JSON;  PUT /_sandbox/faults {..} -> sets the keys
//        given (the others keep their value) and answers the new options; 400 on a bad body
//   GET  /_sandbox/clock  -> {"now_ms": N, "manual": bool}
//   POST /_sandbox/clock {"advance_ms": N} -> advance(N) and {"now_ms": N}; 409 without manual_clock
//
// Faults (fault_options): counted over the non-control requests of the whole server; request
// number n (from 1) gets 429 (Retry-After) when n % rate_limit_every == 0, else 503 when
// n % unavailable_every == 0 — both before the service sees it. Its response is then dropped
// (half written, connection closed) when n % drop_every == 0, else truncated (head whole, half
// the body, connection closed) when n % truncate_every == 0, else its body is replaced by
// invalid JSON (same status, connection kept) when n % garbage_every == 0. latency_ms delays
// every non-control response by that much real time.
//
// Clock: sandbox time = real time since start * speed, plus everything advance() added; with
// manual_clock only advance() moves it. In real mode a 20 ms timer advances the services and
// sends due webhooks; advance() does the same at once. Webhooks go to loopback hosts only
// (127.0.0.0/8, ::1, localhost, over http; others are counted as failed, logged, never sent), through an
// asio_transport on the same io_context: 4 attempts, retried on a transport error or a non-2xx
// after 0.5 s, 1 s, 2 s of sandbox time.
//
// stats(): {"ugen": <service stats>, "style": .., "tfi": .. (one key per service name),
//   "requests": N, "now_ms": N, "faults_injected": {"rate_limited","unavailable","dropped",
//   "truncated","garbage"}, "webhooks": {"delivered","failed","attempts","pending","in_flight"},
//   "connections": {"open","total","rejected"}}.
//
// Lifetime: everything runs on one strand of the io_context given; no threads of its own.
// stop() (also run by the destructor) closes the listener and every connection and drops the
// webhooks in flight; handlers still queued in the io_context hold the shared state and finish
// harmlessly, so the server may be destroyed while the io_context still has its handlers (the
// io_context must outlive the server, as with any Asio object).
//
// Thread-safety: call members from the thread running the io_context (inside a handler) or while
// it is not running. The io_context may be run by several threads (the server's own handlers are
// serialized by its strand), but then members may only be called from within its handlers.
#pragma once

#include <mediajobs/asio/config.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/http/parser.hpp>
#include <mediajobs/http/serializer.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/json/value.hpp>
#include <mediajobs/sandbox/service.hpp>
#include <mediajobs/sandbox/style.hpp>
#include <mediajobs/sandbox/techforge.hpp>
#include <mediajobs/sandbox/ugen.hpp>

#include <asio/buffer.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/socket_base.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace mediajobs::sandbox {

/// Fault injection; 0 / false = off. Read and written as JSON by /_sandbox/faults (same names).
struct fault_options {
  std::uint32_t rate_limit_every = 0;     ///< every Nth request -> 429 with Retry-After (before the service)
  std::uint32_t retry_after_seconds = 1;  ///< the Retry-After value sent
  std::uint32_t unavailable_every = 0;    ///< every Nth request -> 503 (before the service)
  std::uint32_t drop_every = 0;           ///< every Nth response: half of it written, then the connection closed
  std::uint32_t truncate_every = 0;       ///< every Nth response: body cut short and connection closed
  std::uint32_t garbage_every = 0;        ///< every Nth response: body replaced by invalid JSON, same status
  std::uint32_t latency_ms = 0;           ///< added (real time) before each response
  bool unknown_fields = false;            ///< services add unknown fields + unknown enum values to job objects
  bool tfi_202_shape = false;             ///< TFI create answers 202 {"jobId":..,"status":..}

  /// A JSON object that omits keys keeps the current values (PUT /_sandbox/faults).
  static constexpr bool json_defaults = true;
};

struct server_options {
  std::string host = "127.0.0.1";        ///< an IP literal (or "localhost")
  std::uint16_t port = 0;                ///< 0: pick a free port; server::port() tells
  std::string api_key = "sandbox-key";   ///< empty: auth off. Services answer 401 when missing/wrong
  double speed = 1.0;                    ///< sandbox time = real time * speed (> 0)
  bool manual_clock = false;             ///< time moves only through server::advance()
  std::string root_service{};            ///< "", "ugen", "style" or "tfi": also mounted at "/"
  fault_options faults{};
  std::size_t max_connections = 256, max_jobs = 10000, max_request_bytes = 8 << 20;
  /// When set: one line per request ("GET /ugen/api/v1/jobs -> 200": the path without its query),
  /// per webhook attempt and per refused connection; never a header or the API key.
  std::function<void(std::string_view)> log{};
  /// A connection idle this long (real time), or a write stuck this long, is closed.
  std::chrono::milliseconds idle_timeout{30000};
};

namespace detail::sandbox_impl {

using tcp = asio::ip::tcp;
using executor = asio::strand<asio::io_context::executor_type>;
using socket_type = asio::basic_stream_socket<tcp, executor>;
using acceptor_type = asio::basic_socket_acceptor<tcp, executor>;
using steady = std::chrono::steady_clock;
using timer_type = asio::basic_waitable_timer<steady, asio::wait_traits<steady>, executor>;

inline constexpr std::chrono::milliseconds tick_interval{20};
inline constexpr std::chrono::milliseconds linger_time{2000};
inline constexpr int webhook_attempts = 4;

/// One answer with what the connection must still do to it.
struct reply {
  http::response response{};
  bool control = false;   ///< control endpoint: no latency
  bool drop = false;      ///< write half of the bytes, then close
  bool truncate = false;  ///< write the head and half the body, then close
  bool close = false;     ///< close (gracefully) after writing
};

struct webhook_entry {
  std::uint64_t id = 0;
  http::request request{};
  int attempts = 0;
  duration due{};
  bool in_flight = false;
};

[[nodiscard]] inline http::response error_response(int status, std::string_view message) {
  json::value v = json::value::object_t{};
  v["error"] = message;
  return json_response(status, v);
}

[[nodiscard]] inline bool is_loopback_host(std::string_view host) noexcept {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.starts_with("127.");
}

class connection;

class state : public std::enable_shared_from_this<state> {
 public:
  state(asio::io_context& io, server_options opts, std::vector<std::unique_ptr<service>> services)
      : strand_(asio::make_strand(io)),
        opts_(std::move(opts)),
        services_(std::move(services)),
        acceptor_(strand_),
        tick_(strand_),
        accept_retry_(strand_),
        start_(steady::now()),
        wall_start_(std::chrono::system_clock::now()),
        faults_(opts_.faults),
        transport_(std::make_unique<asio_transport>(io)) {}

  state(const state&) = delete;
  state& operator=(const state&) = delete;

  /// Binds and listens; on failure error() says why and nothing runs.
  void start();

  [[nodiscard]] bool listening() const noexcept { return listening_; }
  [[nodiscard]] const mediajobs::error& error() const noexcept { return error_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }
  [[nodiscard]] const server_options& options() const noexcept { return opts_; }
  [[nodiscard]] executor strand() const noexcept { return strand_; }

  [[nodiscard]] std::string base_url() const {
    std::string out = "http://";
    const bool v6 = opts_.host.find(':') != std::string::npos;
    if (v6) out += '[';
    out += opts_.host;
    if (v6) out += ']';
    out += ':';
    out += std::to_string(port_);
    return out;
  }

  [[nodiscard]] duration now() const noexcept {
    if (opts_.manual_clock) return offset_;
    const std::chrono::duration<double, std::milli> real = steady::now() - start_;
    return std::chrono::duration_cast<duration>(real * opts_.speed) + offset_;
  }

  [[nodiscard]] time_info time() const noexcept {
    const duration n = now();
    return {n, wall_start_ + n};
  }

  void advance(duration d) {
    if (d > duration::zero()) offset_ += d;
    pump();
  }

  [[nodiscard]] const fault_options& faults() const noexcept { return faults_; }
  void set_faults(const fault_options& f) { faults_ = f; }

  [[nodiscard]] json::value stats() const {
    json::value s = json::value::object_t{};
    for (const auto& svc : services_) s[svc->name()] = svc->stats();
    s["requests"] = requests_;
    s["now_ms"] = static_cast<std::int64_t>(now().count());
    json::value& f = s["faults_injected"];
    f["rate_limited"] = rate_limited_;
    f["unavailable"] = unavailable_;
    f["dropped"] = dropped_;
    f["truncated"] = truncated_;
    f["garbage"] = garbage_;
    json::value& w = s["webhooks"];
    w["delivered"] = hooks_delivered_;
    w["failed"] = hooks_failed_;
    w["attempts"] = hooks_attempts_;
    w["pending"] = hooks_.size();
    w["in_flight"] = static_cast<std::uint64_t>(
        std::count_if(hooks_.begin(), hooks_.end(), [](const webhook_entry& e) { return e.in_flight; }));
    json::value& c = s["connections"];
    c["open"] = connections_.size();
    c["total"] = connections_total_;
    c["rejected"] = connections_rejected_;
    return s;
  }

  /// Answers one parsed request (routing, faults, control endpoints).
  [[nodiscard]] reply dispatch(const http::request& req);

  void forget(std::uint64_t id) { connections_.erase(id); }

  void stop();

  /// Advances every service to now and sends the webhooks that are due.
  void pump() {
    if (stopped_) return;
    const time_info t = time();
    std::vector<http::request> out;
    for (auto& svc : services_) svc->advance(t, out);
    for (auto& req : out) enqueue_webhook(std::move(req));
    send_due_webhooks(t.now);
  }

  void log(std::string_view line) const {
    if (opts_.log) opts_.log(line);
  }

 private:
  void accept();
  void on_accept(std::shared_ptr<socket_type> sock, const std::error_code& ec);
  void reject(std::shared_ptr<socket_type> sock);

  void schedule_tick() {
    tick_.expires_after(tick_interval);
    tick_.async_wait([self = shared_from_this()](const std::error_code& ec) {
      if (ec || self->stopped_) return;
      self->pump();
      self->schedule_tick();
    });
  }

  reply control(const http::request& req, std::string_view path);

  void enqueue_webhook(http::request req) {
    auto u = http::url::parse(req.url);
    if (!u || u->scheme != "http" || !is_loopback_host(u->host)) {
      ++hooks_failed_;
      log("webhook " + req.method + " " + req.url + " -> refused: the sandbox only sends webhooks to http on loopback");
      return;
    }
    if (req.timeout <= std::chrono::milliseconds::zero()) req.timeout = std::chrono::milliseconds{10000};
    webhook_entry e;
    e.id = ++hook_ids_;
    e.request = std::move(req);
    e.due = duration::zero();
    hooks_.push_back(std::move(e));
  }

  void send_due_webhooks(duration now_t) {
    for (auto& h : hooks_) {
      if (h.in_flight || h.due > now_t) continue;
      h.in_flight = true;
      ++h.attempts;
      ++hooks_attempts_;
      http::request copy = h.request;
      std::weak_ptr<state> weak = weak_from_this();
      transport_->async_send(std::move(copy), {}, [weak, id = h.id](result<http::response> r) {
        // Called on the transport's strand, inline, or from its destructor: come back to ours.
        if (auto self = weak.lock()) {
          asio::post(self->strand_, [self, id, r = std::move(r)]() mutable { self->webhook_done(id, std::move(r)); });
        }
      });
    }
  }

  void webhook_done(std::uint64_t id, result<http::response> r) {
    if (stopped_) return;
    auto it = std::find_if(hooks_.begin(), hooks_.end(), [id](const webhook_entry& e) { return e.id == id; });
    if (it == hooks_.end()) return;
    const bool ok = r && r->status >= 200 && r->status < 300;
    std::string line = "webhook " + it->request.method + " " + it->request.url + " -> ";
    line += r ? std::to_string(r->status) : r.error().message();
    line += " (attempt " + std::to_string(it->attempts) + ")";
    log(line);
    if (ok) {
      ++hooks_delivered_;
      hooks_.erase(it);
      return;
    }
    if (it->attempts >= webhook_attempts) {
      ++hooks_failed_;
      hooks_.erase(it);
      return;
    }
    // Backoff in sandbox time: 0.5 s, 1 s, 2 s after attempts 1, 2, 3.
    it->due = now() + duration{500} * (1 << (it->attempts - 1));
    it->in_flight = false;
  }

  executor strand_;
  server_options opts_;
  std::vector<std::unique_ptr<service>> services_;
  acceptor_type acceptor_;
  timer_type tick_;
  timer_type accept_retry_;
  steady::time_point start_;
  std::chrono::system_clock::time_point wall_start_;
  duration offset_{};
  fault_options faults_{};
  mediajobs::error error_{};
  std::uint16_t port_ = 0;
  bool listening_ = false;
  bool stopped_ = false;

  std::map<std::uint64_t, std::weak_ptr<connection>> connections_{};
  std::uint64_t connection_ids_ = 0;
  std::uint64_t connections_total_ = 0;
  std::uint64_t connections_rejected_ = 0;

  std::uint64_t requests_ = 0;
  std::uint64_t rate_limited_ = 0, unavailable_ = 0, dropped_ = 0, truncated_ = 0, garbage_ = 0;

  std::unique_ptr<asio_transport> transport_;
  std::vector<webhook_entry> hooks_{};
  std::uint64_t hook_ids_ = 0;
  std::uint64_t hooks_delivered_ = 0, hooks_failed_ = 0, hooks_attempts_ = 0;
};

/// One accepted connection: read, parse, answer in order, write; repeat while kept alive.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(std::shared_ptr<state> srv, std::shared_ptr<socket_type> sock, std::uint64_t id)
      : srv_(std::move(srv)),
        sock_(std::move(sock)),
        timer_(srv_->strand()),
        parser_(limits_for(srv_->options().max_request_bytes)),
        id_(id) {}

  void start() { process(); }

  /// Closes at once (stop(), faults, errors). Idempotent.
  void close() {
    if (closed_) return;
    closed_ = true;
    ++timer_gen_;
    timer_.cancel();
    std::error_code ec;
    sock_->shutdown(tcp::socket::shutdown_both, ec);
    sock_->close(ec);
    srv_->forget(id_);
  }

 private:
  static http::parser_limits limits_for(std::size_t max_request_bytes) {
    http::parser_limits l;
    l.max_body_bytes = max_request_bytes;
    l.max_header_bytes = std::min<std::size_t>(64 * 1024, max_request_bytes == 0 ? 1 : max_request_bytes);
    return l;
  }

  /// Runs `f` after `d` unless the timer is re-armed or cancelled first (generation check: a
  /// cancel cannot recall a handler that already expired and is queued).
  template <class F>
  void arm(std::chrono::milliseconds d, F f) {
    const std::uint64_t gen = ++timer_gen_;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this(), gen, f = std::move(f)](const std::error_code& ec) mutable {
      if (ec || self->closed_ || gen != self->timer_gen_) return;
      f(*self);
    });
  }
  void disarm() {
    ++timer_gen_;
    timer_.cancel();
  }

  /// Feeds buffered bytes; answers a complete request or reads more.
  void process() {
    while (!closed_) {
      if (begin_ == end_) return read();
      auto n = parser_.feed(std::string_view{buf_.data() + begin_, end_ - begin_});
      if (!n) return answer_bad_request(n.error());
      begin_ += *n;
      if (parser_.done()) {
        http::request req = parser_.take();
        return answer(req);
      }
    }
  }

  void read() {
    begin_ = end_ = 0;
    arm(srv_->options().idle_timeout, [](connection& c) { c.close(); });
    sock_->async_read_some(asio::buffer(buf_), [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
      if (self->closed_) return;
      self->disarm();
      if (ec) {
        // The peer closed (or the socket broke): an unfinished request gets no answer.
        self->close();
        return;
      }
      self->end_ = n;
      self->process();
    });
  }

  void answer_bad_request(const mediajobs::error& e) {
    const int status = e.kind() == error_kind::limit_exceeded ? 413 : 400;
    reply r;
    r.response = error_response(status, status == 413 ? "request too large: " + std::string{e.detail()}
                                                      : "malformed request: " + std::string{e.detail()});
    r.control = true;
    r.close = true;
    srv_->log(std::string{"? ? -> "} + std::to_string(status));
    send(std::move(r), {});
  }

  void answer(const http::request& req) {
    reply r = srv_->dispatch(req);
    if (!req.keep_alive || !r.response.keep_alive) r.close = true;
    send(std::move(r), req.method);
  }

  void send(reply r, std::string_view method) {
    if (r.close) r.response.keep_alive = false;
    out_.clear();
    if (auto ok = http::serialize(r.response, out_, method); !ok) {
      out_.clear();
      http::response fallback = error_response(500, "sandbox could not serialize its response: " + ok.error().message());
      fallback.keep_alive = !r.close;
      (void)http::serialize(fallback, out_, method);
    } else if (r.drop) {
      out_.resize(std::max<std::size_t>(1, out_.size() / 2));
    } else if (r.truncate) {
      const std::size_t body = method == "HEAD" ? 0 : r.response.body.size();
      out_.resize(out_.size() - body + body / 2);
    }
    mode_ = r.drop || r.truncate ? after::abort : r.close ? after::linger : after::next;
    const std::uint32_t latency = r.control ? 0 : srv_->faults().latency_ms;
    if (latency > 0)
      arm(std::chrono::milliseconds{latency}, [](connection& c) { c.write(); });
    else
      write();
  }

  void write() {
    arm(srv_->options().idle_timeout, [](connection& c) { c.close(); });
    asio::async_write(*sock_, asio::buffer(out_), [self = shared_from_this()](const std::error_code& ec, std::size_t) {
      if (self->closed_) return;
      self->disarm();
      if (ec) return self->close();
      switch (self->mode_) {
        case after::abort: return self->close();
        case after::linger: return self->linger();
        case after::next: return self->process();
      }
    });
  }

  /// After a final answer: stop sending, then read and discard until the peer closes (or a
  /// short while), so that closing does not reset the connection before the answer is read.
  void linger() {
    std::error_code ec;
    sock_->shutdown(tcp::socket::shutdown_send, ec);
    arm(linger_time, [](connection& c) { c.close(); });
    drain();
  }
  void drain() {
    sock_->async_read_some(asio::buffer(buf_), [self = shared_from_this()](const std::error_code& ec, std::size_t) {
      if (self->closed_) return;
      if (ec) return self->close();
      self->drain();
    });
  }

  enum class after : std::uint8_t { next, linger, abort };

  std::shared_ptr<state> srv_;
  std::shared_ptr<socket_type> sock_;
  timer_type timer_;
  std::uint64_t timer_gen_ = 0;
  http::request_parser parser_;
  std::array<char, 16 * 1024> buf_{};
  std::size_t begin_ = 0, end_ = 0;
  std::string out_{};
  after mode_ = after::next;
  bool closed_ = false;
  std::uint64_t id_ = 0;
};

inline void state::start() {
  std::error_code ec;
  const std::string host = opts_.host == "localhost" ? std::string{"127.0.0.1"} : opts_.host;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) {
    error_ = mediajobs::error{error_kind::validation, "sandbox: host must be an IP address: " + opts_.host};
    return;
  }
  if (!(opts_.speed > 0.0) || !std::isfinite(opts_.speed)) {
    error_ = mediajobs::error{error_kind::validation, "sandbox: speed must be a positive number"};
    return;
  }
  const tcp::endpoint ep{address, opts_.port};
  const auto failed = [&](std::string_view what) {
    error_ = mediajobs::error{error_kind::transport, "sandbox: " + std::string{what} + " " + ep.address().to_string() +
                                                         ":" + std::to_string(ep.port()) + ": " + ec.message()};
    std::error_code ignored;
    acceptor_.close(ignored);
  };
  if (acceptor_.open(ep.protocol(), ec)) return failed("cannot open a socket for");
  if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec)) return failed("cannot set SO_REUSEADDR for");
  if (acceptor_.bind(ep, ec)) return failed("cannot bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return failed("cannot listen on");
  const auto local = acceptor_.local_endpoint(ec);
  if (ec) return failed("cannot read the port of");
  port_ = local.port();
  listening_ = true;
  accept();
  if (!opts_.manual_clock) schedule_tick();
}

inline void state::accept() {
  auto sock = std::make_shared<socket_type>(strand_);
  acceptor_.async_accept(*sock, [self = shared_from_this(), sock](const std::error_code& ec) {
    self->on_accept(sock, ec);
  });
}

inline void state::on_accept(std::shared_ptr<socket_type> sock, const std::error_code& ec) {
  if (stopped_) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of descriptors, say: try again shortly rather than spin.
    accept_retry_.expires_after(std::chrono::milliseconds{50});
    accept_retry_.async_wait([self = shared_from_this()](const std::error_code& e) {
      if (!e && !self->stopped_) self->accept();
    });
    return;
  }
  std::error_code ignored;
  sock->set_option(tcp::no_delay(true), ignored);
  if (connections_.size() >= opts_.max_connections) {
    reject(std::move(sock));
  } else {
    ++connections_total_;
    const std::uint64_t id = ++connection_ids_;
    auto c = std::make_shared<connection>(shared_from_this(), std::move(sock), id);
    connections_.emplace(id, c);
    c->start();
  }
  accept();
}

inline void state::reject(std::shared_ptr<socket_type> sock) {
  ++connections_rejected_;
  http::response r = error_response(503, "too many connections to the sandbox");
  r.keep_alive = false;
  auto bytes = std::make_shared<std::string>();
  (void)http::serialize(r, *bytes);
  log("connection refused -> 503 (max_connections)");
  asio::async_write(*sock, asio::buffer(*bytes), [sock, bytes](const std::error_code&, std::size_t) {
    std::error_code ignored;
    sock->shutdown(tcp::socket::shutdown_both, ignored);
    sock->close(ignored);
  });
}

inline void state::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::error_code ignored;
  acceptor_.close(ignored);
  tick_.cancel();
  accept_retry_.cancel();
  auto conns = std::move(connections_);
  connections_.clear();
  for (auto& [id, weak] : conns)
    if (auto c = weak.lock()) c->close();
  hooks_.clear();
  // Completes the webhooks in flight with `cancelled` (ignored: stopped_) and closes its sockets.
  transport_.reset();
}

inline reply state::control(const http::request& req, std::string_view path) {
  reply r;
  r.control = true;
  const std::string_view m = req.method;
  const bool get = m == "GET" || m == "HEAD";
  const auto not_allowed = [&](std::string allow) {
    reply x;
    x.control = true;
    x.response = error_response(405, "method not allowed");
    x.response.headers.add("Allow", std::move(allow));
    return x;
  };
  if (path == "/_sandbox/health") {
    if (!get) return not_allowed("GET, HEAD");
    r.response = json_response(200, std::string{R"({"status":"ok"})"});
  } else if (path == "/_sandbox/stats") {
    if (!get) return not_allowed("GET, HEAD");
    r.response = json_response(200, stats());
  } else if (path == "/_sandbox/faults") {
    if (m == "PUT") {
      fault_options f = faults_;
      if (auto ok = json::read(req.body, f); !ok) {
        r.response = error_response(400, "bad fault options: " + ok.error().message());
        return r;
      }
      faults_ = f;
    } else if (!get) {
      return not_allowed("GET, HEAD, PUT");
    }
    r.response = json_response(200, faults_);
  } else if (path == "/_sandbox/clock") {
    if (m == "POST") {
      if (!opts_.manual_clock) {
        r.response = error_response(409, "the sandbox runs on real time: start it with manual_clock to advance it");
        return r;
      }
      auto body = json::read<json::value>(req.body);
      const json::value* ms = body ? body->find("advance_ms") : nullptr;
      if (ms == nullptr || !ms->is_integer() || ms->as_int64() < 0) {
        r.response = error_response(400, R"(expected {"advance_ms": N} with N a non-negative integer)");
        return r;
      }
      advance(duration{ms->as_int64()});
    } else if (!get) {
      return not_allowed("GET, HEAD, POST");
    }
    json::value v = json::value::object_t{};
    v["now_ms"] = static_cast<std::int64_t>(now().count());
    v["manual"] = opts_.manual_clock;
    r.response = json_response(200, v);
  } else {
    r.response = error_response(404, "no such sandbox control endpoint");
  }
  return r;
}

inline reply state::dispatch(const http::request& req) {
  std::string_view target = req.url;
  // RFC 9112 §3.2.2: a server accepts the absolute form too; keep the origin form only.
  if (target.starts_with("http://") || target.starts_with("https://")) {
    const std::size_t slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? std::string_view{"/"} : target.substr(slash);
  }
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);

  reply r;
  const auto finish = [&](reply& x) {
    std::string line;
    line.reserve(req.method.size() + path.size() + 16);
    line += req.method;
    line += ' ';
    line += path;
    line += " -> ";
    line += std::to_string(x.response.status);
    if (x.drop) line += " (dropped)";
    if (x.truncate) line += " (truncated)";
    log(line);
  };

  if (path == "/_sandbox" || path.starts_with("/_sandbox/")) {
    r = control(req, path);
    finish(r);
    return r;
  }

  const std::uint64_t n = ++requests_;
  const fault_options f = faults_;
  const auto nth = [n](std::uint32_t every) { return every != 0 && n % every == 0; };
  if (nth(f.rate_limit_every)) {
    ++rate_limited_;
    r.response = error_response(429, "rate limited (sandbox fault injection)");
    r.response.headers.add("Retry-After", std::to_string(f.retry_after_seconds));
  } else if (nth(f.unavailable_every)) {
    ++unavailable_;
    r.response = error_response(503, "service unavailable (sandbox fault injection)");
  } else if (!path.starts_with("/")) {
    r.response = error_response(400, "the request target must be a path");
  } else {
    service* target_service = nullptr;
    std::string_view sub = path;
    std::string prefix;
    for (auto& svc : services_) {
      const std::string_view name = svc->name();
      if (path.size() > name.size() && path.substr(1, name.size()) == name &&
          (path.size() == name.size() + 1 || path[name.size() + 1] == '/')) {
        target_service = svc.get();
        sub = path.substr(name.size() + 1);
        if (sub.empty()) sub = "/";
        prefix = "/" + std::string{name};
        break;
      }
    }
    if (target_service == nullptr && !opts_.root_service.empty()) {
      for (auto& svc : services_)
        if (svc->name() == opts_.root_service) target_service = svc.get();
    }
    if (target_service == nullptr) {
      r.response = error_response(404, "no service at this path (mounted: /ugen, /style, /tfi)");
    } else if (auto parsed = http::parse_query(query); !parsed) {
      r.response = error_response(400, "malformed query: " + parsed.error().message());
    } else {
      pump();
      request_context ctx;
      ctx.request = &req;
      ctx.method = req.method;
      ctx.path = sub;
      ctx.query = std::move(*parsed);
      ctx.time = time();
      ctx.base_url = base_url() + prefix;
      ctx.api_key = opts_.api_key;
      ctx.inject_unknown = f.unknown_fields;
      ctx.tfi_202_shape = f.tfi_202_shape;
      r.response = target_service->handle(ctx);
    }
  }

  if (nth(f.drop_every)) {
    ++dropped_;
    r.drop = true;
  } else if (nth(f.truncate_every)) {
    ++truncated_;
    r.truncate = true;
  } else if (nth(f.garbage_every)) {
    ++garbage_;
    r.response.body = R"({"garbage": <<< this is not JSON >>>)";
    r.response.headers.remove("Content-Length");
  }
  if (r.drop || r.truncate) r.close = true;
  finish(r);
  return r;
}

}  // namespace detail::sandbox_impl

/// The sandbox server. See the file comment.
class server {
 public:
  /// Listens at once on options.host:options.port with the three simulated services.
  explicit server(asio::io_context& io, server_options options = {})
      : server(io, options, default_services(options)) {}

  /// Listens with your own services (each mounted at "/" + name()); for tests of the server and
  /// for users who simulate a service of their own.
  server(asio::io_context& io, server_options options, std::vector<std::unique_ptr<service>> services)
      : state_(std::make_shared<detail::sandbox_impl::state>(io, std::move(options), std::move(services))) {
    state_->start();
  }

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Stops (see stop()).
  ~server() { stop(); }

  /// False if listening failed; error() says why.
  explicit operator bool() const noexcept { return state_->listening(); }
  [[nodiscard]] const mediajobs::error& error() const noexcept { return state_->error(); }

  [[nodiscard]] std::uint16_t port() const noexcept { return state_->port(); }
  /// "http://127.0.0.1:PORT"
  [[nodiscard]] std::string base_url() const { return state_->base_url(); }
  /// base_url() + "/" + service: "/ugen", "/style" or "/tfi".
  [[nodiscard]] std::string url(std::string_view service_name) const {
    return base_url() + "/" + std::string{service_name};
  }

  /// Moves sandbox time forward by `d` (also in real mode, where it adds to the real time),
  /// advances every service and starts sending the webhooks that are due. The sending itself
  /// runs on the io_context: run or poll it to let it happen.
  void advance(duration d) { state_->advance(d); }
  [[nodiscard]] duration now() const noexcept { return state_->now(); }

  void set_faults(const fault_options& f) { state_->set_faults(f); }
  [[nodiscard]] fault_options faults() const { return state_->faults(); }

  /// The document of GET /_sandbox/stats.
  [[nodiscard]] json::value stats() const { return state_->stats(); }

  /// Closes the listener and every connection, drops the webhooks not yet delivered. Idempotent.
  void stop() { state_->stop(); }

 private:
  static std::vector<std::unique_ptr<service>> default_services(const server_options& o) {
    const service_limits limits{.max_jobs = o.max_jobs};
    std::vector<std::unique_ptr<service>> v;
    v.push_back(std::make_unique<ugen_service>(limits));
    v.push_back(std::make_unique<style_service>(limits));
    v.push_back(std::make_unique<techforge_service>(limits));
    return v;
  }

  std::shared_ptr<detail::sandbox_impl::state> state_;
};

}  // namespace mediajobs::sandbox
