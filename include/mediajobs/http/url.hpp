// mediajobs::http::url: parse absolute http/https URLs, join a base URL (which may carry a path
// prefix, e.g. a gateway at https://gw.example/ugen) with an endpoint path, percent-encode path
// segments and query values, and build query strings.
//
// What a URL may hold here (RFC 3986, restricted to what an HTTP client needs):
//   scheme "://" host [":" port] [path] ["?" query] ["#" fragment]
//   - scheme: http or https (case-insensitive; stored lowercase);
//   - host: a registered name or IPv4 address (ALPHA DIGIT - . _ ~, stored lowercase), or an IPv6
//     literal in brackets ([::1]; stored without the brackets; zone ids are refused);
//   - port: 1..65535; an empty port (`host:`) means the default (80 / 443);
//   - userinfo (`user:pass@host`) is REFUSED: credentials in a URL would end up in logs; the
//     error never repeats the URL, since it may hold a password;
//   - path and query: RFC 3986 pchar (percent-escapes must be well-formed); spaces, controls and
//     non-ASCII bytes are refused — encode them with encode_path_segment / encode_query_value;
//   - a fragment is dropped (it is never sent over HTTP).
// Errors are of kind `protocol`, with the byte offset of the problem and a detail naming it.
//
// Thread-safety: free functions are reentrant; objects like std::string.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace mediajobs::http {

namespace detail {

[[nodiscard]] constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
[[nodiscard]] constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
[[nodiscard]] constexpr int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
/// RFC 3986 unreserved: never needs encoding anywhere.
[[nodiscard]] constexpr bool is_unreserved(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
[[nodiscard]] constexpr bool is_sub_delim(char c) noexcept {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}
/// RFC 3986 pchar without the pct-encoded form (checked separately).
[[nodiscard]] constexpr bool is_pchar_plain(char c) noexcept {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
}

inline constexpr char upper_hex[] = "0123456789ABCDEF";

/// Appends `s` with every byte that is not unreserved written as %XX (uppercase hex).
inline void append_percent_encoded(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += upper_hex[u >> 4];
      out += upper_hex[u & 0x0F];
    }
  }
}

/// Checks a path or query part: pchar, '/', '?' (query only) and well-formed %XX. Returns the
/// index of the first bad byte, or npos.
[[nodiscard]] inline std::size_t find_bad_url_char(std::string_view s, bool query) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (is_pchar_plain(c) || c == '/') continue;
    if (query && c == '?') continue;
    if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      i += 2;
      continue;
    }
    return i;
  }
  return std::string_view::npos;
}

[[nodiscard]] inline error url_error(std::size_t at, std::string detail) {
  return error{error_kind::protocol, "bad URL: " + std::move(detail)}.at_byte(at);
}

/// Describes a byte for an error message without echoing anything secret-looking.
[[nodiscard]] inline std::string describe_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u > 0x20 && u < 0x7F) return std::string("'") + c + "'";
  std::string s = "byte 0x";
  s += upper_hex[u >> 4];
  s += upper_hex[u & 0x0F];
  return s;
}

}  // namespace detail

/// Appends the percent-encoding of one path segment: everything but unreserved characters is
/// escaped, so a value holding '/', '?', '#', '%' or spaces stays one segment of the route
/// (`a/b c` → `a%2Fb%20c`). A segment made only of dots ("." or "..") is written as %2E escapes
/// so that it cannot become a dot-segment that a server would resolve away.
inline void append_path_segment(std::string& out, std::string_view segment) {
  bool only_dots = !segment.empty();
  for (const char c : segment) only_dots = only_dots && c == '.';
  if (only_dots) {
    for (std::size_t i = 0; i < segment.size(); ++i) out += "%2E";
    return;
  }
  detail::append_percent_encoded(out, segment);
}
[[nodiscard]] inline std::string encode_path_segment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size() + 8);
  append_path_segment(out, segment);
  return out;
}

/// Percent-encodes a query key or value: unreserved kept, everything else (including '&', '=',
/// '+' and space) as %XX — a space is %20, never '+', which servers disagree on.
inline void append_query_value(std::string& out, std::string_view value) { detail::append_percent_encoded(out, value); }
[[nodiscard]] inline std::string encode_query_value(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  append_query_value(out, value);
  return out;
}

