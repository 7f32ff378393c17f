// The transport and timer concepts — the one seam between mediajobs and whatever does the
// networking — and the awaitables that let a coroutine use them:
//
//   result<http::response> r = co_await mediajobs::async_send(transport, std::move(request));
//   result<void> slept      = co_await mediajobs::async_wait(timer, 500ms);
//
// ---------------------------------------------------------------------------------------------
// Contract for transport authors
// ---------------------------------------------------------------------------------------------
// A transport is any type with
//     void async_send(http::request req, std::stop_token stop, send_completion done);
// and a timer any type with
//     void async_wait(std::chrono::milliseconds d, std::stop_token stop, wait_completion done);
//
//  1. Call `done` exactly once (a second call is ignored), on any thread, even inline before
//     async_send returns: the awaitables below use an atomic handshake, so neither a wake-up is
//     lost nor a coroutine resumed twice. The awaiting coroutine goes on on the thread that calls
//     `done` — unless `done` runs before the coroutine has finished suspending, in which case it
//     goes on on its own thread. If `done` is destroyed without having been called (say the
//     transport is shut down with requests in flight), it completes by itself with an error of
//     kind `cancelled`, so that nobody waits forever.
//  2. Success is any HTTP response, whatever its status: 4xx and 5xx are for the layer above
//     (api/) to judge. Failures are error values, never exceptions:
//        - the connection could not be made, broke, or TLS failed  -> error_kind::transport
//        - req.timeout (when non-zero) elapsed first                -> error_kind::timeout
//          (the transport enforces it; nobody else does)
//        - a stop was requested through `stop`                      -> error_kind::cancelled
//        - the response could not be parsed                         -> error_kind::protocol
//  3. Stop requests are best effort: a transport that can abort does so and completes with
//     `cancelled`; one that cannot may let the exchange finish. The awaitables below never start
//     an operation whose stop was requested before it began (they complete with `cancelled`).
//  4. A timer's `done` gets success when the duration has elapsed and an error of kind
//     `cancelled` when stopped first. A duration <= 0 may complete inline.
//  5. The transport and timer objects outlive every operation started on them.
//
// Example: a game engine's HTTP layer, callback-based, as a transport. The engine offers:
//
//   namespace engine {
//   struct http_reply {
//     enum class outcome { ok, failed, timed_out, aborted };
//     outcome result = outcome::ok;
//     int status = 0;
//     std::string body;
//   };
//   class http_client {                       // thread-safe; on_done runs on the engine's thread
//    public:
//     std::uint64_t send(std::string method, std::string url,
//                        std::vector<std::pair<std::string, std::string>> headers, std::string body,
//                        long timeout_ms, std::function<void(http_reply)> on_done);
//     void cancel(std::uint64_t id);          // on_done then gets outcome::aborted; no-op if done
//   };
//   }  // namespace engine
//
// and the whole adapter is (tests/transport/callback_example.cpp compiles this very text):
//
// BEGIN example
// class engine_transport {
//  public:
//   explicit engine_transport(engine::http_client& client) : client_(&client) {}
//
//   void async_send(mediajobs::http::request req, std::stop_token stop, mediajobs::send_completion done) {
//     // The engine wants a copyable std::function; the completion is move-only: share it.
//     struct operation {
//       mediajobs::send_completion done;
//       std::optional<std::stop_callback<std::function<void()>>> on_stop;
//     };
//     auto op = std::make_shared<operation>();
//     op->done = std::move(done);
//
//     std::vector<std::pair<std::string, std::string>> headers;
//     for (const auto& h : req.headers) headers.emplace_back(h.name, h.value);
//
//     const std::uint64_t id = client_->send(
//         std::move(req.method), std::move(req.url), std::move(headers), std::move(req.body),
//         static_cast<long>(req.timeout.count()), [op](engine::http_reply reply) {
//           using outcome = engine::http_reply::outcome;
//           switch (reply.result) {
//             case outcome::ok: {
//               mediajobs::http::response response;
//               response.status = reply.status;
//               response.body = std::move(reply.body);
//               op->done(std::move(response));
//               return;
//             }
//             case outcome::timed_out: op->done(mediajobs::fail(mediajobs::error_kind::timeout)); return;
//             case outcome::aborted: op->done(mediajobs::fail(mediajobs::error_kind::cancelled)); return;
//             case outcome::failed: break;
//           }
//           op->done(mediajobs::fail(mediajobs::error_kind::transport, std::move(reply.body)));
//         });
//     // Best effort stop: ask the engine to abort. If the stop was already requested, this runs
//     // cancel() at once; if the request already finished, cancel() does nothing.
//     op->on_stop.emplace(std::move(stop), [client = client_, id] { client->cancel(id); });
//   }
//
//  private:
//   engine::http_client* client_;
// };
// END example
//
// ---------------------------------------------------------------------------------------------
// Optional: streaming bodies (for downloads)
// ---------------------------------------------------------------------------------------------
// A transport may also model `streaming_transport`:
//     void async_send_streaming(http::request req, std::stop_token stop, body_sink sink,
//                               send_completion done);
// Same rules as async_send (1-5 above), plus:
//  6. When the final response's status is 2xx, its body is not kept: sink.head(status, headers)
//     is called once, then sink(chunk) with each piece of the body as it arrives, in order, and
//     the response given to `done` has an empty body. Any other status is not streamed: its body
//     (bounded by the transport's usual limits) is kept in the response so the layer above can
//     decode the error.
//  7. The sink is called from one thread at a time, never after `done`, and the next piece is
//     not read before the sink returns (the sink's pace is the download's pace). A piece is
//     bounded by the transport's read size (asio_transport: at most 16 KiB).
//  8. A sink that returns an error aborts the exchange: the connection is closed (never reused)
//     and `done` gets that very error.
//  9. The transport's body size limit does not apply to a streamed body: the sink bounds it.
//
//   result<http::response> r = co_await mediajobs::async_send_streaming(transport, std::move(request),
//       [&](std::string_view chunk) -> result<void> { return write_out(chunk); });
//
// Thread-safety: the concepts and awaitables hold no shared state; see each transport's header.
#pragma once

