// Adapters that turn other flavours of HTTP client into a mediajobs `transport`
// (transport/transport.hpp):
//
//   from_sender(s)      s.send(http::request) returns a P2300 sender of http::response (or of
//                       result<http::response>). The stop token reaches the sender through the
//                       receiver's environment (query(get_stop_token_t) -> std::stop_token).
//                       set_value -> the response; set_error(mediajobs::error) -> that error;
//                       set_error(anything else) -> kind `transport`; set_stopped -> `cancelled`.
//   from_awaitable(a)   a.send(http::request) returns an awaitable of result<http::response> or of
//                       http::response. It is awaited from a coroutine whose promise offers the
//                       stop token (get_stop_token()), so a mediajobs::task inherits it.
//   callback_transport  wraps std::function<void(http::request,
//                       std::function<void(result<http::response>)>)>: an engine's HTTP layer in a
//                       few lines. The inner completion is copyable and may be called from any
//                       thread; only its first call counts, later calls are ignored (they are the
//                       caller's bug, but never a crash). A stop request completes the operation
//                       at once with `cancelled`; the function's own late answer is then ignored.
//                       If every copy of the inner completion is destroyed uncalled, the operation
//                       completes with `cancelled`.
//
// The adapters own the wrapped object (moved in). None of them enforces request.timeout: the
// wrapped client must (see the contract in transport/transport.hpp).
//
// Thread-safety: an adapter is as thread-safe as the object it wraps; the adapters add no shared
// state of their own except callback_transport's per-request state, which is synchronized.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/exec.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/transport/transport.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>

namespace mediajobs {

// --- from_sender -------------------------------------------------------------------------------

namespace detail {

template <class Sender, class Receiver>
auto connect_sender(Sender&& s, Receiver&& r) {
#if defined(MEDIAJOBS_EXEC_STDEXEC)
  return stdexec::connect(std::forward<Sender>(s), std::forward<Receiver>(r));
#elif defined(MEDIAJOBS_EXEC_STD)
  return std::execution::connect(std::forward<Sender>(s), std::forward<Receiver>(r));
#else
  return std::forward<Sender>(s).connect(std::forward<Receiver>(r));
#endif
}

/// The environment our receivers offer: the operation's stop token.
struct stop_env {
  std::stop_token stop;
  [[nodiscard]] std::stop_token query(exec::get_stop_token_t) const noexcept { return stop; }
};

/// One in-flight send through a sender; frees itself when the sender completes.
template <class Sender>
class sender_send_operation {
 public:
  class receiver {
   public:
    using receiver_concept = exec::receiver_t;
    explicit receiver(sender_send_operation* op) noexcept : op_(op) {}

    void set_value(http::response r) && noexcept { op_->finish(std::move(r)); }
    void set_value(result<http::response> r) && noexcept { op_->finish(std::move(r)); }
    void set_error(error e) && noexcept { op_->finish(unexpected(std::move(e))); }
    template <class E>
    void set_error(E&&) && noexcept {
      op_->finish(fail(error_kind::transport, "the transport's sender completed with an error"));
    }
    void set_stopped() && noexcept { op_->finish(fail(error_kind::cancelled, "the transport's sender stopped")); }
    [[nodiscard]] stop_env get_env() const noexcept { return {op_->stop_}; }

   private:
    sender_send_operation* op_;
  };

  static void launch(Sender&& s, std::stop_token stop, send_completion done) {
    auto* op = new sender_send_operation(std::move(s), std::move(stop), std::move(done));
#if defined(MEDIAJOBS_EXEC_STDEXEC)
    stdexec::start(op->state_);
#elif defined(MEDIAJOBS_EXEC_STD)
    std::execution::start(op->state_);
#else
    op->state_.start();
#endif
  }

 private:
  sender_send_operation(Sender&& s, std::stop_token stop, send_completion done)
      : stop_(std::move(stop)), done_(std::move(done)), state_(connect_sender(std::move(s), receiver{this})) {}

  void finish(result<http::response> r) noexcept {
    send_completion done = std::move(done_);
    // The sender has completed: its operation state may go now (the usual P2300 contract).
    delete this;
    done(std::move(r));
  }

