// Pure parts of the api layer: HTTP dates, Retry-After, backoff, the retry decision table,
// UUIDs, redaction, and the decoding of error responses.
#include <mediajobs/api/errors.hpp>
#include <mediajobs/api/options.hpp>
#include <mediajobs/api/retry.hpp>
#include <mediajobs/api/uuid.hpp>
#include <mediajobs/api/wait.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>

using namespace std::chrono_literals;
namespace api = mediajobs::api;
using mediajobs::error;
using mediajobs::error_kind;

namespace {
std::chrono::sys_seconds at(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} +
         std::chrono::hours{hh} + std::chrono::minutes{mm} + std::chrono::seconds{ss};
}
}  // namespace

TEST_CASE("HTTP dates parse in all three RFC 9110 forms") {
  const auto expected = at(1994, 11, 6, 8, 49, 37);
  CHECK(api::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == expected);
  CHECK(api::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == expected);
  CHECK(api::parse_http_date("Sun Nov  6 08:49:37 1994") == expected);
  CHECK(api::parse_http_date("Thu, 01 Jan 2015 00:00:00 GMT") == at(2015, 1, 1, 0, 0, 0));
  CHECK(api::parse_http_date("Monday, 01-Jan-24 10:00:00 GMT") == at(2024, 1, 1, 10, 0, 0));
}

