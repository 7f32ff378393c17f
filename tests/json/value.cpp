// json::value (the DOM) and property tests of the reader and writer: random trees round-trip,
// random mutations of valid documents never crash and fail with an offset inside the input.
#include <mediajobs/json/json.hpp>

#include <doctest/doctest.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace json = mediajobs::json;

TEST_CASE("json::value builds, queries and compares") {
  auto v = json::value::object({{"id", "j-1"},
                                {"count", 3},
                                {"ratio", 0.5},
                                {"big", std::uint64_t{18446744073709551615ULL}},
                                {"ok", true},
                                {"none", nullptr},
                                {"tags", json::value::array({1, "two", nullptr})}});
  CHECK(v.is_object());
  CHECK(v.size() == 7);
  CHECK(v["id"].as_string() == "j-1");
  CHECK(v["count"].as_int64() == 3);
  CHECK(v["count"].is_integer());
  CHECK(v["ratio"].as_double() == 0.5);
  CHECK(v["big"].as_uint64() == 18446744073709551615ULL);
  CHECK(v["big"].type() == json::value::kind::uint64);
  CHECK(v["ok"].as_bool());
  CHECK(v["none"].is_null());
  CHECK(v["tags"].at(1).as_string() == "two");
  CHECK(v["tags"].at(9).is_null());
  CHECK(std::as_const(v)["missing"]["deeper"].is_null());
  CHECK(v.find("missing") == nullptr);
  CHECK(v["added"].is_null());  // the mutable operator[] adds, like std::map
  CHECK(v.find("added") != nullptr);
  CHECK(v.size() == 8);
  CHECK(v.contains("tags"));
  CHECK(v["id"].as_int64() == 0);  // wrong kind: a neutral value
  CHECK(v["count"].as_string().empty());
  CHECK(v["count"].is_integer());  // as_string() on a non-const value did not change its kind

  json::value built;
  built["a"] = 1;
  built["b"].push_back("x");
  built["b"].push_back(2.5);
  built["a"] = "replaced";
  CHECK(json::to_string(built).value() == R"({"a":"replaced","b":["x",2.5]})");

  CHECK(json::value(1) == json::value(std::uint64_t{1}));
  CHECK_FALSE(json::value(1) == json::value(1.0));
  CHECK_FALSE(json::value(-1) == json::value(std::uint64_t{18446744073709551615ULL}));
  CHECK(json::value::array({1, 2}) == json::value::array({1, 2}));
  CHECK_FALSE(json::value::array({1, 2}) == json::value::array({2, 1}));
  CHECK(v == json::read<json::value>(json::to_string(v).value()).value());
  json::value s = "text";
  s.string_ref() += "!";
  CHECK(s.as_string() == "text!");
  s.array_ref().emplace_back(1);  // becomes an array
  CHECK(json::to_string(s).value() == "[1]");
}

TEST_CASE("json::value keeps object order and duplicates; lookups see the last") {
  auto r = json::read<json::value>(R"({"z":1,"a":2,"z":3})");
  REQUIRE(r.has_value());
  CHECK(r->size() == 3);
  CHECK(r->as_object()[0].first == "z");
  CHECK(r->as_object()[1].first == "a");
  CHECK((*r)["z"].as_int64() == 3);
  CHECK(json::to_string(*r).value() == R"({"z":1,"a":2,"z":3})");
}

TEST_CASE("json::value integers: int64, uint64 above INT64_MAX, double beyond") {
  CHECK(json::read<json::value>("-9223372036854775808")->type() == json::value::kind::int64);
  CHECK(json::read<json::value>("9223372036854775808")->type() == json::value::kind::uint64);
  CHECK(json::read<json::value>("18446744073709551616")->type() == json::value::kind::number);
  CHECK(json::read<json::value>("-0")->type() == json::value::kind::int64);
  CHECK(json::read<json::value>("-0.0")->type() == json::value::kind::number);
}

TEST_CASE("json::value errors carry the path through arrays and objects") {
  auto r = json::read<json::value>(R"({"a":[1,{"b":[true,nul]}]})");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().json_path() == "$.a[1].b[1]");
  CHECK(r.error().byte_offset() == 19);
}

