// sandbox::server over real sockets on 127.0.0.1: routing, HTTP/1.1 framing, limits, faults,
// control endpoints, clocks, webhooks, stop and destruction. Every wait is bounded (run_until);
// nothing sleeps.
#include <mediajobs/sandbox/sandbox.hpp>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace sb = mediajobs::sandbox;
namespace http = mediajobs::http;
namespace json = mediajobs::json;
using tcp = asio::ip::tcp;
using mediajobs::error_kind;
using mediajobs::result;

/// Runs the io_context until `pred` holds or `limit` passed (a safety net, not a timing
/// assumption). Returns pred().
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

/// A test service: answers what it saw as JSON, counts calls, emits the webhooks queued in it,
/// and answers with scripted statuses when given some.
class probe_service final : public sb::service {
 public:
  explicit probe_service(std::string name = "probe") : name_(std::move(name)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }

  [[nodiscard]] http::response handle(const sb::request_context& ctx) override {
    ++handled;
    last_now = ctx.time.now;
    bodies.push_back(ctx.request->body);
    json::value v = json::value::object_t{};
    v["method"] = ctx.method;
    v["path"] = ctx.path;
    json::value& q = v["query"];
    q = json::value::array_t{};
    for (const auto& [k, val] : ctx.query) q.push_back(json::value::array({k, val}));
    v["body"] = ctx.request->body;
    v["base_url"] = ctx.base_url;
    v["api_key"] = ctx.api_key;
    v["now_ms"] = static_cast<std::int64_t>(ctx.time.now.count());
    v["inject_unknown"] = ctx.inject_unknown;
    int status = 200;
    if (!statuses.empty()) {
      status = statuses.front();
      statuses.erase(statuses.begin());
    }
    return sb::json_response(status, v);
  }

  void advance(const sb::time_info& t, std::vector<http::request>& webhooks) override {
    ++advances;
    last_advance = t.now;
    for (auto& w : outbox) webhooks.push_back(std::move(w));
    outbox.clear();
  }

  [[nodiscard]] json::value stats() const override {
    json::value s = json::value::object_t{};
    s["jobs_created"] = 0;
    s["jobs_by_idempotency_key"] = json::value::object_t{};
    s["jobs_live"] = 0;
    s["handled"] = handled;
    return s;
  }

  int handled = 0;
  int advances = 0;
  sb::duration last_now{};
  sb::duration last_advance{};
  std::vector<int> statuses{};
  std::vector<std::string> bodies{};
  std::vector<http::request> outbox{};

 private:
  std::string name_;
};

/// A server with one probe service mounted at /probe; `probe` points into it.
struct probe_server {
  probe_server(asio::io_context& io, sb::server_options o) {
    auto p = std::make_unique<probe_service>();
    probe = p.get();
    std::vector<std::unique_ptr<sb::service>> v;
    v.push_back(std::move(p));
    server = std::make_unique<sb::server>(io, std::move(o), std::move(v));
  }
  probe_service* probe = nullptr;
  std::unique_ptr<sb::server> server;
};

/// One exchange through the Asio transport, waited for with run_until.
result<http::response> fetch(asio::io_context& io, mediajobs::asio_transport& t, std::string method, std::string url,
                             std::string body = {}, http::headers headers = {}) {
  http::request req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.body = std::move(body);
  req.headers = std::move(headers);
  req.timeout = 10s;
  auto out = std::make_shared<std::optional<result<http::response>>>();
  t.async_send(std::move(req), {}, [out](result<http::response> r) { out->emplace(std::move(r)); });
  if (!run_until(io, [&] { return out->has_value(); }, 15s))
    return mediajobs::fail(mediajobs::error{error_kind::none, "test: no completion"});
  return std::move(**out);
}

json::value parse(std::string_view body) {
  auto v = json::read<json::value>(body);
  REQUIRE_MESSAGE(v.has_value(), "not JSON: " << body);
  return *v;
}

