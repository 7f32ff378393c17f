// Helpers shared by the schema round-trip tests: read/write that stop the test case on failure,
// and a whitespace-insensitive form of a JSON text for comparing with the docs' examples.
#pragma once

#include <mediajobs/json/json.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>

namespace schema_test {

/// The JSON text without whitespace outside strings (escapes inside strings are kept as-is).
inline std::string minify(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  bool in_string = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < in.size()) {
        out += in[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out += c;
    }
  }
  return out;
}

// Reads in place (json::read(text, out)): GCC 12 -O3 reports a false -Wfree-nonheap-object
// in ~result<T>() after moving the value out of a result<techforge::create_request>.
template <class T>
T read_ok(std::string_view text) {
  T out{};
  auto r = mediajobs::json::read(text, out);
  if (!r) FAIL_CHECK(r.error().message());
  REQUIRE(r.has_value());
  return out;
}

template <class T>
std::string write_ok(const T& value) {
  auto r = mediajobs::json::to_string(value);
  if (!r) FAIL_CHECK(r.error().message());
  REQUIRE(r.has_value());
  return std::move(*r);
}

/// Reads `text` as T and writes it back.
template <class T>
std::string round_trip(std::string_view text) {
  return write_ok(read_ok<T>(text));
}

/// The decode error reading `text` as T (the test stops when it decodes).
template <class T>
mediajobs::error read_error(std::string_view text) {
  auto r = mediajobs::json::read<T>(text);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind() == mediajobs::error_kind::decode);
  return r.error();
}

}  // namespace schema_test
