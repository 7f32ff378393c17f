// P2300 front-end: as_sender(task) turns any mediajobs::task into a sender (member-style
// connect/start), for code built on std::execution or stdexec.
//
//   auto s = mediajobs::as_sender(client.get_job("j-1"));      // task<result<ugen::job>>
//   // stdexec::sync_wait(std::move(s)) -> optional<tuple<ugen::job>>
//
// Completions, for a task<T>:
//   T = result<U>:  success        -> set_value(U)      (set_value() for result<void>)
//                   error cancelled -> set_stopped()
//                   other error    -> set_error(mediajobs::error)
//   T = void:       set_value()
//   any other T:    set_value(T)
// Stop: the receiver's stop token (`get_env(receiver).query(get_stop_token_t)`) becomes the
// task's stop token. A std::stop_token is used as is; any other stoppable token (stdexec's
// inplace_stop_token, ...) with a `callback_type<F>` is bridged through a std::stop_source.
// The tag types are in mediajobs::exec (core/exec.hpp): stdexec's when it is available.
//
// The task runs on the thread that calls start() until it first waits; the receiver is then
// completed on whichever thread completes the task's last operation.
//
// Thread-safety: a sender and its operation state are used by one thread at a time; start() is
// called once.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/exec.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>

#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

namespace mediajobs {

namespace detail {

template <class T>
struct result_traits {
  static constexpr bool is_result = false;
};
template <class U>
struct result_traits<result<U>> {
  static constexpr bool is_result = true;
  using value_type = U;
};

template <class T>
struct task_completions {
  using type = exec::completion_signatures<exec::set_value_t(T)>;
};
template <>
struct task_completions<void> {
  using type = exec::completion_signatures<exec::set_value_t()>;
};
template <class U>
struct task_completions<result<U>> {
  using type = exec::completion_signatures<exec::set_value_t(U), exec::set_error_t(error), exec::set_stopped_t()>;
};
template <>
struct task_completions<result<void>> {
  using type = exec::completion_signatures<exec::set_value_t(), exec::set_error_t(error), exec::set_stopped_t()>;
};

/// Turns the receiver's stop token, whatever its type, into a std::stop_token.
template <class Token>
class stop_bridge {
 public:
  std::stop_token attach(const Token& token) {
    if constexpr (requires { token.stop_possible(); }) {
      if (!token.stop_possible()) return {};
    }
    source_.emplace();
    std::stop_token out = source_->get_token();
    on_stop_.emplace(token, forward{&*source_});  // may request the stop at once
    return out;
  }

 private:
  struct forward {
    std::stop_source* source;
    void operator()() const noexcept { source->request_stop(); }
  };
  std::optional<std::stop_source> source_;
  std::optional<typename Token::template callback_type<forward>> on_stop_;
};

template <>
class stop_bridge<std::stop_token> {
 public:
  std::stop_token attach(std::stop_token token) noexcept { return token; }
};

template <class T, class Receiver>
class task_operation {
 public:
  using operation_state_concept = exec::operation_state_t;

  task_operation(task<T> t, Receiver r) : task_(std::move(t)), receiver_(std::move(r)) {}
  task_operation(const task_operation&) = delete;
  task_operation& operator=(const task_operation&) = delete;
  task_operation(task_operation&&) = delete;
  task_operation& operator=(task_operation&&) = delete;
  ~task_operation() = default;

  void start() & noexcept {
    // The environment is kept alive until start() returns: destroying its token before `stop` is
    // moved on made GCC 12 -O3 report a false -Wuse-after-free inside libstdc++'s stop_token.
    const auto env = exec::env_of(receiver_);
    std::stop_token stop = bridge_.attach(exec::stop_token_of(env));
    if constexpr (std::is_void_v<T>) {
      ::mediajobs::start(std::move(task_), [this] { std::move(receiver_).set_value(); }, std::move(stop));
    } else {
      ::mediajobs::start(std::move(task_), [this](T&& value) { finish(std::move(value)); }, std::move(stop));
    }
  }

 private:
  using token_type = std::remove_cvref_t<decltype(exec::stop_token_of(exec::env_of(std::declval<const Receiver&>())))>;

  void finish(T&& value) noexcept {
    if constexpr (result_traits<T>::is_result) {
      if (value.has_value()) {
        if constexpr (std::is_void_v<typename result_traits<T>::value_type>)
          std::move(receiver_).set_value();
        else
          std::move(receiver_).set_value(std::move(*value));
      } else if (value.error().kind() == error_kind::cancelled) {
        std::move(receiver_).set_stopped();
      } else {
        std::move(receiver_).set_error(std::move(value).error());
      }
    } else {
      std::move(receiver_).set_value(std::move(value));
    }
  }

  task<T> task_;
  Receiver receiver_;
  stop_bridge<token_type> bridge_;
};

}  // namespace detail

/// A sender that runs a task<T>. Move-only; connect() consumes it.
template <class T>
class task_sender {
 public:
  using sender_concept = exec::sender_t;
  using completion_signatures = typename detail::task_completions<T>::type;

  explicit task_sender(task<T> t) noexcept : task_(std::move(t)) {}

  template <class Receiver>
  [[nodiscard]] detail::task_operation<T, std::remove_cvref_t<Receiver>> connect(Receiver&& r) && {
    return {std::move(task_), std::forward<Receiver>(r)};
  }

  [[nodiscard]] exec::empty_env get_env() const noexcept { return {}; }

 private:
  task<T> task_;
};

/// `as_sender(t)`: the P2300 front-end for a task; see the top of this header.
template <class T>
[[nodiscard]] task_sender<T> as_sender(task<T> t) noexcept {
  return task_sender<T>(std::move(t));
}

}  // namespace mediajobs