/// A raw TCP client: writes exact bytes, collects everything the server sends until it closes.
/// The state is shared with the pending read so the client may go away first.
class raw_client {
 public:
  raw_client(asio::io_context& io, std::uint16_t port) : s_(std::make_shared<shared>(io)) {
    std::error_code ec;
    s_->sock.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port}, ec);
    REQUIRE_MESSAGE(!ec, ec.message());
    read_more(s_);
  }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;
  ~raw_client() {
    std::error_code ec;
    s_->sock.close(ec);
  }

  void send(std::string_view bytes) {
    std::error_code ec;
    asio::write(s_->sock, asio::buffer(bytes.data(), bytes.size()), ec);
    CHECK_MESSAGE(!ec, ec.message());
  }
  [[nodiscard]] bool closed() const { return s_->closed; }
  [[nodiscard]] const std::string& data() const { return s_->data; }

  /// The complete responses received so far.
  [[nodiscard]] std::vector<http::response> responses() const {
    std::vector<http::response> out;
    http::response_parser p;
    std::string_view rest = s_->data;
    while (!rest.empty()) {
      auto n = p.feed(rest);
      if (!n) break;
      rest.remove_prefix(*n);
      if (!p.done()) break;
      out.push_back(p.take());
    }
    return out;
  }

 private:
  struct shared {
    explicit shared(asio::io_context& io) : sock(io) {}
    tcp::socket sock;
    std::array<char, 4096> buf{};
    std::string data{};
    bool closed = false;
  };
  static void read_more(const std::shared_ptr<shared>& s) {
    s->sock.async_read_some(asio::buffer(s->buf), [s](const std::error_code& ec, std::size_t n) {
      if (ec) {
        s->closed = true;
        return;
      }
      s->data.append(s->buf.data(), n);
      read_more(s);
    });
  }
  std::shared_ptr<shared> s_;
};

std::string get_request(std::string_view path, std::string_view extra_headers = {}) {
  std::string r = "GET ";
  r += path;
  r += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  r += extra_headers;
  r += "\r\n";
  return r;
}

}  // namespace

TEST_CASE("the server listens on a free port of 127.0.0.1 when asked for port 0") {
  asio::io_context io;
  sb::server s{io};
  REQUIRE(static_cast<bool>(s));
  CHECK(s.error().kind() == error_kind::none);
  CHECK(s.port() != 0);
  CHECK(s.base_url() == "http://127.0.0.1:" + std::to_string(s.port()));
  CHECK(s.url("ugen") == s.base_url() + "/ugen");
  CHECK(s.url("tfi") == s.base_url() + "/tfi");

  SUBCASE("a second server on the same port fails without throwing and says why") {
    sb::server_options o;
    o.port = s.port();
    sb::server t{io, o};
    CHECK_FALSE(static_cast<bool>(t));
    CHECK(t.error().kind() == error_kind::transport);
    CHECK(t.error().message().find(std::to_string(s.port())) != std::string::npos);
  }
  SUBCASE("a host that is not an IP address is refused") {
    sb::server_options o;
    o.host = "not an address";
    sb::server t{io, o};
    CHECK_FALSE(static_cast<bool>(t));
    CHECK(t.error().kind() == error_kind::validation);
  }
}

