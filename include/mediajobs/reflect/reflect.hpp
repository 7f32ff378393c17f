// Compile-time reflection of plain aggregates: how many members, their names, their wire keys,
// and access to them by index, as a tie, or one by one.
//
//   struct job { std::string job_id; int progress; };
//   static_assert(reflect::field_count<job> == 2);
//   static_assert(reflect::field_names<job>[0] == "job_id");
//   reflect::get<1>(j) = 40;
//   reflect::for_each_field(j, [](auto& member) { ... });
//
// How: the member count is the largest N for which `T{x1, ..., xN}` compiles with initialisers
// convertible to anything (members after a non-default-constructible one make smaller N fail, so
// the search goes up to the last success, not the first failure). Members are reached with a
// structured binding (reflect/detail/visit_fields.hpp, up to detail::max_fields members). Names
// come from the compiler: the address of member I of an `extern` object that is never defined is
// a template argument, and __PRETTY_FUNCTION__ of that template spells the member's name; a
// static_assert on a probe struct below stops the build if a compiler spells it differently.
//
// Limits: T must be an aggregate class without base classes, and without C arrays as members (use
// std::array): brace elision would count each array element as a member, and the structured
// binding then fails to compile (a compile error, never wrong keys). Members that are references
// are not supported.
//
// Wire keys (`wire_keys<T>`) are the names after the type's customisation, applied at compile time
// into static storage so that reading matches keys without allocating:
//   static constexpr auto json_naming = reflect::naming::camel_case;             // rule for all keys
//   static constexpr std::array json_renames{reflect::rename{"job_id", "jobId"}}; // exceptions
// Static members are not fields, so they do not disturb the count.
//
// Thread-safety: compile-time facilities and stateless functions only.
#pragma once

#include <mediajobs/reflect/detail/visit_fields.hpp>
#include <mediajobs/reflect/naming.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace mediajobs::reflect {

/// A class type this header can reflect: an aggregate (and not a union).
template <class T>
concept aggregate = std::is_class_v<std::remove_cv_t<T>> && std::is_aggregate_v<std::remove_cv_t<T>> &&
                    !std::is_union_v<std::remove_cv_t<T>>;

namespace detail {

// Converts to anything; only ever used in unevaluated requires-expressions.
template <std::size_t>
struct any_init {
  template <class U>
  operator U() const noexcept;  // NOLINT: implicit on purpose
};

template <class T, std::size_t... I>
constexpr bool init_with(std::index_sequence<I...>) noexcept {
  return requires { T{any_init<I>{}...}; };
}

inline constexpr std::size_t no_count = static_cast<std::size_t>(-1);

// Walks N upwards; returns the last N that worked (see the header comment for why not the first
// failure). Seen: some smaller N already worked.
template <class T, std::size_t N, bool Seen>
constexpr std::size_t count_fields_from() noexcept {
  if constexpr (N > max_fields + 1) {
    return Seen ? N - 1 : no_count;
  } else if constexpr (init_with<T>(std::make_index_sequence<N>{})) {
    return count_fields_from<T, N + 1, true>();
  } else if constexpr (Seen) {
    return N - 1;
  } else {
    return count_fields_from<T, N + 1, false>();
  }
}

template <class T>
constexpr std::size_t count_fields() noexcept {
  constexpr std::size_t n = count_fields_from<T, 0, false>();
  static_assert(n != no_count, "mediajobs::reflect: cannot aggregate-initialise this type");
  static_assert(n <= max_fields, "mediajobs::reflect: too many members (see detail::max_fields)");
  return n;
}

// Skips one argument of any type: lets nth<I> pick the I-th of a pack without recursion.
template <std::size_t>
struct skip {
  template <class U>
  constexpr skip(const U&) noexcept {}  // NOLINT: implicit on purpose
};

template <class Seq>
struct nth_impl;
template <std::size_t... S>
struct nth_impl<std::index_sequence<S...>> {
  template <class U, class... Rest>
  static constexpr U& get(skip<S>..., U& u, Rest&...) noexcept {
    return u;
  }
};

template <std::size_t I, class... Ts>
constexpr auto& nth(Ts&... xs) noexcept {
  return nth_impl<std::make_index_sequence<I>>::get(xs...);
}

}  // namespace detail

