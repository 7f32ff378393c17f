// mediajobs::timestamp and RFC 3339 text: parse and format any std::chrono::sys_time<D>.
//
// Reading is tolerant: `2024-12-01T12:00:00Z`, `t` or a space instead of `T`, `z` for `Z`,
// fractional seconds of any length (digits beyond D's precision are truncated), `+02:00` /
// `-05:30` offsets, and no offset at all (taken as UTC). A leap second (:60) is accepted and
// lands on the next second. Writing is strict: UTC with `Z`, and a fraction only when non-zero,
// without trailing zeros (`2024-12-01T12:00:00.25Z`). Years 0000-9999, after the offset is applied
// (a time outside them is refused when read).
//
// Thread-safety: stateless functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>

namespace mediajobs {

/// A point in time as the services send it, with microsecond precision.
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

namespace json {
namespace detail {

// Days since 1970-01-01 of a proleptic Gregorian date (the classic era-based algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr civil_date civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

constexpr bool digits(std::string_view s, std::size_t at, std::size_t n, unsigned& out) noexcept {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

}  // namespace detail

/// Parses RFC 3339 text (tolerant, see the header comment); nullopt when it is not a valid time.
template <class Duration = std::chrono::microseconds>
[[nodiscard]] constexpr std::optional<std::chrono::sys_time<Duration>> parse_rfc3339(std::string_view s) noexcept {
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!detail::digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !detail::digits(s, 5, 2, mo) || s[7] != '-' ||
      !detail::digits(s, 8, 2, d))
    return std::nullopt;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (!detail::digits(s, 11, 2, h) || s[13] != ':' || !detail::digits(s, 14, 2, mi) || s[16] != ':' ||
      !detail::digits(s, 17, 2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > detail::days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
    return std::nullopt;
  std::size_t i = 19;
  std::int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t first = i;
    std::int64_t scale = 100000000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      nanos += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == first) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      unsigned oh = 0, om = 0;
      if (!detail::digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !detail::digits(s, i + 4, 2, om) ||
          oh > 23 || om > 59)
        return std::nullopt;
      offset_s = (static_cast<std::int64_t>(oh) * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
      i += 6;
    } else {
      return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  const std::int64_t secs = detail::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset_s;
  // An offset or a leap second can push the UTC time out of 0000-9999, which format_rfc3339
  // could not write back: refused rather than silently changed on the way out.
  constexpr std::int64_t first_s = detail::days_from_civil(0, 1, 1) * 86400;
  constexpr std::int64_t end_s = detail::days_from_civil(10000, 1, 1) * 86400;
  if (secs < first_s || secs >= end_s) return std::nullopt;
  using namespace std::chrono;
  if constexpr (std::ratio_divide<typename Duration::period, std::micro>::den == 1) {
    // A whole number of microseconds: microsecond arithmetic covers the years 0000-9999 (the
    // nanosecond one overflows int64 outside 1677-2262).
    return floor<Duration>(sys_time<microseconds>(seconds(secs)) + microseconds(nanos / 1000));
  } else {
    constexpr std::int64_t max_ns_s = INT64_MAX / 1'000'000'000 - 1;
    if (secs > max_ns_s || secs < -max_ns_s) return std::nullopt;  // not representable at this precision
    return floor<Duration>(sys_time<nanoseconds>(seconds(secs)) + nanoseconds(nanos));
  }
}

/// Writes tp as RFC 3339 UTC text with `Z` (fraction only when non-zero) into buf, which must
/// hold 40 bytes; returns the length.
template <class Duration>
std::size_t format_rfc3339(char* buf, std::chrono::sys_time<Duration> tp) noexcept {
  using namespace std::chrono;
  const auto day = floor<days>(tp);
  const detail::civil_date cd = detail::civil_from_days(day.time_since_epoch().count());
  const auto in_day = duration_cast<nanoseconds>(tp - day);
  const std::int64_t total_ns = in_day.count();
  const std::int64_t secs = total_ns / 1000000000;
  std::int64_t frac = total_ns % 1000000000;
  std::size_t n = 0;
  const auto put = [&](std::int64_t v, int width) {
    for (int k = width - 1; k >= 0; --k) {
      buf[n + static_cast<std::size_t>(k)] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    n += static_cast<std::size_t>(width);
  };
  const std::int64_t year = cd.year < 0 ? 0 : (cd.year > 9999 ? 9999 : cd.year);
  put(year, 4);
  buf[n++] = '-';
  put(cd.month, 2);
  buf[n++] = '-';
  put(cd.day, 2);
  buf[n++] = 'T';
  put(secs / 3600, 2);
  buf[n++] = ':';
  put(secs / 60 % 60, 2);
  buf[n++] = ':';
  put(secs % 60, 2);
  if (frac != 0) {
    int width = 9;
    while (frac % 10 == 0) {
      frac /= 10;
      --width;
    }
    buf[n++] = '.';
    put(frac, width);
  }
  buf[n++] = 'Z';
  return n;
}

/// Appends tp as RFC 3339 UTC text with `Z` (fraction only when non-zero).
template <class Duration>
void append_rfc3339(std::string& out, std::chrono::sys_time<Duration> tp) {
  char buf[40];
  out.append(buf, format_rfc3339(buf, tp));
}

}  // namespace json
}  // namespace mediajobs
