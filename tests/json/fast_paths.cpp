// The codec's fast paths give exactly what the general paths give: doubles written without
// std::to_chars, strings written with one room check, struct keys matched as raw bytes, and
// variant alternatives picked from a key scan that stops early.
#include <mediajobs/json/json.hpp>

#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace json = mediajobs::json;

namespace {

// What the writer wrote before its fast paths: std::to_chars, plus ".0" when that looks integral.
std::string reference_text(double d) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

// A small deterministic generator (the test must not depend on the library's RNG).
struct lcg {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  std::uint64_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  }
};

std::string written(double d) {
  auto r = json::to_string(d);
  REQUIRE(r.has_value());
  return *r;
}

}  // namespace

TEST_CASE("integral doubles are written as std::to_chars writes them, with .0") {
  CHECK(written(0.0) == "0.0");
  CHECK(written(-0.0) == "-0.0");
  CHECK(written(1.0) == "1.0");
  CHECK(written(-42.0) == "-42.0");
  CHECK(written(12345.0) == "12345.0");
  CHECK(written(100000.0) == "1e+05");       // exponent notation is shorter
  CHECK(written(123456.0) == "123456.0");    // fixed is shorter
  CHECK(written(1200000.0) == "1200000.0");  // a tie with "1.2e+06": fixed
  CHECK(written(12000000.0) == "1.2e+07");
  CHECK(written(9007199254740991.0) == "9007199254740991.0");
  CHECK(written(9007199254740992.0) == reference_text(9007199254740992.0));
  for (std::int64_t i = -20000; i <= 200000; i += 7) {
    const auto d = static_cast<double>(i);
    REQUIRE(written(d) == reference_text(d));
  }
  lcg g;
  for (int i = 0; i < 20000; ++i) {
    const auto d = static_cast<double>(static_cast<std::int64_t>(g.next() >> (g.next() % 53)));
    REQUIRE(written(d) == reference_text(d));
    REQUIRE(written(-d) == reference_text(-d));
  }
}

TEST_CASE("short decimals are written as std::to_chars writes them") {
  CHECK(written(0.5) == "0.5");
  CHECK(written(29.97) == "29.97");
  CHECK(written(-14.2) == "-14.2");
  CHECK(written(0.001) == "0.001");
  CHECK(written(0.0001) == "1e-04");    // exponent notation is shorter
  CHECK(written(0.000123) == "0.000123");  // a tie: fixed
  CHECK(written(0.1 + 0.2) == "0.30000000000000004");
  CHECK(written(0.25) == reference_text(0.25));  // a power of two: general path
  lcg g;
  for (int i = 0; i < 50000; ++i) {
    // Decimal text with 1..9 digits after the point, read back as a double.
    const int places = 1 + static_cast<int>(g.next() % 9);
    std::string text = std::to_string(g.next() % 100000) + ".";
    for (int p = 0; p < places; ++p) text += static_cast<char>('0' + g.next() % 10);
    double d = 0;
    REQUIRE(std::from_chars(text.data(), text.data() + text.size(), d).ec == std::errc{});
    REQUIRE(written(d) == reference_text(d));
    REQUIRE(written(-d) == reference_text(-d));
    // And arbitrary doubles: products, quotients, random bit patterns.
    const double q = static_cast<double>(g.next() % 1000000) / static_cast<double>(1 + g.next() % 997);
    REQUIRE(written(q) == reference_text(q));
    const double s = static_cast<double>(i) * 0.4918;
    REQUIRE(written(s) == reference_text(s));
    const double t = std::ldexp(static_cast<double>(g.next()), -static_cast<int>(g.next() % 90));
    REQUIRE(written(t) == reference_text(t));
  }
}

namespace fast {
struct long_keys {
  int a_member_with_a_rather_long_name = 0;  // a `"key":` prefix longer than 16 bytes
  int abc = 0;
  int abcd = 0;  // shares a prefix with abc
  std::string s{};
};

struct need_a {
  int a = 0;
  std::optional<int> x{};
};
struct need_b {
  int b = 0;
};
using either = std::variant<need_a, need_b>;
}  // namespace fast