TEST_CASE("health and stats answer their documented shapes, without auth") {
  asio::io_context io;
  sb::server s{io};
  REQUIRE(static_cast<bool>(s));
  mediajobs::asio_transport t{io};

  auto health = fetch(io, t, "GET", s.base_url() + "/_sandbox/health");
  REQUIRE(health.has_value());
  CHECK(health->status == 200);
  CHECK(parse(health->body) == json::value::object({{"status", "ok"}}));

  auto stubs = fetch(io, t, "GET", s.url("ugen") + "/api/v1/jobs");  // routed to the U-Gen service
  REQUIRE(stubs.has_value());
  CHECK(stubs->status != 404);

  auto stats = fetch(io, t, "GET", s.base_url() + "/_sandbox/stats");
  REQUIRE(stats.has_value());
  CHECK(stats->status == 200);
  const json::value v = parse(stats->body);
  for (const char* svc : {"ugen", "style", "tfi"}) {
    CAPTURE(svc);
    CHECK(v[svc]["jobs_created"].is_integer());
    CHECK(v[svc]["jobs_by_idempotency_key"].is_object());
    CHECK(v[svc]["jobs_live"].is_integer());
  }
  CHECK(v["requests"].as_int64() == 1);  // control requests are not counted
  for (const char* f : {"rate_limited", "unavailable", "dropped", "truncated", "garbage"})
    CHECK(v["faults_injected"][f].as_int64() == 0);
  for (const char* w : {"delivered", "failed", "attempts"}) CHECK(v["webhooks"][w].is_integer());
  CHECK(v["connections"]["open"].as_int64() == 1);  // the transport's kept-alive connection
  CHECK(v["connections"]["total"].as_int64() == 1);
  CHECK(s.stats()["requests"].as_int64() == 1);
}

TEST_CASE("requests are routed below their mount prefix with the query decoded") {
  asio::io_context io;
  sb::server_options o;
  o.api_key = "k-123";
  probe_server ps{io, o};
  REQUIRE(static_cast<bool>(*ps.server));
  mediajobs::asio_transport t{io};
  const std::string base = ps.server->base_url();

  auto r = fetch(io, t, "POST", base + "/probe/api/v1/jobs?status=pending&q=a%20b+c", "{\"x\":1}");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  const json::value v = parse(r->body);
  CHECK(v["method"].as_string() == "POST");
  CHECK(v["path"].as_string() == "/api/v1/jobs");
  CHECK(v["query"] == json::value::array({json::value::array({"status", "pending"}), json::value::array({"q", "a b c"})}));
  CHECK(v["body"].as_string() == "{\"x\":1}");
  CHECK(v["base_url"].as_string() == base + "/probe");
  CHECK(v["api_key"].as_string() == "k-123");

  auto bare = fetch(io, t, "GET", base + "/probe");
  REQUIRE(bare.has_value());
  CHECK(parse(bare->body)["path"].as_string() == "/");

  SUBCASE("an unknown prefix is a JSON 404 that the service never sees") {
    for (const char* path : {"/nope/api/v1/jobs", "/probex/a", "/", "/_sandbox/nothing"}) {
      CAPTURE(path);
      auto nf = fetch(io, t, "GET", base + path);
      REQUIRE(nf.has_value());
      CHECK(nf->status == 404);
      CHECK(nf->headers.get("Content-Type") == "application/json");
      CHECK(parse(nf->body)["error"].is_string());
    }
    CHECK(ps.probe->handled == 2);
  }
  SUBCASE("a malformed query is a 400") {
    raw_client c{io, ps.server->port()};  // our own client refuses to send such a URL
    c.send(get_request("/probe/x?a=%zz"));
    REQUIRE(run_until(io, [&] { return c.responses().size() == 1; }));
    CHECK(c.responses()[0].status == 400);
    CHECK(ps.probe->handled == 2);
  }
}

TEST_CASE("root_service also mounts that service at /") {
  asio::io_context io;
  sb::server_options o;
  o.root_service = "probe";
  probe_server ps{io, o};
  REQUIRE(static_cast<bool>(*ps.server));
  mediajobs::asio_transport t{io};
  auto r = fetch(io, t, "GET", ps.server->base_url() + "/api/v1/jobs/j-1");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  const json::value v = parse(r->body);
  CHECK(v["path"].as_string() == "/api/v1/jobs/j-1");
  CHECK(v["base_url"].as_string() == ps.server->base_url());
  auto prefixed = fetch(io, t, "GET", ps.server->base_url() + "/probe/api/v1/jobs/j-1");
  REQUIRE(prefixed.has_value());
  CHECK(parse(prefixed->body)["path"].as_string() == "/api/v1/jobs/j-1");
}

