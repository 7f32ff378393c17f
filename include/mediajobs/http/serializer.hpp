// mediajobs::http serializer: an http::request or http::response into HTTP/1.1 bytes (RFC 9112).
//
// Requests (client side):
//   - the request line carries the origin-form target taken from the absolute URL; a request whose
//     url is already origin-form ("/path?q") is accepted when it has a Host header;
//   - Host is added (first) when absent; Content-Length is added when there is a body, and for
//     POST, PUT and PATCH even with an empty body (servers may answer 411 otherwise);
//   - a given Content-Length must match the body; Transfer-Encoding is refused (we frame with
//     Content-Length).
// Responses (sandbox side): status line, headers, Content-Length (not for 1xx, 204, 304), a
// `Connection: close` when keep_alive is false; serialize_chunked writes a chunked body instead.
//
// Nothing unsafe is ever written: CR, LF, NUL (and other control bytes but HTAB) in the method,
// target, reason, header names or values are refused with a `validation` error naming the header
// (header injection); header names and methods must be RFC 9110 tokens.
//
// Output is APPENDED to `out`, so one buffer can be reused across messages.
// Thread-safety: reentrant free functions.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/http/url.hpp>

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

namespace mediajobs::http {

namespace detail {

/// RFC 9110 §5.6.2 tchar.
[[nodiscard]] constexpr bool is_tchar(char c) noexcept {
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return is_alpha(c) || is_digit(c);
  }
}
[[nodiscard]] constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_tchar(c)) return false;
  return true;
}
/// Field-value bytes we are willing to send: VCHAR, obs-text, SP, HTAB (no CR, LF, NUL, CTL).
[[nodiscard]] constexpr bool is_field_value_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7F);
}

/// A printable form of a (possibly hostile) name for an error message.
[[nodiscard]] inline std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size() < 64 ? s.size() : 64);
  for (std::size_t i = 0; i < s.size() && i < 64; ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u < 0x7F) {
      out += s[i];
    } else {
      out += "\\x";
      out += upper_hex[u >> 4];
      out += upper_hex[u & 0x0F];
    }
  }
  return out;
}

[[nodiscard]] inline result<void> check_headers(const headers& hs) {
  for (const auto& h : hs) {
    if (!is_token(h.name))
      return fail(validation_error(printable(h.name), "header name is not a token (header injection refused)"));
    for (const char c : h.value)
      if (!is_field_value_char(c))
        return fail(validation_error(h.name, "header value holds CR, LF, NUL or another control byte "
                                             "(header injection refused)"));
    // Leading or trailing whitespace would be stripped by the receiver: refuse rather than alter.
    if (!h.value.empty() && (h.value.front() == ' ' || h.value.front() == '\t' || h.value.back() == ' ' ||
                             h.value.back() == '\t'))
      return fail(validation_error(h.name, "header value has leading or trailing whitespace"));
  }
  return {};
}

inline void append_decimal(std::string& out, std::size_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

inline void append_headers(std::string& out, const headers& hs) {
  for (const auto& h : hs) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
}

[[nodiscard]] inline bool method_wants_length(std::string_view m) noexcept {
  return m == "POST" || m == "PUT" || m == "PATCH";
}

/// Checks a user-given Content-Length against the body size.
[[nodiscard]] inline result<bool> given_length_matches(const headers& hs, std::size_t body_size) {
  const auto given = hs.get_all("Content-Length");
  if (given.empty()) return false;
  for (const auto v : given) {
    std::size_t n = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc{} || r.ptr != v.data() + v.size() || n != body_size)
      return fail(validation_error("Content-Length", "Content-Length does not match the body size"));
  }
  return true;
}

}  // namespace detail

/// The usual reason phrase of a status code ("OK", "Not Found"), or "" for an unknown one.
[[nodiscard]] constexpr std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

