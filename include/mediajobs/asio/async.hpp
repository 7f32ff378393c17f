// mediajobs::asio_async(task, token): the Asio completion-token front-end of a mediajobs task.
//
//   asio_async(client.get_job("j-1"), [](mediajobs::result<ugen::job> r) { ... });   // callback
//   std::future<result<ugen::job>> f = asio_async(client.get_job("j-1"), asio::use_future);
//   auto r = co_await asio_async(client.get_job("j-1"), asio::use_awaitable);        // in asio::awaitable
//   auto op = asio_async(client.get_job("j-1"), asio::experimental::deferred);       // run later
//
// A task<T> completes with signature void(T) (void() for task<void>). The task starts when the
// initiation runs (at once for a callback, use_future and use_awaitable; when invoked for
// deferred). The handler is called through asio::dispatch on its associated executor (a
// callback without one is called on whichever thread finished the task), and that executor
// counts as having outstanding work until then. An Asio cancellation slot bound to the handler
// (asio::bind_cancellation_slot, or the awaitable's own) requests the task's stop when any
// cancellation type is emitted; the task then typically ends with an error of kind `cancelled`.
// As everywhere in Asio, emit the signal from the handler's executor (the slot is cleared there
// before the handler runs), not concurrently from another thread.
//
// Note: asio::awaitable cannot co_await a mediajobs::task directly; this is the bridge.
// asio::use_awaitable needs exceptions enabled (Asio's coroutine support uses them).
//
// Thread-safety: asio_async may be called from any thread; each task is used once.
#pragma once

#include <mediajobs/asio/config.hpp>
#include <mediajobs/core/task.hpp>

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/dispatch.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/prefer.hpp>

#include <memory>
#include <stop_token>
#include <type_traits>
#include <utility>

namespace mediajobs {

namespace detail {

template <class T>
struct asio_async_signature_of {
  using type = void(T);
};
template <>
struct asio_async_signature_of<void> {
  using type = void();
};
template <class T>
using asio_async_signature = typename asio_async_signature_of<T>::type;

/// Called by the task with its value: hands the value to the handler on its executor.
template <class Handler, class WorkExecutor>
struct asio_async_completer {
  Handler handler;
  WorkExecutor work;  // keeps the handler's executor from running out of work meanwhile

  template <class... V>
  void operator()(V&&... value) {
    auto ex = work;
    asio::dispatch(ex, [h = std::move(handler), w = std::move(work), ... v = std::forward<V>(value)]() mutable {
      // The slot belongs to the handler's side: clear it there, before the handler may reuse it.
      auto slot = asio::get_associated_cancellation_slot(h);
      if (slot.is_connected()) slot.clear();
      std::move(h)(std::move(v)...);
      (void)w;
    });
  }
};

template <class T>
struct initiate_asio_async {
  template <class Handler>
  void operator()(Handler&& handler, task<T> t) const {
    using handler_type = std::decay_t<Handler>;
    auto ex = asio::get_associated_executor(handler);
    auto work = asio::prefer(ex, asio::execution::outstanding_work.tracked);
    std::stop_token stop;
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) {
      std::stop_source source;
      stop = source.get_token();
      slot.assign([source](asio::cancellation_type type) mutable {
        if (type != asio::cancellation_type::none) source.request_stop();
      });
    }
    asio_async_completer<handler_type, decltype(work)> done{std::forward<Handler>(handler), std::move(work)};
    start(std::move(t), std::move(done), std::move(stop));
  }
};

}  // namespace detail

/// Runs `t` as an Asio asynchronous operation completing with `token` (see the file comment).
template <class T, class CompletionToken>
auto asio_async(task<T> t, CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, detail::asio_async_signature<T>>(
      detail::initiate_asio_async<T>{}, token, std::move(t));
}

}  // namespace mediajobs
