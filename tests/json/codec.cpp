// Reading and writing reflected structs and every supported type; the error of every failure
// names its path, byte offset and detail.
#include <mediajobs/json/json.hpp>

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace json = mediajobs::json;
namespace mr = mediajobs::reflect;
using namespace std::chrono_literals;

namespace media {
enum class seg_status { pending, rendering, done };
enum class tfi_status { queued, in_progress, completed, failed };
constexpr auto enum_naming(tfi_status) { return mediajobs::reflect::naming::upper_case; }
enum class aspect_ratio { r9_16, r16_9 };
constexpr auto enum_renames(aspect_ratio) {
  return std::array{std::pair{aspect_ratio::r9_16, std::string_view{"9:16"}},
                    std::pair{aspect_ratio::r16_9, std::string_view{"16:9"}}};
}
}  // namespace media

namespace {

struct segment {
  int index;
  media::seg_status status;
  std::optional<std::string> url;
  bool operator==(const segment&) const = default;
};

struct job {
  std::string job_id;
  std::vector<segment> segments;
  std::optional<double> progress;
  mediajobs::open_enum<media::tfi_status> state;
  mediajobs::timestamp created_at;
  static constexpr auto json_naming = mr::naming::camel_case;
  bool operator==(const job&) const = default;
};

struct all_ints {
  std::int8_t i8;
  std::int16_t i16;
  std::int32_t i32;
  std::int64_t i64;
  std::uint8_t u8;
  std::uint16_t u16;
  std::uint32_t u32;
  std::uint64_t u64;
  bool operator==(const all_ints&) const = default;
};

struct containers {
  std::vector<int> list;
  std::array<std::string, 2> pair;
  std::map<std::string, int> ordered;
  std::unordered_map<std::string, std::vector<bool>> hashed;
  std::optional<std::vector<int>> maybe;
  bool operator==(const containers&) const = default;
};

struct with_unknown {
  int id;
  json::unknown_fields rest;
  std::string name;
};

struct with_defaults {
  std::string product_name;
  std::string video_resolution = "standard";
  int segment_count = 3;
  static constexpr bool json_defaults = true;
};

struct tfi_created {
  std::string job_id;
  std::string status;
  static constexpr std::array json_renames{mr::rename{"job_id", "jobId"}};
};

struct required_only {
  std::string id;
  std::string status;
};

struct image_payload {
  std::string image_url;
  std::optional<int> width;
};
struct video_payload {
  std::string video_url;
  int duration;
};
using payload = std::variant<std::monostate, bool, std::int64_t, double, std::string, std::vector<int>, image_payload,
                             video_payload, json::value>;

struct node {
  int value;
  std::vector<node> children;
};

template <class T>
mediajobs::error read_error(std::string_view text, const json::options& opt = {}) {
  auto r = json::read<T>(text, opt);
  REQUIRE_MESSAGE(!r.has_value(), "expected an error for: " << text);
  CHECK(r.error().kind() == mediajobs::error_kind::decode);
  return r.error();
}

void check_error(const mediajobs::error& e, std::string_view path, std::size_t offset, std::string_view detail) {
  CHECK(e.json_path() == path);
  CHECK(e.byte_offset().value_or(999999) == offset);
  CHECK(e.detail() == detail);
}

template <class T>
T round_trip(const T& v) {
  const auto text = json::to_string(v);
  REQUIRE(text.has_value());
  auto back = json::read<T>(*text);
  REQUIRE_MESSAGE(back.has_value(), *text << ": " << back.error().message());
  return *back;
}

}  // namespace

