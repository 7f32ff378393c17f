// asio_transport against raw scripted servers on 127.0.0.1: framing, keep-alive, stale
// connections, limits, timeouts and cancellation in each phase, destruction, threads, TLS.
#include "support.hpp"

#include <mediajobs/asio/transport.hpp>

#include <doctest/doctest.h>

#include <asio/connect.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using mediajobs::asio_transport;
using mediajobs::error_kind;
using mediajobs::result;
namespace http = mediajobs::http;

namespace {

http::request get(std::string url, std::chrono::milliseconds timeout = 5000ms) {
  http::request r;
  r.method = "GET";
  r.url = std::move(url);
  r.timeout = timeout;
  return r;
}

result<http::response> fetch(asio_transport& t, http::request req, std::stop_token stop = {}) {
  mj_test::response_outcome out;
  t.async_send(std::move(req), std::move(stop), [&out](result<http::response> r) { out.set(std::move(r)); });
  return std::move(out.get());
}

error_kind kind_of(const result<http::response>& r) { return r ? error_kind::none : r.error().kind(); }

// A server that answers every request on every connection with `response`.
mj_test::scripted_server::script answer_all(std::string response) {
  return [response](mj_test::peer& p) {
    while (p.read_request()) p.send(response);
  };
}

}  // namespace

TEST_CASE("a Content-Length response is received with status, headers and body") {
  std::string seen;
  std::mutex m;
  mj_test::scripted_server server([&](mj_test::peer& p) {
    auto req = p.read_request();
    if (!req) return;
    {
      std::lock_guard lock(m);
      seen = *req;
    }
    p.send("HTTP/1.1 201 Created\r\nContent-Length: 11\r\nX-Request-Id: r-1\r\n\r\n{\"id\":\"j1\"}");
  });
  asio_transport t;
  auto req = get(server.url("/v1/jobs?x=1"));
  req.method = "POST";
  req.body = R"({"a":1})";
  req.headers.add("Content-Type", "application/json");
  auto r = fetch(t, std::move(req));
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->reason == "Created");
  CHECK(r->body == R"({"id":"j1"})");
  CHECK(r->headers.get("x-request-id") == "r-1");
  std::lock_guard lock(m);
  CHECK(seen.rfind("POST /v1/jobs?x=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(seen.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n") != std::string::npos);
  CHECK(seen.find("Content-Length: 7\r\n") != std::string::npos);
  CHECK(seen.substr(seen.size() - 7) == R"({"a":1})");
}

TEST_CASE("a chunked body split across writes is reassembled") {
  mj_test::scripted_server server([](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\nTransfer-Enc");
    p.send("oding: chunked\r\n\r\n5\r\nhel");
    p.send("lo\r\n6\r\n world\r");
    p.send("\n0\r\n\r\n");
    p.wait_for_close();
  });
  asio_transport t;
  auto r = fetch(t, get(server.url()));
  REQUIRE(r);
  CHECK(r->body == "hello world");
}

TEST_CASE("a close-delimited body ends at the server's close and its connection is not reused") {
  mj_test::scripted_server server([](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\n\r\nuntil the end");
    p.close();
  });
  asio_transport t;
  auto a = fetch(t, get(server.url()));
  REQUIRE(a);
  CHECK(a->body == "until the end");
  CHECK_FALSE(a->keep_alive);
  auto b = fetch(t, get(server.url()));
  REQUIRE(b);
  CHECK(server.accepted() == 2);
}

TEST_CASE("1xx interim responses before the answer are skipped") {
  mj_test::scripted_server server(answer_all("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" +
                                             mj_test::http_ok("{}")));
  asio_transport t;
  auto r = fetch(t, get(server.url()));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "{}");
}

TEST_CASE("a response trickling in too slowly runs into the request timeout") {
  mj_test::latch_flag never;
  mj_test::scripted_server server([&](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    asio::error_code ec;
    while (!ec) {  // one byte per 20 ms: progress, but never in time
      never.wait(20ms);
      p.write("x", ec);
    }
  });
  asio_transport t;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = fetch(t, get(server.url(), 200ms));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::timeout);
  CHECK(std::chrono::steady_clock::now() - t0 >= 200ms);
  CHECK(r.error().detail().find("waiting for the response") != std::string_view::npos);
}