  std::stop_token stop_;
  send_completion done_;
  decltype(connect_sender(std::declval<Sender>(), std::declval<receiver>())) state_;
};

}  // namespace detail

template <class Inner>
  requires requires(Inner& inner, http::request req) { inner.send(std::move(req)); }
class sender_transport {
 public:
  explicit sender_transport(Inner inner) : inner_(std::move(inner)) {}

  void async_send(http::request req, std::stop_token stop, send_completion done) {
    using sender = std::remove_cvref_t<decltype(inner_.send(std::move(req)))>;
    detail::sender_send_operation<sender>::launch(inner_.send(std::move(req)), std::move(stop), std::move(done));
  }

  [[nodiscard]] Inner& get() noexcept { return inner_; }
  [[nodiscard]] const Inner& get() const noexcept { return inner_; }

 private:
  Inner inner_;
};

/// A transport over an object whose send(http::request) returns a sender.
template <class Inner>
[[nodiscard]] sender_transport<std::remove_cvref_t<Inner>> from_sender(Inner&& inner) {
  return sender_transport<std::remove_cvref_t<Inner>>(std::forward<Inner>(inner));
}

// --- from_awaitable ----------------------------------------------------------------------------

namespace detail {

template <class Inner>
detached run_awaitable_send(Inner* inner, http::request req, std::stop_token /*for the promise*/,
                            send_completion done) {
  // Either an http::response (a success) or a result<http::response>.
  auto r = co_await inner->send(std::move(req));
  done(result<http::response>(std::move(r)));
}

}  // namespace detail

template <class Inner>
  requires requires(Inner& inner, http::request req) { inner.send(std::move(req)); }
class awaitable_transport {
 public:
  explicit awaitable_transport(Inner inner) : inner_(std::move(inner)) {}

  void async_send(http::request req, std::stop_token stop, send_completion done) {
    detail::run_awaitable_send(&inner_, std::move(req), std::move(stop), std::move(done));
  }

  [[nodiscard]] Inner& get() noexcept { return inner_; }
  [[nodiscard]] const Inner& get() const noexcept { return inner_; }

 private:
  Inner inner_;
};

/// A transport over an object whose send(http::request) returns an awaitable.
template <class Inner>
[[nodiscard]] awaitable_transport<std::remove_cvref_t<Inner>> from_awaitable(Inner&& inner) {
  return awaitable_transport<std::remove_cvref_t<Inner>>(std::forward<Inner>(inner));
}

// --- callback_transport ------------------------------------------------------------------------

class callback_transport {
 public:
  using completion_function = std::function<void(result<http::response>)>;
  using send_function = std::function<void(http::request, completion_function)>;

  explicit callback_transport(send_function send) : send_(std::move(send)) {}

  void async_send(http::request req, std::stop_token stop, send_completion done) {
    if (stop.stop_requested()) {
      done(fail(error_kind::cancelled, "stop requested before the request was sent"));
      return;
    }
    auto op = std::make_shared<operation>(std::move(done));
    if (stop.stop_possible()) {
      // Registered before the call, so a stop during it is not missed; it holds a weak
      // reference: the operation belongs to the copies of the completion function.
      op->on_stop.emplace(std::move(stop), canceller{op});
      if (op->claimed.load(std::memory_order_acquire)) return;  // stopped meanwhile: don't send
    }
    send_(std::move(req), [op](result<http::response> r) { op->complete(std::move(r)); });
  }

 private:
  struct operation {
    explicit operation(send_completion d) : done(std::move(d)) {}
    void complete(result<http::response> r) {
      if (claimed.exchange(true, std::memory_order_acq_rel)) return;  // not the first call
      send_completion d = std::move(done);
      d(std::move(r));
    }
    std::atomic<bool> claimed{false};
    send_completion done;
    std::optional<std::stop_callback<std::function<void()>>> on_stop;
  };
  struct canceller {
    std::weak_ptr<operation> op;
    void operator()() const {
      if (auto p = op.lock()) p->complete(fail(error_kind::cancelled, "stop requested"));
    }
  };

  send_function send_;
};

static_assert(transport<callback_transport>);

}  // namespace mediajobs
