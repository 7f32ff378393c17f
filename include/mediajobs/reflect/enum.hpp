// Enum reflection (enumerator names and wire names, both ways) and open_enum<E>, an enum that also
// keeps values it does not know.
//
//   enum class tfi_status { queued, processing, completed, failed };
//   constexpr auto enum_naming(tfi_status) { return mediajobs::reflect::naming::upper_case; }  // ADL
//   reflect::enum_name(tfi_status::queued)            == "QUEUED"
//   reflect::enum_from_name<tfi_status>("FAILED")     == tfi_status::failed
//
// Customisation, found by ADL in the enum's namespace (all optional):
//   constexpr auto enum_renames(E) -> std::array<std::pair<E, std::string_view>, N>  (exceptions)
//   constexpr auto enum_naming(E)  -> reflect::naming                                (rule)
//   constexpr auto enum_range(E)   -> std::pair<int, int>  (enumerators looked for; default [-1, 127])
// How: __PRETTY_FUNCTION__ of a template on each value of the range names the enumerator, or shows
// a cast such as `(E)7` for a value that is none; a static_assert on a probe enum stops the build
// if a compiler spells that differently. The range is clamped to the underlying type. Aliases
// (two enumerators with one value) show as the first one the compiler prints.
//
// Thread-safety: compile-time tables and stateless functions; open_enum is a value type (like
// std::string).
#pragma once

#include <mediajobs/reflect/naming.hpp>
#include <mediajobs/reflect/reflect.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace mediajobs::reflect {

template <class E>
concept enumeration = std::is_enum_v<E>;

/// An enum with a fixed underlying type (`enum class e`, `enum e : int`): only those can be probed
/// over a range, since casting a value outside an unfixed enum's range is not a constant.
template <class E>
concept fixed_enumeration = enumeration<E> && requires { E{std::underlying_type_t<E>{}}; };

namespace detail {

template <class E>
constexpr std::pair<long long, long long> enum_bounds() noexcept {
  long long lo = -1;
  long long hi = 127;
  if constexpr (requires { enum_range(E{}); }) {
    const auto r = enum_range(E{});
    lo = static_cast<long long>(r.first);
    hi = static_cast<long long>(r.second);
  }
  using U = std::underlying_type_t<E>;
  if (lo < static_cast<long long>(std::numeric_limits<U>::min())) lo = static_cast<long long>(std::numeric_limits<U>::min());
  if constexpr (sizeof(U) < sizeof(long long) || std::is_signed_v<U>) {
    if (hi > static_cast<long long>(std::numeric_limits<U>::max())) hi = static_cast<long long>(std::numeric_limits<U>::max());
  }
  return {lo, hi};
}

// The enumerator's name, or empty when V is no enumerator (the signature shows a cast then).
template <class E, E V>
constexpr std::string_view enumerator_name() noexcept {
  const std::string_view sig = signature<V>();
  const std::string_view id = last_identifier(sig);
  if (id.empty() || is_digit(id.front())) return {};
  const std::size_t before = static_cast<std::size_t>(id.data() - sig.data());
  if (before == 0 || (sig[before - 1] != ':' && sig[before - 1] != ' ')) return {};
  return id;
}

template <class E>
struct enum_info {
  static_assert(fixed_enumeration<E>,
                "mediajobs::reflect: give the enum a fixed underlying type (enum class, or enum e : int)");
  static constexpr auto bounds = enum_bounds<E>();
  static constexpr std::size_t span = static_cast<std::size_t>(bounds.second - bounds.first + 1);

  template <std::size_t I>
  static constexpr std::string_view name_at() noexcept {
    return enumerator_name<E, static_cast<E>(bounds.first + static_cast<long long>(I))>();
  }

  static constexpr std::array<std::string_view, span> raw_names_by_offset =
      []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::string_view, span>{name_at<I>()...};
      }(std::make_index_sequence<span>{});

  static constexpr std::size_t count = [] {
    std::size_t n = 0;
    for (std::string_view s : raw_names_by_offset) n += s.empty() ? 0 : 1;
    return n;
  }();

  static constexpr std::array<E, count> values = [] {
    std::array<E, count> out{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < span; ++i)
      if (!raw_names_by_offset[i].empty()) out[k++] = static_cast<E>(bounds.first + static_cast<long long>(i));
    return out;
  }();

  static constexpr std::size_t wire_into(std::size_t i, char* out) noexcept {
    const std::string_view declared = raw_names_by_offset[i];
    if constexpr (requires { enum_renames(E{}); }) {
      for (const auto& r : enum_renames(E{})) {
        if (r.first == static_cast<E>(bounds.first + static_cast<long long>(i))) {
          if (out)
            for (std::size_t j = 0; j < r.second.size(); ++j) out[j] = r.second[j];
          return r.second.size();
        }
      }
    }
    naming rule = naming::as_declared;
    if constexpr (requires { enum_naming(E{}); }) rule = enum_naming(E{});
    return apply_naming(declared, rule, out);
  }

