// mediajobs::exec: the few P2300 (std::execution) names our sender front-end and sender adapter
// need. They are stdexec's when <stdexec/execution.hpp> is available, std::execution's when the
// standard library has it, and otherwise minimal tags of our own, with the same names and shapes,
// enough for member-style senders and receivers:
//   sender:    `using sender_concept = exec::sender_t;`, `using completion_signatures = ...;`,
//              `op connect(Receiver) &&`
//   op state:  `void start() & noexcept`
//   receiver:  `using receiver_concept = exec::receiver_t;`, `set_value(...) && noexcept`,
//              `set_error(E) && noexcept`, `set_stopped() && noexcept`, `get_env() const noexcept`
//   env:       `query(exec::get_stop_token_t) const noexcept` -> a stop token
// Define MEDIAJOBS_NO_STDEXEC to use our own tags even when stdexec is there.
//
// Thread-safety: types only.
#pragma once

#include <stop_token>
#include <utility>
#include <version>

#if !defined(MEDIAJOBS_NO_STDEXEC) && __has_include(<stdexec/execution.hpp>)
#include <stdexec/execution.hpp>
#define MEDIAJOBS_EXEC_STDEXEC 1
#elif !defined(MEDIAJOBS_NO_STDEXEC) && __has_include(<execution>) && defined(__cpp_lib_senders)
#include <execution>
#define MEDIAJOBS_EXEC_STD 1
#endif

namespace mediajobs::exec {

#if defined(MEDIAJOBS_EXEC_STDEXEC)
using stdexec::completion_signatures;
using stdexec::get_stop_token_t;
using stdexec::operation_state_t;
using stdexec::receiver_t;
using stdexec::sender_t;
using stdexec::set_error_t;
using stdexec::set_stopped_t;
using stdexec::set_value_t;
#elif defined(MEDIAJOBS_EXEC_STD)
using std::execution::completion_signatures;
using std::execution::get_stop_token_t;
using std::execution::operation_state_t;
using std::execution::receiver_t;
using std::execution::sender_t;
using std::execution::set_error_t;
using std::execution::set_stopped_t;
using std::execution::set_value_t;
#else
struct sender_t {};
struct receiver_t {};
struct operation_state_t {};
struct set_value_t {};
struct set_error_t {};
struct set_stopped_t {};
struct get_stop_token_t {};
/// The list of ways a sender may complete, e.g. `set_value_t(int), set_stopped_t()`.
template <class... Signatures>
struct completion_signatures {};
#endif

/// The environment of a receiver that has none.
struct empty_env {};

/// A receiver's environment, or empty_env when it has no get_env().
template <class Receiver>
[[nodiscard]] decltype(auto) env_of(const Receiver& r) noexcept {
  if constexpr (requires { r.get_env(); })
    return r.get_env();
  else
    return empty_env{};
}

/// The stop token an environment offers (`env.query(get_stop_token_t{})`), or an empty
/// std::stop_token when it offers none.
template <class Env>
[[nodiscard]] auto stop_token_of(const Env& env) noexcept {
  if constexpr (requires { env.query(get_stop_token_t{}); })
    return env.query(get_stop_token_t{});
  else
    return std::stop_token{};
}

}  // namespace mediajobs::exec