namespace {

json::value random_value(std::mt19937& rng, int depth) {
  const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const auto random_string = [&] {
    static const char* const pieces[] = {"a", "Z", " ", "\"", "\\", "\n", "\x01", "é", "中", "😀", "/", "\x7f", "key"};
    std::string s;
    const int n = pick(6);
    for (int i = 0; i < n; ++i) s += pieces[pick(13)];
    return s;
  };
  switch (depth > 4 ? pick(6) : pick(8)) {
    case 0: return json::value{};
    case 1: return json::value(pick(2) == 0);
    case 2: return json::value(static_cast<std::int64_t>(rng()) * (pick(2) ? 1 : -1) * (pick(3) ? 1 : 1000003));
    case 3: {
      std::uniform_real_distribution<double> d(-1e6, 1e6);
      const double x = d(rng);
      return json::value(pick(4) == 0 ? x * 1e200 : (pick(3) == 0 ? x * 1e-300 : x));
    }
    case 4: return json::value(random_string());
    case 5: return json::value(std::uint64_t{9223372036854775808ULL} + rng());
    case 6: {
      json::value a = json::value::array();
      const int n = pick(5);
      for (int i = 0; i < n; ++i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json::value o = json::value::object();
      const int n = pick(5);
      for (int i = 0; i < n; ++i) o.emplace(random_string(), random_value(rng, depth + 1));
      return o;
    }
  }
}

enum class mutated_status { pending, done };

struct mutated_segment {
  int index;
  mutated_status status;
  std::optional<std::string> url;
};

struct mutated_job {
  std::string jobId;
  std::vector<mutated_segment> segments;
  std::optional<double> progress;
  json::unknown_fields rest;
};

}  // namespace

TEST_CASE("property: random value trees survive write then read unchanged") {
  std::mt19937 rng(20241201);
  for (int i = 0; i < 3000; ++i) {
    const json::value v = random_value(rng, 0);
    const auto text = json::to_string(v);
    REQUIRE(text.has_value());
    const auto back = json::read<json::value>(*text);
    REQUIRE_MESSAGE(back.has_value(), *text << ": " << back.error().message());
    CHECK_MESSAGE(*back == v, *text);
    CHECK(json::to_string(*back).value() == *text);
  }
}

TEST_CASE("property: mutated documents never crash and fail inside the input") {
  std::mt19937 rng(7);
  const std::vector<std::string> seeds = {
      R"({"jobId":"j-1","segments":[{"index":0,"status":"done","url":"https://x/0.mp4"}],"progress":0.5,"x":[1]})",
      R"([1,-2.5e3,true,false,null,"\u00e9\ud83d\ude00",{"a":{"b":[[]]}}])",
      "\"plain \\\" string with é and 中\"",
  };
  const char interesting[] = {'"', '\\', '[', ']', '{', '}', ',', ':', '0', '-', 'e', '.', 'u', '\x00', '\x1f',
                              '\x80', '\xC3', '\xED', '\xF4', '\xFF', ' ', 'n', 't'};
  int accepted = 0, refused = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string doc = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits && !doc.empty(); ++k) {
      const std::size_t at = rng() % doc.size();
      const char c = rng() % 2 ? interesting[rng() % sizeof interesting] : static_cast<char>(rng() & 0xFF);
      switch (rng() % 3) {
        case 0: doc[at] = c; break;
        case 1: doc.insert(doc.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        default: doc.erase(at, 1 + rng() % 3); break;
      }
    }
    // The struct reader sees the same bytes: it must fail cleanly too.
    const auto as_struct = json::read<mutated_job>(doc);
    if (!as_struct) {
      REQUIRE(as_struct.error().byte_offset().has_value());
      CHECK(*as_struct.error().byte_offset() <= doc.size());
    }
    const auto r = json::read<json::value>(doc);
    if (r) {
      ++accepted;
      // Whatever was accepted writes back as valid JSON that reads the same.
      const auto again = json::read<json::value>(json::to_string(*r).value());
      REQUIRE(again.has_value());
      CHECK(*again == *r);
    } else {
      ++refused;
      CHECK(r.error().kind() == mediajobs::error_kind::decode);
      REQUIRE(r.error().byte_offset().has_value());
      CHECK(*r.error().byte_offset() <= doc.size());
      CHECK_FALSE(r.error().detail().empty());
    }
  }
  CHECK(accepted > 0);
  CHECK(refused > 0);
}

TEST_CASE("property: short decimal numbers read exactly as std::from_chars reads them") {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    if (rng() % 2) text += '-';
    text += std::to_string(rng() % 100000000);
    if (rng() % 2) {
      text += '.';
      const int digits = 1 + static_cast<int>(rng() % 12);
      for (int k = 0; k < digits; ++k) text += static_cast<char>('0' + rng() % 10);
    }
    if (rng() % 3 == 0) {
      text += 'e';
      text += std::to_string(static_cast<int>(rng() % 60) - 30);
    }
    double expected = 0;
    std::from_chars(text.data(), text.data() + text.size(), expected);
    const auto got = json::read<double>(text);
    REQUIRE_MESSAGE(got.has_value(), text);
    CHECK_MESSAGE(*got == expected, text);
  }
}