#include <mediajobs/core/config.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/core/unique_function.hpp>
#include <mediajobs/http/message.hpp>

#include <atomic>
#include <cassert>
#include <chrono>
#include <concepts>
#include <coroutine>
#include <optional>
#include <stop_token>
#include <string_view>
#include <type_traits>
#include <utility>

namespace mediajobs {

/// A move-only callable that delivers an operation's outcome exactly once: the first call
/// delivers, later calls are ignored, and destroying it uncalled delivers an error of kind
/// `cancelled` (so an operation a transport drops does not leave its awaiter hanging).
template <class Result>
class basic_completion {
 public:
  basic_completion() noexcept = default;

  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, basic_completion> && std::is_invocable_v<std::decay_t<F>&, Result> &&
             std::is_constructible_v<std::decay_t<F>, F>)
  basic_completion(F&& f) : fn_(std::forward<F>(f)) {}  // NOLINT: implicit, a lambda converts

  basic_completion(basic_completion&&) noexcept = default;
  basic_completion& operator=(basic_completion&& other) noexcept {
    if (this != &other) {
      drop();
      fn_ = std::move(other.fn_);
    }
    return *this;
  }
  basic_completion(const basic_completion&) = delete;
  basic_completion& operator=(const basic_completion&) = delete;
  ~basic_completion() { drop(); }

  /// True until it has been called (or moved from).
  [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(fn_); }

  /// Delivers `r`; ignored when already called.
  void operator()(Result r) {
    if (!fn_) return;
    auto fn = std::move(fn_);  // empty before the call: the call may destroy *this
    fn(std::move(r));
  }

 private:
  void drop() noexcept {
    if (!fn_) return;
    auto fn = std::move(fn_);
    fn(Result(unexpect, error{error_kind::cancelled, "operation dropped without completing"}));
  }

