// mediajobs::api retry policy: when a failed attempt may be repeated, and after how long.
//
//   - Exponential backoff with full jitter: before retry n (1-based) wait a uniformly random
//     time in [0, min(max_delay, base_delay * 2^(n-1))] (defaults: 3 retries, 0.5 s, 8 s).
//   - `Retry-After` (delta-seconds or an HTTP-date) replaces the backoff when the response
//     carries it; beyond `max_retry_after` (120 s) we give up at once (a 429 then ends as
//     `rate_limited`, carrying the hint).
//   - Retried: connection failures (kind `transport`), timeouts, HTTP 408, 429, 500, 502, 503,
//     504 — only when repeating cannot create a second job:
//
//       retry_safety      | transport error / timeout          | 408, 5xx above | 429
//       ------------------+------------------------------------+----------------+-----
//       idempotent        | yes                                | yes            | yes
//       idempotency_key   | yes                                | yes            | yes
//       not_idempotent    | only if the request was NOT sent    | no             | yes
//
//     (429 means the server refused the request without acting on it, so even a create
//     without an idempotency key may repeat it.)
//
// "Not sent" convention (for transport authors): a failure that happened before any byte of
// the request was written (DNS, connection refused, TLS handshake) carries the flag
// `error::request_not_sent()`, set with `error::mark_not_sent()` (or build it with
// `api::not_sent_error(...)`). Every other failure is taken as "may have reached the server"
// (the safe assumption), so a create without idempotency key is not repeated after it. In tests,
// `mock.fail_next(api::not_sent_error("refused"))` scripts a failure before writing.
//
// The policy is replaceable: set `retry_policy::decide` to take every decision yourself
// (`default_retry_decision` is the rule above), or `max_retries = 0` to disable retries.
// Randomness and the wall clock (for HTTP-date Retry-After) are injectable for tests.
//
// Thread-safety: retry_policy is a value; the default random source is thread-local.
#pragma once

#include <mediajobs/core/error.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace mediajobs::api {

/// Whether repeating a request could create a second job (see the table above).
enum class retry_safety : std::uint8_t {
  idempotent,       ///< GET, DELETE, and POSTs that cannot create anything (suggest-fields)
  idempotency_key,  ///< a create that carries an idempotency key, the same on every attempt
  not_idempotent,   ///< a create (or action) without a key: retried only on 429 or when not sent
};

/// A transport failure before anything was written (kind `transport`, request_not_sent()).
[[nodiscard]] inline error not_sent_error(std::string_view what) {
  return error{error_kind::transport, std::string(what)}.mark_not_sent();
}

/// True for a failure that, by the convention above, never reached the server.
[[nodiscard]] inline bool is_not_sent(const error& e) noexcept { return e.request_not_sent(); }

// --- HTTP dates and Retry-After ------------------------------------------------------------