TEST_CASE("a connection dropped mid-response is a transport error, never a success") {
  SUBCASE("mid-headers") {
    mj_test::scripted_server server([](mj_test::peer& p) {
      if (!p.read_request()) return;
      p.send("HTTP/1.1 200 OK\r\nContent-Len");
      p.close();
    });
    asio_transport t;
    auto r = fetch(t, get(server.url()));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
  }
  SUBCASE("mid-body") {
    mj_test::scripted_server server([](mj_test::peer& p) {
      if (!p.read_request()) return;
      p.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
      p.close();
    });
    asio_transport t;
    auto r = fetch(t, get(server.url()));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
    CHECK_FALSE(r.error().request_not_sent());
  }
  SUBCASE("mid-chunked-body") {
    mj_test::scripted_server server([](mj_test::peer& p) {
      if (!p.read_request()) return;
      p.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      p.close();
    });
    asio_transport t;
    auto r = fetch(t, get(server.url()));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
  }
  SUBCASE("before any byte (a fresh connection is not retried)") {
    mj_test::scripted_server server([](mj_test::peer& p) {
      if (!p.read_request()) return;
      p.close();
    });
    asio_transport t;
    auto r = fetch(t, get(server.url()));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
    CHECK(server.accepted() == 1);
  }
}

TEST_CASE("keep-alive: N sequential requests use one connection") {
  mj_test::scripted_server server(answer_all(mj_test::http_ok(R"({"status":"running"})")));
  asio_transport t;
  for (int i = 0; i < 10; ++i) {
    auto r = fetch(t, get(server.url("/jobs/" + std::to_string(i))));
    REQUIRE(r);
    CHECK(r->body == R"({"status":"running"})");
  }
  CHECK(server.accepted() == 1);
  CHECK(t.connections_opened() == 1);
}

TEST_CASE("keep-alive is off when max_idle_per_origin is 0") {
  mj_test::scripted_server server(answer_all(mj_test::http_ok("{}")));
  asio_transport t({.max_idle_per_origin = 0});
  for (int i = 0; i < 3; ++i) REQUIRE(fetch(t, get(server.url())));
  CHECK(server.accepted() == 3);
}

TEST_CASE("a stale pooled connection is recovered") {
  SUBCASE("closed by the server as the request arrived: a GET is re-sent once") {
    std::atomic<int> connection{0};
    mj_test::scripted_server server([&](mj_test::peer& p) {
      const int n = ++connection;
      if (!p.read_request()) return;
      p.send(mj_test::http_ok(R"("first")"));
      if (n == 1) {
        (void)p.read_request();  // the second request reaches a server that is closing: no answer
        p.close();
        return;
      }
      while (p.read_request()) p.send(mj_test::http_ok(R"("again")"));
    });
    asio_transport t;
    REQUIRE(fetch(t, get(server.url())));
    auto r = fetch(t, get(server.url()));
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
    CHECK(r->body == R"("first")");  // the fresh connection's first answer
    CHECK(server.accepted() == 2);
    CHECK(t.connections_opened() == 2);
  }
  SUBCASE("a POST without an idempotency key is not re-sent") {
    mj_test::scripted_server server([&](mj_test::peer& p) {
      if (!p.read_request()) return;
      p.send(mj_test::http_ok("{}"));
      (void)p.read_request();
      p.close();
    });
    asio_transport t;
    REQUIRE(fetch(t, get(server.url())));
    auto post = get(server.url());
    post.method = "POST";
    post.body = "{}";
    auto r = fetch(t, std::move(post));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
    CHECK(server.accepted() == 1);
  }
  SUBCASE("a POST with an idempotency key is re-sent") {
    std::atomic<int> connection{0};
    mj_test::scripted_server server([&](mj_test::peer& p) {
      const int n = ++connection;
      if (!p.read_request()) return;
      p.send(mj_test::http_ok("{}"));
      if (n == 1) {
        (void)p.read_request();
        p.close();
        return;
      }
      p.wait_for_close();
    });
    asio_transport t;
    REQUIRE(fetch(t, get(server.url())));
    auto post = get(server.url());
    post.method = "POST";
    post.body = "{}";
    post.headers.add("Idempotency-Key", "k-1");
    REQUIRE(fetch(t, std::move(post)));
    CHECK(server.accepted() == 2);
  }
}

