// JSONTestSuite conformance (test_parsing/ and a few of test_transform/), through
// json::read<json::value>: every y_ file accepted, every n_ file refused, and every i_ file
// handled as chosen in the table below (which also documents the choice).
#include <mediajobs/json/json.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace json = mediajobs::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

// Implementation-defined cases: accepted (true) or refused (false), and why.
const std::map<std::string, bool> i_choices = {
{"i_number_double_huge_neg_exp.json", true},  // underflow reads as 0
    {"i_number_huge_exp.json", false},  // overflow of double refused
    {"i_number_neg_int_huge_exp.json", false},  // overflow of double refused
    {"i_number_pos_double_huge_exp.json", false},  // overflow of double refused
    {"i_number_real_neg_overflow.json", false},  // overflow of double refused
    {"i_number_real_pos_overflow.json", false},  // overflow of double refused
    {"i_number_real_underflow.json", true},  // underflow reads as 0
    {"i_number_too_big_neg_int.json", true},  // beyond int64: read as a double
    {"i_number_too_big_pos_int.json", true},  // beyond uint64: read as a double
    {"i_number_very_big_negative_int.json", true},  // beyond int64: read as a double
    {"i_object_key_lone_2nd_surrogate.json", false},  // lone or broken surrogate escape refused
    {"i_string_1st_surrogate_but_2nd_missing.json", false},  // lone or broken surrogate escape refused
    {"i_string_1st_valid_surrogate_2nd_invalid.json", false},  // lone or broken surrogate escape refused
    {"i_string_UTF-16LE_with_BOM.json", false},  // UTF-16 is not accepted
    {"i_string_UTF-8_invalid_sequence.json", false},  // invalid UTF-8 refused
    {"i_string_UTF8_surrogate_U+D800.json", false},  // invalid UTF-8 refused
    {"i_string_incomplete_surrogate_and_escape_valid.json", false},  // lone or broken surrogate escape refused
    {"i_string_incomplete_surrogate_pair.json", false},  // lone or broken surrogate escape refused
    {"i_string_incomplete_surrogates_escape_valid.json", false},  // lone or broken surrogate escape refused
    {"i_string_invalid_lonely_surrogate.json", false},  // lone or broken surrogate escape refused
    {"i_string_invalid_surrogate.json", false},  // lone or broken surrogate escape refused
    {"i_string_invalid_utf-8.json", false},  // invalid UTF-8 refused
    {"i_string_inverted_surrogates_U+1D11E.json", false},  // lone or broken surrogate escape refused
    {"i_string_iso_latin_1.json", false},  // invalid UTF-8 refused
    {"i_string_lone_second_surrogate.json", false},  // lone or broken surrogate escape refused
    {"i_string_lone_utf8_continuation_byte.json", false},  // invalid UTF-8 refused
    {"i_string_not_in_unicode_range.json", false},  // invalid UTF-8 refused
    {"i_string_overlong_sequence_2_bytes.json", false},  // invalid UTF-8 refused
    {"i_string_overlong_sequence_6_bytes.json", false},  // invalid UTF-8 refused
    {"i_string_overlong_sequence_6_bytes_null.json", false},  // invalid UTF-8 refused
    {"i_string_truncated-utf-8.json", false},  // invalid UTF-8 refused
    {"i_string_utf16BE_no_BOM.json", false},  // UTF-16 is not accepted
    {"i_string_utf16LE_no_BOM.json", false},  // UTF-16 is not accepted
    {"i_structure_500_nested_arrays.json", false},  // deeper than max_depth (256)
    {"i_structure_UTF-8_BOM_empty_object.json", false},  // a BOM is not JSON
};

}  // namespace

