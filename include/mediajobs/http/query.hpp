// mediajobs::http::to_query: a query string from a reflected aggregate, for list endpoints whose
// parameters are a plain struct:
//
//   struct list_params { std::optional<int> limit; std::optional<std::string> cursor; };
//   to_query(list_params{.limit = 20})  → "limit=20"
//
// Keys are the struct's wire keys (reflect::wire_keys: json_naming / json_renames apply, so the
// query uses the same names as the service's JSON). Values:
//   - strings (std::string, std::string_view, const char*) percent-encoded (space → %20);
//   - bool as true/false; integers and floating point in shortest decimal form (NaN and infinity
//     are refused);
//   - enums and open_enum by their wire name (a value that is no enumerator is refused);
//   - std::optional<X>: omitted when empty;
//   - std::vector<X>: the key repeated once per element (`tag=a&tag=b`), omitted when empty.
// Nested structs, maps and other types do not compile (a query has no place for them).
// Errors are `validation` errors naming the field.
//
// Thread-safety: reentrant free functions.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/reflect/enum.hpp>
#include <mediajobs/reflect/reflect.hpp>

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mediajobs::http {

namespace detail {

template <class X>
inline constexpr bool is_optional = false;
template <class X>
inline constexpr bool is_optional<std::optional<X>> = true;

template <class X>
inline constexpr bool is_vector = false;
template <class X, class A>
inline constexpr bool is_vector<std::vector<X, A>> = true;

template <class X>
concept open_enum_like = requires(const X& x) {
  typename X::enum_type;
  { x.name() } -> std::convertible_to<std::string_view>;
};

/// A type that becomes one query value.
template <class X>
concept query_scalar = std::is_same_v<X, std::string> || std::is_same_v<X, std::string_view> ||
                       std::is_same_v<X, const char*> || std::is_arithmetic_v<X> || std::is_enum_v<X> ||
                       open_enum_like<X>;

template <class X>
result<void> add_query_scalar(query_builder& q, std::string_view key, const X& v) {
  if constexpr (std::is_same_v<X, const char*>) {
    q.add(key, std::string_view{v ? v : ""});
  } else if constexpr (std::is_same_v<X, std::string> || std::is_same_v<X, std::string_view> ||
                       std::is_same_v<X, bool>) {
    q.add(key, v);
  } else if constexpr (std::is_same_v<X, char>) {
    q.add(key, std::string_view{&v, 1});
  } else if constexpr (std::is_floating_point_v<X>) {
    if (!std::isfinite(v)) return fail(validation_error(std::string(key), "NaN or infinity cannot be a query value"));
    q.add(key, v);
  } else if constexpr (std::is_arithmetic_v<X>) {
    q.add(key, v);
  } else if constexpr (std::is_enum_v<X>) {
    const std::string_view name = reflect::enum_name(v);
    if (name.empty()) return fail(validation_error(std::string(key), "enum value is not an enumerator"));
    q.add(key, name);
  } else {
    q.add(key, std::string_view{v.name()});
  }
  return {};
}

template <class X>
result<void> add_query_member(query_builder& q, std::string_view key, const X& v) {
  if constexpr (is_optional<X>) {
    if (!v) return {};
    return add_query_member(q, key, *v);
  } else if constexpr (is_vector<X>) {
    static_assert(query_scalar<typename X::value_type>,
                  "mediajobs::http::to_query: a vector member must hold strings, numbers, bools or enums");
    for (const auto& e : v)
      if (auto ok = add_query_scalar(q, key, e); !ok) return ok;
    return {};
  } else {
    static_assert(query_scalar<X>,
                  "mediajobs::http::to_query: members must be strings, numbers, bools, enums, "
                  "std::optional or std::vector of those");
    return add_query_scalar(q, key, v);
  }
}

}  // namespace detail

/// Adds every present member of `params` to `q`, in declaration order.
template <reflect::aggregate T>
[[nodiscard]] result<void> add_query_fields(query_builder& q, const T& params) {
  result<void> status;
  reflect::for_each_field(params, [&]<std::size_t I>(const auto& member, std::integral_constant<std::size_t, I>) {
    if (!status) return;
    status = detail::add_query_member(q, reflect::wire_keys<T>[I], member);
  });
  return status;
}

/// The query string of `params` without the '?' ("limit=20&cursor=a%20b"); empty when no
/// member is present.
template <reflect::aggregate T>
[[nodiscard]] result<std::string> to_query(const T& params) {
  query_builder q;
  if (auto ok = add_query_fields(q, params); !ok) return fail(std::move(ok).error());
  return std::string(q.query());
}

/// Appends the query of `params` to a request target: '?' first, or '&' when the target already
/// has a query; nothing when no member is present.
template <reflect::aggregate T>
[[nodiscard]] result<void> append_query(std::string& target, const T& params) {
  query_builder q;
  if (auto ok = add_query_fields(q, params); !ok) return ok;
  q.append_to(target);
  return {};
}

}  // namespace mediajobs::http
