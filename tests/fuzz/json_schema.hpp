// The body of the schema fuzz targets: read arbitrary bytes as a reflected struct T.
// Invariants: an accepted document writes back to a text that reads again and writes the very
// same text (a fixed point, so no member is lost or changed by a round trip); a refused one is a
// decode error whose byte offset lies inside the input. `same(first, again)` compares what a
// plain text comparison cannot see (a value changed by the first write, e.g. a timestamp).
//
// Thread-safety: stateless (libFuzzer calls it from one thread).
#pragma once

#include "fuzz_support.hpp"

#include <mediajobs/json/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mediajobs_fuzz {

template <class T, class Same>
int read_schema(const std::uint8_t* data, std::size_t size, Same same) {
  namespace json = mediajobs::json;
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  auto v = json::read<T>(text);
  if (!v) {
    MEDIAJOBS_FUZZ_CHECK(v.error().kind() == mediajobs::error_kind::decode);
    MEDIAJOBS_FUZZ_CHECK(!v.error().byte_offset() || *v.error().byte_offset() <= size);
    return 0;
  }
  auto once = json::to_string(*v);
  MEDIAJOBS_FUZZ_CHECK(once.has_value());
  auto again = json::read<T>(*once);
  MEDIAJOBS_FUZZ_CHECK(again.has_value());
  MEDIAJOBS_FUZZ_CHECK(same(*v, *again));
  auto twice = json::to_string(*again);
  MEDIAJOBS_FUZZ_CHECK(twice.has_value() && *twice == *once);
  return 0;
}

}  // namespace mediajobs_fuzz