  static constexpr std::size_t wire_chars = [] {
    std::size_t n = 0;
    for (std::size_t i = 0; i < span; ++i)
      if (!raw_names_by_offset[i].empty()) n += wire_into(i, nullptr);
    return n;
  }();

  // Wire names by offset from bounds.first (empty for non-enumerators).
  static constexpr name_table<span, wire_chars> wire_table = [] {
    name_table<span, wire_chars> t{};
    std::size_t at = 0;
    for (std::size_t i = 0; i < span; ++i) {
      t.offsets[i] = at;
      if (!raw_names_by_offset[i].empty()) at += wire_into(i, t.chars.data() + at);
    }
    t.offsets[span] = at;
    return t;
  }();

  // Wire names of the enumerators only, parallel to `values` (what lookups by name scan).
  static constexpr std::array<std::string_view, count> wire_names = [] {
    std::array<std::string_view, count> out{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < span; ++i)
      if (!raw_names_by_offset[i].empty()) out[k++] = wire_table[i];
    return out;
  }();

  static constexpr std::optional<std::size_t> offset_of(E e) noexcept {
    const auto v = static_cast<long long>(e);
    if (v < bounds.first || v > bounds.second) return std::nullopt;
    return static_cast<std::size_t>(v - bounds.first);
  }
};

}  // namespace detail

/// Number of enumerators of E found in its range.
template <enumeration E>
inline constexpr std::size_t enum_count = detail::enum_info<E>::count;

/// The enumerators of E, in increasing value.
template <enumeration E>
inline constexpr const std::array<E, enum_count<E>>& enum_values = detail::enum_info<E>::values;

/// The declared name of e ("queued"), or empty if e is no enumerator.
template <enumeration E>
[[nodiscard]] constexpr std::string_view enum_declared_name(E e) noexcept {
  const auto off = detail::enum_info<E>::offset_of(e);
  return off ? detail::enum_info<E>::raw_names_by_offset[*off] : std::string_view{};
}

/// The wire name of e (after enum_renames / enum_naming), or empty if e is no enumerator.
template <enumeration E>
[[nodiscard]] constexpr std::string_view enum_name(E e) noexcept {
  const auto off = detail::enum_info<E>::offset_of(e);
  return off ? detail::enum_info<E>::wire_table[*off] : std::string_view{};
}

/// The enumerator whose wire name is `name`, if any. Exact, case-sensitive.
template <enumeration E>
[[nodiscard]] constexpr std::optional<E> enum_from_name(std::string_view name) noexcept {
  using info = detail::enum_info<E>;
  for (std::size_t i = 0; i < info::count; ++i)
    if (info::wire_names[i].size() == name.size() && info::wire_names[i] == name) return info::values[i];
  return std::nullopt;
}

namespace detail {
enum class enum_probe : int { first_value, second_one = 3 };
static_assert(enum_count<enum_probe> == 2 && enum_declared_name(enum_probe::second_one) == "second_one" &&
                  enum_declared_name(static_cast<enum_probe>(2)).empty(),
              "mediajobs::reflect: this compiler formats enum __PRETTY_FUNCTION__ in an unknown way");
}  // namespace detail

}  // namespace mediajobs::reflect

namespace mediajobs {

/// A known E, or a wire name this build does not know, kept verbatim (a stage name the server
/// added later must not break a client). Reading one never fails on an unknown string.
template <reflect::enumeration E>
class open_enum {
 public:
  using enum_type = E;

  constexpr open_enum() noexcept = default;
  constexpr open_enum(E e) noexcept : value_(e) {}  // NOLINT: implicit like the enum itself
  /// Maps to E when `wire` is a known wire name; keeps the text otherwise.
  open_enum(std::string_view wire) {  // NOLINT: implicit on purpose
    if (auto e = reflect::enum_from_name<E>(wire)) {
      value_ = *e;
    } else {
      known_ = false;
      unknown_.assign(wire);
    }
  }

  [[nodiscard]] constexpr std::optional<E> known() const noexcept {
    return known_ ? std::optional<E>{value_} : std::nullopt;
  }
  [[nodiscard]] constexpr bool is_unknown() const noexcept { return !known_; }
  [[nodiscard]] constexpr bool is(E e) const noexcept { return known_ && value_ == e; }
  /// The wire name of the known value, or the unknown text.
  [[nodiscard]] constexpr std::string_view name() const noexcept {
    return known_ ? reflect::enum_name(value_) : std::string_view{unknown_};
  }

  friend constexpr bool operator==(const open_enum& a, E e) noexcept { return a.is(e); }
  friend bool operator==(const open_enum& a, const open_enum& b) noexcept {
    return a.known_ == b.known_ && (a.known_ ? a.value_ == b.value_ : a.unknown_ == b.unknown_);
  }

 private:
  E value_{};
  bool known_ = true;
  std::string unknown_;
};

}  // namespace mediajobs