TEST_CASE("a pooled connection the server closed while idle is not reused") {
  mj_test::latch_flag server_closed;
  mj_test::scripted_server server([&](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.send(mj_test::http_ok("{}"));
    p.close();
    server_closed.set();
  });
  asio_transport t;
  REQUIRE(fetch(t, get(server.url())));
  REQUIRE(server_closed.wait());
  // The FIN may still be in flight; either the pool check or the one repeat must recover.
  auto r = fetch(t, get(server.url()));
  REQUIRE(r);
  CHECK(server.accepted() == 2);
}

TEST_CASE("an idle connection older than idle_timeout is closed instead of reused") {
  mj_test::scripted_server server(answer_all(mj_test::http_ok("{}")));
  asio_transport t({.idle_timeout = 0ms});
  for (int i = 0; i < 3; ++i) REQUIRE(fetch(t, get(server.url())));
  CHECK(server.accepted() == 3);
}

TEST_CASE("Connection: close and HTTP/1.0 responses are honoured: the connection is not reused") {
  SUBCASE("Connection: close") {
    mj_test::scripted_server server(answer_all(mj_test::http_ok("{}", "Connection: close\r\n")));
    asio_transport t;
    for (int i = 0; i < 3; ++i) {
      auto r = fetch(t, get(server.url()));
      REQUIRE(r);
      CHECK_FALSE(r->keep_alive);
    }
    CHECK(server.accepted() == 3);
  }
  SUBCASE("HTTP/1.0") {
    mj_test::scripted_server server(answer_all("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"));
    asio_transport t;
    for (int i = 0; i < 2; ++i) REQUIRE(fetch(t, get(server.url())));
    CHECK(server.accepted() == 2);
  }
  SUBCASE("a request that says Connection: close") {
    mj_test::scripted_server server(answer_all(mj_test::http_ok("{}")));
    asio_transport t;
    for (int i = 0; i < 2; ++i) {
      auto req = get(server.url());
      req.headers.add("Connection", "close");
      REQUIRE(fetch(t, std::move(req)));
    }
    CHECK(server.accepted() == 2);
  }
}

TEST_CASE("an oversize response is refused with limit_exceeded") {
  mj_test::scripted_server server(answer_all(mj_test::http_ok(std::string(5000, 'x'))));
  SUBCASE("body") {
    asio_transport t({.limits = {.max_header_bytes = 4096, .max_body_bytes = 4096}});
    auto r = fetch(t, get(server.url()));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::limit_exceeded);
  }
  SUBCASE("headers") {
    asio_transport t({.limits = {.max_header_bytes = 32, .max_body_bytes = 1 << 20}});
    auto r = fetch(t, get(server.url()));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::limit_exceeded);
  }
}

TEST_CASE("a malformed response is a protocol error") {
  mj_test::scripted_server server(answer_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"));
  asio_transport t;
  auto r = fetch(t, get(server.url()));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::protocol);
}

TEST_CASE("bad requests fail at once, without a connection") {
  mj_test::scripted_server server(answer_all(mj_test::http_ok("{}")));
  asio_transport t;
  SUBCASE("unparsable URL") { CHECK(kind_of(fetch(t, get("http://user:pw@127.0.0.1/"))) == error_kind::protocol); }
  SUBCASE("header injection") {
    auto req = get(server.url());
    req.headers.add("X-Evil", "a\r\nInjected: 1");
    CHECK(kind_of(fetch(t, std::move(req))) == error_kind::validation);
  }
  CHECK(server.accepted() == 0);
}