TEST_CASE("a struct reads from JSON with keys in any order and writes back") {
  const std::string_view text =
      R"({"segments":[{"index":0,"status":"done","url":"https://x/0.mp4"},{"status":"pending","index":1}],)"
      R"("state":"IN_PROGRESS","jobId":"j-1","progress":0.5,"createdAt":"2024-12-01T12:00:00Z"})";
  auto r = json::read<job>(text);
  REQUIRE_MESSAGE(r.has_value(), r.error().message());
  CHECK(r->job_id == "j-1");
  REQUIRE(r->segments.size() == 2);
  CHECK(r->segments[0].url == "https://x/0.mp4");
  CHECK(r->segments[1].status == media::seg_status::pending);
  CHECK_FALSE(r->segments[1].url.has_value());
  CHECK(r->progress == 0.5);
  CHECK(r->state == media::tfi_status::in_progress);
  CHECK(r->created_at.time_since_epoch() == 1733054400s);
  CHECK(json::to_string(*r).value() ==
        R"({"jobId":"j-1","segments":[{"index":0,"status":"done","url":"https://x/0.mp4"},{"index":1,"status":"pending"}],)"
        R"("progress":0.5,"state":"IN_PROGRESS","createdAt":"2024-12-01T12:00:00Z"})");
  CHECK(round_trip(*r) == *r);
}

TEST_CASE("write appends to the output buffer") {
  std::string out = "prefix:";
  REQUIRE(json::write(segment{1, media::seg_status::done, std::nullopt}, out).has_value());
  CHECK(out == R"(prefix:{"index":1,"status":"done"})");
  REQUIRE(json::write(std::vector<int>{1, 2}, out).has_value());
  CHECK(out == R"(prefix:{"index":1,"status":"done"}[1,2])");
}

TEST_CASE("integers round-trip at their limits and refuse out-of-range values naming the type") {
  const all_ints lo{INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN, 0, 0, 0, 0};
  const all_ints hi{INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX, UINT8_MAX, UINT16_MAX, UINT32_MAX, UINT64_MAX};
  CHECK(round_trip(lo) == lo);
  CHECK(round_trip(hi) == hi);
  CHECK(json::to_string(hi).value() ==
        R"({"i8":127,"i16":32767,"i32":2147483647,"i64":9223372036854775807,"u8":255,"u16":65535,)"
        R"("u32":4294967295,"u64":18446744073709551615})");

  check_error(read_error<std::int32_t>("3000000000"), "$", 0, "integer out of range for int32");
  check_error(read_error<std::int8_t>("-129"), "$", 0, "integer out of range for int8");
  check_error(read_error<std::int16_t>("32768"), "$", 0, "integer out of range for int16");
  check_error(read_error<std::int64_t>("9223372036854775808"), "$", 0, "integer out of range for int64");
  check_error(read_error<std::uint8_t>("256"), "$", 0, "integer out of range for uint8");
  check_error(read_error<std::uint16_t>("65536"), "$", 0, "integer out of range for uint16");
  check_error(read_error<std::uint32_t>("-1"), "$", 0, "integer out of range for uint32");
  check_error(read_error<std::uint64_t>("18446744073709551616"), "$", 0, "integer out of range for uint64");
  check_error(read_error<all_ints>(R"({"i8":1,"i16":2,"i32":99999999999})"), "$.i32", 22,
              "integer out of range for int32");
  CHECK(json::read<std::uint64_t>("-0").value() == 0);
  check_error(read_error<int>("1.5"), "$", 0, "expected integer, got number with fraction or exponent");
  check_error(read_error<int>("1e2"), "$", 0, "expected integer, got number with fraction or exponent");
}

TEST_CASE("doubles round-trip exactly and stay doubles") {
  for (double d : {0.1, -2.5, 1e300, 5e-324, 123456789.125, 1.0, -0.0, 1e21, 0.30000000000000004}) {
    const auto text = json::to_string(d).value();
    const double back = json::read<double>(text).value();
    CHECK(back == d);
    CHECK(std::signbit(back) == std::signbit(d));
    CHECK(json::read<json::value>(text)->is_double());
  }
  CHECK(json::to_string(1.0).value() == "1.0");
  CHECK(json::to_string(2.5f).value() == "2.5");
  CHECK(json::read<double>("12").value() == 12.0);
  CHECK(json::read<double>("-1.25E+2").value() == -125.0);
  CHECK(json::read<double>("1e-400").value() == 0.0);
  check_error(read_error<double>("1e400"), "$", 0, "number out of range for double");
  check_error(read_error<float>("1e300"), "$", 0, "number out of range for float");
}

