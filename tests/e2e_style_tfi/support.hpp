// Shared by the e2e_style_tfi tests: a sandbox::server and an asio_transport on one io_context
// (real sockets on 127.0.0.1), a bounded "run this task" helper, a timer that moves the sandbox's
// manual clock (so polling is deterministic), a tiny webhook listener built on
// http::request_parser, and readers for the stats document.
//
// Every wait is bounded: run() stops a task that has not finished by its limit and then fails
// the test; nothing sleeps.
#pragma once

#include <mediajobs/asio/config.hpp>
#include <mediajobs/api/api.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/http/parser.hpp>
#include <mediajobs/http/serializer.hpp>
#include <mediajobs/sandbox/sandbox.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e2e {

using namespace std::chrono_literals;
namespace sb = mediajobs::sandbox;
namespace http = mediajobs::http;
namespace json = mediajobs::json;
namespace api = mediajobs::api;
using mediajobs::error_kind;
using mediajobs::result;
using mediajobs::task;

inline constexpr std::string_view api_key = "sandbox-key";

/// Runs the io_context until `pred` holds or `limit` passed (a safety net against a hung test,
/// not a timing assumption). Returns pred().
template <class Pred>
bool run_until(asio::io_context& io, Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(20ms);
  }
  return true;
}

/// Runs a task on the io_context to its end. Past `limit` the task is asked to stop (it then
/// ends with `cancelled`) and the test fails, so no test can hang.
template <class T>
T run(asio::io_context& io, task<T> t, std::chrono::milliseconds limit = 10s) {
  auto out = std::make_shared<std::optional<T>>();
  std::stop_source stop;
  mediajobs::start(std::move(t), [out](T r) { out->emplace(std::move(r)); }, stop.get_token());
  if (!run_until(io, [&] { return out->has_value(); }, limit)) {
    stop.request_stop();
    REQUIRE_MESSAGE(run_until(io, [&] { return out->has_value(); }, 5s), "a stopped task did not end");
    FAIL("the task did not finish within " << limit.count() << " ms");
  }
  return std::move(**out);
}

/// A `timer` that moves the sandbox's manual clock by the time asked, then completes through
/// the asio_transport (a zero wait on the io_context, so nothing completes inline). Polling
/// with it sees every state a job passes through at the interval asked, whatever the machine's
/// load. now() is the sandbox time, so wait deadlines are sandbox time too.
struct sandbox_clock_timer {
  sb::server* server = nullptr;
  mediajobs::asio_transport* http = nullptr;

  void async_wait(std::chrono::milliseconds d, std::stop_token stop, mediajobs::wait_completion done) {
    server->advance(d);
    http->async_wait(0ms, std::move(stop), std::move(done));
  }
  [[nodiscard]] std::chrono::milliseconds now() const noexcept { return server->now(); }
};

/// Fast retries: the defaults wait up to seconds; the behaviour tested is the same.
inline api::retry_policy quick_retry() {
  api::retry_policy p;
  p.max_retries = 3;
  p.base_delay = 2ms;
  p.max_delay = 10ms;
  return p;
}

/// Plain http on loopback only: skip loading the system CA store, which costs ~100 ms per
/// transport (most of this file's run time otherwise) and is never used here.
inline mediajobs::asio_transport_options plain_http() {
  mediajobs::asio_transport_options o;
  o.tls.use_system_ca_store = false;
  return o;
}

/// One sandbox and one client transport on one io_context.
struct world {
  asio::io_context io;
  sb::server server;
  mediajobs::asio_transport http{io, plain_http()};
  sandbox_clock_timer clock{&server, &http};

  explicit world(sb::server_options o = manual()) : server(io, std::move(o)) {
    REQUIRE_MESSAGE(static_cast<bool>(server), server.error().message());
  }

  static sb::server_options manual() {
    sb::server_options o;
    o.manual_clock = true;
    return o;
  }
  static sb::server_options real(double speed) {
    sb::server_options o;
    o.speed = speed;
    return o;
  }

  /// Client options for the service mounted at `/name` (empty: the root).
  [[nodiscard]] api::client_options options(std::string_view name) const {
    api::client_options o;
    o.base_url = name.empty() ? server.base_url() : server.url(name);
    o.api_key = std::string{api_key};
    o.timeout = 5s;
    o.retry = quick_retry();
    o.poll.interval = 100ms;
    o.poll.deadline = 60s;
    return o;
  }

  template <class T>
  T run(task<T> t, std::chrono::milliseconds limit = 10s) {
    return e2e::run(io, std::move(t), limit);
  }

  /// A number from server.stats(), e.g. stat("style", "jobs_created"), stat("faults_injected", "dropped").
  [[nodiscard]] std::int64_t stat(std::string_view group, std::string_view key) const {
    const json::value s = server.stats();
    const json::value* g = s.find(group);
    REQUIRE_MESSAGE(g != nullptr, "no stats group " << group);
    const json::value* v = g->find(key);
    REQUIRE_MESSAGE((v != nullptr && v->is_integer()), "no integer stats key " << group << "." << key);
    return v->as_int64();
  }
  [[nodiscard]] std::int64_t requests() const { return server.stats()["requests"].as_int64(); }
  /// requests() once at least `n` requests reached the server (a bounded wait, then whatever
  /// is ready is run too): a client that timed out may return before the server has read what
  /// it sent, on a loaded machine.
  std::int64_t requests_once_at_least(std::int64_t n) {
    (void)run_until(io, [&] { return requests() >= n; }, 5s);
    if (io.stopped()) io.restart();
    io.poll();
    return requests();
  }