/// The number of members of T.
template <aggregate T>
inline constexpr std::size_t field_count = detail::count_fields<std::remove_cv_t<T>>();

/// Calls f(m0, m1, ...) with every member of obj (lvalues; const when obj is const) and returns
/// what f returns.
template <class T, class F>
  requires aggregate<T>
constexpr decltype(auto) visit_fields(T& obj, F&& f) {
  return detail::visit_fields<field_count<T>>::apply(obj, std::forward<F>(f));
}

/// Member I of obj.
template <std::size_t I, class T>
  requires aggregate<T>
constexpr auto& get(T& obj) noexcept {
  static_assert(I < field_count<T>, "mediajobs::reflect::get: index out of range");
  return visit_fields(obj, [](auto&... m) -> auto& { return detail::nth<I>(m...); });
}

/// The type of member I of T.
template <class T, std::size_t I>
using field_type = std::remove_reference_t<decltype(get<I>(std::declval<T&>()))>;

/// A std::tuple of references to every member of obj.
template <class T>
  requires aggregate<T>
constexpr auto to_tie(T& obj) noexcept {
  return visit_fields(obj, [](auto&... m) { return std::tie(m...); });
}

/// Calls f(member) for each member in declaration order, or f(member, std::integral_constant<
/// std::size_t, I>{}) when f accepts that.
template <class T, class F>
  requires aggregate<T>
constexpr void for_each_field(T& obj, F&& f) {
  visit_fields(obj, [&f](auto&... m) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      const auto one = [&f]<std::size_t J>(auto& member, std::integral_constant<std::size_t, J> index) {
        if constexpr (std::is_invocable_v<F&, decltype(member), decltype(index)>)
          f(member, index);
        else
          f(member);
      };
      (one(m, std::integral_constant<std::size_t, I>{}), ...);
      (void)one;  // unused for a struct without members
    }(std::make_index_sequence<sizeof...(m)>{});
  });
}

// --- names -----------------------------------------------------------------------------------
namespace detail {

template <class T>
struct fake_wrapper {
  T value;
};

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wundefined-var-template"
#pragma clang diagnostic ignored "-Wundefined-internal"
#endif

// Never defined: only the addresses of its members are used, inside constant expressions.
template <class T>
extern const fake_wrapper<T> fake_object;

template <class M>
struct member_address {
  const M* ptr;
};

// consteval, not a variable: a variable holding the address would be emitted and need the
// undefined object at link time.
template <class T, std::size_t I>
consteval auto member_address_of() noexcept {
  const auto& m = get<I>(fake_object<T>.value);
  return member_address<std::remove_cvref_t<decltype(m)>>{&m};
}

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

// GCC:   constexpr const char* ...signature() [with auto P = member_address<int>{(& fake_object<
//        x>.fake_wrapper<x>::value.x::alpha)}]
// Clang: const char *...signature() [P = {&fake_object.value.alpha}]
template <auto P>
constexpr const char* signature() noexcept {
  return __PRETTY_FUNCTION__;
}

constexpr bool is_ident_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The last identifier of a signature, before the closing brackets and braces.
constexpr std::string_view last_identifier(std::string_view sig) noexcept {
  std::size_t end = sig.size();
  while (end > 0 && (sig[end - 1] == ']' || sig[end - 1] == '}' || sig[end - 1] == ')' || sig[end - 1] == ' '))
    --end;
  std::size_t begin = end;
  while (begin > 0 && is_ident_char(sig[begin - 1])) --begin;
  return sig.substr(begin, end - begin);
}

template <class T, std::size_t I>
constexpr std::string_view raw_field_name() noexcept {
  return last_identifier(signature<member_address_of<T, I>()>());
}

template <class T>
constexpr auto make_field_name_table() noexcept {
  constexpr std::size_t n = field_count<T>;
  constexpr std::size_t chars = [] {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::size_t{0} + ... + raw_field_name<T, I>().size());
    }(std::make_index_sequence<n>{});
  }();
  name_table<n, chars> table{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    std::size_t at = 0;
    std::size_t k = 0;
    const auto add = [&](std::string_view name) {
      table.offsets[k++] = at;
      for (char c : name) table.chars[at++] = c;
    };
    (add(raw_field_name<T, I>()), ...);
    (void)add;  // unused for a struct without members
    table.offsets[k] = at;
  }(std::make_index_sequence<n>{});
  return table;
}

