// Internal: a list of operations waiting to be completed by hand (mock_transport in deferred
// mode, manual_timer), each of which completes with `cancelled` when its stop token is
// triggered. Shared by the test doubles so that they get the stop races right once.
//
// Thread-safety: every member may be called concurrently; completions are never called with
// the internal lock held (a completion may resume a coroutine that adds the next operation).
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/transport/transport.hpp>

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

namespace mediajobs::detail {

template <class Result, class Payload>
class pending_operations {
 public:
  struct canceller {
    pending_operations* self;
    std::uint64_t id;
    void operator()() const noexcept { self->cancel(id); }
  };

  struct entry {
    std::uint64_t id = 0;
    Payload payload;
    basic_completion<Result> done;
    std::unique_ptr<std::stop_callback<canceller>> on_stop;
  };

  pending_operations() = default;
  pending_operations(const pending_operations&) = delete;
  pending_operations& operator=(const pending_operations&) = delete;
  /// Pending operations are dropped, which completes them with `cancelled`.
  ~pending_operations() { clear(); }

  /// Queues an operation. When a stop was already requested it completes at once with
  /// `cancelled` and is not queued; returns whether it was queued.
  bool add(Payload payload, std::stop_token stop, basic_completion<Result> done) {
    if (stop.stop_requested()) {
      done(cancelled());
      return false;
    }
    std::uint64_t id = 0;
    {
      std::lock_guard lock(mutex_);
      id = ++last_id_;
      entries_.push_back(entry{id, std::move(payload), std::move(done), nullptr});
    }
    if (!stop.stop_possible()) return true;
    // Registered outside the lock: it runs cancel() at once if a stop has just been requested.
    auto on_stop = std::make_unique<std::stop_callback<canceller>>(stop, canceller{this, id});
    std::lock_guard lock(mutex_);
    for (auto& e : entries_) {
      if (e.id == id) {
        e.on_stop = std::move(on_stop);
        return true;
      }
    }
    return true;  // already completed or cancelled; `on_stop` is destroyed on return
  }

  /// Removes the entry `select(entries)` points at (end() for none) and returns it. Complete it
  /// with complete() outside of any lock.
  template <class Select>
  std::optional<entry> take(Select select) {
    std::lock_guard lock(mutex_);
    auto it = select(entries_);
    if (it == entries_.end()) return std::nullopt;
    std::optional<entry> out(std::move(*it));
    entries_.erase(it);
    return out;
  }

  /// Completes a taken entry with `r`.
  static void complete(entry&& e, Result r) {
    // Deregister first: if the stop callback is running on another thread this waits for it,
    // and it finds nothing to cancel.
    e.on_stop.reset();
    e.done(std::move(r));
  }

  /// Visits every pending entry's payload under the lock, in arrival order.
  template <class Visit>
  void for_each(Visit visit) const {
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_) visit(e.payload);
  }

  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

  /// Drops every pending operation (they complete with `cancelled`).
  void clear() {
    std::list<entry> all;
    {
      std::lock_guard lock(mutex_);
      all.swap(entries_);
    }
    for (auto& e : all) complete(std::move(e), cancelled());
  }

  using list_type = std::list<entry>;

 private:
  static Result cancelled() { return Result(unexpect, error{error_kind::cancelled, "stop requested"}); }

  void cancel(std::uint64_t id) {
    std::optional<entry> e;
    {
      std::lock_guard lock(mutex_);
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->id == id) {
          e.emplace(std::move(*it));
          entries_.erase(it);
          break;
        }
      }
    }
    if (!e) return;
    // We run inside e->on_stop's callback; destroying it from there (when `e` goes out of
    // scope) is allowed on this thread, and nothing touches the callback afterwards.
    e->done(cancelled());
  }

  mutable std::mutex mutex_;
  std::list<entry> entries_;
  std::uint64_t last_id_ = 0;
};

}  // namespace mediajobs::detail