  /// Makes the very next service request get fault `which` (requests are counted from 1 over
  /// the whole server; `n % n == 0`, and the next multiple is far away).
  void fault_next(std::uint32_t sb::fault_options::*which) {
    sb::fault_options f;
    f.*which = static_cast<std::uint32_t>(requests() + 1);
    server.set_faults(f);
  }

  /// One raw exchange through the client transport (for the control endpoints).
  result<http::response> fetch(std::string method, std::string url, std::string json_body = {}) {
    http::request req;
    req.method = std::move(method);
    req.url = std::move(url);
    req.timeout = 5s;
    if (!json_body.empty()) {
      req.headers.add("Content-Type", "application/json");
      req.body = std::move(json_body);
    }
    auto out = std::make_shared<std::optional<result<http::response>>>();
    http.async_send(std::move(req), {}, [out](result<http::response> r) { out->emplace(std::move(r)); });
    REQUIRE(run_until(io, [&] { return out->has_value(); }));
    return std::move(**out);
  }
};

/// A file path under the temp directory, unique to this process; removed by the destructor.
class temp_file {
 public:
  explicit temp_file(std::string_view name) {
    path_ = "/tmp/mediajobs_e2e_style_tfi_" + std::to_string(::getpid()) + "_" + std::string{name};
    std::remove(path_.c_str());
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() { std::remove(path_.c_str()); }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string contents() const {
    std::ifstream in(path_, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  std::string path_;
};

/// A webhook receiver on 127.0.0.1: accepts connections on the shared io_context, parses each
/// request with http::request_parser, records it and answers the next scripted status (200 once
/// the script is used up). One request per connection is enough for the sandbox's sender, but
/// keep-alive is honoured.
class webhook_listener {
 public:
  explicit webhook_listener(asio::io_context& io, std::vector<int> statuses = {})
      : io_(io), acceptor_(io), statuses_(std::move(statuses)) {
    const asio::ip::tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), 0};
    std::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    REQUIRE_MESSAGE(!ec, ec.message());
    port_ = acceptor_.local_endpoint(ec).port();
    accept();
  }
  webhook_listener(const webhook_listener&) = delete;
  webhook_listener& operator=(const webhook_listener&) = delete;
  ~webhook_listener() {
    std::error_code ec;
    acceptor_.close(ec);
    for (auto& c : conns_) c->close();
  }

  [[nodiscard]] std::string url(std::string_view path = "/hooks/style") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string{path};
  }
  /// Every request received, in order.
  std::vector<http::request> received{};

 private:
  struct conn : std::enable_shared_from_this<conn> {
    conn(asio::io_context& io, webhook_listener* o) : sock(io), owner(o) {}
    asio::ip::tcp::socket sock;
    webhook_listener* owner;
    http::request_parser parser{};
    std::array<char, 8192> buf{};
    std::string out{};
    bool closed = false;

    void read() {
      sock.async_read_some(asio::buffer(buf), [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
        if (ec || self->closed) return self->close();
        std::string_view in{self->buf.data(), n};
        while (!in.empty()) {
          auto used = self->parser.feed(in);
          if (!used) return self->close();
          in.remove_prefix(*used);
          if (self->parser.done()) return self->answer(self->parser.take());
        }
        self->read();
      });
    }
    void answer(http::request req) {
      int status = 200;
      if (!owner->statuses_.empty()) {
        status = owner->statuses_.front();
        owner->statuses_.erase(owner->statuses_.begin());
      }
      const bool keep = req.keep_alive;
      owner->received.push_back(std::move(req));
      http::response r;
      r.status = status;
      r.headers.add("Content-Type", "application/json");
      r.body = status < 300 ? R"({"ok":true})" : R"({"error":"listener says no"})";
      r.keep_alive = keep;
      out.clear();
      REQUIRE(http::serialize(r, out));
      asio::async_write(sock, asio::buffer(out), [self = shared_from_this(), keep](const std::error_code& ec, std::size_t) {
        if (ec || !keep) return self->close();
        self->read();
      });
    }
    void close() {
      if (closed) return;
      closed = true;
      std::error_code ec;
      sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      sock.close(ec);
    }
  };

  void accept() {
    auto c = std::make_shared<conn>(io_, this);
    acceptor_.async_accept(c->sock, [this, c](const std::error_code& ec) {
      if (ec) return;  // closed by the destructor
      conns_.push_back(c);
      c->read();
      accept();
    });
  }

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<int> statuses_;
  std::vector<std::shared_ptr<conn>> conns_{};
  std::uint16_t port_ = 0;
};

}  // namespace e2e