TEST_CASE("a refused connection is a transport error") {
  std::uint16_t port = 0;
  {
    mj_test::scripted_server gone(answer_all(""));
    port = gone.port();
  }
  asio_transport t;
  auto r = fetch(t, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::transport);
  CHECK(r.error().request_not_sent());  // nothing reached the network: safe to repeat a POST
}

// --- timeouts and cancellation, phase by phase ------------------------------------------------

namespace {

// A listener whose accept queue is full: further connects hang in SYN-SENT (Linux drops the
// SYN), which gives a connect that never completes without leaving 127.0.0.1.
struct full_backlog {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io};
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> fillers;
  std::uint16_t port = 0;

  full_backlog() {
    const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    asio::error_code ec;
    acceptor.open(ep.protocol(), ec);
    acceptor.bind(ep, ec);
    acceptor.listen(0, ec);
    port = acceptor.local_endpoint(ec).port();
    // Fill the queue: connect until a connect does not complete at once.
    for (int i = 0; i < 64; ++i) {
      auto s = std::make_unique<asio::ip::tcp::socket>(io);
      bool connected = false;
      s->async_connect({ep.address(), port}, [&](const asio::error_code& e) { connected = !e; });
      io.run_for(250ms);  // a loopback connect that can complete does so in microseconds
      io.restart();
      fillers.push_back(std::move(s));
      if (!connected) break;
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }
};

}  // namespace

TEST_CASE("timeout and cancellation while connecting") {
  full_backlog hang;
  SUBCASE("connect_timeout") {
    asio_transport t({.connect_timeout = 150ms});
    auto r = fetch(t, get(hang.url(), 10s));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::timeout);
    CHECK(r.error().detail().find("connecting") != std::string_view::npos);
    CHECK(r.error().request_not_sent());
  }
  SUBCASE("the request timeout bounds the connect too") {
    asio_transport t;
    auto r = fetch(t, get(hang.url(), 150ms));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::timeout);
  }
  SUBCASE("stop request") {
    asio::io_context io;
    asio_transport t(io);
    std::stop_source stop;
    mj_test::response_outcome out;
    t.async_send(get(hang.url(), 0ms), stop.get_token(), [&](result<http::response> r) { out.set(std::move(r)); });
    io.poll();  // starts the connect
    CHECK_FALSE(out.ready());
    stop.request_stop();
    while (!out.ready()) io.run_one_for(1s);
    auto& r = out.get();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::cancelled);
    CHECK(r.error().detail().find("connecting") != std::string_view::npos);
  }
}

TEST_CASE("timeout and cancellation while resolving") {
  // "localhost" goes through the resolver (an IP literal would skip it); the server never answers.
  mj_test::scripted_server server([](mj_test::peer& p) { p.wait_for_close(); });
  const std::string url = "http://localhost:" + std::to_string(server.port()) + "/";
  SUBCASE("stop request") {
    asio::io_context io;
    asio_transport t(io);
    std::stop_source stop;
    mj_test::response_outcome out;
    t.async_send(get(url, 0ms), stop.get_token(), [&](result<http::response> r) { out.set(std::move(r)); });
    io.poll();  // starts resolving
    stop.request_stop();
    while (!out.ready()) io.run_one_for(1s);
    REQUIRE_FALSE(out.get());
    CHECK(out.get().error().kind() == error_kind::cancelled);
  }
  SUBCASE("timeout") {
    asio_transport t;
    auto r = fetch(t, get(url, 1ms));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::timeout);
  }
}

TEST_CASE("timeout and cancellation while writing") {
  // The server never reads: a large body fills the socket buffers and the write stalls.
  mj_test::latch_flag done;
  mj_test::scripted_server server([&](mj_test::peer&) { done.wait(); });
  auto big = get(server.url());
  big.method = "PUT";
  big.body.assign(64 * 1024 * 1024, 'x');
  SUBCASE("timeout") {
    asio_transport t;
    big.timeout = 200ms;
    auto r = fetch(t, std::move(big));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::timeout);
    CHECK(r.error().detail().find("sending the request") != std::string_view::npos);
  }
  SUBCASE("stop request") {
    asio_transport t;
    std::stop_source stop;
    mj_test::response_outcome out;
    big.timeout = 0ms;
    t.async_send(std::move(big), stop.get_token(), [&](result<http::response> r) { out.set(std::move(r)); });
    // Wait until the server has the connection (the write is then under way), then stop.
    while (server.accepted() == 0) std::this_thread::yield();
    stop.request_stop();
    auto& r = out.get();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::cancelled);
  }
  done.set();
}