TEST_CASE("malformed HTTP dates are refused") {
  CHECK_FALSE(api::parse_http_date(""));
  CHECK_FALSE(api::parse_http_date("Sun, 06 Nov 1994 08:49:37"));      // no GMT
  CHECK_FALSE(api::parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"));  // not GMT
  CHECK_FALSE(api::parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));  // no such day
  CHECK_FALSE(api::parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  CHECK_FALSE(api::parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
  CHECK_FALSE(api::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
  CHECK_FALSE(api::parse_http_date("1994-11-06T08:49:37Z"));
}

TEST_CASE("Retry-After: delta-seconds and HTTP-date against the injected clock") {
  const auto now = std::chrono::system_clock::time_point{at(2024, 12, 1, 12, 0, 0)};
  CHECK(api::parse_retry_after("0", now) == 0ms);
  CHECK(api::parse_retry_after("7", now) == 7000ms);
  CHECK(api::parse_retry_after(" 120 ", now) == 120000ms);
  CHECK(api::parse_retry_after("Sun, 01 Dec 2024 12:00:30 GMT", now) == 30000ms);
  CHECK(api::parse_retry_after("Sun, 01 Dec 2024 11:00:00 GMT", now) == 0ms);  // past: now
  CHECK_FALSE(api::parse_retry_after("-1", now));
  CHECK_FALSE(api::parse_retry_after("1.5", now));
  CHECK_FALSE(api::parse_retry_after("soon", now));
  CHECK_FALSE(api::parse_retry_after("", now));
  // An absurd value saturates instead of overflowing.
  const auto huge = api::parse_retry_after("99999999999999999999999", now);
  REQUIRE(huge);
  CHECK(*huge > std::chrono::milliseconds{std::chrono::hours{24 * 365}});
}

TEST_CASE("backoff is full jitter under an exponentially growing, capped ceiling") {
  api::retry_policy p;
  SUBCASE("maximal random draw reaches the ceiling") {
    p.random = [] { return ~std::uint64_t{0}; };
    // ceiling+1 divides 2^64-1 poorly: compute the expected value the same way as documented.
    for (int n = 1; n <= 7; ++n) {
      const std::int64_t ceiling = std::min<std::int64_t>(8000, 500LL << (n - 1));
      const auto expected = static_cast<std::int64_t>(~std::uint64_t{0} % static_cast<std::uint64_t>(ceiling + 1));
      CHECK(api::backoff_delay(p, n).count() == expected);
    }
  }
  SUBCASE("a draw of ceiling gives the ceiling, of zero gives zero") {
    std::uint64_t value = 0;
    p.random = [&] { return value; };
    CHECK(api::backoff_delay(p, 1) == 0ms);
    value = 500;
    CHECK(api::backoff_delay(p, 1) == 500ms);
    value = 1000;
    CHECK(api::backoff_delay(p, 2) == 1000ms);
    value = 8000;
    CHECK(api::backoff_delay(p, 5) == 8000ms);  // 500 * 16 = 8000: the cap
    CHECK(api::backoff_delay(p, 9) == 8000ms);  // stays at the cap
  }
  SUBCASE("the default random source stays within the bounds") {
    for (int i = 0; i < 200; ++i) {
      const auto d = api::backoff_delay(p, 3);
      CHECK(d >= 0ms);
      CHECK(d <= 2000ms);
    }
  }
}

TEST_CASE("retry decision table") {
  api::retry_policy p;
  p.random = [] { return std::uint64_t{0}; };
  const error refused = api::not_sent_error("connection refused");
  const error reset{error_kind::transport, "connection reset by peer"};
  const error timed_out{error_kind::timeout, "no answer"};
  const error garbage{error_kind::protocol, "bad framing"};
  const auto decide = [&](api::retry_safety s, int status, const error* f, int done = 0) {
    api::retry_context c;
    c.retries_done = done;
    c.safety = s;
    c.http_status = status;
    c.failure = f;
    return p.decision(c).retry;
  };
  using S = api::retry_safety;
  for (const S s : {S::idempotent, S::idempotency_key}) {
    CAPTURE(static_cast<int>(s));
    for (const int status : {408, 429, 500, 502, 503, 504}) CHECK(decide(s, status, nullptr));
    for (const int status : {400, 401, 403, 404, 409, 422, 501, 505}) CHECK_FALSE(decide(s, status, nullptr));
    CHECK(decide(s, 0, &refused));
    CHECK(decide(s, 0, &reset));
    CHECK(decide(s, 0, &timed_out));
    CHECK_FALSE(decide(s, 0, &garbage));
  }
  // A create without idempotency key: only 429 and failures before the request was written.
  CHECK(decide(S::not_idempotent, 429, nullptr));
  CHECK(decide(S::not_idempotent, 0, &refused));
  for (const int status : {408, 500, 502, 503, 504}) CHECK_FALSE(decide(S::not_idempotent, status, nullptr));
  CHECK_FALSE(decide(S::not_idempotent, 0, &reset));
  CHECK_FALSE(decide(S::not_idempotent, 0, &timed_out));
  // The budget.
  CHECK(decide(S::idempotent, 503, nullptr, 2));
  CHECK_FALSE(decide(S::idempotent, 503, nullptr, 3));
  p.max_retries = 0;
  CHECK_FALSE(decide(S::idempotent, 503, nullptr));
}

TEST_CASE("Retry-After replaces the backoff, and one beyond the limit gives up") {
  api::retry_policy p;
  p.random = [] { return std::uint64_t{123456}; };
  auto d = p.decision({.safety = api::retry_safety::idempotent, .http_status = 429, .retry_after = 7s});
  CHECK(d.retry);
  CHECK(d.delay == 7000ms);
  d = p.decision({.safety = api::retry_safety::idempotent, .http_status = 503, .retry_after = 120s});
  CHECK(d.retry);
  CHECK(d.delay == 120000ms);
  d = p.decision({.safety = api::retry_safety::idempotent, .http_status = 429, .retry_after = 121s});
  CHECK_FALSE(d.retry);
  CHECK(d.retry_after_too_long);
}

TEST_CASE("a replaced decision function is used") {
  api::retry_policy p;
  int calls = 0;
  p.decide = [&](const api::retry_context& c) {
    ++calls;
    api::retry_decision d;
    d.retry = c.http_status == 418;
    d.delay = 1ms;
    return d;
  };
  api::retry_context c;
  c.http_status = 418;
  CHECK(p.decision(c).retry);
  c.http_status = 503;
  CHECK_FALSE(p.decision(c).retry);
  CHECK(calls == 2);
}

TEST_CASE("not sent is the error's flag, never guessed from its text") {
  CHECK(api::is_not_sent(api::not_sent_error("dns failure")));
  CHECK(api::not_sent_error("dns failure").detail() == "dns failure");
  CHECK(api::not_sent_error("dns failure").kind() == error_kind::transport);
  CHECK_FALSE(api::is_not_sent(error{error_kind::transport, "connection reset"}));
  CHECK_FALSE(api::is_not_sent(error{error_kind::timeout, "not sent: but a timeout"}));
  CHECK(api::is_not_sent(error{error_kind::timeout, "connect timed out"}.mark_not_sent()));
}

TEST_CASE("uuid_v4 is canonical, versioned, and made of the given bits") {
  const std::string u = api::uuid_v4(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
  CHECK(u == "01234567-89ab-4def-bedc-ba9876543210");
  const std::string z = api::uuid_v4(0, 0);
  CHECK(z == "00000000-0000-4000-8000-000000000000");
  std::set<std::string> seen;
  api::retry_policy p;
  for (int i = 0; i < 100; ++i) seen.insert(api::uuid_v4(p.random_bits(), p.random_bits()));
  CHECK(seen.size() == 100);
}

TEST_CASE("redaction removes every occurrence of the key from texts and errors") {
  CHECK(api::redacted("key=sk-123&again=sk-123", "sk-123") == "key=[redacted]&again=[redacted]");
  CHECK(api::redacted("nothing here", "") == "nothing here");
  error e{error_kind::unauthorized, "key sk-123 refused"};
  e.with_service("bad_key_sk-123", "API key sk-123 is invalid").with_raw_body(R"({"key":"sk-123"})");
  const error r = api::redacted(e, "sk-123");
  CHECK(r.message().find("sk-123") == std::string::npos);
  CHECK(r.raw_body().find("sk-123") == std::string::npos);
  CHECK(r.service_message() == "API key [redacted] is invalid");
}

TEST_CASE("error responses map to kinds, with service message, code, request id and hint") {
  const auto now = std::chrono::system_clock::time_point{at(2024, 12, 1, 12, 0, 0)};
  mediajobs::http::response r;
  SUBCASE("401 is unauthorized and never shows the key") {
    r.status = 401;
    r.body = R"({"message":"Invalid API key: sk-live-42","code":"invalid_key"})";
    r.headers.add("X-Request-Id", "req-7");
    const error e = api::error_from_response(r, "sk-live-42", now);
    CHECK(e.kind() == error_kind::unauthorized);
    CHECK(e.http_status() == 401);
    CHECK(e.detail() == "invalid or missing API key");
    CHECK(e.service_code() == "invalid_key");
    CHECK(e.request_id() == "req-7");
    CHECK(e.message().find("sk-live-42") == std::string::npos);
    CHECK(e.raw_body().find("sk-live-42") == std::string::npos);
  }
  SUBCASE("404, 409, 429, 500 kinds") {
    r.status = 404;
    CHECK(api::error_from_response(r, "", now).kind() == error_kind::not_found);
    r.status = 409;
    CHECK(api::error_from_response(r, "", now).kind() == error_kind::conflict);
    r.status = 429;
    r.headers.add("Retry-After", "Sun, 01 Dec 2024 12:00:05 GMT");
    const error e = api::error_from_response(r, "", now);
    CHECK(e.kind() == error_kind::rate_limited);
    CHECK(e.retry_after() == 5000ms);
    r.status = 500;
    CHECK(api::error_from_response(r, "", now).kind() == error_kind::http_status);
    r.status = 403;
    CHECK(api::error_from_response(r, "", now).kind() == error_kind::unauthorized);
  }
  SUBCASE("nested error objects") {
    r.status = 400;
    r.body = R"({"error":{"code":"bad_segment","message":"segment_count too high"}})";
    const error e = api::error_from_response(r, "", now);
    CHECK(e.service_code() == "bad_segment");
    CHECK(e.service_message() == "segment_count too high");
    CHECK(e.raw_body() == r.body);
  }
  SUBCASE("error string plus message") {
    r.status = 404;
    r.body = R"({"error":"job_not_found","message":"no job j-9","request_id":"body-rid"})";
    const error e = api::error_from_response(r, "", now);
    CHECK(e.service_code() == "job_not_found");
    CHECK(e.service_message() == "no job j-9");
    CHECK(e.request_id() == "body-rid");
  }
  SUBCASE("FastAPI detail forms") {
    r.status = 422;
    r.body = R"({"detail":[{"loc":["body","video_id"],"msg":"field required","type":"value_error.missing"}]})";
    CHECK(api::error_from_response(r, "", now).service_message() == "field required");
    r.body = R"({"detail":"Not authenticated"})";
    CHECK(api::error_from_response(r, "", now).service_message() == "Not authenticated");
  }
  SUBCASE("a body that is not JSON is kept raw") {
    r.status = 502;
    r.body = "<html>Bad Gateway</html>";
    const error e = api::error_from_response(r, "", now);
    CHECK(e.kind() == error_kind::http_status);
    CHECK(e.service_message().empty());
    CHECK(e.raw_body() == r.body);
    CHECK(e.message() == "http_status error: HTTP 502");
  }
}

TEST_CASE("attempt_log::line is one readable line") {
  const mediajobs::http::headers h;
  api::attempt_log a{.method = "GET", .url = "https://x.test/a", .request_headers = &h, .status = 200,
                     .duration = 12ms, .attempt = 2};
  CHECK(a.line() == "GET https://x.test/a -> 200 in 12 ms (attempt 2)");
  const error e = api::not_sent_error("connection refused");
  a.status = 0;
  a.failure = &e;
  CHECK(a.line() == "GET https://x.test/a -> transport error: connection refused; request not sent in 12 ms (attempt 2)");
}

TEST_CASE("failure_message_of reads a string error or an object's message") {
  CHECK(api::failure_message_of(mediajobs::json::value{"render crashed"}) == "render crashed");
  CHECK(api::failure_message_of(mediajobs::json::value::object({{"message", "gpu lost"}, {"code", 7}})) == "gpu lost");
  CHECK(api::failure_message_of(mediajobs::json::value::object({{"code", 7}})).empty());
  CHECK(api::failure_message_of(mediajobs::json::value{42}).empty());
}
