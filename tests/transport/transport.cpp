// The transport concept, exactly-once completions, mock_transport, manual_timer and the
// adapters (from_sender, from_awaitable, callback_transport), each round-tripping through the mock.
#include <mediajobs/core/exec.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/transport/adapters.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/transport/ref.hpp>
#include <mediajobs/transport/transport.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

using namespace mediajobs;
using namespace std::chrono_literals;

namespace {

http::request make_request(std::string method, std::string url, std::string body = {}) {
  http::request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

http::response ok(std::string body, int status = 200) {
  http::response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// Sends `req` through `t` with `stop`, and records the outcome (inline or later).
struct recorder {
  std::optional<result<http::response>> got;
  int calls = 0;
  send_completion completion() {
    return [this](result<http::response> r) {
      ++calls;
      got = std::move(r);
    };
  }
};

template <class Transport>
task<result<http::response>> send_via(Transport& t, http::request req) {
  co_return co_await async_send(t, std::move(req));
}

// --- a sender-based client over the mock, for from_sender --------------------------------------
struct sender_client {
  mock_transport* mock;

  template <class Receiver>
  struct operation {
    mock_transport* mock;
    http::request req;
    Receiver receiver;
    void start() & noexcept {
      std::stop_token stop = exec::stop_token_of(exec::env_of(receiver));
      mock->async_send(std::move(req), std::move(stop), [this](result<http::response>&& r) {
        if (r) {
          std::move(receiver).set_value(std::move(*r));
          return;
        }
        error e = std::move(r).error();
        if (e.kind() == error_kind::cancelled)
          std::move(receiver).set_stopped();
        else
          std::move(receiver).set_error(std::move(e));
      });
    }
  };

  struct sender {
    using sender_concept = exec::sender_t;
    using completion_signatures = exec::completion_signatures<exec::set_value_t(http::response),
                                                              exec::set_error_t(error), exec::set_stopped_t()>;
    mock_transport* mock;
    http::request req;
    template <class Receiver>
    operation<Receiver> connect(Receiver r) && {
      return {mock, std::move(req), std::move(r)};
    }
  };

  sender send(http::request req) { return {mock, std::move(req)}; }
};

// A sender that fails with a foreign error type.
struct failing_sender_client {
  template <class Receiver>
  struct operation {
    Receiver receiver;
    void start() & noexcept { std::move(receiver).set_error(std::string("boom")); }
  };
  struct sender {
    using sender_concept = exec::sender_t;
    using completion_signatures = exec::completion_signatures<exec::set_error_t(std::string)>;
    template <class Receiver>
    operation<Receiver> connect(Receiver r) && {
      return {std::move(r)};
    }
  };
  sender send(http::request) { return {}; }
};

// --- awaitable-based clients, for from_awaitable -------------------------------------------------
struct task_client {
  mock_transport* mock;
  task<result<http::response>> send(http::request req) { co_return co_await async_send(*mock, std::move(req)); }
};

// Not a template: works with any transport and timer through the refs.
task<result<int>> fetch_with_one_retry(transport_ref t, timer_ref timer) {
  for (int attempt = 0;; ++attempt) {
    auto r = co_await async_send(t, make_request("GET", "https://x.test/retry"));
    if (r) co_return r->status;
    if (attempt == 1) co_return unexpected(std::move(r).error());
    if (auto slept = co_await async_wait(timer, 250ms); !slept) co_return unexpected(std::move(slept).error());
  }
}

struct plain_client {
  int* sent;
  task<http::response> send(http::request req) {
    ++*sent;
    co_return ok("echo " + req.url);
  }
};

}  // namespace

// --- concepts ------------------------------------------------------------------------------------
static_assert(transport<mock_transport>);
static_assert(transport<callback_transport>);
static_assert(transport<sender_transport<sender_client>>);
static_assert(transport<awaitable_transport<task_client>>);
static_assert(transport<awaitable_transport<plain_client>>);
static_assert(timer<manual_timer>);
static_assert(!transport<manual_timer>);
static_assert(!timer<mock_transport>);
static_assert(!transport<int>);
static_assert(transport<transport_ref> && timer<timer_ref>);
static_assert(sizeof(transport_ref) == 2 * sizeof(void*));
static_assert(!std::is_copy_constructible_v<send_completion>);
static_assert(std::is_nothrow_move_constructible_v<send_completion>);

// --- completions ---------------------------------------------------------------------------------
TEST_CASE("a completion delivers once; later calls are ignored") {
  recorder rec;
  send_completion done = rec.completion();
  CHECK(static_cast<bool>(done));
  done(ok("first"));
  CHECK_FALSE(static_cast<bool>(done));
  done(ok("second"));
  CHECK(rec.calls == 1);
  REQUIRE(rec.got.has_value());
  CHECK((*rec.got)->body == "first");
}

TEST_CASE("a completion destroyed uncalled delivers cancelled; a moved-from one delivers nothing") {
  recorder rec;
  {
    send_completion done = rec.completion();
    send_completion moved = std::move(done);
    (void)moved;
  }
  CHECK(rec.calls == 1);
  REQUIRE(rec.got.has_value());
  REQUIRE_FALSE(rec.got->has_value());
  CHECK(rec.got->error().kind() == error_kind::cancelled);
}

// --- mock_transport ------------------------------------------------------------------------------
TEST_CASE("mock answers from its queue in order, then from its handler, then with an error") {
  mock_transport mock;
  mock.expect(ok("one"));
  mock.expect(error{error_kind::transport, "reset"});
  mock.on_request([](const http::request& req) -> result<http::response> { return ok("handled " + req.url); });

  recorder a, b, c;
  mock.async_send(make_request("GET", "u1"), {}, a.completion());
  mock.async_send(make_request("GET", "u2"), {}, b.completion());
  mock.async_send(make_request("GET", "u3"), {}, c.completion());
  REQUIRE(a.got.has_value());
  REQUIRE(a.got->has_value());
  CHECK((*a.got)->body == "one");
  REQUIRE(b.got.has_value());
  REQUIRE_FALSE(b.got->has_value());
  CHECK(b.got->error().kind() == error_kind::transport);
  CHECK(b.got->error().detail() == "reset");
  REQUIRE(c.got.has_value());
  REQUIRE(c.got->has_value());
  CHECK((*c.got)->body == "handled u3");

  mock_transport bare;
  recorder d;
  bare.async_send(make_request("POST", "https://x.test/none"), {}, d.completion());
  REQUIRE(d.got.has_value());
  REQUIRE_FALSE(d.got->has_value());
  CHECK(d.got->error().kind() == error_kind::transport);
  CHECK(d.got->error().detail() == "mock_transport: nothing scripted for POST https://x.test/none");
}

TEST_CASE("mock records every request: method, URL, headers, body") {
  mock_transport mock;
  mock.on_request([](const http::request&) -> result<http::response> { return ok("{}"); });
  http::request req = make_request("POST", "https://api.test/v1/jobs", R"({"a":1})");
  req.headers.add("Content-Type", "application/json");
  req.headers.add("X-Api-Key", "k");
  auto r = sync_wait(send_via(mock, std::move(req)));
  CHECK(r.has_value());
  CHECK(sync_wait(send_via(mock, make_request("DELETE", "https://api.test/v1/jobs/7"))).has_value());

  auto sent = mock.requests();
  REQUIRE(sent.size() == 2);
  CHECK(mock.request_count() == 2);
  CHECK(sent[0].method == "POST");
  CHECK(sent[0].url == "https://api.test/v1/jobs");
  CHECK(sent[0].body == R"({"a":1})");
  CHECK(sent[0].headers.get("content-type") == std::optional<std::string_view>("application/json"));
  CHECK(sent[0].headers.get("x-api-key") == std::optional<std::string_view>("k"));
  CHECK(sent[1].method == "DELETE");
  CHECK(sent[1].url == "https://api.test/v1/jobs/7");
}

TEST_CASE("mock fail_next injects failures before the scripted responses") {
  mock_transport mock;
  mock.expect(ok("after"));
  mock.fail_next(error_kind::timeout);
  mock.fail_next(error_kind::transport, "connection refused");
  CHECK(mock.unused_responses() == 3);

  auto first = sync_wait(send_via(mock, make_request("GET", "u")));
  REQUIRE_FALSE(first.has_value());
  CHECK(first.error().kind() == error_kind::timeout);
  auto second = sync_wait(send_via(mock, make_request("GET", "u")));
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().kind() == error_kind::transport);
  CHECK(second.error().detail() == "connection refused");
  auto third = sync_wait(send_via(mock, make_request("GET", "u")));
  REQUIRE(third.has_value());
  CHECK(third->body == "after");
  CHECK(mock.unused_responses() == 0);
}

TEST_CASE("deferred mock: requests wait for complete_next, in order") {
  mock_transport mock;
  mock.set_deferred(true);
  mock.expect(ok("a"));
  mock.expect(ok("b"));
  recorder first, second, third;
  mock.async_send(make_request("GET", "1"), {}, first.completion());
  mock.async_send(make_request("GET", "2"), {}, second.completion());
  mock.async_send(make_request("GET", "3"), {}, third.completion());
  CHECK(mock.pending() == 3);
  CHECK(first.calls == 0);

  CHECK(mock.complete_next());
  CHECK(first.calls == 1);
  CHECK((*first.got)->body == "a");
  CHECK(second.calls == 0);

  CHECK(mock.complete_next(ok("override", 503)));
  CHECK((*second.got)->status == 503);
  CHECK((*second.got)->body == "override");
  CHECK(mock.unused_responses() == 1);  // the override left "b" queued

  CHECK(mock.complete_all() == 1);
  CHECK((*third.got)->body == "b");
  CHECK(mock.pending() == 0);
  CHECK_FALSE(mock.complete_next());
}

TEST_CASE("deferred mock honours stop tokens") {
  mock_transport mock;
  mock.set_deferred(true);
  mock.expect(ok("kept for the next"));
  std::stop_source source;
  recorder stopped, other;
  mock.async_send(make_request("GET", "s"), source.get_token(), stopped.completion());
  mock.async_send(make_request("GET", "o"), {}, other.completion());
  REQUIRE(mock.pending() == 2);
  source.request_stop();
  CHECK(mock.pending() == 1);
  REQUIRE(stopped.got.has_value());
  REQUIRE_FALSE(stopped.got->has_value());
  CHECK(stopped.got->error().kind() == error_kind::cancelled);
  CHECK(mock.complete_next());
  CHECK((*other.got)->body == "kept for the next");
  CHECK(stopped.calls == 1);
}

TEST_CASE("mock: a request already stopped is neither recorded nor answered from the script") {
  mock_transport mock;
  mock.expect(ok("unused"));
  std::stop_source source;
  source.request_stop();
  recorder rec;
  mock.async_send(make_request("GET", "x"), source.get_token(), rec.completion());
  REQUIRE(rec.got.has_value());
  CHECK(rec.got->error().kind() == error_kind::cancelled);
  CHECK(mock.request_count() == 0);
  CHECK(mock.unused_responses() == 1);
}

TEST_CASE("destroying a mock with waiting requests completes them with cancelled") {
  recorder rec;
  {
    mock_transport mock;
    mock.set_deferred(true);
    std::stop_source source;
    mock.async_send(make_request("GET", "x"), source.get_token(), rec.completion());
    CHECK(rec.calls == 0);
  }
  CHECK(rec.calls == 1);
  CHECK(rec.got->error().kind() == error_kind::cancelled);
}

// --- manual_timer --------------------------------------------------------------------------------
TEST_CASE("manual_timer fires due waits in order of due time, then arrival") {
  manual_timer timer;
  std::vector<std::string> fired;
  auto note = [&](std::string name) -> wait_completion {
    return [&fired, name = std::move(name)](result<void> r) { fired.push_back(r ? name : name + "!"); };
  };
  timer.async_wait(300ms, {}, note("c"));
  timer.async_wait(100ms, {}, note("a"));
  timer.async_wait(200ms, {}, note("b1"));
  timer.async_wait(200ms, {}, note("b2"));
  CHECK(timer.pending() == 4);
  CHECK(timer.now() == 0ms);

  CHECK(timer.advance(99ms) == 0);
  CHECK(fired.empty());
  CHECK(timer.advance(101ms) == 3);
  CHECK(fired == std::vector<std::string>{"a", "b1", "b2"});
  CHECK(timer.now() == 200ms);
  CHECK(timer.pending() == 1);
  CHECK(timer.advance_to_next() == 1);
  CHECK(timer.now() == 300ms);
  CHECK(fired.back() == "c");
  CHECK(timer.requested() == std::vector<std::chrono::milliseconds>{300ms, 100ms, 200ms, 200ms});
}

TEST_CASE("manual_timer: a wait started by a completion fires within the same advance when due") {
  manual_timer timer;
  std::vector<std::chrono::milliseconds> seen;
  auto poll = [](manual_timer& t, std::vector<std::chrono::milliseconds>* s) -> task<result<void>> {
    for (int i = 0; i < 3; ++i) {
      auto r = co_await async_wait(t, 100ms);
      if (!r) co_return r;
      s->push_back(t.now());
    }
    co_return result<void>{};
  };
  std::optional<result<void>> got;
  start(poll(timer, &seen), [&](result<void> r) { got = std::move(r); });
  CHECK(timer.advance(250ms) == 2);
  CHECK(seen == std::vector<std::chrono::milliseconds>{100ms, 200ms});
  CHECK(timer.now() == 250ms);
  CHECK_FALSE(got.has_value());
  CHECK(timer.advance(50ms) == 1);
  REQUIRE(got.has_value());
  CHECK(got->has_value());
}

TEST_CASE("manual_timer: zero waits complete inline; auto-advance lets sync_wait drive sleeps") {
  manual_timer timer;
  int calls = 0;
  timer.async_wait(0ms, {}, [&](result<void> r) { calls += r ? 1 : 100; });
  CHECK(calls == 1);
  CHECK(timer.now() == 0ms);

  timer.set_auto_advance(true);
  auto sleeps = [](manual_timer& t) -> task<result<void>> {
    if (auto first = co_await async_wait(t, 1s); !first) co_return first;
    co_return co_await async_wait(t, 2s);
  };
  CHECK(sync_wait(sleeps(timer)).has_value());
  CHECK(timer.now() == 3s);
  CHECK(timer.pending() == 0);
}

TEST_CASE("manual_timer honours stop tokens, and destroying it cancels what waits") {
  std::optional<result<void>> stopped, dropped;
  {
    manual_timer timer;
    std::stop_source source;
    timer.async_wait(1s, source.get_token(), [&](result<void> r) { stopped = std::move(r); });
    timer.async_wait(1s, {}, [&](result<void> r) { dropped = std::move(r); });
    source.request_stop();
    REQUIRE(stopped.has_value());
    CHECK(stopped->error().kind() == error_kind::cancelled);
    CHECK(timer.pending() == 1);
  }
  REQUIRE(dropped.has_value());
  CHECK(dropped->error().kind() == error_kind::cancelled);
}

// --- refs --------------------------------------------------------------------------------------
TEST_CASE("transport_ref and timer_ref drive the mock and the manual timer") {
  mock_transport mock;
  manual_timer timer;
  mock.fail_next(error_kind::transport);
  mock.expect(ok("", 204));
  std::optional<result<int>> got;
  start(fetch_with_one_retry(mock, timer), [&](result<int> r) { got = std::move(r); });
  CHECK(mock.request_count() == 1);
  CHECK(timer.pending() == 1);
  CHECK_FALSE(got.has_value());
  timer.advance(250ms);
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == 204);
  CHECK(mock.request_count() == 2);
  CHECK(timer.requested() == std::vector<std::chrono::milliseconds>{250ms});
}

