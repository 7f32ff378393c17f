// mediajobs::sync_wait(task[, stop_token]): runs a task and blocks the calling thread until it
// finishes — the front-end for scripts, tools and tests.
//
//   auto job = mediajobs::sync_wait(client.get_job("j-1"));   // result<ugen::job>
//
// The task may finish inline (before anything blocks) or on another thread (a transport's
// I/O thread); both are handled. Do not call sync_wait on the only thread that can complete the
// task (e.g. from inside an io_context's handler on a single-threaded io_context, or with a
// deferred mock_transport / manual_timer that only this thread drives): it would wait forever.
//
// Thread-safety: may be called from any number of threads at once, each with its own task.
#pragma once

#include <mediajobs/core/task.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

namespace mediajobs {

namespace detail {

template <class T>
class sync_wait_state {
 public:
  void set(T&& value) {
    std::lock_guard lock(mutex_);
    value_.emplace(std::move(value));
    // Notify while holding the lock: once unlocked, the waiter may return and destroy us.
    ready_.notify_one();
  }
  T wait() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return value_.has_value(); });
    return std::move(*value_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::optional<T> value_;
};

struct sync_wait_void {};

}  // namespace detail

/// Runs `t` with stop token `stop` and returns its value once it has finished.
template <class T>
T sync_wait(task<T> t, std::stop_token stop = {}) {
  if constexpr (std::is_void_v<T>) {
    detail::sync_wait_state<detail::sync_wait_void> state;
    start(std::move(t), [&state] { state.set(detail::sync_wait_void{}); }, std::move(stop));
    state.wait();
  } else {
    detail::sync_wait_state<T> state;
    start(std::move(t), [&state](T&& value) { state.set(std::move(value)); }, std::move(stop));
    return state.wait();
  }
}

}  // namespace mediajobs