/// Appends the bytes of `req` to `out`. On error nothing is appended.
[[nodiscard]] inline result<void> serialize(const request& req, std::string& out) {
  if (!detail::is_token(req.method)) return fail(validation_error("method", "HTTP method is not a token"));
  std::string host;
  std::string target;
  if (!req.url.empty() && req.url.front() == '/') {
    // Already origin-form (e.g. a test or a proxy-less relay): check it byte by byte.
    for (const char c : req.url)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F)
        return fail(validation_error("url", "request target holds a space or control byte"));
    if (!req.headers.contains("Host")) return fail(validation_error("Host", "an origin-form request needs a Host header"));
    target = req.url;
  } else {
    auto u = url::parse(req.url);
    if (!u) return fail(std::move(u.error()));
    target = u->target();
    if (!req.headers.contains("Host")) host = u->authority();
  }
  if (auto ok = detail::check_headers(req.headers); !ok) return ok;
  if (req.headers.contains("Transfer-Encoding"))
    return fail(validation_error("Transfer-Encoding", "Transfer-Encoding is not supported in requests; "
                                                      "the body is framed with Content-Length"));
  auto given = detail::given_length_matches(req.headers, req.body.size());
  if (!given) return fail(std::move(given.error()));
  const bool add_length = !*given && (!req.body.empty() || detail::method_wants_length(req.method));

  std::size_t size = req.method.size() + target.size() + 16 + host.size() + 8 + req.body.size() + 40;
  for (const auto& h : req.headers) size += h.name.size() + h.value.size() + 4;
  out.reserve(out.size() + size);
  out += req.method;
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\n";
  if (!host.empty()) {
    out += "Host: ";
    out += host;
    out += "\r\n";
  }
  detail::append_headers(out, req.headers);
  if (add_length) {
    out += "Content-Length: ";
    detail::append_decimal(out, req.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += req.body;
  return {};
}

namespace detail {
[[nodiscard]] inline result<void> begin_response(const response& res, std::string& out, bool& bodiless) {
  if (res.status < 100 || res.status > 999) return fail(validation_error("status", "status code must be 100..999"));
  for (const char c : res.reason)
    if (!is_field_value_char(c)) return fail(validation_error("reason", "reason phrase holds CR, LF, NUL or a control byte"));
  if (auto ok = check_headers(res.headers); !ok) return ok;
  bodiless = res.status < 200 || res.status == 204 || res.status == 304;
  if (bodiless && !res.body.empty())
    return fail(validation_error("body", "a 1xx, 204 or 304 response cannot carry a body"));
  std::size_t size = 40 + res.reason.size() + res.body.size();
  for (const auto& h : res.headers) size += h.name.size() + h.value.size() + 4;
  out.reserve(out.size() + size);
  out += "HTTP/1.1 ";
  append_decimal(out, static_cast<std::size_t>(res.status));
  out += ' ';
  out += res.reason.empty() ? reason_phrase(res.status) : std::string_view{res.reason};
  out += "\r\n";
  append_headers(out, res.headers);
  if (!res.keep_alive && !res.headers.contains("Connection")) out += "Connection: close\r\n";
  return {};
}
}  // namespace detail

/// Appends the bytes of `res` to `out`, framed with Content-Length. `request_method` is the
/// method of the request it answers: for HEAD the Content-Length of the body is sent, the body
/// itself is not. On error nothing is appended.
[[nodiscard]] inline result<void> serialize(const response& res, std::string& out, std::string_view request_method = {}) {
  if (res.headers.contains("Transfer-Encoding"))
    return fail(validation_error("Transfer-Encoding", "use serialize_chunked for a chunked response"));
  auto given = detail::given_length_matches(res.headers, res.body.size());
  if (!given) return fail(std::move(given.error()));
  const std::size_t mark = out.size();
  bool bodiless = false;
  if (auto ok = detail::begin_response(res, out, bodiless); !ok) {
    out.resize(mark);
    return ok;
  }
  if (!bodiless && !*given) {
    out += "Content-Length: ";
    detail::append_decimal(out, res.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  if (request_method != "HEAD") out += res.body;
  return {};
}

/// Appends `res` with `Transfer-Encoding: chunked`, its body cut into chunks of at most
/// `chunk_size` bytes (for the sandbox and for tests). The headers must not hold
/// Content-Length or Transfer-Encoding.
[[nodiscard]] inline result<void> serialize_chunked(const response& res, std::string& out, std::size_t chunk_size = 4096) {
  if (res.headers.contains("Content-Length") || res.headers.contains("Transfer-Encoding"))
    return fail(validation_error("Transfer-Encoding", "a chunked response carries no Content-Length or Transfer-Encoding header"));
  if (chunk_size == 0) return fail(validation_error("chunk_size", "chunk size must be positive"));
  const std::size_t mark = out.size();
  bool bodiless = false;
  if (auto ok = detail::begin_response(res, out, bodiless); !ok) {
    out.resize(mark);
    return ok;
  }
  if (bodiless) {
    out += "\r\n";
    return {};
  }
  out += "Transfer-Encoding: chunked\r\n\r\n";
  std::string_view body = res.body;
  while (!body.empty()) {
    const std::size_t n = body.size() < chunk_size ? body.size() : chunk_size;
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n, 16);
    out.append(buf, r.ptr);
    out += "\r\n";
    out.append(body.data(), n);
    out += "\r\n";
    body.remove_prefix(n);
  }
  out += "0\r\n\r\n";
  return {};
}

}  // namespace mediajobs::http
