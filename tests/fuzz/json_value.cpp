// Fuzz target: json::read<json::value> on arbitrary bytes.
// Invariants: an accepted document written back reads as an equal value and writes the same text
// again (a fixed point); a refused one is a decode error whose byte offset lies inside the input.
#include "fuzz_support.hpp"

#include <mediajobs/json/json.hpp>

#include <string>
#include <string_view>

namespace json = mediajobs::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  auto v = json::read<json::value>(text);
  if (!v) {
    MEDIAJOBS_FUZZ_CHECK(v.error().kind() == mediajobs::error_kind::decode);
    MEDIAJOBS_FUZZ_CHECK(!v.error().byte_offset() || *v.error().byte_offset() <= size);
    return 0;
  }
  auto once = json::to_string(*v);
  MEDIAJOBS_FUZZ_CHECK(once.has_value());  // whatever was read can be written
  auto again = json::read<json::value>(*once);
  MEDIAJOBS_FUZZ_CHECK(again.has_value());
  MEDIAJOBS_FUZZ_CHECK(*again == *v);
  auto twice = json::to_string(*again);
  MEDIAJOBS_FUZZ_CHECK(twice.has_value() && *twice == *once);
  return 0;
}
