// asio_async(task, token): each completion-token flavour, the handler's executor, and an Asio
// cancellation slot turning into the task's stop request.
#include "support.hpp"

#include <mediajobs/asio/async.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/transport/transport.hpp>

#include <doctest/doctest.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#if MEDIAJOBS_HAS_EXCEPTIONS
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#endif

#include <chrono>
#include <future>
#include <string>
#include <thread>

using namespace std::chrono_literals;
using mediajobs::asio_async;
using mediajobs::asio_transport;
using mediajobs::error_kind;
using mediajobs::result;
using mediajobs::task;
namespace http = mediajobs::http;

namespace {

task<result<http::response>> fetch_body(asio_transport& t, std::string url) {
  http::request req;
  req.url = std::move(url);
  co_return co_await mediajobs::async_send(t, std::move(req));
}

task<void> wait_a_little(asio_transport& t, bool& waited) {
  auto r = co_await mediajobs::async_wait(t, 1ms);
  waited = r.has_value();
}

struct fixture {
  mj_test::scripted_server server{[](mj_test::peer& p) {
    while (p.read_request()) p.send(mj_test::http_ok(R"({"job":"j-1"})"));
  }};
  asio_transport transport;
};

}  // namespace

TEST_CASE("asio_async with a plain callback") {
  fixture f;
  mj_test::response_outcome out;
  asio_async(fetch_body(f.transport, f.server.url()), [&](result<http::response> r) { out.set(std::move(r)); });
  REQUIRE(out.get());
  CHECK(out.get()->body == R"({"job":"j-1"})");
  CHECK(out.calls() == 1);
}

TEST_CASE("asio_async completes on the handler's associated executor") {
  fixture f;
  asio::io_context io;
  mj_test::response_outcome out;
  bool on_io_thread = false;
  asio_async(fetch_body(f.transport, f.server.url()), asio::bind_executor(io, [&](result<http::response> r) {
               on_io_thread = io.get_executor().running_in_this_thread();
               out.set(std::move(r));
             }));
  // The pending handler is outstanding work: run() returns only after it ran.
  io.run();
  REQUIRE(out.ready());
  CHECK(out.get().has_value());
  CHECK(on_io_thread);
}

TEST_CASE("asio_async with asio::use_future") {
  fixture f;
  std::future<result<http::response>> fut = asio_async(fetch_body(f.transport, f.server.url()), asio::use_future);
  REQUIRE(fut.wait_for(20s) == std::future_status::ready);
  auto r = fut.get();
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE("asio_async with asio::experimental::deferred runs only when invoked") {
  fixture f;
  auto op = asio_async(fetch_body(f.transport, f.server.url()), asio::experimental::deferred);
  CHECK(f.server.accepted() == 0);
  mj_test::response_outcome out;
  std::move(op)([&](result<http::response> r) { out.set(std::move(r)); });
  REQUIRE(out.get());
  CHECK(f.server.accepted() == 1);
}

TEST_CASE("asio_async of a task<void> completes with no arguments") {
  fixture f;
  bool waited = false;
  mj_test::latch_flag done;
  asio_async(wait_a_little(f.transport, waited), [&] { done.set(); });
  REQUIRE(done.wait());
  CHECK(waited);
}

TEST_CASE("an Asio cancellation slot requests the task's stop") {
  mj_test::latch_flag got_request;
  mj_test::scripted_server silent([&](mj_test::peer& p) {
    if (!p.read_request()) return;
    got_request.set();
    p.wait_for_close();
  });
  asio_transport t;
  asio::io_context io;
  asio::cancellation_signal signal;
  mj_test::response_outcome out;
  asio_async(fetch_body(t, silent.url()),
             asio::bind_cancellation_slot(signal.slot(), asio::bind_executor(io, [&](result<http::response> r) {
                                            out.set(std::move(r));
                                          })));
  REQUIRE(got_request.wait());
  // Emit on the handler's side, as Asio expects: from the io_context's thread.
  asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
  io.run();
  REQUIRE(out.ready());
  REQUIRE_FALSE(out.get());
  CHECK(out.get().error().kind() == error_kind::cancelled);
}

#if MEDIAJOBS_HAS_EXCEPTIONS
TEST_CASE("asio_async with asio::use_awaitable") {
  fixture f;
  asio::io_context io;
  result<http::response> got{mediajobs::unexpect, mediajobs::error{error_kind::none}};
  bool on_io_thread = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        got = co_await asio_async(fetch_body(f.transport, f.server.url()), asio::use_awaitable);
        on_io_thread = io.get_executor().running_in_this_thread();
      },
      asio::detached);
  io.run();
  REQUIRE(got);
  CHECK(got->body == R"({"job":"j-1"})");
  CHECK(on_io_thread);
}
#endif