TEST_CASE("NaN and infinity cannot be written") {
  auto r = json::to_string(std::vector<double>{1.0, std::numeric_limits<double>::quiet_NaN()});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind() == mediajobs::error_kind::validation);
  CHECK(r.error().detail() == "NaN or infinity cannot be written as JSON");
  CHECK(r.error().field() == "$[1]");
  CHECK_FALSE(json::to_string(std::numeric_limits<double>::infinity()).has_value());
  CHECK_FALSE(json::to_string(json::value(-std::numeric_limits<double>::infinity())).has_value());
}

TEST_CASE("strings: escapes, unicode, surrogate pairs, and invalid UTF-8 refused on write") {
  const std::string tricky = "quote\" backslash\\ slash/ nl\n tab\t ctl\x01 del\x7f é 中 😀";
  CHECK(round_trip(tricky) == tricky);
  CHECK(json::to_string(tricky).value() ==
        "\"quote\\\" backslash\\\\ slash/ nl\\n tab\\t ctl\\u0001 del\x7f é 中 😀\"");
  CHECK(json::read<std::string>(R"("\u00e9\u4e2d\ud83d\ude00\/\b\f\r")").value() == "é中😀/\b\f\r");
  CHECK(json::to_string(std::string_view{"view"}).value() == "\"view\"");
  CHECK(json::to_string("literal").value() == "\"literal\"");
  const char* pointer = "ptr";
  CHECK(json::to_string(pointer).value() == "\"ptr\"");
  auto bad = json::to_string(std::string("ok\xC3\x28"));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().detail() == "invalid UTF-8");
  const std::string long_text(1000, 'x');
  CHECK(round_trip(long_text + "\"" + long_text) == long_text + "\"" + long_text);
}