  detail::unique_function<void(Result)> fn_;
};

/// What a transport calls with the outcome of one exchange.
using send_completion = basic_completion<result<http::response>>;
/// What a timer calls when a wait ends: success when elapsed, `cancelled` when stopped.
using wait_completion = basic_completion<result<void>>;

template <class T>
concept transport = requires(T& t, http::request req, std::stop_token stop, send_completion done) {
  t.async_send(std::move(req), std::move(stop), std::move(done));
};

/// Where a streamed response body goes (see streaming_transport): a move-only pair of callables,
/// `head(status, headers)` (optional) before the first piece and `chunk(piece)` for each piece.
/// Either may return an error to abort the exchange with it.
class body_sink {
 public:
  using chunk_function = detail::unique_function<result<void>(std::string_view)>;
  using head_function = detail::unique_function<result<void>(int, const http::headers&)>;

  body_sink() noexcept = default;
  /// A sink for the pieces only: `[](std::string_view piece) -> result<void> {...}`.
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, body_sink> && std::is_constructible_v<chunk_function, F>)
  body_sink(F&& on_chunk) : chunk_(std::forward<F>(on_chunk)) {}  // NOLINT: implicit, a lambda converts
  /// A sink that also sees the head (status and headers, e.g. Content-Length) before any piece.
  template <class H, class F>
    requires(std::is_constructible_v<head_function, H> && std::is_constructible_v<chunk_function, F>)
  body_sink(H&& on_head, F&& on_chunk) : head_(std::forward<H>(on_head)), chunk_(std::forward<F>(on_chunk)) {}

  /// The head of a 2xx response whose body follows.
  result<void> head(int status, const http::headers& headers) {
    if (!head_) return {};
    return head_(status, headers);
  }
  /// The next piece of the body.
  result<void> operator()(std::string_view piece) {
    if (!chunk_) return {};
    return chunk_(piece);
  }

 private:
  head_function head_;
  chunk_function chunk_;
};

/// A transport that can also hand a response body to a sink as it arrives (rules 6-9 above).
template <class T>
concept streaming_transport =
    transport<T> && requires(T& t, http::request req, std::stop_token stop, body_sink sink, send_completion done) {
      t.async_send_streaming(std::move(req), std::move(stop), std::move(sink), std::move(done));
    };

template <class T>
concept timer = requires(T& t, std::chrono::milliseconds d, std::stop_token stop, wait_completion done) {
  t.async_wait(d, std::move(stop), std::move(done));
};

namespace detail {

/// Awaitable for one callback-style operation: `Start(stop_token, basic_completion<Result>)`
/// begins it. Whether the completion runs inline, concurrently on another thread, or later, the
/// coroutine is resumed exactly once: the completion and await_suspend race on `state_`, and
/// whoever comes second resumes (await_suspend by returning false, the completion by resume()).
template <class Result, class Start>
class operation_awaitable {
 public:
  operation_awaitable(Start start, std::optional<std::stop_token> stop)
      : start_(std::move(start)), stop_(std::move(stop)) {}
  // Immovable: the completion points at it. async_send() returns it by guaranteed elision.
  operation_awaitable(const operation_awaitable&) = delete;
  operation_awaitable& operator=(const operation_awaitable&) = delete;
  ~operation_awaitable() = default;

  [[nodiscard]] bool await_ready() const noexcept { return false; }

  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> caller) {
    // An operation without its own token inherits the awaiting task's.
    std::stop_token stop = stop_ ? std::move(*stop_) : detail::stop_token_of(caller.promise());
    if (stop.stop_requested()) {
      result_.emplace(unexpect, error{error_kind::cancelled, "stop requested before the operation began"});
      return false;
    }
    caller_ = caller;
    std::move(start_)(std::move(stop), basic_completion<Result>(completer{this}));
    // Past this exchange *this may already be destroyed if we return true: touch nothing.
    return state_.exchange(true, std::memory_order_acq_rel) == false;
  }

