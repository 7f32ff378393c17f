// mediajobs::manual_timer: a timer on virtual time, so that retry, backoff and polling tests
// never sleep. Deterministic and threadless: waits end only when the test calls advance().
//
//   mediajobs::manual_timer timer;
//   mediajobs::start(poll_until_done(timer), on_done);   // the task now waits 2 s on `timer`
//   timer.advance(2s);                                   // ...and resumes here, on this thread
//
// Alternatively set_auto_advance(true): each wait then moves virtual time forward by its own
// duration and completes inline, which lets sync_wait() drive code that sleeps.
//
// A wait of zero or negative duration completes inline. A stop request completes a waiting wait
// at once with `cancelled`, on the thread that requested the stop. Destroying the timer
// completes the waits still pending with `cancelled`.
//
// Thread-safety: every member may be called from any thread; completions run on the thread
// calling advance() (or async_wait, or request_stop), never under the timer's lock. Calls to
// advance() should come from one thread at a time for the firing order to mean anything.
#pragma once

#include <mediajobs/core/result.hpp>
#include <mediajobs/transport/detail/pending_operations.hpp>
#include <mediajobs/transport/transport.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

namespace mediajobs {

class manual_timer {
 public:
  using duration = std::chrono::milliseconds;

  manual_timer() = default;
  manual_timer(const manual_timer&) = delete;  // pending waits point at it
  manual_timer& operator=(const manual_timer&) = delete;
  ~manual_timer() = default;

  /// Virtual time elapsed since construction.
  [[nodiscard]] duration now() const {
    std::lock_guard lock(mutex_);
    return now_;
  }

  /// Moves virtual time forward by `d`, completing every wait that falls due, in order of due
  /// time (then of arrival). A wait started by a completion and due within `d` fires too.
  /// Returns how many waits completed.
  std::size_t advance(duration d) {
    duration target{};
    {
      std::lock_guard lock(mutex_);
      target = now_ + (d > duration::zero() ? d : duration::zero());
    }
    std::size_t fired = 0;
    for (;;) {
      auto due = waits_.take([&](waiting::list_type& l) {
        auto best = l.end();
        for (auto it = l.begin(); it != l.end(); ++it)
          if (it->payload <= target && (best == l.end() || it->payload < best->payload)) best = it;
        return best;
      });
      if (!due) break;
      {
        std::lock_guard lock(mutex_);
        if (due->payload > now_) now_ = due->payload;
      }
      waiting::complete(std::move(*due), result<void>{});
      ++fired;
    }
    std::lock_guard lock(mutex_);
    if (target > now_) now_ = target;
    return fired;
  }

  /// Moves time to the earliest pending due time and fires what is due then; 0 when none.
  std::size_t advance_to_next() {
    std::optional<duration> next;
    waits_.for_each([&](duration due) {
      if (!next || due < *next) next = due;
    });
    if (!next) return 0;
    return advance(*next - now());
  }

  /// When on, every wait completes inline after moving virtual time forward by its duration.
  void set_auto_advance(bool on) {
    std::lock_guard lock(mutex_);
    auto_advance_ = on;
  }

  /// How many waits are pending.
  [[nodiscard]] std::size_t pending() const { return waits_.size(); }

  /// The duration of every wait started so far, in order (to check backoff schedules).
  [[nodiscard]] std::vector<duration> requested() const {
    std::lock_guard lock(mutex_);
    return requested_;
  }

  // --- the timer ------------------------------------------------------------------------------
  void async_wait(duration d, std::stop_token stop, wait_completion done) {
    if (stop.stop_requested()) {
      done(fail(error_kind::cancelled, "stop requested before the wait began"));
      return;
    }
    duration due{};
    bool elapsed = false;
    {
      std::lock_guard lock(mutex_);
      requested_.push_back(d);
      if (d <= duration::zero()) {
        elapsed = true;
      } else if (auto_advance_) {
        now_ += d;
        elapsed = true;
      } else {
        due = now_ + d;
      }
    }
    if (elapsed) {
      done(result<void>{});  // outside the lock: it may start the next wait
      return;
    }
    waits_.add(due, std::move(stop), std::move(done));
  }

 private:
  // Payload: the due time, in virtual time since construction.
  using waiting = detail::pending_operations<result<void>, duration>;

  mutable std::mutex mutex_;
  duration now_{0};
  bool auto_advance_ = false;
  std::vector<duration> requested_;
  waiting waits_;  // last: destroyed first
};

static_assert(timer<manual_timer>);

}  // namespace mediajobs
