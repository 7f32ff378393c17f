// mediajobs::result<T>: a value or a mediajobs::error — the return type of every fallible
// operation in the library.
//
// Under C++23, when the standard library has the monadic std::expected (__cpp_lib_expected >=
// 202211L), result<T> IS std::expected<T, error>, unexpected is std::unexpected, and
// mediajobs::exception is std::bad_expected_access<error>. Otherwise it is our own type with the
// same interface subset: has_value, operator bool, value, error, operator*, operator->,
// value_or, and_then, transform, or_else. Write code that works with both:
//   - make an error result with `mediajobs::unexpected(err)` (or `fail(err)`), never by
//     converting an error implicitly;
//   - catch `const mediajobs::exception&` and read `.error()`.
//
// value() on a result that holds an error: throws mediajobs::exception when exceptions are
// enabled; when they are disabled (-fno-exceptions) it writes the error's message() to stderr
// and calls std::abort() — the documented terminate path. Check has_value() first in such builds.
//
// Thread-safety: like std::optional.
#pragma once

#include <mediajobs/core/config.hpp>
#include <mediajobs/core/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#if MEDIAJOBS_HAS_STD_EXPECTED
#include <expected>
#endif

namespace mediajobs {

#if MEDIAJOBS_HAS_STD_EXPECTED

template <class T>
using result = std::expected<T, error>;
using std::unexpect;
using std::unexpect_t;
using std::unexpected;
using exception = std::bad_expected_access<error>;

#else

/// Thrown by result<T>::value() on an error (when exceptions are enabled).
class exception : public std::exception {
 public:
  explicit exception(::mediajobs::error e) : err_(std::move(e)), what_(err_.message()) {}
  [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }
  [[nodiscard]] const ::mediajobs::error& error() const& noexcept { return err_; }
  [[nodiscard]] ::mediajobs::error&& error() && noexcept { return std::move(err_); }

 private:
  ::mediajobs::error err_;
  std::string what_;
};

/// Wraps an error to construct a failed result, like std::unexpected.
template <class E>
class unexpected {
 public:
  template <class Err = E>
    requires(!std::is_same_v<std::remove_cvref_t<Err>, unexpected> && std::is_constructible_v<E, Err>)
  constexpr explicit unexpected(Err&& e) : err_(std::forward<Err>(e)) {}
  [[nodiscard]] constexpr const E& error() const& noexcept { return err_; }
  [[nodiscard]] constexpr E& error() & noexcept { return err_; }
  [[nodiscard]] constexpr E&& error() && noexcept { return std::move(err_); }