TEST_CASE("JSONTestSuite: y_ accepted, n_ refused, i_ as documented") {
  const fs::path dir = fs::path(MEDIAJOBS_JSON_TEST_SUITE_DIR) / "test_parsing";
  REQUIRE_MESSAGE(fs::is_directory(dir), "JSONTestSuite not found at " << dir.string());
  const auto files = files_in(dir);
  int y = 0, n = 0, i = 0;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    const std::string text = slurp(path);
    const auto r = json::read<json::value>(text);
    if (name.rfind("y_", 0) == 0) {
      ++y;
      CHECK_MESSAGE(r.has_value(), name << ": " << (r ? "" : r.error().message()));
    } else if (name.rfind("n_", 0) == 0) {
      ++n;
      CHECK_MESSAGE(!r.has_value(), name << " was accepted");
      if (!r) {
        CHECK(r.error().kind() == mediajobs::error_kind::decode);
        REQUIRE(r.error().byte_offset().has_value());
        CHECK(*r.error().byte_offset() <= text.size());
      }
    } else if (name.rfind("i_", 0) == 0) {
      ++i;
      const auto it = i_choices.find(name);
      REQUIRE_MESSAGE(it != i_choices.end(), name << " has no documented choice");
      CHECK_MESSAGE(r.has_value() == it->second, name);
    }
  }
  CHECK(y == 95);
  CHECK(n == 188);
  CHECK(i == static_cast<int>(i_choices.size()));
}

TEST_CASE("JSONTestSuite: accepted documents write back as they read") {
  const fs::path dir = fs::path(MEDIAJOBS_JSON_TEST_SUITE_DIR) / "test_parsing";
  REQUIRE(fs::is_directory(dir));
  int checked = 0;
  for (const auto& path : files_in(dir)) {
    const auto r = json::read<json::value>(slurp(path));
    if (!r) continue;
    const auto text = json::to_string(*r);
    REQUIRE_MESSAGE(text.has_value(), path.filename().string());
    const auto again = json::read<json::value>(*text);
    REQUIRE_MESSAGE(again.has_value(), path.filename().string() << ": " << *text);
    CHECK_MESSAGE(*again == *r, path.filename().string());
    CHECK(json::to_string(*again).value() == *text);
    ++checked;
  }
  CHECK(checked >= 95);
}

TEST_CASE("JSONTestSuite test_transform: chosen behaviour") {
  const fs::path dir = fs::path(MEDIAJOBS_JSON_TEST_SUITE_DIR) / "test_transform";
  REQUIRE_MESSAGE(fs::is_directory(dir), "JSONTestSuite test_transform not found at " << dir.string());
  const auto read_file = [&](const char* name) { return json::read<json::value>(slurp(dir / name)); };
  const auto written = [&](const char* name) {
    auto r = read_file(name);
    REQUIRE_MESSAGE(r.has_value(), name);
    return json::to_string(*r).value();
  };
  // Integers keep their exact value within int64/uint64; beyond, they become doubles.
  CHECK(written("number_-9223372036854775808.json") == "[-9223372036854775808]");
  CHECK(written("number_9223372036854775807.json") == "[9223372036854775807]");
  CHECK(written("number_9223372036854775808.json") == "[9223372036854775808]");
  CHECK(written("number_10000000000000000999.json") == "[10000000000000000999]");
  CHECK(read_file("number_-9223372036854775809.json")->at(0).is_double());
  // Doubles keep being doubles (1.0 stays 1.0), precision beyond a double is lost, underflow is 0.
  CHECK(written("number_1.0.json") == "[1.0]");
  CHECK(written("number_1.000000000000000005.json") == "[1.0]");
  CHECK(written("number_1e-999.json") == "[0.0]");
  CHECK(read_file("number_1e6.json")->at(0).as_double() == 1e6);
  // Duplicate keys are all kept, in order; lookups see the last one.
  CHECK(written("object_same_key_different_values.json") == R"({"a":1,"a":2})");
  CHECK(read_file("object_same_key_different_values.json")->operator[]("a").as_int64() == 2);
  // Keys are not Unicode-normalised: NFC and NFD spellings are different keys.
  CHECK(read_file("object_key_nfc_nfd.json")->size() == 2);
  // Invalid code points, escaped or raw, are refused; an escaped NUL is kept.
  CHECK_FALSE(read_file("string_1_escaped_invalid_codepoint.json").has_value());
  CHECK_FALSE(read_file("string_1_invalid_codepoint.json").has_value());
  CHECK(written("string_with_escaped_NULL.json") == "[\"A\\u0000B\"]");
  CHECK(read_file("string_with_escaped_NULL.json")->at(0).as_string() == std::string("A\0B", 3));
}