TEST_CASE("string errors name the offending byte") {
  check_error(read_error<std::string>("\"ab\xC3\x28\""), "$", 3, "invalid UTF-8");
  check_error(read_error<std::string>("\"\xED\xA0\x80\""), "$", 1, "invalid UTF-8");      // surrogate in UTF-8
  check_error(read_error<std::string>("\"\xC0\xAF\""), "$", 1, "invalid UTF-8");          // overlong
  check_error(read_error<std::string>("\"\xF4\x90\x80\x80\""), "$", 1, "invalid UTF-8");  // > U+10FFFF
  check_error(read_error<std::string>("\"\xE2\x82\""), "$", 1, "invalid UTF-8");          // truncated
  check_error(read_error<std::string>("\"a\nb\""), "$", 2, "control character in string");
  check_error(read_error<std::string>(R"("ab\x")"), "$", 3, "invalid escape");
  check_error(read_error<std::string>(R"("\u12G4")"), "$", 1, "invalid escape");
  check_error(read_error<std::string>(R"("\uD800")"), "$", 1, "lone surrogate in \\u escape");
  check_error(read_error<std::string>(R"("\uDC00\uD800")"), "$", 1, "lone surrogate in \\u escape");
  check_error(read_error<std::string>(R"("abc)"), "$", 0, "unterminated string");
  // The same rules hold in the escaped (slow) path and in skipped values.
  check_error(read_error<std::string>("\"\\n\xFF\""), "$", 3, "invalid UTF-8");
  check_error(read_error<required_only>("{\"id\":\"a\",\"status\":\"b\",\"x\":\"\x01\"}"), "$.x", 28,
              "control character in string");
}

TEST_CASE("kind mismatches say what was expected and what came") {
  check_error(read_error<required_only>(R"({"id":5,"status":"x"})"), "$.id", 6, "expected string, got number");
  check_error(read_error<job>(R"({"jobId":"j","segments":{}})"), "$.segments", 24, "expected array, got object");
  check_error(read_error<int>("\"7\""), "$", 0, "expected number, got string");
  check_error(read_error<bool>("null"), "$", 0, "expected boolean, got null");
  check_error(read_error<segment>("[]"), "$", 0, "expected object, got array");
  check_error(read_error<std::string>("true"), "$", 0, "expected string, got boolean");
  check_error(read_error<int>("x"), "$", 0, "unexpected character 'x'");
  check_error(read_error<int>(""), "$", 0, "unexpected end of input");
}

TEST_CASE("syntax errors: trailing characters, leading zeros, separators") {
  check_error(read_error<std::vector<int>>("[1,2] 3"), "$", 6, "trailing characters after the JSON value");
  check_error(read_error<std::vector<int>>("[1,01]"), "$[1]", 3, "leading zeros are not allowed");
  check_error(read_error<json::value>("-012"), "$", 0, "leading zeros are not allowed");
  check_error(read_error<std::vector<int>>("[1 2]"), "$", 3, "expected ',' or ']'");
  check_error(read_error<required_only>(R"({"id":"a" "status":"b"})"), "$", 10, "expected ',' or '}'");
  check_error(read_error<required_only>(R"({"id" "a"})"), "$", 6, "expected ':'");
  check_error(read_error<required_only>(R"({id:"a"})"), "$", 1, "expected a string key");
  check_error(read_error<std::vector<int>>("[1,]"), "$[1]", 3, "unexpected character ']'");
  check_error(read_error<std::vector<int>>("[1,"), "$[1]", 3, "unexpected end of input");
  check_error(read_error<json::value>("1."), "$", 2, "invalid number");
  check_error(read_error<json::value>("-"), "$", 0, "invalid number");
  check_error(read_error<json::value>("tru"), "$", 0, "unexpected character 't'");
  CHECK(json::read<std::vector<int>>(" \t\r\n[ 1 , 2 ]\n ").value() == std::vector<int>{1, 2});
}

TEST_CASE("missing keys are errors unless optional or json_defaults") {
  check_error(read_error<required_only>(R"({"id":"a"})"), "$", 0, "missing key 'status'");
  check_error(read_error<job>(R"({"jobId":"j","segments":[{"index":0,"status":"done"},{"index":1,"status":"done"},)"
                              R"( {"index":2}],"state":"QUEUED","createdAt":"2024-01-01T00:00:00Z"})"),
              "$.segments[2]", 82, "missing key 'status'");
  auto d = json::read<with_defaults>(R"({"product_name":"Headphones"})");
  REQUIRE(d.has_value());
  CHECK(d->product_name == "Headphones");
  CHECK(d->video_resolution == "standard");
  CHECK(d->segment_count == 3);
  auto partial = json::read<with_defaults>(R"({"segment_count":5})");
  REQUIRE(partial.has_value());
  CHECK(partial->segment_count == 5);
  CHECK(partial->product_name.empty());
}

TEST_CASE("read into an existing object keeps members the text does not mention") {
  with_defaults d{"keep", "hd", 9};
  REQUIRE(json::read(R"({"segment_count":2})", d).has_value());
  CHECK(d.product_name == "keep");
  CHECK(d.video_resolution == "hd");
  CHECK(d.segment_count == 2);
  auto r = json::read(R"({"segment_count":"x"})", d);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().json_path() == "$.segment_count");
}

