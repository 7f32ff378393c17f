// mediajobs::mock_transport: a scripted transport for tests (ours and yours). Deterministic,
// threadless, no network.
//
//   mediajobs::mock_transport mock;
//   mock.expect(http::response{.status = 200, .body = R"({"id":"j-1"})"});
//   mock.fail_next(error_kind::timeout);                  // the request after that times out
//   auto r = mediajobs::sync_wait(client.get_job("j-1"));
//   CHECK(mock.requests().at(0).url == "https://api.example/v1/jobs/j-1");
//
// Where a response comes from, for each request in order: an injected failure (fail_next), else
// the next queued response (expect), else the handler (on_request), else an error of kind
// `transport` saying nothing was scripted.
//
// Completion: inline inside async_send by default. With set_deferred(true) requests wait until
// complete_next() / complete_all() (the response is chosen at that moment, by the rules above);
// a stop request completes a waiting request at once with `cancelled`, on the thread that
// requested the stop. A request whose stop was requested before it was sent is neither recorded
// nor answered from the script: it completes with `cancelled` at once. The mock never times out
// by itself (use fail_next(error_kind::timeout)). Destroying the mock completes the requests
// still waiting with `cancelled`.
//
// Streaming (streaming_transport): async_send_streaming answers exactly like async_send (same
// script, same inline/deferred rules); then, when the answer is a 2xx response, it calls
// sink.head() and hands the body to the sink in pieces of stream_chunk_size bytes (default 16 KiB,
// set_stream_chunk_size), and completes with the body emptied. A sink error becomes the result.
// The sink runs where the completion runs, just before it.
//
// Thread-safety: every member may be called from any thread, concurrently; completions run on
// the thread that calls async_send (inline mode), complete_next()/complete_all(), or
// request_stop(), never under the mock's lock.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/transport/detail/pending_operations.hpp>
#include <mediajobs/transport/transport.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mediajobs {

class mock_transport {
 public:
  using handler = std::function<result<http::response>(const http::request&)>;

  mock_transport() = default;
  mock_transport(const mock_transport&) = delete;  // pending requests point at it
  mock_transport& operator=(const mock_transport&) = delete;
  ~mock_transport() = default;

