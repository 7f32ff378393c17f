// mediajobs::task<T>: the lazy coroutine type of every client operation (T is usually
// result<U>), and start(), the callback front-end that runs one.
//
//   task<result<job>> get(std::string id) {
//     auto resp = co_await async_send(transport, make_request(id));   // transport/transport.hpp
//     if (!resp) co_return unexpected(std::move(resp).error());
//     co_return decode(*resp);
//   }
//
// Semantics:
//  - Lazy: nothing runs until the task is co_awaited, or handed to start(), sync_wait()
//    (core/sync_wait.hpp) or as_sender() (execution.hpp). Destroying a task that never ran
//    frees its frame and runs nothing.
//  - Move-only; a task is awaited at most once.
//  - Symmetric transfer: awaiting a task and finishing one are tail calls into the next
//    coroutine, so a loop of any length over tasks that complete synchronously does not grow
//    the stack.
//  - Stop tokens: a task knows the std::stop_token of whoever started it. start(), sync_wait()
//    and as_sender() pass theirs; a task co_awaited by another task inherits its parent's.
//    Read it with `co_await this_task::stop_token()`. More generally, any coroutine whose
//    promise has `get_stop_token()` passes its token to the tasks and operations it awaits.
//  - Exceptions: the library never throws. An exception escaping a task body calls
//    std::terminate(): the task may be resumed on a transport's thread, where nobody could
//    catch it, so rethrowing would only move the crash somewhere less clear. Under
//    -fno-exceptions the question does not arise.
//
// Thread-safety: a task object is used by one thread at a time. Once started, a task that
// waits on an operation goes on on the thread that completes it (see transport/transport.hpp)
// — or, when the operation completes before the task has finished suspending, on the thread
// that was running the task. Its continuation (the awaiting coroutine, or start()'s callback)
// runs wherever the task finishes.
#pragma once

#include <mediajobs/core/config.hpp>

#include <cassert>
#include <concepts>
#include <coroutine>
#include <exception>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

namespace mediajobs {

template <class T = void>
class task;

namespace detail {

/// A coroutine promise that can tell what its stop token is.
template <class Promise>
concept has_stop_token = requires(const Promise& p) {
  { p.get_stop_token() } -> std::convertible_to<std::stop_token>;
};

/// The stop token of the coroutine whose promise is `p`, or an empty one.
template <class Promise>
[[nodiscard]] std::stop_token stop_token_of(const Promise& p) noexcept {
  if constexpr (has_stop_token<Promise>)
    return p.get_stop_token();
  else
    return {};
}

class task_promise_base {
 public:
  struct final_awaiter {
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) const noexcept {
      // Symmetric transfer: a tail call into whoever awaits us; nobody when run detached.
      std::coroutine_handle<> next = self.promise().continuation_;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };

  [[nodiscard]] std::suspend_always initial_suspend() const noexcept { return {}; }
  [[nodiscard]] final_awaiter final_suspend() const noexcept { return {}; }
  [[noreturn]] void unhandled_exception() const noexcept { std::terminate(); }

  [[nodiscard]] const std::stop_token& get_stop_token() const noexcept { return stop_; }

 private:
  template <class>
  friend class ::mediajobs::task;

  std::coroutine_handle<> continuation_;
  std::stop_token stop_;
};

template <class T>
class task_promise final : public task_promise_base {
 public:
  task<T> get_return_object() noexcept;

  template <class U = T>
    requires std::is_constructible_v<T, U&&>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }

  /// The value given to co_return. Precondition: the coroutine has finished.
  [[nodiscard]] T take() {
    assert(value_.has_value() && "task: result taken before the task finished");
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class task_promise<void> final : public task_promise_base {
 public:
  task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const noexcept {}
};

}  // namespace detail

template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::task_promise<T>;
  using value_type = T;