TEST_CASE("one connection carries several requests: keep-alive and pipelining, answered in order") {
  asio::io_context io;
  probe_server ps{io, {}};
  REQUIRE(static_cast<bool>(*ps.server));
  raw_client c{io, ps.server->port()};

  SUBCASE("one after the other") {
    c.send(get_request("/probe/one"));
    REQUIRE(run_until(io, [&] { return c.responses().size() == 1; }));
    c.send(get_request("/probe/two"));
    REQUIRE(run_until(io, [&] { return c.responses().size() == 2; }));
  }
  SUBCASE("pipelined in one write") {
    c.send(get_request("/probe/one") + get_request("/probe/two") + get_request("/probe/three"));
    REQUIRE(run_until(io, [&] { return c.responses().size() == 3; }));
    CHECK(parse(c.responses()[2].body)["path"].as_string() == "/three");
  }
  const auto rs = c.responses();
  CHECK(parse(rs[0].body)["path"].as_string() == "/one");
  CHECK(parse(rs[1].body)["path"].as_string() == "/two");
  CHECK_FALSE(c.closed());
  CHECK(ps.server->stats()["connections"]["total"].as_int64() == 1);
}

TEST_CASE("a chunked request body reaches the service decoded") {
  asio::io_context io;
  probe_server ps{io, {}};
  REQUIRE(static_cast<bool>(*ps.server));
  raw_client c{io, ps.server->port()};
  c.send("POST /probe/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n");
  REQUIRE(run_until(io, [&] { return c.responses().size() == 1; }));
  CHECK(c.responses()[0].status == 200);
  REQUIRE(ps.probe->bodies.size() == 1);
  CHECK(ps.probe->bodies[0] == "hello, world");
}

TEST_CASE("Connection: close and HTTP/1.0 are honoured") {
  asio::io_context io;
  probe_server ps{io, {}};
  REQUIRE(static_cast<bool>(*ps.server));
  raw_client c{io, ps.server->port()};
  SUBCASE("Connection: close") { c.send(get_request("/probe/a", "Connection: close\r\n") + get_request("/probe/b")); }
  SUBCASE("HTTP/1.0") { c.send("GET /probe/a HTTP/1.0\r\n\r\n"); }
  REQUIRE(run_until(io, [&] { return c.closed(); }));
  const auto rs = c.responses();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == 200);
  CHECK(rs[0].headers.get("Connection") == "close");
  CHECK(ps.probe->handled == 1);
}

TEST_CASE("a malformed request is answered 400 and the connection closed") {
  asio::io_context io;
  probe_server ps{io, {}};
  REQUIRE(static_cast<bool>(*ps.server));
  raw_client c{io, ps.server->port()};
  SUBCASE("bad start line") { c.send("THIS IS NOT HTTP\r\n\r\n"); }
  SUBCASE("no Host") { c.send("GET /probe/a HTTP/1.1\r\n\r\n"); }
  SUBCASE("Content-Length and Transfer-Encoding") {
    c.send("POST /probe/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
  }
  REQUIRE(run_until(io, [&] { return c.closed(); }));
  const auto rs = c.responses();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == 400);
  CHECK(parse(rs[0].body)["error"].is_string());
  CHECK(ps.probe->handled == 0);
}

TEST_CASE("a request over max_request_bytes is answered 413 and the connection closed") {
  asio::io_context io;
  sb::server_options o;
  o.max_request_bytes = 1024;
  probe_server ps{io, o};
  REQUIRE(static_cast<bool>(*ps.server));
  raw_client c{io, ps.server->port()};
  SUBCASE("declared length") { c.send("POST /probe/a HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"); }
  SUBCASE("chunked") {
    c.send("POST /probe/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + std::string(1024, 'a') +
           "\r\n1\r\nb\r\n0\r\n\r\n");
  }
  SUBCASE("header section") { c.send("GET /probe/a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n"); }
  REQUIRE(run_until(io, [&] { return c.closed(); }));
  const auto rs = c.responses();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == 413);
  CHECK(ps.probe->handled == 0);
}

