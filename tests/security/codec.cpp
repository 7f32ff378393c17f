// Security of the codecs: hostile JSON (nesting, huge numbers) gives typed decode errors; the
// timestamp reader stays in range (a fuzz finding); webhook verification refuses tampering,
// replays outside the tolerance and short secrets.
#include <mediajobs/json/json.hpp>
#include <mediajobs/style/schema.hpp>
#include <mediajobs/ugen/schema.hpp>
#include <mediajobs/webhook/signature.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace json = mediajobs::json;
namespace ugen = mediajobs::ugen;
namespace style = mediajobs::style;
namespace wh = mediajobs::webhook;
using mediajobs::error_kind;

namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

// --- JSON -----------------------------------------------------------------------------------------

TEST_CASE("JSON nested 100000 deep is a decode error naming the depth limit, not a stack overflow") {
  const std::string deep = nested_arrays(100000);
  const std::string deep_objects = [] {
    std::string s;
    for (int i = 0; i < 100000; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(100000, '}');
    return s;
  }();
  SUBCASE("json::value") {
    auto r = json::read<json::value>(deep);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::decode);
    CHECK(contains(r.error().message(), "nesting deeper than 256"));
    auto o = json::read<json::value>(deep_objects);
    REQUIRE_FALSE(o);
    CHECK(o.error().kind() == error_kind::decode);
  }
  SUBCASE("an unknown key of a struct (skipped or kept)") {
    const std::string body = R"({"id":"j-1","status":"pending","future":)" + deep + "}";
    auto r = json::read<ugen::job>(body);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::decode);
    CHECK(contains(r.error().message(), "nesting deeper than"));
  }
  SUBCASE("an open-ended member (json::value inside a struct)") {
    const std::string body = R"({"job_id":"j","status":"completed","style_json":)" + deep_objects + "}";
    auto r = json::read<style::job_detail>(body);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::decode);
  }
  SUBCASE("the limit is options::max_depth, and just under it reads") {
    json::options o;
    o.max_depth = 32;
    CHECK(json::read<json::value>(nested_arrays(32), o));
    CHECK_FALSE(json::read<json::value>(nested_arrays(33), o));
  }
}

TEST_CASE("huge JSON numbers are typed decode errors or exact values, never wrapped") {
  SUBCASE("an integer member out of its range") {
    for (std::string_view n : {"2147483648", "-2147483649", "99999999999999999999999999999", "1e3", "3.0"}) {
      CAPTURE(n);
      auto r = json::read<ugen::job>(R"({"status":"pending","segment_count":)" + std::string{n} + "}");
      REQUIRE_FALSE(r);
      CHECK(r.error().kind() == error_kind::decode);
      CHECK(r.error().json_path() == "$.segment_count");
    }
  }
  SUBCASE("a double member beyond the double range") {
    auto r = json::read<ugen::job>(R"({"status":"pending","progress_percent":1e400})");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::decode);
    CHECK(r.error().json_path() == "$.progress_percent");
  }
  SUBCASE("json::value: beyond uint64 becomes a double; beyond double is an error") {
    auto big = json::read<json::value>("18446744073709551616");
    REQUIRE(big);
    CHECK(big->type() == json::value::kind::number);
    CHECK_FALSE(json::read<json::value>("1e400"));
    CHECK_FALSE(json::read<json::value>("-1e400"));
  }
  SUBCASE("a number of 100000 digits") {
    const std::string digits(100000, '7');
    auto i = json::read<ugen::job>(R"({"status":"pending","segment_count":)" + digits + "}");
    REQUIRE_FALSE(i);
    CHECK(i.error().kind() == error_kind::decode);
    auto d = json::read<json::value>(digits);
    CHECK_FALSE(d);  // 7.7e99999 is beyond double
  }
}

// --- timestamps (fuzz_json_ugen_job / fuzz_json_style_job regressions) ----------------------------

TEST_CASE("a timestamp after 2262 reads and writes back exactly (no nanosecond overflow)") {
  // Found by fuzzing: the reader went through int64 nanoseconds, which end in 2262 (UB beyond).
  auto j = json::read<ugen::job>(R"({"id":"x","status":"cancelled","created_at":"4048-02-29T23:59:60Z"})");
  REQUIRE(j);
  REQUIRE(j->created_at);
  auto text = json::to_string(*j);
  REQUIRE(text);
  CHECK(contains(*text, R"("created_at":"4048-03-01T00:00:00Z")"));  // the leap second lands on the next one
  auto s = json::read<style::job_detail>(R"({"job_id":"j","status":"queued","created_at":"9999-12-31T23:59:59.999999Z",)"
                                         R"("started_at":"0000-01-01T00:00:00Z"})");
  REQUIRE(s);
  auto back = json::to_string(*s);
  REQUIRE(back);
  CHECK(contains(*back, R"("created_at":"9999-12-31T23:59:59.999999Z")"));
  CHECK(contains(*back, R"("started_at":"0000-01-01T00:00:00Z")"));
}