  task() noexcept = default;
  task(task&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  task& operator=(task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  /// Frees the frame. Precondition: the task has not started, or it has finished.
  ~task() {
    if (handle_) handle_.destroy();
  }

  /// False for a default-constructed or moved-from task.
  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }

  class awaiter {
   public:
    explicit awaiter(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
    [[nodiscard]] bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> caller) const noexcept {
      promise_type& p = handle_.promise();
      p.continuation_ = caller;
      p.stop_ = detail::stop_token_of(caller.promise());
      return handle_;  // symmetric transfer: start the child as a tail call
    }
    T await_resume() const { return handle_.promise().take(); }

   private:
    std::coroutine_handle<promise_type> handle_;
  };

  /// Runs the task and gives its value. Precondition: valid(), and not awaited before.
  awaiter operator co_await() && noexcept {
    assert(handle_ && "task: co_await on an empty task");
    return awaiter{handle_};
  }
  awaiter operator co_await() & noexcept {
    assert(handle_ && "task: co_await on an empty task");
    return awaiter{handle_};
  }

 private:
  friend promise_type;
  explicit task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}

  std::coroutine_handle<promise_type> handle_;
};

template <class T>
task<T> detail::task_promise<T>::get_return_object() noexcept {
  return task<T>{std::coroutine_handle<task_promise>::from_promise(*this)};
}
inline task<void> detail::task_promise<void>::get_return_object() noexcept {
  return task<void>{std::coroutine_handle<task_promise>::from_promise(*this)};
}

namespace this_task {

/// `co_await this_task::stop_token()` gives the std::stop_token of the running task (empty when
/// nobody can request a stop). Works in any coroutine whose promise has get_stop_token().
class stop_token_awaiter {
 public:
  [[nodiscard]] bool await_ready() const noexcept { return false; }
  template <class Promise>
    requires detail::has_stop_token<Promise>
  bool await_suspend(std::coroutine_handle<Promise> self) noexcept {
    token_ = self.promise().get_stop_token();
    return false;  // never actually suspends
  }
  [[nodiscard]] std::stop_token await_resume() noexcept { return std::move(token_); }

 private:
  std::stop_token token_;
};

[[nodiscard]] inline stop_token_awaiter stop_token() noexcept { return {}; }

}  // namespace this_task

namespace detail {

/// A fire-and-forget coroutine that frees itself when it finishes. Its promise takes the stop
/// token from the coroutine's arguments (the first std::stop_token among them), so that what it
/// awaits inherits that token.
class detached {
 public:
  class promise_type {
   public:
    template <class... Args>
    explicit promise_type(Args&... args) noexcept {
      ((pick(args)), ...);
    }
    detached get_return_object() const noexcept { return {}; }
    [[nodiscard]] std::suspend_never initial_suspend() const noexcept { return {}; }
    [[nodiscard]] std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    [[noreturn]] void unhandled_exception() const noexcept { std::terminate(); }
    [[nodiscard]] const std::stop_token& get_stop_token() const noexcept { return stop_; }

   private:
    template <class A>
    void pick(A& arg) noexcept {
      if constexpr (std::is_same_v<std::remove_cv_t<A>, std::stop_token>) {
        if (!picked_) {
          stop_ = arg;
          picked_ = true;
        }
      }
    }
    std::stop_token stop_;
    bool picked_ = false;
  };
};

template <class Callback, class T>
concept task_callback_invocable = std::is_invocable_v<Callback&&, T&&>;
template <class Callback>
concept task_callback_void = std::is_invocable_v<Callback&&>;

/// What start() accepts as the callback of a task<T>.
template <class Callback, class T>
concept task_callback = std::is_move_constructible_v<Callback> &&
                        ((std::is_void_v<T> && task_callback_void<Callback>) ||
                         (!std::is_void_v<T> && task_callback_invocable<Callback, T>));

template <class T, class Callback>
detached run_detached(task<T> t, Callback callback, std::stop_token /*for the promise*/) {
  if constexpr (std::is_void_v<T>) {
    co_await std::move(t);
    std::move(callback)();
  } else {
    std::move(callback)(co_await std::move(t));
  }
}

}  // namespace detail

/// Runs `t` now, on this thread, until it first waits; `callback(T)` (or `callback()` for
/// task<void>) is called once when it finishes, on the thread where the task finished (see
/// above) — possibly before start() returns. `stop` is the task's stop token.
template <class T, class Callback>
  requires detail::task_callback<Callback, T>
void start(task<T> t, Callback callback, std::stop_token stop = {}) {
  assert(t.valid() && "start: empty task");
  detail::run_detached(std::move(t), std::move(callback), std::move(stop));
}

}  // namespace mediajobs
