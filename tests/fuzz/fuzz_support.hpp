// Shared helpers of the libFuzzer targets: an invariant check that crashes (so that libFuzzer
// keeps the input), and a deterministic way to cut an input into pieces chosen by its own bytes.
//
// Thread-safety: none needed (libFuzzer calls a target from one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

/// Invariants beyond "no crash": a violation aborts with a message, and libFuzzer saves the input.
#define MEDIAJOBS_FUZZ_CHECK(cond)                                                            \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace mediajobs_fuzz {

/// Cuts `data` into pieces of 1..max_piece bytes, the sizes drawn from a small xorshift generator
/// seeded by `seed`: the same input always gives the same split.
inline std::vector<std::string_view> split(std::string_view data, std::uint32_t seed, std::size_t max_piece) {
  std::vector<std::string_view> pieces;
  std::uint32_t x = seed | 1u;
  if (max_piece == 0) max_piece = 1;
  while (!data.empty()) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    std::size_t n = 1 + x % max_piece;
    if (n > data.size()) n = data.size();
    pieces.push_back(data.substr(0, n));
    data.remove_prefix(n);
  }
  return pieces;
}

/// Splits `data` at each `sep` byte into at most `n` fields (the last takes the rest).
inline std::vector<std::string_view> fields(std::string_view data, char sep, std::size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const std::size_t at = data.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(data.substr(0, at));
    data.remove_prefix(at + 1);
  }
  out.push_back(data);
  while (out.size() < n) out.emplace_back();
  return out;
}

}  // namespace mediajobs_fuzz