/// Decodes %XX escapes (for the server side: path segments, query keys and values). With
/// `plus_is_space`, '+' decodes to a space (form encoding). A malformed escape is a protocol error.
[[nodiscard]] inline result<std::string> percent_decode(std::string_view s, bool plus_is_space = false) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !detail::is_hex(s[i + 1]) || !detail::is_hex(s[i + 2]))
        return fail(error{error_kind::protocol, "malformed percent-escape"}.at_byte(i));
      out += static_cast<char>(detail::hex_value(s[i + 1]) * 16 + detail::hex_value(s[i + 2]));
      i += 2;
    } else if (plus_is_space && c == '+') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

/// Splits a query string (without '?') into decoded (key, value) pairs, in order. `a&b=` gives
/// ("a", "") and ("b", ""). '+' decodes to a space. For the server side.
[[nodiscard]] inline result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view part = query.substr(start, amp - start);
    if (!part.empty()) {
      const std::size_t eq = part.find('=');
      auto key = percent_decode(part.substr(0, eq), true);
      if (!key) return fail(std::move(key.error()).at_byte(start + key.error().byte_offset().value_or(0)));
      std::string value;
      if (eq != std::string_view::npos) {
        auto v = percent_decode(part.substr(eq + 1), true);
        if (!v) return fail(std::move(v.error()).at_byte(start + eq + 1 + v.error().byte_offset().value_or(0)));
        value = std::move(*v);
      }
      out.emplace_back(std::move(*key), std::move(value));
    }
    start = amp + 1;
  }
  return out;
}

/// A parsed absolute http/https URL.
struct url {
  std::string scheme;      ///< "http" or "https"
  std::string host;        ///< lowercase; an IPv6 literal without its brackets
  std::uint16_t port = 0;  ///< the effective port: the explicit one, else 80 / 443
  std::string path;        ///< as written (already encoded); empty or starting with '/'
  std::string query;       ///< without the '?'; empty when absent

  [[nodiscard]] static result<url> parse(std::string_view text);

  [[nodiscard]] bool is_https() const noexcept { return scheme == "https"; }
  [[nodiscard]] std::uint16_t default_port() const noexcept { return is_https() ? 443 : 80; }
  [[nodiscard]] bool is_ipv6() const noexcept { return host.find(':') != std::string::npos; }

  /// host[:port] as the Host header wants it: IPv6 in brackets, the port only when not default.
  [[nodiscard]] std::string authority() const {
    std::string out;
    out.reserve(host.size() + 8);
    if (is_ipv6()) {
      out += '[';
      out += host;
      out += ']';
    } else {
      out += host;
    }
    if (port != default_port()) {
      char buf[8];
      const auto r = std::to_chars(buf, buf + sizeof buf, port);
      out += ':';
      out.append(buf, r.ptr);
    }
    return out;
  }

  /// The request-target in origin-form: path (or "/") and "?query" when there is one.
  [[nodiscard]] std::string target() const {
    std::string out;
    out.reserve(path.size() + query.size() + 2);
    append_target(out);
    return out;
  }
  void append_target(std::string& out) const {
    if (path.empty())
      out += '/';
    else
      out += path;
    if (!query.empty()) {
      out += '?';
      out += query;
    }
  }

  /// scheme://authority/path?query
  [[nodiscard]] std::string to_string() const {
    std::string out = scheme;
    out += "://";
    out += authority();
    append_target(out);
    if (path.empty() && query.empty()) out.pop_back();  // keep "https://h" as written, no "/"
    return out;
  }

  bool operator==(const url&) const = default;
};