// --- from_sender ---------------------------------------------------------------------------------
TEST_CASE("from_sender round-trips through the mock") {
  mock_transport mock;
  mock.expect(ok("via sender", 201));
  auto t = from_sender(sender_client{&mock});
  auto r = sync_wait(send_via(t, make_request("POST", "https://x.test/jobs", "{}")));
  REQUIRE(r.has_value());
  CHECK(r->status == 201);
  CHECK(r->body == "via sender");
  REQUIRE(mock.request_count() == 1);
  CHECK(mock.requests()[0].body == "{}");

  mock.fail_next(error_kind::timeout);
  auto failed = sync_wait(send_via(t, make_request("GET", "u")));
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().kind() == error_kind::timeout);
}

TEST_CASE("from_sender forwards the stop token through the receiver's environment") {
  mock_transport mock;
  mock.set_deferred(true);
  auto t = from_sender(sender_client{&mock});
  std::stop_source source;
  std::optional<result<http::response>> got;
  start(send_via(t, make_request("GET", "u")), [&](result<http::response> r) { got = std::move(r); },
        source.get_token());
  REQUIRE(mock.pending() == 1);
  source.request_stop();
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().kind() == error_kind::cancelled);  // set_stopped -> cancelled
}

TEST_CASE("from_sender maps a foreign error type to a transport error") {
  auto t = from_sender(failing_sender_client{});
  auto r = sync_wait(send_via(t, make_request("GET", "u")));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind() == error_kind::transport);
}