  Result await_resume() {
    assert(result_.has_value());
    return std::move(*result_);
  }

 private:
  struct completer {
    operation_awaitable* self;
    void operator()(Result r) const {
      self->result_.emplace(std::move(r));
      const std::coroutine_handle<> caller = self->caller_;
      if (self->state_.exchange(true, std::memory_order_acq_rel)) caller.resume();
      // else: await_suspend is still running and will see `true`; it resumes inline.
    }
  };

  Start start_;
  std::optional<std::stop_token> stop_;
  std::optional<Result> result_;
  std::coroutine_handle<> caller_;
  std::atomic<bool> state_{false};  // set by the first of {completion, end of await_suspend}
};

template <class Transport>
struct send_start {
  Transport* transport;
  http::request request;
  void operator()(std::stop_token stop, send_completion done) && {
    transport->async_send(std::move(request), std::move(stop), std::move(done));
  }
};

template <class Transport>
struct streaming_start {
  Transport* transport;
  http::request request;
  body_sink sink;
  void operator()(std::stop_token stop, send_completion done) && {
    transport->async_send_streaming(std::move(request), std::move(stop), std::move(sink), std::move(done));
  }
};

template <class Timer>
struct wait_start {
  Timer* timer;
  std::chrono::milliseconds duration;
  void operator()(std::stop_token stop, wait_completion done) && {
    timer->async_wait(duration, std::move(stop), std::move(done));
  }
};

}  // namespace detail

/// `co_await async_send(t, req[, stop])` -> result<http::response>. Without `stop`, the stop
/// token of the awaiting coroutine (e.g. the task's) is used. The awaitable must be awaited
/// before `t` and the coroutine go away; an awaitable never awaited sends nothing.
template <transport Transport>
[[nodiscard]] detail::operation_awaitable<result<http::response>, detail::send_start<Transport>> async_send(
    Transport& t, http::request req) {
  return {detail::send_start<Transport>{&t, std::move(req)}, std::nullopt};
}
template <transport Transport>
[[nodiscard]] detail::operation_awaitable<result<http::response>, detail::send_start<Transport>> async_send(
    Transport& t, http::request req, std::stop_token stop) {
  return {detail::send_start<Transport>{&t, std::move(req)}, std::move(stop)};
}

/// `co_await async_send_streaming(t, req, sink[, stop])` -> result<http::response>: like
/// async_send, with a 2xx body delivered to `sink` instead of the response (rules 6-9 above).
/// The sink is owned by the awaitable until the operation starts, then by the transport.
template <streaming_transport Transport>
[[nodiscard]] detail::operation_awaitable<result<http::response>, detail::streaming_start<Transport>>
async_send_streaming(Transport& t, http::request req, body_sink sink) {
  return {detail::streaming_start<Transport>{&t, std::move(req), std::move(sink)}, std::nullopt};
}
template <streaming_transport Transport>
[[nodiscard]] detail::operation_awaitable<result<http::response>, detail::streaming_start<Transport>>
async_send_streaming(Transport& t, http::request req, body_sink sink, std::stop_token stop) {
  return {detail::streaming_start<Transport>{&t, std::move(req), std::move(sink)}, std::move(stop)};
}

/// `co_await async_wait(t, d[, stop])` -> result<void>: success after `d`, `cancelled` when a
/// stop is requested first. Without `stop`, the awaiting coroutine's token is used.
template <timer Timer>
[[nodiscard]] detail::operation_awaitable<result<void>, detail::wait_start<Timer>> async_wait(
    Timer& t, std::chrono::milliseconds d) {
  return {detail::wait_start<Timer>{&t, d}, std::nullopt};
}
template <timer Timer>
[[nodiscard]] detail::operation_awaitable<result<void>, detail::wait_start<Timer>> async_wait(
    Timer& t, std::chrono::milliseconds d, std::stop_token stop) {
  return {detail::wait_start<Timer>{&t, d}, std::move(stop)};
}

}  // namespace mediajobs