TEST_CASE("connections beyond max_connections get a 503 and are closed") {
  asio::io_context io;
  sb::server_options o;
  o.max_connections = 1;
  probe_server ps{io, o};
  REQUIRE(static_cast<bool>(*ps.server));
  raw_client first{io, ps.server->port()};
  first.send(get_request("/probe/a"));
  REQUIRE(run_until(io, [&] { return first.responses().size() == 1; }));
  raw_client second{io, ps.server->port()};
  REQUIRE(run_until(io, [&] { return second.closed(); }));
  REQUIRE(second.responses().size() == 1);
  CHECK(second.responses()[0].status == 503);
  CHECK_FALSE(first.closed());
  const json::value conns = ps.server->stats()["connections"];
  CHECK(conns["open"].as_int64() == 1);
  CHECK(conns["rejected"].as_int64() == 1);
}

TEST_CASE("an idle connection is closed after idle_timeout") {
  asio::io_context io;
  sb::server_options o;
  o.idle_timeout = 50ms;
  probe_server ps{io, o};
  REQUIRE(static_cast<bool>(*ps.server));
  raw_client c{io, ps.server->port()};
  c.send(get_request("/probe/a"));
  REQUIRE(run_until(io, [&] { return c.closed(); }));
  CHECK(c.responses().size() == 1);
  CHECK(ps.server->stats()["connections"]["open"].as_int64() == 0);
}

TEST_CASE("faults are injected on the wire and counted") {
  asio::io_context io;
  probe_server ps{io, {}};
  sb::server& s = *ps.server;
  REQUIRE(static_cast<bool>(s));
  mediajobs::asio_transport t{io};
  const std::string url = s.url("probe") + "/x";

  SUBCASE("rate_limit_every: 429 with Retry-After before the service") {
    s.set_faults({.rate_limit_every = 2, .retry_after_seconds = 7});
    auto a = fetch(io, t, "GET", url);
    auto b = fetch(io, t, "GET", url);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(a->status == 200);
    CHECK(b->status == 429);
    CHECK(b->headers.get("Retry-After") == "7");
    CHECK(ps.probe->handled == 1);
    CHECK(s.stats()["faults_injected"]["rate_limited"].as_int64() == 1);
  }
  SUBCASE("unavailable_every: 503 before the service") {
    s.set_faults({.unavailable_every = 1});
    auto a = fetch(io, t, "GET", url);
    REQUIRE(a.has_value());
    CHECK(a->status == 503);
    CHECK(ps.probe->handled == 0);
    CHECK(s.stats()["faults_injected"]["unavailable"].as_int64() == 1);
  }
  SUBCASE("drop_every: the client sees the connection break mid-response") {
    s.set_faults({.drop_every = 1});
    auto a = fetch(io, t, "POST", url, "{}");
    REQUIRE_FALSE(a.has_value());
    CHECK((a.error().kind() == error_kind::transport || a.error().kind() == error_kind::protocol));
    CHECK(ps.probe->handled == 1);
    CHECK(s.stats()["faults_injected"]["dropped"].as_int64() == 1);
  }
  SUBCASE("truncate_every: the head arrives whole, the body is cut short, the connection closes") {
    s.set_faults({.truncate_every = 1});
    raw_client c{io, s.port()};
    c.send(get_request("/probe/x"));
    REQUIRE(run_until(io, [&] { return c.closed(); }));
    CHECK(c.responses().empty());
    http::response_parser p;
    auto n = p.feed(c.data());
    REQUIRE(n.has_value());
    CHECK_FALSE(p.done());
    CHECK(p.eof().error().kind() == error_kind::protocol);
    CHECK(c.data().starts_with("HTTP/1.1 200"));
    CHECK(s.stats()["faults_injected"]["truncated"].as_int64() == 1);
  }
  SUBCASE("garbage_every: same status, a body that is not JSON, the connection kept") {
    s.set_faults({.garbage_every = 2});
    auto a = fetch(io, t, "GET", url);
    auto b = fetch(io, t, "GET", url);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(json::read<json::value>(a->body).has_value());
    CHECK(b->status == 200);
    CHECK_FALSE(json::read<json::value>(b->body).has_value());
    CHECK(t.connections_opened() == 1);
    CHECK(s.stats()["faults_injected"]["garbage"].as_int64() == 1);
  }
  SUBCASE("latency_ms delays each response by at least that much real time") {
    s.set_faults({.latency_ms = 120});
    const auto t0 = std::chrono::steady_clock::now();
    auto a = fetch(io, t, "GET", url);
    const auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE(a.has_value());
    CHECK(a->status == 200);
    CHECK(took >= 120ms);
    // Control endpoints are never delayed: with a minute of latency, health still answers
    // within the request's 10 s timeout.
    s.set_faults({.latency_ms = 60000});
    auto health = fetch(io, t, "GET", s.base_url() + "/_sandbox/health");
    REQUIRE(health.has_value());
    CHECK(health->status == 200);
  }
  SUBCASE("unknown_fields reaches the service") {
    s.set_faults({.unknown_fields = true});
    auto a = fetch(io, t, "GET", url);
    REQUIRE(a.has_value());
    CHECK(parse(a->body)["inject_unknown"].as_bool());
  }
}