// --- from_awaitable ------------------------------------------------------------------------------
TEST_CASE("from_awaitable round-trips through the mock, and the task inherits the stop token") {
  mock_transport mock;
  mock.expect(ok("via task"));
  auto t = from_awaitable(task_client{&mock});
  auto r = sync_wait(send_via(t, make_request("GET", "https://x.test/a")));
  REQUIRE(r.has_value());
  CHECK(r->body == "via task");
  CHECK(mock.requests().at(0).url == "https://x.test/a");

  mock.set_deferred(true);
  std::stop_source source;
  std::optional<result<http::response>> got;
  start(send_via(t, make_request("GET", "u")), [&](result<http::response> x) { got = std::move(x); },
        source.get_token());
  REQUIRE(mock.pending() == 1);
  source.request_stop();
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().kind() == error_kind::cancelled);
}

TEST_CASE("from_awaitable accepts an awaitable of a plain response") {
  int sent = 0;
  auto t = from_awaitable(plain_client{&sent});
  auto r = sync_wait(send_via(t, make_request("GET", "u")));
  REQUIRE(r.has_value());
  CHECK(r->body == "echo u");
  CHECK(sent == 1);
}

// --- callback_transport --------------------------------------------------------------------------
TEST_CASE("callback_transport round-trips through the mock") {
  mock_transport mock;
  mock.expect(ok("via callback"));
  callback_transport t([&mock](http::request req, callback_transport::completion_function done) {
    mock.async_send(std::move(req), {}, [done](result<http::response> r) { done(std::move(r)); });
  });
  auto r = sync_wait(send_via(t, make_request("PUT", "https://x.test/p", "body")));
  REQUIRE(r.has_value());
  CHECK(r->body == "via callback");
  CHECK(mock.requests().at(0).method == "PUT");
}

