// task<T>, start(), sync_wait(), stop tokens, and the awaitables of transport/transport.hpp as
// seen from a task: inline and cross-thread completion, symmetric transfer, stop at every stage.
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/core/unique_function.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/transport/transport.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace mediajobs;
using namespace std::chrono_literals;

namespace {

http::request get(std::string url) {
  http::request r;
  r.url = std::move(url);
  return r;
}

http::response ok(std::string body) {
  http::response r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

// A transport that completes every request on its own worker thread, echoing the URL as the
// body: the completion races with the awaiter's await_suspend.
class thread_transport {
 public:
  thread_transport() : worker_([this] { run(); }) {}
  thread_transport(const thread_transport&) = delete;
  thread_transport& operator=(const thread_transport&) = delete;
  ~thread_transport() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_one();
    worker_.join();
  }

  void async_send(http::request req, std::stop_token, send_completion done) {
    {
      std::lock_guard lock(mutex_);
      queue_.emplace_back(std::move(req.url), std::move(done));
    }
    wake_.notify_one();
  }

  std::thread::id worker_id() const { return worker_.get_id(); }

 private:
  void run() {
    for (;;) {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto [url, done] = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      done(ok(std::move(url)));
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, send_completion>> queue_;
  bool closing_ = false;
  std::thread worker_;
};

// Completes inline and records the stack frame it was called from.
struct frame_recording_transport {
  std::vector<const void*> frames;
  void async_send(http::request req, std::stop_token, send_completion done) {
    frames.push_back(__builtin_frame_address(0));
    done(ok(std::move(req.url)));
  }
};

struct counted {
  int* destroyed;
  explicit counted(int* d) : destroyed(d) {}
  counted(counted&& o) noexcept : destroyed(std::exchange(o.destroyed, nullptr)) {}
  counted(const counted&) = delete;
  ~counted() {
    if (destroyed) ++*destroyed;
  }
};

task<int> answer() { co_return 42; }

task<result<int>> parse(std::string s) {
  if (s.empty()) co_return fail(error_kind::validation, "empty");
  co_return static_cast<int>(s.size());
}

task<result<int>> sum_of_lengths(std::string a, std::string b) {
  auto x = co_await parse(std::move(a));
  if (!x) co_return unexpected(std::move(x).error());
  auto y = co_await parse(std::move(b));
  if (!y) co_return unexpected(std::move(y).error());
  co_return *x + *y;
}

template <class Transport>
task<result<std::string>> fetch(Transport& t, std::string url) {
  auto r = co_await async_send(t, get(std::move(url)));
  if (!r) co_return unexpected(std::move(r).error());
  co_return std::move(r->body);
}

task<result<void>> sleep_for(manual_timer& timer, std::chrono::milliseconds d) { co_return co_await async_wait(timer, d); }

task<std::stop_token> token_of_child() { co_return co_await this_task::stop_token(); }

task<std::pair<std::stop_token, std::stop_token>> tokens_of_parent_and_child() {
  auto mine = co_await this_task::stop_token();
  auto childs = co_await token_of_child();
  co_return std::pair{mine, childs};
}

}  // namespace

TEST_CASE("unique_function holds move-only callables, inline and on the heap") {
  detail::unique_function<int(int)> small = [p = std::make_unique<int>(5)](int x) { return *p + x; };
  CHECK(small(1) == 6);
  detail::unique_function<int(int)> moved = std::move(small);
  CHECK_FALSE(static_cast<bool>(small));  // NOLINT: moved-from is empty, by contract
  CHECK(moved(2) == 7);

  struct big {
    std::unique_ptr<int> p;
    char padding[64] = {};
  };
  detail::unique_function<int()> large = [b = big{std::make_unique<int>(9)}] { return *b.p + b.padding[0]; };
  detail::unique_function<int()> large2;
  large2 = std::move(large);
  CHECK(large2() == 9);
  large2 = nullptr;
  CHECK_FALSE(static_cast<bool>(large2));
}

TEST_CASE("a task does not run until started, and destroying it unstarted frees its frame") {
  int destroyed = 0;
  bool ran = false;
  {
    auto make = [](counted c, bool* flag) -> task<int> {
      *flag = true;
      co_return c.destroyed != nullptr ? 1 : 0;
    };
    task<int> t = make(counted{&destroyed}, &ran);
    CHECK(t.valid());
    CHECK_FALSE(ran);
    CHECK(destroyed == 0);  // the argument lives in the frame
  }
  CHECK_FALSE(ran);
  CHECK(destroyed == 1);  // the frame, and the argument in it, are gone
}

TEST_CASE("sync_wait returns the task's value") {
  CHECK(sync_wait(answer()) == 42);
  task<int> t = answer();
  task<int> moved = std::move(t);
  CHECK_FALSE(t.valid());  // NOLINT: moved-from
  CHECK(sync_wait(std::move(moved)) == 42);
}

TEST_CASE("nested tasks pass values and errors up") {
  auto good = sync_wait(sum_of_lengths("abc", "de"));
  REQUIRE(good.has_value());
  CHECK(*good == 5);

  auto bad = sync_wait(sum_of_lengths("abc", ""));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().kind() == error_kind::validation);
  CHECK(bad.error().detail() == "empty");
}

TEST_CASE("a task can be awaited as an lvalue, and task<void> works") {
  int steps = 0;
  auto inner = [](int* s) -> task<> {
    ++*s;
    co_return;
  };
  auto outer = [&](int* s) -> task<int> {
    task<> t = inner(s);
    co_await t;
    co_await inner(s);
    co_return *s;
  };
  CHECK(sync_wait(outer(&steps)) == 2);
  sync_wait(inner(&steps));
  CHECK(steps == 3);
}

TEST_CASE("start calls the callback once, inline when everything completes inline") {
  mock_transport mock;
  mock.expect(ok("hello"));
  int calls = 0;
  std::optional<result<std::string>> got;
  start(fetch(mock, "https://x.test/a"), [&](result<std::string> r) {
    ++calls;
    got = std::move(r);
  });
  CHECK(calls == 1);  // before start returned
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == "hello");
  REQUIRE(mock.request_count() == 1);
  CHECK(mock.requests()[0].url == "https://x.test/a");
}

