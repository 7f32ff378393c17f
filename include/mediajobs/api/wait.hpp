// mediajobs::api::poll_job — follows a job to a terminal state (the engine of every client's
// `wait()`), and wait_result, which keeps the last snapshot seen next to the outcome.
//
//   auto done = co_await client.wait(job_id, {.interval = 10s,
//                                             .on_progress = [](const ugen::job& j) { show(j); }});
//   if (!done) {
//     log(done.error().message());          // job_failed, deadline_exceeded, cancelled, …
//     if (done.last_snapshot) show(*done.last_snapshot);
//   }
//
// Rules:
//  - Fetch, then: a succeeded job is returned; a failed one (failed, cancelled, …) gives
//    `job_failed` (detail names the status; the job's own error text becomes the service message);
//    a status the client does not know, or none at all, gives `protocol` at once (an unknown
//    status is never taken as "still running", so a new server state cannot make us poll forever);
//    a documented running status sleeps `interval` and fetches again.
//  - `on_progress(job)` is called for the first snapshot and whenever status, stage or progress
//    changed since the previous one.
//  - Deadline: measured on the timer's clock when it has `now()` (manual_timer: virtual time),
//    else on std::chrono::steady_clock. The last sleep is shortened so that one final fetch
//    happens at the deadline; still running then -> `deadline_exceeded`.
//  - Stop: `options.stop` and the awaiting task's token both stop the wait (`cancelled`), also
//    during a sleep or a fetch.
//  - A fetch that fails (after its own retries) ends the wait with that error.
// Every error result carries the last snapshot seen (if any) in `last_snapshot`.
//
// Thread-safety: a poll is one coroutine; on_progress runs on whichever thread resumes it.
#pragma once

#include <mediajobs/api/options.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/json/value.hpp>
#include <mediajobs/transport/transport.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace mediajobs::api {

/// A result<T> that also keeps the last job snapshot seen while waiting (also on error).
template <class T, class Snapshot = T>
class wait_result : public result<T> {
 public:
  using result<T>::result;
  wait_result(result<T> r) : result<T>(std::move(r)) {}  // NOLINT: implicit on purpose

  /// The last snapshot polled, when at least one poll succeeded.
  std::optional<Snapshot> last_snapshot;
};

/// Per-call settings of wait(); unset members come from client_options::poll.
template <class Job>
struct wait_options {
  std::optional<std::chrono::milliseconds> interval{};
  std::optional<std::chrono::milliseconds> deadline{};
  std::stop_token stop{};
  std::function<void(const Job&)> on_progress{};
};

/// Where a snapshot stands.
enum class job_phase : unsigned char { running, succeeded, failed, unknown };

/// What the poll loop needs to know about a snapshot (views into it).
struct job_view {
  job_phase phase = job_phase::unknown;
  std::string_view status{};  ///< the wire status ("" when absent)
  std::string_view stage{};   ///< "" when none
  std::optional<double> progress{};
  std::string failure_message{};  ///< the job's own error text, when failed
};

/// The readable text of a job's `error` field, which services send either as a string or as an
/// object with a `message`; empty when it is neither.
[[nodiscard]] inline std::string failure_message_of(const json::value& error) {
  if (error.is_string()) return std::string{error.as_string()};
  if (const json::value* m = error.find("message"); m && m->is_string()) return std::string{m->as_string()};
  return {};
}

namespace detail {

template <class Timer>
[[nodiscard]] std::chrono::milliseconds clock_now(const Timer& t) {
  using namespace std::chrono;
  if constexpr (requires { t.now(); }) {
    const auto n = t.now();
    if constexpr (requires { n.time_since_epoch(); })
      return duration_cast<milliseconds>(n.time_since_epoch());
    else
      return duration_cast<milliseconds>(n);
  } else {
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch());
  }
}

/// Requests a stop on `target` when it is invoked (a stop_callback's callable).
struct forward_stop {
  std::stop_source* target;
  void operator()() const noexcept { target->request_stop(); }
};

/// A token stopped when either of two tokens is.
class merged_stop {
 public:
  merged_stop(const std::stop_token& a, const std::stop_token& b) {
    if (!a.stop_possible()) {
      token_ = b;
    } else if (!b.stop_possible()) {
      token_ = a;
    } else {
      token_ = source_.get_token();
      on_a_.emplace(a, forward_stop{&source_});
      on_b_.emplace(b, forward_stop{&source_});
    }
  }
  merged_stop(const merged_stop&) = delete;
  merged_stop& operator=(const merged_stop&) = delete;
  [[nodiscard]] const std::stop_token& token() const noexcept { return token_; }

 private:
  std::stop_source source_;
  std::stop_token token_;
  std::optional<std::stop_callback<forward_stop>> on_a_;
  std::optional<std::stop_callback<forward_stop>> on_b_;
};

}  // namespace detail

/// Polls `fetch(stop)` (-> task<result<Job>>) until `describe(job)` (-> job_view) says the job
/// is terminal; see the header comment.
template <class Job, class Timer, class Fetch, class Describe>
task<wait_result<Job>> poll_job(Timer& timer, Fetch fetch, Describe describe, wait_options<Job> options,
                                poll_policy defaults) {
  const std::chrono::milliseconds interval = options.interval.value_or(defaults.interval);
  const std::chrono::milliseconds deadline = options.deadline.value_or(defaults.deadline);
  const std::stop_token own = co_await this_task::stop_token();
  const detail::merged_stop stop{own, options.stop};
  const std::chrono::milliseconds started = detail::clock_now(timer);

  std::optional<Job> last;
  std::string last_status;
  std::string last_stage;
  std::optional<double> last_progress;
  const auto with_snapshot = [&](error e) {
    wait_result<Job> out{unexpected(std::move(e))};
    out.last_snapshot = std::move(last);
    return out;
  };

  for (;;) {
    result<Job> r = co_await fetch(stop.token());
    if (!r) co_return with_snapshot(std::move(r).error());
    job_view v = describe(*r);
    const bool changed = !last || v.status != last_status || v.stage != last_stage || v.progress != last_progress;
    if (changed) {
      last_status = std::string{v.status};
      last_stage = std::string{v.stage};
      last_progress = v.progress;
      if (options.on_progress) options.on_progress(*r);
    }
    last = std::move(*r);

    switch (v.phase) {
      case job_phase::succeeded: {
        wait_result<Job> out{*last};
        out.last_snapshot = std::move(last);
        co_return out;
      }
      case job_phase::failed: {
        error e{error_kind::job_failed, "job ended with status " + last_status};
        if (!v.failure_message.empty()) e.with_service({}, std::move(v.failure_message));
        co_return with_snapshot(std::move(e));
      }
      case job_phase::unknown:
        co_return with_snapshot(error{error_kind::protocol, last_status.empty()
                                                                ? std::string{"job snapshot without a status"}
                                                                : "unknown job status \"" + last_status + "\""});
      case job_phase::running: break;
    }

    const std::chrono::milliseconds elapsed = detail::clock_now(timer) - started;
    if (elapsed >= deadline)
      co_return with_snapshot(error{error_kind::deadline_exceeded,
                                    "job still " + last_status + " after " + std::to_string(elapsed.count()) + " ms"});
    const std::chrono::milliseconds sleep = std::min(interval, deadline - elapsed);
    result<void> slept = co_await async_wait(timer, sleep, stop.token());
    if (!slept) co_return with_snapshot(std::move(slept).error());
  }
}

}  // namespace mediajobs::api