TEST_CASE("PUT /_sandbox/faults changes behaviour; keys left out keep their value") {
  asio::io_context io;
  probe_server ps{io, {}};
  sb::server& s = *ps.server;
  REQUIRE(static_cast<bool>(s));
  mediajobs::asio_transport t{io};
  s.set_faults({.retry_after_seconds = 9, .latency_ms = 0});

  auto put = fetch(io, t, "PUT", s.base_url() + "/_sandbox/faults", R"({"unavailable_every": 1})");
  REQUIRE(put.has_value());
  CHECK(put->status == 200);
  CHECK(parse(put->body)["unavailable_every"].as_int64() == 1);
  CHECK(s.faults().unavailable_every == 1);
  CHECK(s.faults().retry_after_seconds == 9);

  auto a = fetch(io, t, "GET", s.url("probe") + "/x");
  REQUIRE(a.has_value());
  CHECK(a->status == 503);

  auto got = fetch(io, t, "GET", s.base_url() + "/_sandbox/faults");
  REQUIRE(got.has_value());
  const json::value v = parse(got->body);
  CHECK(v["unavailable_every"].as_int64() == 1);
  CHECK(v["retry_after_seconds"].as_int64() == 9);
  CHECK(v["tfi_202_shape"].is_bool());

  auto bad = fetch(io, t, "PUT", s.base_url() + "/_sandbox/faults", R"({"drop_every": -1})");
  REQUIRE(bad.has_value());
  CHECK(bad->status == 400);
  CHECK(s.faults().drop_every == 0);

  auto off = fetch(io, t, "PUT", s.base_url() + "/_sandbox/faults", R"({"unavailable_every": 0})");
  REQUIRE(off.has_value());
  auto b = fetch(io, t, "GET", s.url("probe") + "/x");
  REQUIRE(b.has_value());
  CHECK(b->status == 200);
}