  // --- scripting ------------------------------------------------------------------------------
  /// Queues a response for a future request (first in, first out).
  void expect(http::response r) {
    std::lock_guard lock(mutex_);
    script_.emplace_back(std::move(r));
  }
  /// Queues a failure for a future request, in the same queue as the responses.
  void expect(error e) {
    std::lock_guard lock(mutex_);
    script_.emplace_back(unexpect, std::move(e));
  }
  /// Answers every request the queue does not answer.
  void on_request(handler h) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(h);
  }
  /// The next request answered fails with `kind` (before anything queued). Calls accumulate.
  void fail_next(error_kind kind, std::string detail = "injected by mock_transport") {
    fail_next(error{kind, std::move(detail)});
  }
  void fail_next(error e) {
    std::lock_guard lock(mutex_);
    failures_.push_back(std::move(e));
  }

  // --- completion mode ------------------------------------------------------------------------
  /// Deferred: requests wait for complete_next(). Inline (the default): answered in async_send.
  void set_deferred(bool deferred) {
    std::lock_guard lock(mutex_);
    deferred_ = deferred;
  }
  /// Answers the oldest waiting request from the script; false when none waits.
  bool complete_next() {
    auto e = take_oldest();
    if (!e) return false;
    result<http::response> r = respond(request_at(e->payload));
    waiting::complete(std::move(*e), std::move(r));
    return true;
  }
  /// Answers the oldest waiting request with `r` (the script is left alone).
  bool complete_next(result<http::response> r) {
    auto e = take_oldest();
    if (!e) return false;
    waiting::complete(std::move(*e), std::move(r));
    return true;
  }
  /// Answers every waiting request, including any sent meanwhile; returns how many.
  std::size_t complete_all() {
    std::size_t n = 0;
    while (complete_next()) ++n;
    return n;
  }
  /// How many requests wait for completion (deferred mode).
  [[nodiscard]] std::size_t pending() const { return waiting_.size(); }

  /// Size of the pieces a streamed body is handed to the sink in (at least 1).
  void set_stream_chunk_size(std::size_t n) {
    std::lock_guard lock(mutex_);
    stream_chunk_size_ = std::max<std::size_t>(n, 1);
  }

  // --- inspection -----------------------------------------------------------------------------
  /// Every request sent so far, in order (a copy).
  [[nodiscard]] std::vector<http::request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  [[nodiscard]] std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  /// Scripted responses and failures not yet used.
  [[nodiscard]] std::size_t unused_responses() const {
    std::lock_guard lock(mutex_);
    return script_.size() + failures_.size();
  }

  // --- the transport --------------------------------------------------------------------------
  void async_send(http::request req, std::stop_token stop, send_completion done) {
    if (stop.stop_requested()) {
      done(fail(error_kind::cancelled, "stop requested before the request was sent"));
      return;
    }
    std::size_t index = 0;
    bool deferred = false;
    {
      std::lock_guard lock(mutex_);
      index = requests_.size();
      requests_.push_back(std::move(req));
      deferred = deferred_;
    }
    if (deferred) {
      waiting_.add(index, std::move(stop), std::move(done));
      return;
    }
    done(respond(request_at(index)));
  }

  /// async_send, with a 2xx body handed to `sink` (see the file comment).
  void async_send_streaming(http::request req, std::stop_token stop, body_sink sink, send_completion done) {
    std::size_t piece = 0;
    {
      std::lock_guard lock(mutex_);
      piece = stream_chunk_size_;
    }
    async_send(std::move(req), std::move(stop),
               [sink = std::move(sink), done = std::move(done), piece](result<http::response> r) mutable {
                 done(stream_to(std::move(r), sink, piece));
               });
  }

 private:
  using waiting = detail::pending_operations<result<http::response>, std::size_t>;

  static result<http::response> stream_to(result<http::response> r, body_sink& sink, std::size_t piece) {
    if (!r || r->status < 200 || r->status >= 300) return r;
    if (auto ok = sink.head(r->status, r->headers); !ok) return unexpected(std::move(ok.error()));
    std::string_view rest = r->body;
    while (!rest.empty()) {
      const std::size_t n = std::min(piece, rest.size());
      if (auto ok = sink(rest.substr(0, n)); !ok) return unexpected(std::move(ok.error()));
      rest.remove_prefix(n);
    }
    r->body.clear();
    return r;
  }

  std::optional<waiting::entry> take_oldest() {
    return waiting_.take([](waiting::list_type& l) { return l.begin(); });
  }

  http::request request_at(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return requests_[index];
  }

  result<http::response> respond(const http::request& req) {
    handler h;
    {
      std::lock_guard lock(mutex_);
      if (!failures_.empty()) {
        error e = std::move(failures_.front());
        failures_.pop_front();
        return unexpected(std::move(e));
      }
      if (!script_.empty()) {
        result<http::response> r = std::move(script_.front());
        script_.pop_front();
        return r;
      }
      h = handler_;
    }
    if (h) return h(req);  // outside the lock: a handler may script the mock
    return fail(error_kind::transport, "mock_transport: nothing scripted for " + req.method + " " + req.url);
  }

  mutable std::mutex mutex_;
  std::deque<result<http::response>> script_;
  std::deque<error> failures_;
  handler handler_;
  std::vector<http::request> requests_;
  bool deferred_ = false;
  std::size_t stream_chunk_size_ = 16 * 1024;
  waiting waiting_;  // last: destroyed first, while the rest is still alive
};

static_assert(transport<mock_transport>);
static_assert(streaming_transport<mock_transport>);

}  // namespace mediajobs