TEST_CASE("callback_transport: only the first call of the completion counts") {
  callback_transport t([](http::request, callback_transport::completion_function done) {
    done(ok("first"));
    done(ok("second"));
    done(fail(error_kind::transport));
  });
  recorder rec;
  t.async_send(make_request("GET", "u"), {}, rec.completion());
  CHECK(rec.calls == 1);
  CHECK((*rec.got)->body == "first");
}

TEST_CASE("callback_transport: a stop completes at once with cancelled; the late answer is ignored") {
  callback_transport::completion_function kept;
  callback_transport t([&](http::request, callback_transport::completion_function done) { kept = std::move(done); });
  std::stop_source source;
  recorder rec;
  t.async_send(make_request("GET", "u"), source.get_token(), rec.completion());
  CHECK(rec.calls == 0);
  source.request_stop();
  CHECK(rec.calls == 1);
  CHECK(rec.got->error().kind() == error_kind::cancelled);
  kept(ok("late"));
  CHECK(rec.calls == 1);
}

TEST_CASE("callback_transport: a completion the function drops completes with cancelled") {
  int called = 0;
  callback_transport t([&](http::request, callback_transport::completion_function) { ++called; });
  recorder rec;
  t.async_send(make_request("GET", "u"), {}, rec.completion());
  CHECK(called == 1);
  CHECK(rec.calls == 1);
  CHECK(rec.got->error().kind() == error_kind::cancelled);

  std::stop_source source;
  source.request_stop();
  recorder early;
  t.async_send(make_request("GET", "u"), source.get_token(), early.completion());
  CHECK(called == 1);  // never called once stopped
  CHECK(early.got->error().kind() == error_kind::cancelled);
}
