// mediajobs::api::error_from_response: turns a non-success HTTP response into a typed error.
//
// Kind by status: 401/403 -> `unauthorized` ("invalid or missing API key", never the key),
// 404 -> `not_found`, 409 -> `conflict`, 429 -> `rate_limited`, anything else -> `http_status`.
// Always: the HTTP status, the raw body (so nothing received is lost), the request id from the
// first of X-Request-Id, Request-Id, X-Correlation-Id, X-Amzn-RequestId, X-Amz-Request-Id,
// X-Trace-Id (or a `request_id`/`requestId` key in the body), and the parsed Retry-After.
//
// The service's message and code, from a JSON body (none of the three services documents its
// error shape, so the common ones are accepted, first match wins):
//   message: `message` | `error` (string) | `error.message` | `detail` (string) |
//            `detail[0].msg` (FastAPI validation) | `error_description` | `msg` | `title`
//   code:    `code` | `error_code` | `error.code` | `error.type` | `type` | `error` (string,
//            when `message` also exists: {"error": "not_found", "message": "..."})
// A body that is not JSON (an HTML 502 page) leaves both empty; it stays in raw_body().
//
// Thread-safety: stateless functions.
#pragma once

#include <mediajobs/api/options.hpp>
#include <mediajobs/api/retry.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/json/json.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mediajobs::api {

namespace detail {

[[nodiscard]] inline std::string scalar_text(const json::value* v) {
  if (v == nullptr) return {};
  if (v->is_string()) return v->as_string();
  if (v->is_integer() || v->is_double()) {
    auto s = json::to_string(*v);
    return s ? std::move(*s) : std::string{};
  }
  return {};
}

struct service_text {
  std::string code;
  std::string message;
  std::string request_id;
};

[[nodiscard]] inline service_text service_text_of(std::string_view body) {
  service_text out;
  if (body.empty()) return out;
  auto parsed = json::read<json::value>(body);
  if (!parsed || !parsed->is_object()) return out;
  const json::value& v = *parsed;
  const json::value* err = v.find("error");
  const json::value* err_obj = (err != nullptr && err->is_object()) ? err : nullptr;

  const auto first_text = [](std::initializer_list<const json::value*> candidates) {
    for (const json::value* c : candidates) {
      std::string s = scalar_text(c);
      if (!s.empty()) return s;
    }
    return std::string{};
  };
  const json::value* detail = v.find("detail");
  const json::value* fastapi_msg = nullptr;
  if (detail != nullptr && detail->is_array() && detail->size() > 0 && detail->at(0).is_object())
    fastapi_msg = detail->at(0).find("msg");
  const bool err_is_text = err != nullptr && err->is_string();
  const json::value* message = v.find("message");
  out.message = first_text({message, err_is_text && message == nullptr ? err : nullptr,
                            err_obj ? err_obj->find("message") : nullptr, detail, fastapi_msg,
                            v.find("error_description"), v.find("msg"), v.find("title")});
  out.code = first_text({v.find("code"), v.find("error_code"), err_obj ? err_obj->find("code") : nullptr,
                         err_obj ? err_obj->find("type") : nullptr, v.find("type"),
                         err_is_text && message != nullptr ? err : nullptr});
  out.request_id = first_text({v.find("request_id"), v.find("requestId")});
  return out;
}

}  // namespace detail

/// The request id a response carries in one of the usual headers, or empty.
[[nodiscard]] inline std::string_view request_id_of(const http::headers& h) noexcept {
  static constexpr std::array<std::string_view, 6> names{"X-Request-Id",     "Request-Id",       "X-Correlation-Id",
                                                         "X-Amzn-RequestId", "X-Amz-Request-Id", "X-Trace-Id"};
  for (const auto n : names)
    if (auto v = h.get(n)) return *v;
  return {};
}

/// The Retry-After of a response, parsed against `now` (for the HTTP-date form).
[[nodiscard]] inline std::optional<std::chrono::milliseconds> retry_after_of(
    const http::response& r, std::chrono::system_clock::time_point now) noexcept {
  const auto v = r.headers.get("Retry-After");
  if (!v) return std::nullopt;
  return parse_retry_after(*v, now);
}

/// The error for a response whose status is not a success (see the header comment). `secret`
/// (the API key) is redacted from everything taken from the response.
[[nodiscard]] inline error error_from_response(const http::response& r, std::string_view secret,
                                               std::chrono::system_clock::time_point now) {
  error_kind kind = error_kind::http_status;
  std::string detail;
  switch (r.status) {
    case 401:
    case 403:
      kind = error_kind::unauthorized;
      detail = "invalid or missing API key";
      break;
    case 404: kind = error_kind::not_found; break;
    case 409: kind = error_kind::conflict; break;
    case 429: kind = error_kind::rate_limited; break;
    default:
      if (r.status < 200 || r.status >= 300) break;
      detail = "unexpected success status for this endpoint";
      kind = error_kind::protocol;
      break;
  }
  error e{kind, std::move(detail)};
  e.with_http_status(r.status);
  detail::service_text s = detail::service_text_of(r.body);
  if (!s.code.empty() || !s.message.empty()) e.with_service(redacted(s.code, secret), redacted(s.message, secret));
  std::string_view rid = request_id_of(r.headers);
  if (rid.empty()) rid = s.request_id;
  if (!rid.empty()) e.with_request_id(redacted(rid, secret));
  if (auto ra = retry_after_of(r, now)) e.with_retry_after(*ra);
  if (!r.body.empty()) e.with_raw_body(redacted(r.body, secret));
  return e;
}

}  // namespace mediajobs::api