TEST_CASE("timeout and cancellation while reading") {
  mj_test::latch_flag got_request;
  mj_test::scripted_server server([&](mj_test::peer& p) {
    if (!p.read_request()) return;
    got_request.set();
    p.wait_for_close();
  });
  SUBCASE("timeout") {
    asio_transport t;
    auto r = fetch(t, get(server.url(), 100ms));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::timeout);
  }
  SUBCASE("stop request closes the socket") {
    asio_transport t;
    std::stop_source stop;
    mj_test::response_outcome out;
    t.async_send(get(server.url(), 0ms), stop.get_token(), [&](result<http::response> r) { out.set(std::move(r)); });
    REQUIRE(got_request.wait());
    stop.request_stop();
    auto& r = out.get();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::cancelled);
  }
  SUBCASE("a stop requested before the call completes at once") {
    asio_transport t;
    std::stop_source stop;
    stop.request_stop();
    auto r = fetch(t, get(server.url()), stop.get_token());
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::cancelled);
    CHECK(server.accepted() == 0);
  }
}

TEST_CASE("destroying the transport completes every request in flight exactly once") {
  mj_test::scripted_server server([](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.wait_for_close();
  });
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto cancelled = std::make_shared<std::atomic<int>>(0);
  auto on_done = [calls, cancelled](result<http::response> r) {
    calls->fetch_add(1);
    if (!r && r.error().kind() == error_kind::cancelled) cancelled->fetch_add(1);
  };
  SUBCASE("owned io_context") {
    {
      asio_transport t;
      for (int i = 0; i < 5; ++i) t.async_send(get(server.url(), 0ms), {}, on_done);
      while (server.accepted() < 5) std::this_thread::yield();
    }
    CHECK(calls->load() == 5);
    CHECK(cancelled->load() == 5);
  }
  SUBCASE("the user's io_context, not running at the time") {
    asio::io_context io;
    {
      asio_transport t(io);
      for (int i = 0; i < 5; ++i) t.async_send(get(server.url(), 0ms), {}, on_done);
      io.poll();
    }
    CHECK(calls->load() == 5);
    CHECK(cancelled->load() == 5);
    io.run();  // what is left closes the sockets and calls nothing more
    CHECK(calls->load() == 5);
  }
  SUBCASE("with waits in flight") {
    auto waits = std::make_shared<std::atomic<int>>(0);
    {
      asio_transport t;
      for (int i = 0; i < 3; ++i)
        t.async_wait(1h, {}, [waits](result<void> r) {
          if (!r && r.error().kind() == error_kind::cancelled) waits->fetch_add(1);
        });
    }
    CHECK(waits->load() == 3);
  }
}

TEST_CASE("a transport destroyed from inside one of its completions cancels the rest") {
  mj_test::latch_flag release;
  std::atomic<int> connection{0};
  mj_test::scripted_server server([&](mj_test::peer& p) {
    const int n = ++connection;
    if (!p.read_request()) return;
    if (n == 1) p.send(mj_test::http_ok("{}"));  // the first connection answers, the other never
    p.wait_for_close();
  });
  asio::io_context io;
  auto t = std::make_unique<asio_transport>(io);
  std::vector<result<http::response>> results;
  auto on_done = [&](result<http::response> r) {
    results.push_back(std::move(r));
    t.reset();  // the first to complete destroys the transport while the other is in flight
  };
  t->async_send(get(server.url(), 0ms), {}, on_done);
  t->async_send(get(server.url(), 0ms), {}, on_done);
  io.run();
  REQUIRE(results.size() == 2);
  CHECK(results[0].has_value());
  CHECK(kind_of(results[1]) == error_kind::cancelled);
  CHECK(t == nullptr);
}

