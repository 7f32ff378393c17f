// as_sender(task): the P2300 front-end, driven by a minimal conforming receiver written here.
#include <mediajobs/core/task.hpp>
#include <mediajobs/execution.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/transport/transport.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>

using namespace mediajobs;

namespace {

struct outcome {
  std::optional<std::string> value;
  std::optional<error> err;
  bool stopped = false;
  bool void_value = false;
  int calls = 0;
};

template <class Token>
struct test_env {
  Token stop;
  [[nodiscard]] Token query(exec::get_stop_token_t) const noexcept { return stop; }
};

// A receiver of set_value(std::string) / set_value(), set_error(error), set_stopped(), whose
// environment offers a stop token of type Token.
template <class Token = std::stop_token>
struct test_receiver {
  using receiver_concept = exec::receiver_t;
  outcome* out;
  Token stop{};

  void set_value(std::string v) && noexcept {
    ++out->calls;
    out->value = std::move(v);
  }
  void set_value() && noexcept {
    ++out->calls;
    out->void_value = true;
  }
  void set_error(error e) && noexcept {
    ++out->calls;
    out->err = std::move(e);
  }
  void set_stopped() && noexcept {
    ++out->calls;
    out->stopped = true;
  }
  [[nodiscard]] test_env<Token> get_env() const noexcept { return {stop}; }
};

// A stoppable token that is not std::stop_token (as stdexec's inplace_stop_token is not).
struct other_token {
  std::stop_token inner;
  [[nodiscard]] bool stop_possible() const noexcept { return inner.stop_possible(); }
  [[nodiscard]] bool stop_requested() const noexcept { return inner.stop_requested(); }
  template <class F>
  struct callback_type {
    callback_type(const other_token& t, F f) : cb(t.inner, std::move(f)) {}
    std::stop_callback<F> cb;
  };
};

http::response ok(std::string body) {
  http::response r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

task<result<std::string>> fetch(mock_transport& t) {
  http::request req;
  req.url = "https://x.test/s";
  auto r = co_await async_send(t, std::move(req));
  if (!r) co_return unexpected(std::move(r).error());
  co_return std::move(r->body);
}

task<result<void>> check(mock_transport& t) {
  auto r = co_await fetch(t);
  if (!r) co_return unexpected(std::move(r).error());
  co_return result<void>{};
}

task<std::string> plain() { co_return "plain"; }

}  // namespace

static_assert(std::is_same_v<task_sender<result<std::string>>::completion_signatures,
                             exec::completion_signatures<exec::set_value_t(std::string), exec::set_error_t(error),
                                                         exec::set_stopped_t()>>);
static_assert(std::is_same_v<task_sender<result<void>>::completion_signatures,
                             exec::completion_signatures<exec::set_value_t(), exec::set_error_t(error),
                                                         exec::set_stopped_t()>>);
static_assert(std::is_same_v<task_sender<int>::completion_signatures,
                             exec::completion_signatures<exec::set_value_t(int)>>);
static_assert(std::is_same_v<task_sender<int>::sender_concept, exec::sender_t>);

TEST_CASE("as_sender: a successful result completes with set_value of the value") {
  mock_transport mock;
  mock.expect(ok("body"));
  outcome out;
  auto op = as_sender(fetch(mock)).connect(test_receiver<>{&out});
  CHECK(out.calls == 0);  // lazy until start()
  CHECK(mock.request_count() == 0);
  op.start();
  CHECK(out.calls == 1);
  REQUIRE(out.value.has_value());
  CHECK(*out.value == "body");
}

TEST_CASE("as_sender: result<void> success completes with set_value()") {
  mock_transport mock;
  mock.expect(ok("x"));
  outcome out;
  auto op = as_sender(check(mock)).connect(test_receiver<>{&out});
  op.start();
  CHECK(out.calls == 1);
  CHECK(out.void_value);
}

TEST_CASE("as_sender: a failed result completes with set_error of the error") {
  mock_transport mock;
  mock.fail_next(error_kind::timeout);
  outcome out;
  auto op = as_sender(fetch(mock)).connect(test_receiver<>{&out});
  op.start();
  CHECK(out.calls == 1);
  REQUIRE(out.err.has_value());
  CHECK(out.err->kind() == error_kind::timeout);
}

TEST_CASE("as_sender: the receiver's stop token stops the task, which completes with set_stopped") {
  mock_transport mock;
  mock.set_deferred(true);
  std::stop_source source;
  outcome out;
  auto op = as_sender(fetch(mock)).connect(test_receiver<>{&out, source.get_token()});
  op.start();
  REQUIRE(mock.pending() == 1);
  CHECK(out.calls == 0);
  source.request_stop();
  CHECK(out.calls == 1);
  CHECK(out.stopped);
  CHECK(mock.pending() == 0);
}

TEST_CASE("as_sender: a stop requested before start sends nothing and completes with set_stopped") {
  mock_transport mock;
  std::stop_source source;
  source.request_stop();
  outcome out;
  auto op = as_sender(fetch(mock)).connect(test_receiver<>{&out, source.get_token()});
  op.start();
  CHECK(out.calls == 1);
  CHECK(out.stopped);
  CHECK(mock.request_count() == 0);
}

TEST_CASE("as_sender: a stop token of another type is bridged to the task") {
  mock_transport mock;
  mock.set_deferred(true);
  std::stop_source source;
  outcome out;
  auto op = as_sender(fetch(mock)).connect(test_receiver<other_token>{&out, other_token{source.get_token()}});
  op.start();
  REQUIRE(mock.pending() == 1);
  source.request_stop();
  CHECK(out.calls == 1);
  CHECK(out.stopped);
}

TEST_CASE("as_sender: a task of a plain value completes with set_value") {
  outcome out;
  auto op = as_sender(plain()).connect(test_receiver<>{&out});
  op.start();
  CHECK(out.calls == 1);
  REQUIRE(out.value.has_value());
  CHECK(*out.value == "plain");
}
