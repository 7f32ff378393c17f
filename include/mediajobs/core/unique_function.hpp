// mediajobs::detail::unique_function<R(Args...)>: a move-only std::function. C++20 has no
// std::move_only_function, and std::function cannot hold a callable that owns a move-only
// resource (a completion, a coroutine handle's owner). Callables up to three pointers in size
// that are nothrow-movable live inline, so wrapping a small lambda does not allocate.
//
// Thread-safety: like std::function — distinct objects may be used from different threads; one
// object must not be used concurrently.
#pragma once

#include <cassert>
#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace mediajobs::detail {

template <class Signature>
class unique_function;

template <class R, class... Args>
class unique_function<R(Args...)> {
 public:
  unique_function() noexcept = default;
  unique_function(std::nullptr_t) noexcept {}  // NOLINT: like std::function

  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, unique_function> &&
             !std::is_same_v<std::remove_cvref_t<F>, std::nullptr_t> &&
             std::is_constructible_v<std::decay_t<F>, F> && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>)
  unique_function(F&& f) {  // NOLINT: implicit, like std::function
    using Fn = std::decay_t<F>;
    if constexpr (stored_inline<Fn>) {
      ::new (static_cast<void*>(buffer_)) Fn(std::forward<F>(f));
    } else {
      ::new (static_cast<void*>(buffer_)) Fn*(new Fn(std::forward<F>(f)));
    }
    vtable_ = &vtable_for<Fn>;
  }

  unique_function(unique_function&& other) noexcept { take(other); }
  unique_function& operator=(unique_function&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  unique_function& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  unique_function(const unique_function&) = delete;
  unique_function& operator=(const unique_function&) = delete;
  ~unique_function() { reset(); }

  [[nodiscard]] explicit operator bool() const noexcept { return vtable_ != nullptr; }

  /// Calls the target. Precondition: *this holds one.
  R operator()(Args... args) {
    assert(vtable_ != nullptr && "unique_function: call of an empty function");
    return vtable_->invoke(buffer_, std::forward<Args>(args)...);
  }

 private:
  static constexpr std::size_t buffer_size = 3 * sizeof(void*);

  template <class Fn>
  static constexpr bool stored_inline = sizeof(Fn) <= buffer_size && alignof(Fn) <= alignof(std::max_align_t) &&
                                        std::is_nothrow_move_constructible_v<Fn>;

  struct vtable {
    R (*invoke)(void* storage, Args&&... args);
    void (*move_to)(void* from, void* to) noexcept;  // leaves `from` destroyed
    void (*destroy)(void* storage) noexcept;
  };

  template <class Fn>
  static Fn& target(void* storage) noexcept {
    if constexpr (stored_inline<Fn>)
      return *std::launder(static_cast<Fn*>(storage));
    else
      return **std::launder(static_cast<Fn**>(storage));
  }

  template <class Fn>
  static constexpr vtable vtable_for{
      [](void* storage, Args&&... args) -> R {
        return std::invoke(target<Fn>(storage), std::forward<Args>(args)...);
      },
      [](void* from, void* to) noexcept {
        if constexpr (stored_inline<Fn>) {
          Fn& f = target<Fn>(from);
          ::new (to) Fn(std::move(f));
          f.~Fn();
        } else {
          ::new (to) Fn*(*std::launder(static_cast<Fn**>(from)));
        }
      },
      [](void* storage) noexcept {
        if constexpr (stored_inline<Fn>)
          target<Fn>(storage).~Fn();
        else
          delete *std::launder(static_cast<Fn**>(storage));
      },
  };

  void take(unique_function& other) noexcept {
    if (other.vtable_ != nullptr) {
      other.vtable_->move_to(other.buffer_, buffer_);
      vtable_ = std::exchange(other.vtable_, nullptr);
    }
  }
  void reset() noexcept {
    if (vtable_ != nullptr) std::exchange(vtable_, nullptr)->destroy(buffer_);
  }

  alignas(std::max_align_t) unsigned char buffer_[buffer_size];
  const vtable* vtable_ = nullptr;
};

}  // namespace mediajobs::detail