inline result<url> url::parse(std::string_view text) {
  using detail::url_error;
  url u;
  // scheme
  const std::size_t colon = text.find("://");
  if (colon == std::string_view::npos) return fail(url_error(0, "missing scheme (expected http:// or https://)"));
  const std::string_view scheme = text.substr(0, colon);
  if (http::detail::iequals(scheme, "http")) {
    u.scheme = "http";
  } else if (http::detail::iequals(scheme, "https")) {
    u.scheme = "https";
  } else {
    return fail(url_error(0, "unsupported scheme (expected http or https)"));
  }
  std::size_t i = colon + 3;

  // authority: up to the first '/', '?' or '#'
  std::size_t auth_end = i;
  while (auth_end < text.size() && text[auth_end] != '/' && text[auth_end] != '?' && text[auth_end] != '#') ++auth_end;
  const std::string_view auth = text.substr(i, auth_end - i);
  if (auth.find('@') != std::string_view::npos)
    return fail(url_error(i, "userinfo (user:password@) is not supported in a URL"));
  if (auth.empty()) return fail(url_error(i, "missing host"));

  std::size_t port_at = std::string_view::npos;  // index in `auth` of the ':' before the port
  if (auth.front() == '[') {
    const std::size_t close = auth.find(']');
    if (close == std::string_view::npos) return fail(url_error(i, "unterminated IPv6 literal"));
    const std::string_view lit = auth.substr(1, close - 1);
    bool has_colon = false;
    for (std::size_t k = 0; k < lit.size(); ++k) {
      const char c = lit[k];
      if (c == ':') {
        has_colon = true;
      } else if (!detail::is_hex(c) && c != '.') {
        return fail(url_error(i + 1 + k, "bad character " + detail::describe_byte(c) + " in IPv6 literal"));
      }
    }
    if (!has_colon) return fail(url_error(i + 1, "IPv6 literal without ':'"));
    u.host.reserve(lit.size());
    for (const char c : lit) u.host += http::detail::ascii_lower(c);
    if (close + 1 < auth.size()) {
      if (auth[close + 1] != ':') return fail(url_error(i + close + 1, "unexpected character after IPv6 literal"));
      port_at = close + 1;
    }
  } else {
    port_at = auth.find(':');
    const std::string_view host = auth.substr(0, port_at);
    if (host.empty()) return fail(url_error(i, "missing host"));
    for (std::size_t k = 0; k < host.size(); ++k) {
      const char c = host[k];
      if (!detail::is_unreserved(c))
        return fail(url_error(i + k, "bad character " + detail::describe_byte(c) + " in host"));
    }
    u.host.reserve(host.size());
    for (const char c : host) u.host += http::detail::ascii_lower(c);
  }
  u.port = u.default_port();
  if (port_at != std::string_view::npos) {
    const std::string_view digits = auth.substr(port_at + 1);
    if (!digits.empty()) {
      unsigned value = 0;
      for (std::size_t k = 0; k < digits.size(); ++k) {
        if (!detail::is_digit(digits[k]) || k >= 5)
          return fail(url_error(i + port_at + 1 + k, "bad port (expected 1..65535)"));
        value = value * 10 + static_cast<unsigned>(digits[k] - '0');
      }
      if (value == 0 || value > 65535) return fail(url_error(i + port_at + 1, "bad port (expected 1..65535)"));
      u.port = static_cast<std::uint16_t>(value);
    }
  }
  i = auth_end;

  // path, query; a fragment is dropped
  std::size_t hash = text.find('#', i);
  if (hash == std::string_view::npos) hash = text.size();
  std::size_t qmark = text.find('?', i);
  if (qmark > hash) qmark = std::string_view::npos;
  const std::size_t path_end = qmark == std::string_view::npos ? hash : qmark;
  const std::string_view path = text.substr(i, path_end - i);
  if (const std::size_t bad = detail::find_bad_url_char(path, false); bad != std::string_view::npos)
    return fail(url_error(i + bad, "bad character " + detail::describe_byte(path[bad]) + " in path"));
  u.path = path;
  if (qmark != std::string_view::npos) {
    const std::string_view query = text.substr(qmark + 1, hash - qmark - 1);
    if (const std::size_t bad = detail::find_bad_url_char(query, true); bad != std::string_view::npos)
      return fail(url_error(qmark + 1 + bad, "bad character " + detail::describe_byte(query[bad]) + " in query"));
    u.query = query;
  }
  return u;
}

/// Same as url::parse.
[[nodiscard]] inline result<url> parse_url(std::string_view text) { return url::parse(text); }

