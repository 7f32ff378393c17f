// mediajobs::api::client_options — what every client is configured with (base URL, API key,
// timeout, retry and poll policies, User-Agent, logging hook) — and the per-attempt log record.
//
//   mediajobs::ugen::client ugen{transport, {.api_key = std::getenv("UGEN_API_KEY"),
//                                            .on_attempt = [](const api::attempt_log& a) {
//                                              std::clog << a.line() << '\n';
//                                            }}};
//
// Secrets: the API key is only ever written into its auth header. Everything handed out —
// the log record (URL, headers), error details, service messages and raw bodies — has every
// occurrence of the key replaced by `[redacted]`, and the auth header's value is `[redacted]`
// in `attempt_log::request_headers`.
//
// Thread-safety: client_options is a value. The hook is called on whichever thread completes
// the attempt (see transport/transport.hpp); make it thread-safe if your transport is threaded.
#pragma once

#include <mediajobs/api/retry.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/version.hpp>
#include <mediajobs/http/message.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace mediajobs::api {

/// One attempt of one request, as the logging hook sees it. Views are valid during the call.
struct attempt_log {
  std::string_view method{};
  std::string_view url{};  ///< absolute; the API key redacted should it appear
  const http::headers* request_headers = nullptr;  ///< auth header value shown as [redacted]
  int status = 0;  ///< the response's HTTP status; 0 when the transport failed
  std::chrono::milliseconds duration{0};
  int attempt = 1;  ///< 1 for the first try, 2 for the first retry, …
  const error* failure = nullptr;  ///< the transport failure when status == 0 (redacted)

  /// `POST https://api.u-gen.ai/api/v1/jobs -> 201 in 84 ms (attempt 1)`, or
  /// `... -> transport error: connection refused; request not sent in 3 ms (attempt 2)`.
  [[nodiscard]] std::string line() const {
    std::string out;
    out.reserve(method.size() + url.size() + 48);
    out += method;
    out += ' ';
    out += url;
    out += " -> ";
    if (status != 0)
      out += std::to_string(status);
    else if (failure != nullptr)
      out += failure->message();
    else
      out += "no response";
    out += " in ";
    out += std::to_string(duration.count());
    out += " ms (attempt ";
    out += std::to_string(attempt);
    out += ')';
    return out;
  }
};

using log_hook = std::function<void(const attempt_log&)>;

/// How `wait()` polls when the call does not say otherwise.
struct poll_policy {
  /// U-Gen docs: "Poll this endpoint every 5–10 seconds"; used for all three services.
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds deadline{std::chrono::minutes{30}};
};

struct client_options {
  /// Scheme, host and an optional path prefix (`https://gw.example/ugen`). Empty: the service's
  /// documented live host (the Style engine documents none: it must be set, see style/client.hpp).
  std::string base_url{};
  std::string api_key{};
  /// Per attempt (connect, send, receive); enforced by the transport. 0 = none.
  std::chrono::milliseconds timeout{30000};
  retry_policy retry{};
  poll_policy poll{};
  /// Empty: `mediajobs/<version>`.
  std::string user_agent{};
  /// Empty: the service's documented header (X-API-Key, x-api-key); set to use another.
  std::string auth_header{};
  log_hook on_attempt{};
};

/// `mediajobs/0.1.0`
[[nodiscard]] inline std::string default_user_agent() { return std::string{"mediajobs/"} + version_string; }

inline constexpr std::string_view redacted_text = "[redacted]";

/// Replaces every occurrence of `secret` in `text` by `[redacted]`; no-op for an empty secret.
inline void redact(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  std::size_t at = 0;
  while ((at = text.find(secret, at)) != std::string::npos) {
    text.replace(at, secret.size(), redacted_text);
    at += redacted_text.size();
  }
}

[[nodiscard]] inline std::string redacted(std::string_view text, std::string_view secret) {
  std::string out{text};
  redact(out, secret);
  return out;
}

/// A copy of `e` in which no text field contains `secret` (detail, service message and code,
/// request id, raw body, field, JSON path).
[[nodiscard]] inline error redacted(const error& e, std::string_view secret) {
  if (secret.empty()) return e;
  const auto has = [&](std::string_view s) { return s.find(secret) != std::string_view::npos; };
  if (!has(e.detail()) && !has(e.service_message()) && !has(e.service_code()) && !has(e.request_id()) &&
      !has(e.raw_body()) && !has(e.field()) && !has(e.json_path()))
    return e;
  error out = e;
  if (has(e.detail())) out.with_detail(redacted(e.detail(), secret));
  if (has(e.service_message()) || has(e.service_code()))
    out.with_service(redacted(e.service_code(), secret), redacted(e.service_message(), secret));
  if (has(e.request_id())) out.with_request_id(redacted(e.request_id(), secret));
  if (has(e.raw_body())) out.with_raw_body(redacted(e.raw_body(), secret));
  if (has(e.field())) out.at_field(redacted(e.field(), secret));
  if (has(e.json_path())) out.at_json(redacted(e.json_path(), secret), e.byte_offset());
  return out;
}

}  // namespace mediajobs::api
