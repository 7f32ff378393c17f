// mediajobs::api::uuid_v4: a random UUID (RFC 9562 version 4) in its canonical text form,
// e.g. for idempotency keys. The 128 random bits come from the caller (a retry_policy's
// random source), so tests can make them deterministic.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string>

namespace mediajobs::api {

/// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` (lowercase hex; version 4, variant 10xx) from the
/// bits of `hi` and `lo` (6 of them are overwritten by the version and variant).
[[nodiscard]] inline std::string uuid_v4(std::uint64_t hi, std::uint64_t lo) {
  hi = (hi & ~std::uint64_t{0xF000}) | std::uint64_t{0x4000};                   // version 4
  lo = (lo & ~(std::uint64_t{0xC} << 60)) | (std::uint64_t{0x8} << 60);         // variant 10xx
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t pos = 0;
  const auto put = [&](std::uint64_t v, int nibbles) {
    for (int k = nibbles - 1; k >= 0; --k) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[pos++] = hex[(v >> (4 * k)) & 0xF];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return out;
}

}  // namespace mediajobs::api