TEST_CASE("unknown keys are skipped, kept in unknown_fields, or an error when asked") {
  const std::string_view text = R"({"id":1,"extra":{"deep":[1,{"x":null}]},"name":"n","more":"\u00e9"})";
  auto kept = json::read<with_unknown>(text);
  REQUIRE(kept.has_value());
  CHECK(kept->id == 1);
  CHECK(kept->name == "n");
  REQUIRE(kept->rest.size() == 2);
  CHECK(kept->rest.find("extra")->operator[]("deep").at(1)["x"].is_null());
  CHECK(kept->rest.find("more")->as_string() == "é");
  CHECK(json::to_string(*kept).value() == R"({"id":1,"name":"n","extra":{"deep":[1,{"x":null}]},"more":"é"})");
  static_assert(mr::field_count<with_unknown> == 3);

  auto skipped = json::read<required_only>(R"({"id":"a","foo":[1,2,{"k":"v"}],"status":"s","b\"ar":1})");
  REQUIRE(skipped.has_value());
  CHECK(skipped->status == "s");

  json::options strict;
  strict.error_on_unknown_keys = true;
  check_error(read_error<required_only>(R"({"id":"a","foo":1,"status":"s"})", strict), "$", 10, "unknown key 'foo'");
  check_error(read_error<with_unknown>(R"({"id":1,"name":"n","foo":1})", strict), "$", 19, "unknown key 'foo'");
  // Skipped values are validated as strictly as read ones.
  check_error(read_error<required_only>(R"({"id":"a","status":"s","foo":[1,02]})"), "$.foo[1]", 32,
              "leading zeros are not allowed");
  check_error(read_error<required_only>(R"({"id":"a","status":"s","foo":{"k":tru}})"), "$.foo.k", 34,
              "unexpected character 't'");
}

TEST_CASE("duplicate keys in a struct: the last value wins") {
  auto r = json::read<required_only>(R"({"id":"first","status":"s","id":"second"})");
  REQUIRE(r.has_value());
  CHECK(r->id == "second");
}

TEST_CASE("enums read and write by wire name; unknown values are errors, open_enum keeps them") {
  CHECK(json::to_string(media::aspect_ratio::r9_16).value() == "\"9:16\"");
  CHECK(json::read<media::aspect_ratio>("\"16:9\"").value() == media::aspect_ratio::r16_9);
  CHECK(json::read<media::tfi_status>("\"COMPLETED\"").value() == media::tfi_status::completed);
  check_error(read_error<job>(R"({"jobId":"j","segments":[{"index":0,"status":"done"},{"index":1,"status":"done"},)"
                              R"({"index":2,"status":"blurry"}]})"),
              "$.segments[2].status", 101, "unknown value \"blurry\"");
  check_error(read_error<media::seg_status>("\"DONE\""), "$", 0, "unknown value \"DONE\"");
  const auto open = json::read<mediajobs::open_enum<media::tfi_status>>("\"UPSCALING\"");
  REQUIRE(open.has_value());
  CHECK(open->is_unknown());
  CHECK(open->name() == "UPSCALING");
  CHECK(json::to_string(*open).value() == "\"UPSCALING\"");
  CHECK(json::read<mediajobs::open_enum<media::tfi_status>>("\"FAILED\"")->is(media::tfi_status::failed));
  auto unnamed = json::to_string(static_cast<media::seg_status>(42));
  CHECK_FALSE(unnamed.has_value());
}

TEST_CASE("containers round-trip; std::array wants exactly N elements") {
  containers c{{1, 2, 3}, {"a", "b"}, {{"x", 1}, {"y", 2}}, {{"k", {true, false}}}, std::vector<int>{}};
  CHECK(round_trip(c) == c);
  CHECK(json::to_string(c).value() ==
        R"({"list":[1,2,3],"pair":["a","b"],"ordered":{"x":1,"y":2},"hashed":{"k":[true,false]},"maybe":[]})");
  c.maybe.reset();
  CHECK(json::to_string(c).value().find("maybe") == std::string::npos);
  CHECK(json::read<std::optional<int>>("null").value() == std::nullopt);
  CHECK(json::read<std::optional<int>>("4").value() == 4);
  check_error(read_error<std::array<int, 2>>("[1]"), "$", 0, "expected 2 elements, got 1");
  check_error(read_error<std::array<int, 2>>("[1,2,3]"), "$[2]", 5, "too many elements for an array of 2");
  check_error(read_error<std::map<std::string, int>>(R"({"a":1,"b":"x"})"), "$.b", 11, "expected number, got string");
}