template <class T>
inline constexpr auto field_name_table = make_field_name_table<T>();

template <class T, class Table>
constexpr auto views_of(const Table& table) noexcept {
  std::array<std::string_view, field_count<T>> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = table[i];
  return out;
}

}  // namespace detail

/// The declared names of T's members, in declaration order.
template <aggregate T>
inline constexpr std::array<std::string_view, field_count<T>> field_names =
    detail::views_of<std::remove_cv_t<T>>(detail::field_name_table<std::remove_cv_t<T>>);

// Self-check: a compiler that spells signatures differently fails here, not with garbage keys.
namespace detail {
struct name_probe {
  int alpha_member;
  const char* b2;
  struct nested {
    int x;
  } gamma_nested;
};
static_assert(field_count<name_probe> == 3);
static_assert(field_names<name_probe>[0] == "alpha_member" && field_names<name_probe>[1] == "b2" &&
                  field_names<name_probe>[2] == "gamma_nested",
              "mediajobs::reflect: this compiler formats __PRETTY_FUNCTION__ in an unknown way");
}  // namespace detail

// --- wire keys ---------------------------------------------------------------------------------

/// The naming rule of T: T::json_naming when declared, as_declared otherwise.
template <class T>
constexpr naming naming_of() noexcept {
  if constexpr (requires { T::json_naming; })
    return static_cast<naming>(T::json_naming);
  else
    return naming::as_declared;
}

namespace detail {

template <class T>
constexpr std::size_t wire_key_into(std::string_view declared, char* out) noexcept {
  if constexpr (requires { T::json_renames; }) {
    for (const rename& r : T::json_renames) {
      if (r.from == declared) {
        if (out)
          for (std::size_t i = 0; i < r.to.size(); ++i) out[i] = r.to[i];
        return r.to.size();
      }
    }
  }
  return apply_naming(declared, naming_of<T>(), out);
}

template <class T>
constexpr auto make_wire_key_table() noexcept {
  constexpr std::size_t n = field_count<T>;
  constexpr std::size_t chars = [] {
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) total += wire_key_into<T>(field_names<T>[i], nullptr);
    return total;
  }();
  name_table<n, chars> table{};
  std::size_t at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    table.offsets[i] = at;
    at += wire_key_into<T>(field_names<T>[i], table.chars.data() + at);
  }
  table.offsets[n] = at;
  return table;
}

template <class T>
inline constexpr auto wire_key_table = make_wire_key_table<T>();

template <class T>
constexpr bool renames_are_valid() noexcept {
  if constexpr (requires { T::json_renames; }) {
    for (const rename& r : T::json_renames) {
      bool found = false;
      for (std::string_view name : field_names<T>) found = found || name == r.from;
      if (!found) return false;
    }
  }
  return true;
}

}  // namespace detail

/// The wire (JSON) keys of T's members, in declaration order, after json_naming/json_renames.
template <aggregate T>
inline constexpr std::array<std::string_view, field_count<T>> wire_keys = [] {
  static_assert(detail::renames_are_valid<std::remove_cv_t<T>>(),
                "mediajobs::reflect: json_renames names a member that does not exist");
  return detail::views_of<std::remove_cv_t<T>>(detail::wire_key_table<std::remove_cv_t<T>>);
}();

}  // namespace mediajobs::reflect
