// Receiving a webhook in one call: verify its Standard Webhooks signature against the request's
// headers, then decode the body into a typed event.
//
//   auto ev = webhook::parse_style(req.headers, req.body, secret);   // result<style_event>
//
// A failed signature check is a `validation` error (see webhook/signature.hpp) and the body is
// then not decoded; a body that does not decode is a `decode` error. When a service does not sign
// its webhooks, call decode_style_event / decode_ugen_event (webhook/events.hpp) directly.
//
// Thread-safety: stateless functions.
#pragma once

#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/webhook/events.hpp>
#include <mediajobs/webhook/signature.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace mediajobs::webhook {

/// verify() with the three headers taken from an http::headers (names matched case-insensitively).
/// Several webhook-signature fields (a list header split over lines) count as one space-separated list.
[[nodiscard]] inline result<void> verify(std::string_view secret, const http::headers& headers, std::string_view body,
                                         std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
                                         std::chrono::seconds tolerance = default_tolerance) {
  std::string joined;
  std::string_view signature;
  for (const auto& e : headers) {
    if (!http::detail::iequals(e.name, header_signature)) continue;
    if (signature.empty()) {
      signature = e.value;
    } else {
      if (joined.empty()) joined = signature;
      joined += ' ';
      joined += e.value;
      signature = joined;
    }
  }
  return verify(secret,
                signature_headers{headers.get(header_id).value_or(std::string_view{}),
                                  headers.get(header_timestamp).value_or(std::string_view{}), signature},
                body, now, tolerance);
}

/// Sets the three signature headers of a webhook for `body` on `headers` (replacing any present):
/// what a sender (the local sandbox, a test) adds before POSTing. `timestamp` is unix seconds.
[[nodiscard]] inline result<void> set_signature_headers(http::headers& headers, std::string_view secret,
                                                        std::string_view id, std::int64_t timestamp,
                                                        std::string_view body) {
  auto sig = sign(secret, id, timestamp, body);
  if (!sig) return fail(std::move(sig).error());
  headers.set(header_id, std::string{id});
  headers.set(header_timestamp, detail::decimal(timestamp));
  headers.set(header_signature, std::move(*sig));
  return {};
}

/// Verifies then decodes a Style engine webhook.
[[nodiscard]] inline result<style_event> parse_style(const http::headers& headers, std::string_view body,
                                                     std::string_view secret,
                                                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
                                                     std::chrono::seconds tolerance = default_tolerance) {
  if (auto ok = verify(secret, headers, body, now, tolerance); !ok) return fail(std::move(ok).error());
  return decode_style_event(body);
}

/// Verifies then decodes a U-Gen job webhook.
[[nodiscard]] inline result<ugen_event> parse_ugen(const http::headers& headers, std::string_view body,
                                                   std::string_view secret,
                                                   std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
                                                   std::chrono::seconds tolerance = default_tolerance) {
  if (auto ok = verify(secret, headers, body, now, tolerance); !ok) return fail(std::move(ok).error());
  return decode_ugen_event(body);
}

}  // namespace mediajobs::webhook