TEST_CASE("a timestamp whose offset or leap second leaves the years 0000-9999 is refused, not altered") {
  using std::chrono::microseconds;
  CHECK_FALSE(json::parse_rfc3339<microseconds>("9999-12-31T23:59:60Z"));
  CHECK_FALSE(json::parse_rfc3339<microseconds>("9999-12-31T23:00:00-02:00"));
  CHECK_FALSE(json::parse_rfc3339<microseconds>("0000-01-01T00:00:00+00:01"));
  CHECK(json::parse_rfc3339<microseconds>("0000-01-01T00:00:00-00:01"));
  auto r = json::read<ugen::job>(R"({"status":"pending","created_at":"9999-12-31T23:59:60Z"})");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::decode);
  CHECK(r.error().json_path() == "$.created_at");
}

TEST_CASE("a nanosecond timestamp outside 1677-2262 is refused instead of overflowing") {
  using std::chrono::nanoseconds;
  CHECK_FALSE(json::parse_rfc3339<nanoseconds>("2300-01-01T00:00:00Z"));
  CHECK_FALSE(json::parse_rfc3339<nanoseconds>("1600-01-01T00:00:00Z"));
  auto in_range = json::parse_rfc3339<nanoseconds>("2262-01-01T00:00:00.123456789Z");
  REQUIRE(in_range);
  CHECK(in_range->time_since_epoch().count() % 1000000000 == 123456789);
}

// --- webhook signatures ---------------------------------------------------------------------------

#if MEDIAJOBS_WITH_OPENSSL

namespace {

constexpr std::int64_t now_s = 1'700'000'000;
const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{now_s}};
// 24 random-looking key bytes, as Standard Webhooks generates them.
const std::string secret = "whsec_" + wh::base64_encode("k3y-for-the-security-tests!");
constexpr std::string_view id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
constexpr std::string_view body = R"({"job_id":"j-1","status":"completed"})";

std::string sign_at(std::int64_t ts, std::string_view b = body, std::string_view s = secret) {
  auto sig = wh::sign(s, id, ts, b);
  REQUIRE(sig);
  return *sig;
}

mediajobs::result<void> verify_at(std::int64_t ts, const std::string& sig, std::string_view b = body,
                                  std::string_view message_id = id) {
  const std::string t = std::to_string(ts);
  return wh::verify(secret, wh::signature_headers{message_id, t, sig}, b, now);
}

}  // namespace

TEST_CASE("webhook: any tampering with body, id, timestamp or signature fails") {
  const std::string sig = sign_at(now_s);
  REQUIRE(verify_at(now_s, sig));  // the control
  CHECK_FALSE(verify_at(now_s, sig, R"({"job_id":"j-1","status":"completed" })"));
  CHECK_FALSE(verify_at(now_s, sig, R"({"job_id":"j-2","status":"completed"})"));
  CHECK_FALSE(verify_at(now_s, sig, ""));
  CHECK_FALSE(verify_at(now_s, sig, body, "msg_other"));
  CHECK_FALSE(verify_at(now_s - 1, sig));
  for (std::size_t i = 3; i + 1 < sig.size(); ++i) {  // every base64 character of the digest
    std::string bad = sig;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    CAPTURE(bad);
    CHECK_FALSE(verify_at(now_s, bad));
  }
  CHECK_FALSE(verify_at(now_s, "v2" + sig.substr(2)));  // another version is not v1
  auto r = verify_at(now_s, sig, "tampered");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::validation);
  CHECK(r.error().detail() == "no valid signature");
}

TEST_CASE("webhook: a replay outside the tolerance fails even with a valid signature") {
  CHECK(verify_at(now_s - 300, sign_at(now_s - 300)));  // the default tolerance is 5 min, inclusive
  CHECK(verify_at(now_s + 300, sign_at(now_s + 300)));
  auto old = verify_at(now_s - 301, sign_at(now_s - 301));
  REQUIRE_FALSE(old);
  CHECK(old.error().detail() == "timestamp outside tolerance (too old)");
  auto future = verify_at(now_s + 301, sign_at(now_s + 301));
  REQUIRE_FALSE(future);
  CHECK(future.error().detail() == "timestamp outside tolerance (in the future)");
  auto day_old = verify_at(now_s - 86400, sign_at(now_s - 86400));
  REQUIRE_FALSE(day_old);
  CHECK(contains(day_old.error().detail(), "too old"));
}

TEST_CASE("webhook: a secret shorter than 16 key bytes is refused by verify and sign") {
  for (std::string_view key : {"k", "short-key", "fifteen-bytes!!"}) {
    CAPTURE(key);
    const std::string weak = "whsec_" + wh::base64_encode(key);
    auto s = wh::sign(weak, id, now_s, body);
    REQUIRE_FALSE(s);
    CHECK(s.error().kind() == error_kind::validation);
    CHECK(contains(s.error().detail(), "secret too short"));
    const std::string t = std::to_string(now_s);
    auto v = wh::verify(weak, wh::signature_headers{id, t, "v1,AAAA"}, body, now);
    REQUIRE_FALSE(v);
    CHECK(contains(v.error().detail(), "secret too short"));
    CHECK_FALSE(contains(v.error().message(), weak.substr(6)));
  }
  const std::string sixteen = "whsec_" + wh::base64_encode("sixteen-bytes!!!");
  CHECK(wh::sign(sixteen, id, now_s, body));
  CHECK(wh::min_secret_bytes == 16);
}

#endif  // MEDIAJOBS_WITH_OPENSSL