TEST_CASE("async_wait elapses, or ends with cancelled on a stop request") {
  asio_transport t;
  SUBCASE("elapses") {
    mj_test::outcome<result<void>> out;
    const auto t0 = std::chrono::steady_clock::now();
    t.async_wait(30ms, {}, [&](result<void> r) { out.set(std::move(r)); });
    CHECK(out.get().has_value());
    CHECK(std::chrono::steady_clock::now() - t0 >= 30ms);
  }
  SUBCASE("stopped") {
    mj_test::outcome<result<void>> out;
    std::stop_source stop;
    t.async_wait(1h, stop.get_token(), [&](result<void> r) { out.set(std::move(r)); });
    stop.request_stop();
    REQUIRE_FALSE(out.get());
    CHECK(out.get().error().kind() == error_kind::cancelled);
  }
}

TEST_CASE("the transport and timer concepts are modelled") {
  static_assert(mediajobs::transport<asio_transport>);
  static_assert(mediajobs::timer<asio_transport>);
}

TEST_CASE("a game loop can drive the transport with poll()") {
  mj_test::scripted_server server(answer_all(mj_test::http_ok("{}")));
  asio::io_context io;
  asio_transport t(io);
  mj_test::response_outcome out;
  t.async_send(get(server.url()), {}, [&](result<http::response> r) { out.set(std::move(r)); });
  int frames = 0;
  while (!out.ready() && frames < 100000) {
    io.poll();
    ++frames;
    if (!out.ready()) io.run_one_for(1ms);  // the "rest of the frame"
  }
  REQUIRE(out.ready());
  CHECK(out.get().has_value());
}

TEST_CASE("a multi-threaded io_context serves concurrent requests (run under TSan)") {
  mj_test::scripted_server server(answer_all(mj_test::http_ok(R"({"ok":true})")));
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::vector<std::thread> runners;
  for (int i = 0; i < 4; ++i) runners.emplace_back([&] { io.run(); });
  std::atomic<int> ok{0};
  {
    asio_transport t(io, {.max_idle_per_origin = 4});
    std::vector<std::thread> clients;
    for (int c = 0; c < 6; ++c) {
      clients.emplace_back([&] {
        for (int i = 0; i < 20; ++i) {
          auto r = fetch(t, get(server.url()));
          if (r && r->body == R"({"ok":true})") ok.fetch_add(1);
        }
      });
    }
    // And a few that are cancelled or time out, concurrently.
    std::stop_source stop;
    mj_test::outcome<result<void>> w;
    t.async_wait(1h, stop.get_token(), [&](result<void> r) { w.set(std::move(r)); });
    stop.request_stop();
    REQUIRE_FALSE(w.get());
    CHECK(w.get().error().kind() == error_kind::cancelled);
    for (auto& c : clients) c.join();
    CHECK(t.connections_opened() < 60);  // the pool was used (4 idle kept, 6 clients)
  }
  CHECK(ok.load() == 120);
  guard.reset();
  for (auto& r : runners) r.join();
}

// --- TLS -----------------------------------------------------------------------------------------

#if MEDIAJOBS_WITH_OPENSSL

namespace {
const mj_test::test_pki& pki() {
  static const mj_test::test_pki p = mj_test::make_test_pki("DNS:mediajobs.test,IP:127.0.0.1");
  return p;
}
asio_transport::options tls_client(bool trust_test_ca = true) {
  asio_transport::options o;
  o.resolve_overrides = {{"mediajobs.test", "127.0.0.1"}, {"wrong.test", "127.0.0.1"}};
  o.tls.use_system_ca_store = false;
  if (trust_test_ca) o.tls.ca_pem = pki().ca_cert;
  return o;
}
}  // namespace