TEST_CASE("a deferred send resumes the task when completed later") {
  mock_transport mock;
  mock.set_deferred(true);
  mock.expect(ok("later"));
  std::optional<result<std::string>> got;
  start(fetch(mock, "https://x.test/b"), [&](result<std::string> r) { got = std::move(r); });
  CHECK_FALSE(got.has_value());
  CHECK(mock.pending() == 1);
  CHECK(mock.complete_next());
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == "later");
}

TEST_CASE("10,000 sequential inline-completing sends do not grow the stack") {
  frame_recording_transport t;
  auto loop = [](frame_recording_transport& tr) -> task<std::size_t> {
    std::size_t total = 0;
    for (int i = 0; i < 10'000; ++i) {
      auto r = co_await async_send(tr, get("u"));
      if (r) total += r->body.size();
    }
    co_return total;
  };
  CHECK(sync_wait(loop(t)) == 10'000);
  REQUIRE(t.frames.size() == 10'000);
  CHECK(t.frames.front() == t.frames.back());
}

TEST_CASE("10,000 sequentially awaited child tasks do not grow the stack (symmetric transfer)") {
  std::vector<const void*> frames;
  frames.reserve(10'000);
  auto child = [](std::vector<const void*>* f) -> task<int> {
    f->push_back(__builtin_frame_address(0));
    co_return 1;
  };
  auto loop = [&](std::vector<const void*>* f) -> task<int> {
    int total = 0;
    for (int i = 0; i < 10'000; ++i) total += co_await child(f);
    co_return total;
  };
  CHECK(sync_wait(loop(&frames)) == 10'000);
  REQUIRE(frames.size() == 10'000);
  CHECK(frames.front() == frames.back());
}

TEST_CASE("sends completed on another thread resume the task there, with no lost wake-up") {
  thread_transport t;
  auto loop = [](thread_transport& tr) -> task<result<int>> {
    int n = 0;
    for (int i = 0; i < 2'000; ++i) {
      const std::string url = std::to_string(i);
      auto r = co_await async_send(tr, get(url));
      if (!r) co_return unexpected(std::move(r).error());
      if (r->body == url) ++n;
    }
    co_return n;
  };
  auto r = sync_wait(loop(t));
  REQUIRE(r.has_value());
  CHECK(*r == 2'000);
}

TEST_CASE("start's callback runs on the completing thread, or inline when the completion won the race") {
  thread_transport t;
  const std::thread::id main_id = std::this_thread::get_id();
  std::latch done(1);
  std::thread::id callback_thread;
  std::optional<result<std::string>> got;
  start(fetch(t, "https://x.test/c"), [&](result<std::string> r) {
    got = std::move(r);
    callback_thread = std::this_thread::get_id();
    done.count_down();
  });
  done.wait();
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == "https://x.test/c");
  // The worker may complete before await_suspend has finished: the task then goes on inline.
  CHECK((callback_thread == t.worker_id() || callback_thread == main_id));
}

TEST_CASE("a mock completed from another thread resumes the task on that thread") {
  mock_transport mock;
  mock.set_deferred(true);
  mock.expect(ok("cross"));
  std::latch done(1);
  std::optional<result<std::string>> got;
  std::thread::id callback_thread;
  start(fetch(mock, "https://x.test/d"), [&](result<std::string> r) {
    got = std::move(r);
    callback_thread = std::this_thread::get_id();
    done.count_down();
  });
  REQUIRE(mock.pending() == 1);
  std::thread completer([&] { mock.complete_next(); });
  const std::thread::id completer_id = completer.get_id();
  done.wait();
  completer.join();
  CHECK(callback_thread == completer_id);
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK(**got == "cross");
}

TEST_CASE("a task knows the stop token it was started with, and its children inherit it") {
  std::stop_source source;
  auto [mine, childs] = sync_wait(tokens_of_parent_and_child(), source.get_token());
  CHECK(mine == source.get_token());
  CHECK(childs == source.get_token());
  CHECK(mine.stop_possible());

  auto [none, none_child] = sync_wait(tokens_of_parent_and_child());
  CHECK_FALSE(none.stop_possible());
  CHECK_FALSE(none_child.stop_possible());
}

TEST_CASE("stop requested before the task starts: no request is sent, the result is cancelled") {
  mock_transport mock;
  mock.expect(ok("never"));
  std::stop_source source;
  source.request_stop();
  auto r = sync_wait(fetch(mock, "https://x.test/e"), source.get_token());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind() == error_kind::cancelled);
  CHECK(mock.request_count() == 0);
  CHECK(mock.unused_responses() == 1);
}

TEST_CASE("stop requested while waiting on the transport completes the task with cancelled") {
  mock_transport mock;
  mock.set_deferred(true);
  mock.expect(ok("too late"));
  std::stop_source source;
  std::optional<result<std::string>> got;
  start(fetch(mock, "https://x.test/f"), [&](result<std::string> r) { got = std::move(r); }, source.get_token());
  REQUIRE(mock.pending() == 1);
  CHECK_FALSE(got.has_value());
  source.request_stop();
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().kind() == error_kind::cancelled);
  CHECK(mock.pending() == 0);
  CHECK_FALSE(mock.complete_next());  // nothing left to complete twice
}

TEST_CASE("stop requested from another thread races with the completion: exactly one wins") {
  for (int i = 0; i < 200; ++i) {
    mock_transport mock;
    mock.set_deferred(true);
    std::stop_source source;
    std::latch done(1);
    int calls = 0;
    std::optional<result<std::string>> got;
    start(
        fetch(mock, "https://x.test/g"),
        [&](result<std::string> r) {
          ++calls;
          got = std::move(r);
          done.count_down();
        },
        source.get_token());
    REQUIRE(mock.pending() == 1);
    std::thread stopper([&] { source.request_stop(); });
    const bool completed_here = mock.complete_next(ok("raced"));
    done.wait();
    stopper.join();
    REQUIRE(calls == 1);
    REQUIRE(got.has_value());
    if (completed_here) {
      REQUIRE(got->has_value());
      CHECK(**got == "raced");
    } else {
      REQUIRE_FALSE(got->has_value());
      CHECK(got->error().kind() == error_kind::cancelled);
    }
    CHECK(mock.pending() == 0);
  }
}

TEST_CASE("stop requested while waiting on the timer completes the wait with cancelled") {
  manual_timer timer;
  std::stop_source source;
  std::optional<result<void>> got;
  start(sleep_for(timer, 5s), [&](result<void> r) { got = std::move(r); }, source.get_token());
  REQUIRE(timer.pending() == 1);
  CHECK(timer.advance(4s) == 0);
  CHECK_FALSE(got.has_value());
  source.request_stop();
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().kind() == error_kind::cancelled);
  CHECK(timer.pending() == 0);
  CHECK(timer.advance(10s) == 0);
}

TEST_CASE("stop requested before a timer wait begins: the timer never sees it") {
  manual_timer timer;
  std::stop_source source;
  source.request_stop();
  auto r = sync_wait(sleep_for(timer, 5s), source.get_token());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind() == error_kind::cancelled);
  CHECK(timer.requested().empty());
  CHECK(timer.pending() == 0);
}

TEST_CASE("a timer wait in a task ends when virtual time reaches it") {
  manual_timer timer;
  std::optional<result<void>> got;
  start(sleep_for(timer, 5s), [&](result<void> r) { got = std::move(r); });
  timer.advance(4999ms);
  CHECK_FALSE(got.has_value());
  timer.advance(1ms);
  REQUIRE(got.has_value());
  CHECK(got->has_value());
  CHECK(timer.now() == 5s);
}

TEST_CASE("an explicit stop token on an operation overrides the task's") {
  mock_transport mock;
  mock.set_deferred(true);
  std::stop_source task_source;
  std::stop_source op_source;
  auto body = [](mock_transport& m, std::stop_token op) -> task<result<http::response>> {
    co_return co_await async_send(m, get("u"), std::move(op));
  };
  std::optional<result<http::response>> got;
  start(body(mock, op_source.get_token()), [&](result<http::response> r) { got = std::move(r); },
        task_source.get_token());
  task_source.request_stop();  // not the operation's token
  CHECK_FALSE(got.has_value());
  op_source.request_stop();
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().kind() == error_kind::cancelled);
}