namespace detail {

struct date_cursor {
  std::string_view s;
  std::size_t i = 0;
  [[nodiscard]] bool done() const noexcept { return i >= s.size(); }
  [[nodiscard]] char peek() const noexcept { return done() ? '\0' : s[i]; }
  bool eat(char c) noexcept {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  void skip_spaces() noexcept {
    while (peek() == ' ') ++i;
  }
  /// Reads min..max digits; nullopt when fewer than min.
  std::optional<int> digits(std::size_t min, std::size_t max) noexcept {
    std::size_t n = 0;
    int v = 0;
    while (n < max && peek() >= '0' && peek() <= '9') {
      v = v * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (n < min) return std::nullopt;
    return v;
  }
  std::string_view letters() noexcept {
    const std::size_t b = i;
    while ((peek() >= 'a' && peek() <= 'z') || (peek() >= 'A' && peek() <= 'Z')) ++i;
    return s.substr(b, i - b);
  }
};

[[nodiscard]] inline std::optional<unsigned> month_of(std::string_view m) noexcept {
  static constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned k = 0; k < 12; ++k)
    if (names[k] == m) return k + 1;
  return std::nullopt;
}

/// hh:mm:ss
[[nodiscard]] inline std::optional<std::chrono::seconds> time_of_day(date_cursor& c) noexcept {
  const auto h = c.digits(2, 2);
  if (!h || !c.eat(':')) return std::nullopt;
  const auto m = c.digits(2, 2);
  if (!m || !c.eat(':')) return std::nullopt;
  const auto s = c.digits(2, 2);
  if (!s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return std::chrono::hours{*h} + std::chrono::minutes{*m} + std::chrono::seconds{*s};
}

}  // namespace detail

/// Parses an HTTP-date (RFC 9110 §5.6.7) in any of its three forms:
///   IMF-fixdate  `Sun, 06 Nov 1994 08:49:37 GMT` (the one servers must send),
///   RFC 850      `Sunday, 06-Nov-94 08:49:37 GMT` (two-digit years: 70–99 → 19xx, else 20xx),
///   asctime      `Sun Nov  6 08:49:37 1994`.
/// The weekday is not checked against the date (it is redundant). nullopt when malformed.
[[nodiscard]] inline std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) noexcept {
  using namespace std::chrono;
  detail::date_cursor c{text};
  c.skip_spaces();
  if (c.letters().empty()) return std::nullopt;  // weekday
  const bool comma = c.eat(',');
  c.skip_spaces();
  int day = 0;
  unsigned month = 0;
  int year = 0;
  std::optional<seconds> tod;
  if (comma) {
    const auto d = c.digits(1, 2);
    if (!d) return std::nullopt;
    day = *d;
    const bool dashed = c.eat('-');
    if (!dashed && !c.eat(' ')) return std::nullopt;
    const auto m = detail::month_of(c.letters());
    if (!m) return std::nullopt;
    month = *m;
    if (dashed ? !c.eat('-') : !c.eat(' ')) return std::nullopt;
    const std::size_t before = c.i;
    const auto y = c.digits(2, 4);
    if (!y) return std::nullopt;
    const std::size_t len = c.i - before;
    if (len == 2)
      year = *y >= 70 ? 1900 + *y : 2000 + *y;
    else if (len == 4)
      year = *y;
    else
      return std::nullopt;
    if (!c.eat(' ')) return std::nullopt;
    tod = detail::time_of_day(c);
    c.skip_spaces();
    if (c.letters() != "GMT") return std::nullopt;
  } else {  // asctime
    const auto m = detail::month_of(c.letters());
    if (!m) return std::nullopt;
    month = *m;
    c.skip_spaces();
    const auto d = c.digits(1, 2);
    if (!d || !c.eat(' ')) return std::nullopt;
    day = *d;
    tod = detail::time_of_day(c);
    if (!c.eat(' ')) return std::nullopt;
    const auto y = c.digits(4, 4);
    if (!y) return std::nullopt;
    year = *y;
  }
  c.skip_spaces();
  if (!tod || !c.done()) return std::nullopt;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + *tod;
}

/// The wait a `Retry-After` value asks for: delta-seconds (`120`) or an HTTP-date, measured
/// from `now`. A date in the past gives zero. nullopt when the value is neither.
[[nodiscard]] inline std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) noexcept {
  using namespace std::chrono;
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    std::int64_t secs = 0;
    for (const char ch : value) {
      if (ch < '0' || ch > '9') return std::nullopt;
      // Saturate: a hint of more than ~30 years means "never" just as well.
      if (secs < 1'000'000'000) secs = secs * 10 + (ch - '0');
    }
    return duration_cast<milliseconds>(seconds{secs});
  }
  const auto at = parse_http_date(value);
  if (!at) return std::nullopt;
  const auto d = duration_cast<milliseconds>(*at - now);
  return d.count() > 0 ? d : milliseconds{0};
}

// --- the policy ----------------------------------------------------------------------------