TEST_CASE("the manual clock moves only through advance() and POST /_sandbox/clock") {
  asio::io_context io;
  sb::server_options o;
  o.manual_clock = true;
  probe_server ps{io, o};
  sb::server& s = *ps.server;
  REQUIRE(static_cast<bool>(s));
  mediajobs::asio_transport t{io};
  CHECK(s.now() == 0ms);

  auto r = fetch(io, t, "POST", s.base_url() + "/_sandbox/clock", R"({"advance_ms": 1500})");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(parse(r->body)["now_ms"].as_int64() == 1500);
  CHECK(s.now() == 1500ms);
  CHECK(ps.probe->last_advance == 1500ms);

  s.advance(500ms);
  CHECK(s.now() == 2000ms);
  CHECK(ps.probe->last_advance == 2000ms);

  auto seen = fetch(io, t, "GET", s.url("probe") + "/x");
  REQUIRE(seen.has_value());
  CHECK(parse(seen->body)["now_ms"].as_int64() == 2000);

  auto bad = fetch(io, t, "POST", s.base_url() + "/_sandbox/clock", R"({"advance_ms": "soon"})");
  REQUIRE(bad.has_value());
  CHECK(bad->status == 400);
  CHECK(s.now() == 2000ms);
}

TEST_CASE("the real clock runs at speed and advances services without requests") {
  asio::io_context io;
  sb::server_options o;
  o.speed = 1000.0;
  probe_server ps{io, o};
  sb::server& s = *ps.server;
  REQUIRE(static_cast<bool>(s));
  REQUIRE(run_until(io, [&] { return ps.probe->advances >= 2 && ps.probe->last_advance >= 1000ms; }));
  CHECK(s.now() >= ps.probe->last_advance);

  mediajobs::asio_transport t{io};
  auto r = fetch(io, t, "POST", s.base_url() + "/_sandbox/clock", R"({"advance_ms": 10})");
  REQUIRE(r.has_value());
  CHECK(r->status == 409);
}

TEST_CASE("webhooks are POSTed to a local listener, retried on 500 with backoff in sandbox time") {
  asio::io_context io;
  sb::server_options o;
  o.manual_clock = true;
  probe_server sender{io, o};
  probe_server receiver{io, {}};
  REQUIRE(static_cast<bool>(*sender.server));
  REQUIRE(static_cast<bool>(*receiver.server));
  sb::server& s = *sender.server;
  receiver.probe->statuses = {500, 503, 200};

  http::request hook;
  hook.method = "POST";
  hook.url = receiver.server->url("probe") + "/hooks";
  hook.headers.add("Content-Type", "application/json");
  hook.body = R"({"event":"job.completed"})";
  sender.probe->outbox.push_back(hook);
  http::request remote = hook;
  remote.url = "http://example.com/hooks";  // never sent: not loopback
  sender.probe->outbox.push_back(remote);

  const auto hooks = [&] { return s.stats()["webhooks"]; };
  const auto settled = [&] { return hooks()["in_flight"].as_int64() == 0; };

  s.advance(0ms);  // the service hands its webhooks over; the first attempt starts
  CHECK(hooks()["failed"].as_int64() == 1);  // the remote one, refused at once
  REQUIRE(run_until(io, settled));
  CHECK(receiver.probe->handled == 1);
  CHECK(hooks()["attempts"].as_int64() == 1);

  s.advance(499ms);  // backoff 0.5 s not over yet
  io.poll();
  CHECK(hooks()["attempts"].as_int64() == 1);
  s.advance(1ms);
  REQUIRE(run_until(io, settled));
  CHECK(receiver.probe->handled == 2);
  CHECK(hooks()["attempts"].as_int64() == 2);

  s.advance(1000ms);  // second backoff: 1 s
  REQUIRE(run_until(io, [&] { return hooks()["delivered"].as_int64() == 1; }));
  CHECK(receiver.probe->handled == 3);
  CHECK(receiver.probe->bodies.back() == R"({"event":"job.completed"})");
  CHECK(hooks()["attempts"].as_int64() == 3);
  CHECK(hooks()["failed"].as_int64() == 1);
  CHECK(hooks()["pending"].as_int64() == 0);

  SUBCASE("after four failed attempts a webhook is given up") {
    receiver.probe->statuses = {500, 500, 500, 500, 200};
    sender.probe->outbox.push_back(hook);
    s.advance(0ms);
    for (int i = 0; i < 4; ++i) {
      REQUIRE(run_until(io, settled));
      s.advance(2000ms);
    }
    REQUIRE(run_until(io, [&] { return hooks()["pending"].as_int64() == 0; }));
    CHECK(receiver.probe->handled == 7);
    CHECK(hooks()["attempts"].as_int64() == 7);
    CHECK(hooks()["failed"].as_int64() == 2);
    CHECK(hooks()["delivered"].as_int64() == 1);
  }
}