TEST_CASE("https: the right host name is accepted, SNI is sent, the connection is kept alive") {
  mj_test::tls_server server(pki().leaf_cert, pki().leaf_key, mj_test::http_ok(R"({"secure":true})"));
  asio_transport t(tls_client());
  for (int i = 0; i < 3; ++i) {
    auto r = fetch(t, get(server.url("mediajobs.test", "/v1/jobs")));
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
    CHECK(r->body == R"({"secure":true})");
  }
  CHECK(server.last_sni() == "mediajobs.test");
  CHECK(server.handshakes() == 1);
}

TEST_CASE("https: an IP literal is verified against the IP SAN and sends no SNI") {
  mj_test::tls_server server(pki().leaf_cert, pki().leaf_key, mj_test::http_ok("{}"));
  asio_transport t(tls_client());
  auto r = fetch(t, get(server.url("127.0.0.1")));
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message()));
  CHECK(server.last_sni().empty());
}

TEST_CASE("https: a wrong host name is refused") {
  mj_test::tls_server server(pki().leaf_cert, pki().leaf_key, mj_test::http_ok("{}"));
  asio_transport t(tls_client());
  auto r = fetch(t, get(server.url("wrong.test")));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::transport);
  CHECK(r.error().detail().find("TLS") != std::string_view::npos);
  CHECK(r.error().request_not_sent());
  CHECK(server.handshakes() == 0);
}

TEST_CASE("https: a certificate from an untrusted CA is refused") {
  mj_test::tls_server server(pki().rogue_leaf_cert, pki().rogue_leaf_key, mj_test::http_ok("{}"));
  SUBCASE("test CA trusted, rogue CA not") {
    asio_transport t(tls_client());
    auto r = fetch(t, get(server.url("mediajobs.test")));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
  }
  SUBCASE("no extra CA at all") {
    asio_transport t(tls_client(false));
    auto r = fetch(t, get(server.url("mediajobs.test")));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
  }
  SUBCASE("unless verification is disabled, loudly") {
    auto o = tls_client(false);
    o.tls.danger_disable_verification_for_local_testing_only = true;
    asio_transport t(o);
    CHECK(fetch(t, get(server.url("mediajobs.test"))).has_value());
  }
  CHECK(server.handshakes() <= 1);
}

TEST_CASE("https: a server that never answers the handshake runs into the connect timeout") {
  mj_test::scripted_server silent([](mj_test::peer& p) { p.wait_for_close(); });
  auto o = tls_client();
  o.connect_timeout = 150ms;
  asio_transport t(o);
  auto r = fetch(t, get("https://mediajobs.test:" + std::to_string(silent.port()) + "/", 10s));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::timeout);
  CHECK(r.error().detail().find("TLS handshake") != std::string_view::npos);
}

TEST_CASE("https: an unreadable CA file fails every https request with a transport error") {
  auto o = tls_client(false);
  o.tls.ca_file = "/nonexistent/mediajobs-ca.pem";
  asio_transport t(o);
  auto r = fetch(t, get("https://127.0.0.1:1/"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::transport);
  CHECK(r.error().detail().find("CA file") != std::string_view::npos);
}

#endif  // MEDIAJOBS_WITH_OPENSSL

TEST_CASE("the origin of a URL: scheme, lowercase host, effective port, IPv6 without brackets") {
  mediajobs::detail::asio_impl::origin_info o;
  REQUIRE(o.parse("HTTPS://Api.Example.COM/v1?x=1"));
  CHECK(o.https);
  CHECK(o.host == "api.example.com");
  CHECK(o.port == 443);
  REQUIRE(o.parse("http://[::1]:8080/jobs"));
  CHECK_FALSE(o.https);
  CHECK(o.host == "::1");
  CHECK(o.port == 8080);
  CHECK(o.authority() == "[::1]:8080");
  REQUIRE(o.parse("http://127.0.0.1?q"));
  CHECK(o.port == 80);
  CHECK_FALSE(o.parse("ftp://example.com/"));
  CHECK_FALSE(o.parse("/relative"));
  CHECK_FALSE(o.parse("http://host:0/"));
}

TEST_CASE("a non-http URL is refused without a connection") {
  asio_transport t;
  auto req = get("ftp://127.0.0.1/file");
  CHECK(kind_of(fetch(t, std::move(req))) == error_kind::protocol);
}