/// The URL of `endpoint` (a path, optionally with "?query", e.g. "/v1/jobs/abc?x=1") under
/// `base`, keeping the base's path prefix and never doubling a slash:
///   join(https://gw.example/ugen/, "/v1/jobs") → https://gw.example/ugen/v1/jobs
/// A query on both sides is combined with '&'. The endpoint must already be encoded (use
/// encode_path_segment for ids); bad characters are a protocol error.
[[nodiscard]] inline result<url> join(const url& base, std::string_view endpoint) {
  url out = base;
  std::string_view ep_path = endpoint;
  std::string_view ep_query;
  bool has_query = false;
  if (const std::size_t q = endpoint.find('?'); q != std::string_view::npos) {
    ep_path = endpoint.substr(0, q);
    ep_query = endpoint.substr(q + 1);
    has_query = true;
  }
  if (endpoint.find('#') != std::string_view::npos)
    return fail(detail::url_error(endpoint.find('#'), "a fragment is not allowed in an endpoint path"));
  if (const std::size_t bad = detail::find_bad_url_char(ep_path, false); bad != std::string_view::npos)
    return fail(detail::url_error(bad, "bad character " + detail::describe_byte(ep_path[bad]) + " in endpoint path"));
  if (const std::size_t bad = detail::find_bad_url_char(ep_query, true); bad != std::string_view::npos)
    return fail(detail::url_error(ep_path.size() + 1 + bad,
                                  "bad character " + detail::describe_byte(ep_query[bad]) + " in endpoint query"));
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  while (!ep_path.empty() && ep_path.front() == '/') ep_path.remove_prefix(1);
  if (!ep_path.empty() || out.path.empty()) {
    out.path += '/';
    out.path += ep_path;
  }
  if (has_query && !ep_query.empty()) {
    if (!out.query.empty()) out.query += '&';
    out.query += ep_query;
  }
  return out;
}

/// String form of join(): parses `base`, joins, and returns the absolute URL.
[[nodiscard]] inline result<std::string> join(std::string_view base, std::string_view endpoint) {
  auto b = url::parse(base);
  if (!b) return fail(std::move(b.error()));
  auto j = join(*b, endpoint);
  if (!j) return fail(std::move(j.error()));
  return j->to_string();
}

/// Builds a query string: `query_builder{}.add("a", 1).add("b", "x y").str()` → "?a=1&b=x%20y".
/// Keys and values are percent-encoded (space → %20). Booleans are written true/false.
class query_builder {
 public:
  query_builder& add(std::string_view key, std::string_view value) {
    begin_pair(key);
    append_query_value(query_, value);
    return *this;
  }
  query_builder& add(std::string_view key, const char* value) { return add(key, std::string_view{value}); }
  query_builder& add(std::string_view key, const std::string& value) { return add(key, std::string_view{value}); }
  query_builder& add(std::string_view key, bool value) { return add(key, std::string_view{value ? "true" : "false"}); }
  template <class Number>
    requires(std::is_arithmetic_v<Number> && !std::is_same_v<Number, bool> && !std::is_same_v<Number, char>)
  query_builder& add(std::string_view key, Number value) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    begin_pair(key);
    query_.append(buf, r.ptr);  // digits, '-', '.', 'e', '+': '+' must be escaped
    if constexpr (std::is_floating_point_v<Number>) {
      for (std::size_t k = query_.size() - static_cast<std::size_t>(r.ptr - buf); k < query_.size(); ++k) {
        if (query_[k] == '+') {
          query_.replace(k, 1, "%2B");
          k += 2;
        }
      }
    }
    return *this;
  }

  [[nodiscard]] bool empty() const noexcept { return query_.empty(); }
  /// "a=1&b=x%20y" (no '?').
  [[nodiscard]] std::string_view query() const noexcept { return query_; }
  /// "?a=1&b=x%20y", or "" when nothing was added.
  [[nodiscard]] std::string str() const { return query_.empty() ? std::string{} : "?" + query_; }
  /// Appends the pairs to a target that may already carry a query ('&' then) or not ('?' then).
  void append_to(std::string& target) const {
    if (query_.empty()) return;
    target += target.find('?') == std::string::npos ? '?' : '&';
    target += query_;
  }

 private:
  void begin_pair(std::string_view key) {
    if (!query_.empty()) query_ += '&';
    append_query_value(query_, key);
    query_ += '=';
  }
  std::string query_;
};

}  // namespace mediajobs::http