TEST_CASE("the log gets one line per request, without the API key") {
  asio::io_context io;
  std::vector<std::string> lines;
  sb::server_options o;
  o.api_key = "secret-key-42";
  o.log = [&lines](std::string_view l) { lines.emplace_back(l); };
  probe_server ps{io, o};
  REQUIRE(static_cast<bool>(*ps.server));
  mediajobs::asio_transport t{io};
  auto r = fetch(io, t, "GET", ps.server->url("probe") + "/jobs?api_key=secret-key-42",
                 {}, http::headers{{"X-API-Key", "secret-key-42"}});
  REQUIRE(r.has_value());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "GET /probe/jobs -> 200");
  for (const auto& l : lines) CHECK(l.find("secret-key-42") == std::string::npos);
}

TEST_CASE("stop() while a request is in flight: the client sees the connection end") {
  asio::io_context io;
  probe_server ps{io, {}};
  sb::server& s = *ps.server;
  REQUIRE(static_cast<bool>(s));
  s.set_faults({.latency_ms = 60000});
  mediajobs::asio_transport t{io};
  http::request req;
  req.url = s.url("probe") + "/x";
  req.timeout = 30s;
  std::optional<result<http::response>> out;
  t.async_send(std::move(req), {}, [&out](result<http::response> r) { out.emplace(std::move(r)); });
  REQUIRE(run_until(io, [&] { return ps.probe->handled == 1; }));
  s.stop();
  s.stop();  // idempotent
  REQUIRE(run_until(io, [&] { return out.has_value(); }, 5s));
  REQUIRE_FALSE(out->has_value());
  CHECK(out->error().kind() == error_kind::transport);

  // Nothing listens any more.
  auto again = fetch(io, t, "GET", s.base_url() + "/_sandbox/health");
  CHECK_FALSE(again.has_value());
}

TEST_CASE("destroying the server with handlers pending is safe") {
  SUBCASE("the io_context runs on afterwards") {
    asio::io_context io;
    auto ps = std::make_unique<probe_server>(io, sb::server_options{});
    ps->server->set_faults({.latency_ms = 60000});
    raw_client c{io, ps->server->port()};
    raw_client idle{io, ps->server->port()};
    c.send(get_request("/probe/x"));
    REQUIRE(run_until(io, [&] { return ps->probe->handled == 1; }));
    ps.reset();
    REQUIRE(run_until(io, [&] { return c.closed() && idle.closed(); }, 5s));
  }
  SUBCASE("the io_context is destroyed without running again") {
    auto io = std::make_unique<asio::io_context>();
    auto ps = std::make_unique<probe_server>(*io, sb::server_options{});
    auto c = std::make_unique<raw_client>(*io, ps->server->port());
    c->send(get_request("/probe/x") + "GET /probe/y HTTP/1.1\r\nHost: x\r\n");  // one whole, one half
    REQUIRE(run_until(*io, [&] { return ps->probe->handled == 1; }));
    ps.reset();
    c.reset();
    io.reset();
  }
  SUBCASE("webhooks in flight") {
    asio::io_context io;
    sb::server_options o;
    o.manual_clock = true;
    auto sender = std::make_unique<probe_server>(io, o);
    probe_server receiver{io, {}};
    receiver.server->set_faults({.latency_ms = 60000});
    http::request hook;
    hook.method = "POST";
    hook.url = receiver.server->url("probe") + "/hooks";
    sender->probe->outbox.push_back(hook);
    sender->server->advance(0ms);
    REQUIRE(run_until(io, [&] { return receiver.probe->handled == 1; }));
    sender.reset();
    io.poll();
  }
}