TEST_CASE("variants pick the alternative by JSON kind, and among structs by required keys") {
  CHECK(std::holds_alternative<std::monostate>(json::read<payload>("null").value()));
  CHECK(std::get<bool>(json::read<payload>("true").value()) == true);
  CHECK(std::get<std::int64_t>(json::read<payload>("42").value()) == 42);
  CHECK(std::get<double>(json::read<payload>("4.5").value()) == 4.5);
  CHECK(std::get<std::string>(json::read<payload>("\"s\"").value()) == "s");
  CHECK(std::get<std::vector<int>>(json::read<payload>("[1,2]").value()) == std::vector<int>{1, 2});
  CHECK(std::get<image_payload>(json::read<payload>(R"({"image_url":"i","width":3})").value()).width == 3);
  CHECK(std::get<video_payload>(json::read<payload>(R"({"duration":8,"video_url":"v"})").value()).duration == 8);
  // Neither struct has its required keys: the json::value alternative takes it.
  CHECK(std::get<json::value>(json::read<payload>(R"({"other":1})").value())["other"].as_int64() == 1);
  CHECK(json::to_string(payload{video_payload{"v", 8}}).value() == R"({"video_url":"v","duration":8})");
  CHECK(json::to_string(payload{}).value() == "null");

  using strict_variant = std::variant<int, image_payload>;
  check_error(read_error<strict_variant>("\"s\""), "$", 0, "no alternative accepts string");
  check_error(read_error<strict_variant>(R"({"width":1})"), "$", 0, "missing key 'image_url'");
  CHECK(std::get<int>(json::read<std::variant<double, int>>("3").value()) == 3);
  CHECK(std::get<double>(json::read<std::variant<int, double>>("3e0").value()) == 3.0);
}

TEST_CASE("timestamps: tolerant RFC 3339 in, strict UTC out") {
  using namespace std::chrono;
  const auto t = [](std::string_view s) { return json::parse_rfc3339<microseconds>(s); };
  const sys_time<microseconds> noon = sys_days{2024y / 12 / 1} + 12h;
  CHECK(t("2024-12-01T12:00:00Z") == noon);
  CHECK(t("2024-12-01t12:00:00z") == noon);
  CHECK(t("2024-12-01 12:00:00") == noon);
  CHECK(t("2024-12-01T14:30:00+02:30") == noon);
  CHECK(t("2024-12-01T07:00:00-05:00") == noon);
  CHECK(t("2024-12-01T12:00:00.123456789Z") == noon + 123456us);
  CHECK(t("2024-12-01T12:00:00.5Z") == noon + 500ms);
  CHECK(t("2024-02-29T00:00:00Z").has_value());
  for (std::string_view bad : {"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-12-01T24:00:00Z",
                               "2024-12-01T12:00:00.Z", "2024-12-01T12:00:00+2:00", "2024-12-01", "2024-12-01T12:00Z",
                               "2024-12-01T12:00:00Zjunk", "20241201T120000Z"})
    CHECK_MESSAGE(!t(bad).has_value(), bad);

  std::string out;
  json::append_rfc3339(out, noon);
  CHECK(out == "2024-12-01T12:00:00Z");
  out.clear();
  json::append_rfc3339(out, noon + 1500us);
  CHECK(out == "2024-12-01T12:00:00.0015Z");
  out.clear();
  json::append_rfc3339(out, sys_time<nanoseconds>(sys_days{1969y / 12 / 31} + 23h + 59min + 59s + 999999999ns));
  CHECK(out == "1969-12-31T23:59:59.999999999Z");
  out.clear();
  json::append_rfc3339(out, sys_time<seconds>(sys_days{2000y / 2 / 29}));
  CHECK(out == "2000-02-29T00:00:00Z");

  CHECK(round_trip(noon + 7us) == noon + 7us);
  CHECK(json::read<sys_time<milliseconds>>("\"2024-12-01T12:00:00.0079Z\"").value() == noon + 7ms);
  check_error(read_error<mediajobs::timestamp>("\"yesterday\""), "$", 0, "invalid RFC 3339 timestamp");
}