TEST_CASE("strings with escapes are written in full after existing content") {
  std::string out = "prefix:";
  std::string s(100, 'x');
  s += "\"\\\n\r\t\b\f";
  s += '\x01';
  s += '\x1f';
  s += "caf\xC3\xA9";
  s += std::string(40, '\x02');
  REQUIRE(json::write(s, out).has_value());
  std::string want = "prefix:\"" + std::string(100, 'x') + "\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001fcaf\xC3\xA9";
  for (int i = 0; i < 40; ++i) want += "\\u0002";
  want += '"';
  CHECK(out == want);

  std::string bad = "ok";
  const auto r = json::write(std::string("ab\xFF"), bad);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().detail() == "invalid UTF-8");
}

TEST_CASE("struct keys read the same in and out of order, spaced, escaped and at the end of input") {
  const std::string_view texts[] = {
      R"({"a_member_with_a_rather_long_name":1,"abc":2,"abcd":3,"s":"v"})",
      R"({"s":"v","abcd":3,"abc":2,"a_member_with_a_rather_long_name":1})",
      R"({ "a_member_with_a_rather_long_name" : 1 , "abc" :2,"abcd": 3,"s"  :  "v" })",
      R"({"a_member_with_a_rather_long_name":1,"\u0061bc":2,"abc\u0064":3,"s":"v"})",
  };
  for (std::string_view text : texts) {
    auto r = json::read<fast::long_keys>(text);
    REQUIRE_MESSAGE(r.has_value(), text);
    CHECK(r->a_member_with_a_rather_long_name == 1);
    CHECK(r->abc == 2);
    CHECK(r->abcd == 3);
    CHECK(r->s == "v");
    auto back = json::to_string(*r);
    REQUIRE(back.has_value());
    CHECK(*back == texts[0]);
  }
  // A key that is a prefix of the expected one, and one that extends it, are not taken for it.
  auto r = json::read<fast::long_keys>(R"({"a_member_with_a_rather_long_name":1,"ab":9,"abc":2,"abcd":3,"s":""})");
  REQUIRE(r.has_value());
  CHECK(r->abc == 2);
  auto e = json::read<fast::long_keys>(R"({"a_member_with_a_rather_long_name":1,"abc":2,"abcd":"x","s":""})");
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().json_path() == "$.abcd");
  // Tiny inputs: the raw comparison must not read past the end.
  auto t = json::read<fast::need_b>(R"({"b":7})");
  REQUIRE(t.has_value());
  CHECK(t->b == 7);
  CHECK_FALSE(json::read<fast::need_b>(R"({"b":)").has_value());
  CHECK_FALSE(json::read<fast::need_b>(R"({"b")").has_value());
}

TEST_CASE("a struct alternative is picked by its keys, with the errors of a full key scan") {
  auto a = json::read<fast::either>(R"({"a":1,"x":2})");
  REQUIRE(a.has_value());
  CHECK(std::get<fast::need_a>(*a).a == 1);
  auto b = json::read<fast::either>(R"({"x":2,"b":3})");
  REQUIRE(b.has_value());
  CHECK(std::get<fast::need_b>(*b).b == 3);
  // Both fit: the first wins, even when its key comes last.
  auto both = json::read<fast::either>(R"({"b":3,"a":1})");
  REQUIRE(both.has_value());
  CHECK(both->index() == 0);

  // A syntax error after the deciding key is reported as the key scan finds it: at the top-level
  // object, not inside the member being read.
  auto bad = json::read<fast::either>(R"({"a":1,"y":tru})");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().json_path() == "$");
  CHECK(bad.error().byte_offset() == std::optional<std::size_t>{11});
  // A type error in the chosen alternative names its member.
  auto wrong = json::read<fast::either>(R"({"a":1,"x":"no"})");
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().json_path() == "$.x");
  CHECK(wrong.error().detail() == "expected number, got string");
  // Neither fits: the first struct alternative names its missing key.
  auto none = json::read<fast::either>(R"({"x":1})");
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().detail() == "missing key 'a'");
}