/// What is known about one failed attempt when deciding whether to try again.
struct retry_context {
  int retries_done = 0;  ///< retries already made (0 after the first attempt)
  retry_safety safety = retry_safety::idempotent;
  /// The HTTP status of the response, or 0 when the transport failed (see `failure`).
  int http_status = 0;
  /// The transport failure when http_status == 0.
  const error* failure = nullptr;
  /// The response's Retry-After, already parsed.
  std::optional<std::chrono::milliseconds> retry_after{};
};

struct retry_decision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
  /// Set when we gave up only because Retry-After asked for more than the policy accepts.
  bool retry_after_too_long = false;
};

struct retry_policy;
[[nodiscard]] inline retry_decision default_retry_decision(const retry_policy& p, const retry_context& c);

struct retry_policy {
  int max_retries = 3;
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{8000};
  /// A longer Retry-After is not waited for: the call fails with the hint in the error.
  std::chrono::milliseconds max_retry_after{120000};
  /// 64 random bits per call (jitter, and the U-Gen client's idempotency keys); empty: a
  /// thread-local std::mt19937_64 seeded from std::random_device.
  std::function<std::uint64_t()> random{};
  /// Wall clock for HTTP-date Retry-After values; empty: std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> now{};
  /// Replaces the whole decision when set; default_retry_decision(*this, ctx) is the rule.
  std::function<retry_decision(const retry_context&)> decide{};

  [[nodiscard]] retry_decision decision(const retry_context& c) const {
    return decide ? decide(c) : default_retry_decision(*this, c);
  }
  [[nodiscard]] std::uint64_t random_bits() const {
    if (random) return random();
    thread_local std::mt19937_64 engine{[] {
      std::random_device rd;
      return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    }()};
    return engine();
  }
  [[nodiscard]] std::chrono::system_clock::time_point wall_now() const {
    return now ? now() : std::chrono::system_clock::now();
  }
};

/// Full-jitter backoff before retry `retry` (1-based): uniform in [0, min(cap, base * 2^(retry-1))].
[[nodiscard]] inline std::chrono::milliseconds backoff_delay(const retry_policy& p, int retry) {
  using ms = std::chrono::milliseconds;
  const std::int64_t cap = p.max_delay.count() < 0 ? 0 : p.max_delay.count();
  std::int64_t ceiling = p.base_delay.count() < 0 ? 0 : p.base_delay.count();
  for (int k = 1; k < retry && ceiling < cap; ++k) ceiling *= 2;
  if (ceiling > cap) ceiling = cap;
  if (ceiling == 0) return ms{0};
  // random_bits() % (ceiling + 1): the modulo bias is ~ceiling / 2^64, irrelevant here.
  const auto span = static_cast<std::uint64_t>(ceiling) + 1;
  return ms{static_cast<std::int64_t>(p.random_bits() % span)};
}

/// True for the statuses worth repeating: 408, 429, 500, 502, 503, 504.
[[nodiscard]] constexpr bool is_retryable_status(int status) noexcept {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

inline retry_decision default_retry_decision(const retry_policy& p, const retry_context& c) {
  retry_decision d;
  if (c.retries_done >= p.max_retries) return d;
  bool cause_ok = false;
  if (c.http_status != 0) {
    cause_ok = c.http_status == 429 || (is_retryable_status(c.http_status) && c.safety != retry_safety::not_idempotent);
  } else if (c.failure != nullptr) {
    const error_kind k = c.failure->kind();
    if (c.safety == retry_safety::not_idempotent)
      cause_ok = is_not_sent(*c.failure);
    else
      cause_ok = k == error_kind::transport || k == error_kind::timeout;
  }
  if (!cause_ok) return d;
  if (c.retry_after) {
    if (*c.retry_after > p.max_retry_after) {
      d.retry_after_too_long = true;
      return d;
    }
    d.retry = true;
    d.delay = *c.retry_after;
    return d;
  }
  d.retry = true;
  d.delay = backoff_delay(p, c.retries_done + 1);
  return d;
}

}  // namespace mediajobs::api
