// mediajobs::api::endpoint — the compile-time description of one HTTP endpoint of a service,
// from which api::engine builds the request and decodes the answer:
//
//   inline constexpr api::endpoint<api::no_body, api::no_query, job> get_job{
//       .method = "GET", .path = "/api/v1/jobs/{jobId}", .safety = api::retry_safety::idempotent};
//
//   - Request: the JSON body's type (a reflected struct), `no_body`, or `raw_body` (sent as is,
//     e.g. multipart). Query: a reflected struct whose members become `?key=value` pairs
//     (empty optionals omitted, enums by wire name, a vector repeats its key), or `no_query`.
//   - Wire: the type the success body decodes into; `no_content` ignores the body, and
//     `std::optional<T>` accepts an empty body as "nothing". Out: what the method returns,
//     `convert(Wire&&)` maps one to the other (e.g. a 201-or-202 answer to one type).
//   - The path's `{name}` placeholders are filled in order with percent-encoded segments; an
//     empty value is a `validation` error naming the placeholder (nothing is sent).
//   - `success`: the statuses that mean success (up to 4); any other is an error.
//   - `wrap`: `envelope::data` accepts `{"data": <Wire>, …}` as well as a bare <Wire>.
//
// Thread-safety: descriptors are constants; the functions are reentrant.
#pragma once

#include <mediajobs/api/retry.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/query.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/reflect/enum.hpp>
#include <mediajobs/reflect/reflect.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mediajobs::api {

/// No request body.
struct no_body {};
/// No query parameters.
struct no_query {};
/// A body sent verbatim with its own Content-Type (multipart uploads).
struct raw_body {
  std::string content_type{};
  std::string data{};
};
/// A success answer whose body carries nothing we need.
struct no_content {};

enum class envelope : std::uint8_t {
  none,  ///< the body is the Wire type
  data,  ///< `{"data": Wire, …}` (the Style engine's "standard response envelope") or bare Wire
};

template <class Request, class Query, class Wire, class Out = Wire>
struct endpoint {
  using request_type = Request;
  using query_type = Query;
  using wire_type = Wire;
  using result_type = Out;

  std::string_view method = "GET";
  std::string_view path{};
  retry_safety safety = retry_safety::idempotent;
  std::array<int, 4> success{200, 0, 0, 0};
  envelope wrap = envelope::none;
  /// Wire -> Out; required when they differ.
  Out (*convert)(Wire&&) = nullptr;

  [[nodiscard]] constexpr bool is_success(int status) const noexcept {
    for (const int s : success)
      if (s != 0 && s == status) return true;
    return false;
  }
  /// Number of `{name}` placeholders in the path.
  [[nodiscard]] constexpr std::size_t param_count() const noexcept {
    std::size_t n = 0;
    for (const char c : path) n += c == '{' ? 1 : 0;
    return n;
  }
};

namespace detail {
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;
}  // namespace detail

/// Appends the members of a reflected query struct to `target` (`?` or `&` as needed); see
/// http::append_query for the supported member types. NaN or an enum value without a name is a
/// `validation` error naming the field.
template <class Query>
[[nodiscard]] result<void> append_query(std::string& target, const Query& query) {
  if constexpr (std::is_same_v<Query, no_query>)
    return {};
  else
    return http::append_query(target, query);
}

/// Fills the `{name}` placeholders of `path` with `params`, percent-encoded, in order.
[[nodiscard]] inline result<std::string> expand_path(std::string_view path, const std::vector<std::string>& params) {
  std::string out;
  out.reserve(path.size() + 40);
  std::size_t next = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '{') {
      out += path[i];
      continue;
    }
    const std::size_t close = path.find('}', i);
    const std::string_view name = path.substr(i + 1, close - i - 1);
    if (next >= params.size()) return fail(validation_error(std::string{name}, "missing path parameter"));
    if (params[next].empty()) return fail(validation_error(std::string{name}, "must not be empty"));
    http::append_path_segment(out, params[next]);
    ++next;
    i = close;
  }
  return out;
}

/// `{"data": T}`; other envelope keys (success, message, …) are ignored.
template <class T>
struct data_envelope {
  T data;
};

/// Decodes a success body into T according to `wrap` (see the header comment). A decode
/// failure keeps the body (raw_body) and the HTTP status.
template <class T>
[[nodiscard]] result<T> decode_body(int status, std::string_view body, envelope wrap) {
  if constexpr (std::is_same_v<T, no_content>) {
    return T{};
  } else if constexpr (detail::is_optional<T>) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return T{};
    auto inner = decode_body<typename T::value_type>(status, body, wrap);
    if (!inner) return unexpected(std::move(inner).error());
    return T{std::move(*inner)};
  } else {
    result<T> bare{unexpect};
    if (wrap == envelope::data) {
      auto wrapped = json::read<data_envelope<T>>(body);
      if (wrapped) return std::move(wrapped->data);
      // An envelope whose `data` is wrong reports that, not "missing key" of the bare form.
      const std::string_view at = wrapped.error().json_path();
      if (at.substr(0, 6) == "$.data" && (at.size() == 6 || at[6] == '.' || at[6] == '['))
        bare = unexpected(std::move(wrapped).error());
      else
        bare = json::read<T>(body);
    } else {
      bare = json::read<T>(body);
    }
    if (!bare) {
      error e = std::move(bare).error();
      e.with_http_status(status);
      e.with_raw_body(std::string{body});
      return unexpected(std::move(e));
    }
    return bare;
  }
}

}  // namespace mediajobs::api