 private:
  E err_;
};
template <class E>
unexpected(E) -> unexpected<E>;

struct unexpect_t {
  explicit unexpect_t() = default;
};
inline constexpr unexpect_t unexpect{};

namespace detail {
[[noreturn]] inline void bad_result_access(const ::mediajobs::error& e) {
#if MEDIAJOBS_HAS_EXCEPTIONS
  throw ::mediajobs::exception(e);
#else
  const std::string msg = e.message();
  std::fprintf(stderr, "mediajobs: result::value() called on an error: %s\n", msg.c_str());
  std::abort();
#endif
}
}  // namespace detail

template <class T>
class result;

namespace detail {
template <class R>
inline constexpr bool is_result = false;
template <class T>
inline constexpr bool is_result<result<T>> = true;
}  // namespace detail

template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T> && !std::is_array_v<T> && !std::is_function_v<T>,
                "result<T>: T must be an object type");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, ::mediajobs::error>, "result<error> makes no sense");

 public:
  using value_type = T;
  using error_type = ::mediajobs::error;
  using unexpected_type = unexpected<error_type>;
  template <class U>
  using rebind = result<U>;

  constexpr result()
    requires std::is_default_constructible_v<T>
      : has_(true) {
    ::new (static_cast<void*>(std::addressof(val_))) T();
  }

  template <class U = T>
    requires(!std::is_same_v<std::remove_cvref_t<U>, result> &&
             !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t> &&
             !std::is_same_v<std::remove_cvref_t<U>, unexpected_type> &&
             !std::is_same_v<std::remove_cvref_t<U>, unexpect_t> && std::is_constructible_v<T, U>)
  constexpr explicit(!std::is_convertible_v<U, T>) result(U&& v) : has_(true) {
    ::new (static_cast<void*>(std::addressof(val_))) T(std::forward<U>(v));
  }

  template <class... Args>
    requires std::is_constructible_v<T, Args...>
  constexpr explicit result(std::in_place_t, Args&&... args) : has_(true) {
    ::new (static_cast<void*>(std::addressof(val_))) T(std::forward<Args>(args)...);
  }

  template <class... Args>
  constexpr explicit result(unexpect_t, Args&&... args) : has_(false), err_(std::forward<Args>(args)...) {}

  constexpr result(const unexpected_type& u) : has_(false), err_(u.error()) {}  // NOLINT: implicit like std::expected
  constexpr result(unexpected_type&& u) noexcept : has_(false), err_(std::move(u).error()) {}  // NOLINT

  constexpr result(const result& o)
    requires std::is_copy_constructible_v<T>
      : has_(o.has_), err_(o.err_) {
    if (has_) ::new (static_cast<void*>(std::addressof(val_))) T(o.val_);
  }
  constexpr result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
    requires std::is_move_constructible_v<T>
      : has_(o.has_), err_(std::move(o.err_)) {
    if (has_) ::new (static_cast<void*>(std::addressof(val_))) T(std::move(o.val_));
  }

  result& operator=(const result& o)
    requires std::is_copy_constructible_v<T> && std::is_copy_assignable_v<T>
  {
    if (this == &o) return *this;
    if (has_ && o.has_) {
      val_ = o.val_;
    } else if (!has_ && !o.has_) {
      err_ = o.err_;
    } else if (has_) {  // value -> error
      error_type e(o.err_);
      destroy();
      err_ = std::move(e);
    } else {  // error -> value
      ::new (static_cast<void*>(std::addressof(val_))) T(o.val_);
      has_ = true;
      err_ = error_type{};
    }
    return *this;
  }
  result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible_v<T> &&
                                                   std::is_nothrow_move_assignable_v<T>)
    requires std::is_move_constructible_v<T> && std::is_move_assignable_v<T>
  {
    if (this == &o) return *this;
    if (has_ && o.has_) {
      val_ = std::move(o.val_);
    } else if (!has_ && !o.has_) {
      err_ = std::move(o.err_);
    } else if (has_) {  // value -> error
      destroy();
      err_ = std::move(o.err_);
    } else {  // error -> value
      ::new (static_cast<void*>(std::addressof(val_))) T(std::move(o.val_));
      has_ = true;
      err_ = error_type{};
    }
    return *this;
  }

  ~result() { destroy(); }  // not constexpr: error (unique_ptr) has no constexpr destructor in C++20

  // --- observers ----------------------------------------------------------------------------
  [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
  constexpr explicit operator bool() const noexcept { return has_; }

  constexpr T& value() & {
    if (!has_) detail::bad_result_access(err_);
    return val_;
  }
  constexpr const T& value() const& {
    if (!has_) detail::bad_result_access(err_);
    return val_;
  }
  constexpr T&& value() && {
    if (!has_) detail::bad_result_access(err_);
    return std::move(val_);
  }
  constexpr const T&& value() const&& {
    if (!has_) detail::bad_result_access(err_);
    return std::move(val_);
  }

  /// The error. Precondition: !has_value().
  constexpr error_type& error() & noexcept { return err_; }
  constexpr const error_type& error() const& noexcept { return err_; }
  constexpr error_type&& error() && noexcept { return std::move(err_); }
  constexpr const error_type&& error() const&& noexcept { return std::move(err_); }

  /// The value. Precondition: has_value().
  constexpr T& operator*() & noexcept { return val_; }
  constexpr const T& operator*() const& noexcept { return val_; }
  constexpr T&& operator*() && noexcept { return std::move(val_); }
  constexpr const T&& operator*() const&& noexcept { return std::move(val_); }
  constexpr T* operator->() noexcept { return std::addressof(val_); }
  constexpr const T* operator->() const noexcept { return std::addressof(val_); }

  template <class U>
  constexpr T value_or(U&& fallback) const& {
    return has_ ? val_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  constexpr T value_or(U&& fallback) && {
    return has_ ? std::move(val_) : static_cast<T>(std::forward<U>(fallback));
  }

  // --- monadic operations (as std::expected) -------------------------------------------------
  template <class F>
  constexpr auto and_then(F&& f) & { return and_then_impl(*this, std::forward<F>(f)); }
  template <class F>
  constexpr auto and_then(F&& f) const& { return and_then_impl(*this, std::forward<F>(f)); }
  template <class F>
  constexpr auto and_then(F&& f) && { return and_then_impl(std::move(*this), std::forward<F>(f)); }

  template <class F>
  constexpr auto transform(F&& f) & { return transform_impl(*this, std::forward<F>(f)); }
  template <class F>
  constexpr auto transform(F&& f) const& { return transform_impl(*this, std::forward<F>(f)); }
  template <class F>
  constexpr auto transform(F&& f) && { return transform_impl(std::move(*this), std::forward<F>(f)); }

  template <class F>
  constexpr result or_else(F&& f) const& {
    if (has_) return *this;
    return std::invoke(std::forward<F>(f), err_);
  }
  template <class F>
  constexpr result or_else(F&& f) && {
    if (has_) return std::move(*this);
    return std::invoke(std::forward<F>(f), std::move(err_));
  }

  friend constexpr bool operator==(const result& a, const result& b)
    requires requires(const T& x) { x == x; }
  {
    if (a.has_ != b.has_) return false;
    return a.has_ ? bool(a.val_ == b.val_) : a.err_ == b.err_;
  }

 private:
  template <class Self, class F>
  static constexpr auto and_then_impl(Self&& self, F&& f) {
    using R = std::remove_cvref_t<std::invoke_result_t<F, decltype((std::forward<Self>(self).val_))>>;
    static_assert(detail::is_result<R>, "and_then: the function must return a result<U>");
    if (self.has_) return std::invoke(std::forward<F>(f), std::forward<Self>(self).val_);
    return R(unexpect, std::forward<Self>(self).err_);
  }
  template <class Self, class F>
  static constexpr auto transform_impl(Self&& self, F&& f) {
    using U = std::remove_cv_t<std::invoke_result_t<F, decltype((std::forward<Self>(self).val_))>>;
    if (!self.has_) return result<U>(unexpect, std::forward<Self>(self).err_);
    if constexpr (std::is_void_v<U>) {
      std::invoke(std::forward<F>(f), std::forward<Self>(self).val_);
      return result<U>();
    } else {
      return result<U>(std::in_place, std::invoke(std::forward<F>(f), std::forward<Self>(self).val_));
    }
  }

  void destroy() noexcept {
    if (has_) {
      val_.~T();
      has_ = false;
    }
  }

  // The value lives in a union (constructed only when has_); the error is a plain member, always
  // constructed (an empty error is 16 bytes and allocates nothing). Keeping the error out of the
  // union costs those 16 bytes but spares users GCC 12's false -Wmaybe-uninitialized warnings at
  // -O3, which a union of both members triggers when a result is passed by value.
  union {
    T val_;
  };
  bool has_;  // before err_: fills the padding after a small T
  error_type err_;

  template <class U>
  friend class result;
};

/// result<void>: success, or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;
  using error_type = ::mediajobs::error;
  using unexpected_type = unexpected<error_type>;
  template <class U>
  using rebind = result<U>;

  result() noexcept = default;
  explicit result(std::in_place_t) noexcept {}
  template <class... Args>
  explicit result(unexpect_t, Args&&... args) : err_(std::forward<Args>(args)...), has_(false) {}
  result(const unexpected_type& u) : err_(u.error()), has_(false) {}  // NOLINT
  result(unexpected_type&& u) noexcept : err_(std::move(u).error()), has_(false) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return has_; }
  explicit operator bool() const noexcept { return has_; }
  void value() const& {
    if (!has_) detail::bad_result_access(err_);
  }
  void value() && {
    if (!has_) detail::bad_result_access(err_);
  }
  void operator*() const noexcept {}
  error_type& error() & noexcept { return err_; }
  const error_type& error() const& noexcept { return err_; }
  error_type&& error() && noexcept { return std::move(err_); }

  template <class F>
  auto and_then(F&& f) const& {
    using R = std::remove_cvref_t<std::invoke_result_t<F>>;
    static_assert(detail::is_result<R>, "and_then: the function must return a result<U>");
    if (has_) return std::invoke(std::forward<F>(f));
    return R(unexpect, err_);
  }
  template <class F>
  auto and_then(F&& f) && {
    using R = std::remove_cvref_t<std::invoke_result_t<F>>;
    static_assert(detail::is_result<R>, "and_then: the function must return a result<U>");
    if (has_) return std::invoke(std::forward<F>(f));
    return R(unexpect, std::move(err_));
  }
  template <class F>
  auto transform(F&& f) const& {
    using U = std::remove_cv_t<std::invoke_result_t<F>>;
    if (!has_) return result<U>(unexpect, err_);
    if (std::is_void_v<U>) {
      std::invoke(std::forward<F>(f));
      return result<U>();
    } else {
      return result<U>(std::in_place, std::invoke(std::forward<F>(f)));
    }
  }
  template <class F>
  result or_else(F&& f) const& {
    if (has_) return *this;
    return std::invoke(std::forward<F>(f), err_);
  }

  friend bool operator==(const result& a, const result& b) noexcept {
    return a.has_ == b.has_ && (a.has_ || a.err_ == b.err_);
  }

 private:
  error_type err_;
  bool has_ = true;
};

#endif  // MEDIAJOBS_HAS_STD_EXPECTED

/// `return fail(err);` — the same as `return unexpected(err);`, a little shorter.
[[nodiscard]] inline unexpected<error> fail(error e) { return unexpected<error>(std::move(e)); }
[[nodiscard]] inline unexpected<error> fail(error_kind kind, std::string detail = {}) {
  return unexpected<error>(error{kind, std::move(detail)});
}

}  // namespace mediajobs