TEST_CASE("wire keys from json_renames are used both ways") {
  auto r = json::read<tfi_created>(R"({"jobId":"t-1","status":"QUEUED"})");
  REQUIRE(r.has_value());
  CHECK(r->job_id == "t-1");
  CHECK(json::to_string(*r).value() == R"({"jobId":"t-1","status":"QUEUED"})");
  check_error(read_error<tfi_created>(R"({"job_id":"t-1","status":"QUEUED"})"), "$", 0, "missing key 'jobId'");
}

TEST_CASE("nesting is bounded by max_depth for values, structs and skipped values") {
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(json::read<json::value>(nested(256)).has_value());
  const auto e = read_error<json::value>(nested(257));
  CHECK(e.detail() == "nesting deeper than 256");
  CHECK(e.byte_offset() == 256);
  const auto huge = read_error<json::value>(std::string(100000, '['));
  CHECK(huge.detail() == "nesting deeper than 256");

  json::options shallow;
  shallow.max_depth = 4;  // object, array, object, array
  CHECK(json::read<node>(R"({"value":1,"children":[{"value":2,"children":[]}]})", shallow).has_value());
  check_error(read_error<node>(R"({"value":1,"children":[{"value":2,"children":[{"value":3,"children":[]}]}]})", shallow),
              "$.children[0].children[0]", 46, "nesting deeper than 4");
  shallow.max_depth = 3;
  check_error(read_error<required_only>(R"({"id":"a","status":"b","skip":[[[1]]]})", shallow), "$.skip[0][0]", 32,
              "nesting deeper than 3");
  std::string deep_nodes;
  for (int i = 0; i < 300; ++i) deep_nodes += R"({"value":1,"children":[)";
  CHECK(read_error<node>(deep_nodes).detail() == "nesting deeper than 256");
}

TEST_CASE("error messages read well") {
  const auto e = read_error<job>(R"({"jobId":"j","segments":[{"index":"0"}]})");
  CHECK(e.message() == "decode error at $.segments[0].index (byte 34): expected number, got string");
}

namespace {
struct nothing {};
struct only_unknown {
  json::unknown_fields all;
};
}  // namespace

TEST_CASE("structs without members, or with only unknown_fields") {
  CHECK(json::read<nothing>(R"({"a":1,"b":[true]})").has_value());
  CHECK(json::to_string(nothing{}).value() == "{}");
  json::options strict;
  strict.error_on_unknown_keys = true;
  check_error(read_error<nothing>(R"({"a":1})", strict), "$", 1, "unknown key 'a'");
  auto r = json::read<only_unknown>(R"({"b":2,"a":1})");
  REQUIRE(r.has_value());
  CHECK(r->all.size() == 2);
  CHECK(json::to_string(*r).value() == R"({"b":2,"a":1})");
}

TEST_CASE("keys written with escapes match, and keep their path in errors") {
  auto r = json::read<required_only>(R"({"i\u0064":"a","st\u0061tus":"b"})");
  REQUIRE(r.has_value());
  CHECK(r->id == "a");
  CHECK(r->status == "b");
  // An escaped unknown key whose value is invalid: the path names the decoded key.
  check_error(read_error<required_only>(R"({"id":"a","status":"b","k\u00e9y":{"in\u006eer":01}})"), "$.kéy.inner", 48,
              "leading zeros are not allowed");
  auto kept = json::read<with_unknown>(R"({"id":1,"name":"n","\"q\"":"\u0041"})");
  REQUIRE(kept.has_value());
  CHECK(kept->rest.find("\"q\"")->as_string() == "A");
  CHECK(json::to_string(*kept).value() == R"({"id":1,"name":"n","\"q\"":"A"})");
}
