// The JSON codec: read JSON text straight into reflected structs (no DOM on the way) and write
// them back. One include for the whole codec (read, write, options, json::value, timestamps).
//
//   auto job = json::read<ugen::job>(body);            // result<ugen::job>
//   if (!job) log(job.error().message());              // decode error at $.segments[2].status (byte 418): ...
//   std::string out; auto ok = json::write(*job, out);  // appends; result<void>
//
// Supported: bool; every integer type (range-checked); float/double (shortest round trip; NaN and
// infinity cannot be written); std::string; std::string_view (write only); std::optional (null
// reads as empty, empty is omitted from objects on write); std::vector; std::array (exactly N
// elements); std::map / std::unordered_map with std::string keys; enums (as strings, see
// reflect/enum.hpp); open_enum; std::chrono::sys_time<D> (RFC 3339, see json/timestamp.hpp);
// json::value; json::unknown_fields; std::variant; std::monostate / std::nullptr_t (null); and
// aggregates of those (see reflect/reflect.hpp for the keys and their customisation).
//
// Structs: keys may come in any order; for a duplicate key the last value wins. A missing key is
// an error ("missing key 'status'") unless the member is a std::optional or the type declares
// `static constexpr bool json_defaults = true;` (a missing key then keeps the member's value).
// Unknown keys go to the json::unknown_fields member if there is one, else are skipped (validated
// as strictly as the rest), or are an error when options::error_on_unknown_keys is set.
//
// std::variant<A, B, ...>: the alternative is chosen by the JSON kind (string, number, boolean,
// null, array, object): the first alternative that accepts that kind. A number without fraction or
// exponent prefers an integer alternative, any other number a floating one. Among several struct
// alternatives for an object, the first all of whose required keys (non-optional, when the struct
// has no json_defaults) are present wins; if none qualifies, a map or json::value alternative
// takes it, else the first struct alternative (whose error then names the missing key).
//
// Strict RFC 8259: one value and nothing but whitespace after it; no leading zeros; no control
// characters in strings; UTF-8 validated (overlong forms, UTF-8-encoded surrogates, truncated
// sequences and code points above U+10FFFF are refused); escapes checked; a \u escape of a lone
// surrogate (e.g. "\uD800" alone) is refused, a surrogate pair is decoded. Nesting is bounded by
// options::max_depth for structs, json::value and skipped values alike (the reader recurses once
// per level, so keep max_depth modest). Numbers: an integer target refuses fractions and exponents;
// a double accepts any JSON number, underflow gives 0 and overflow is an error.
//
// Errors are mediajobs::error of kind decode with the JSON path (`$.segments[2].status`), the
// byte offset of the offending token and a detail ("expected string, got number"). Writing fails
// (kind validation, the path in error::field()) only on NaN/infinity, a string that is not valid
// UTF-8, or an enum value that has no name.
//
// Speed: no DOM on the way in or out; keys are matched against compile-time wire keys without
// allocating (the member after the last match is tried first, as raw `"key":` bytes, before the
// key is even parsed); a variant's struct alternative is picked by a key scan that allocates
// nothing and stops as soon as the first struct alternative qualifies; strings are scanned 16
// bytes at a time; short decimal numbers skip std::from_chars (exact by construction), and
// integral or short decimal doubles skip std::to_chars (same text, see integral_double and
// short_decimal_double); the writer appends through raw pointers into the caller's buffer (one
// room check per string, precomputed `"key":` prefixes copied as fixed 16-byte blocks).
//
// Thread-safety: read and write are reentrant; they share no state.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/json/timestamp.hpp>
#include <mediajobs/json/value.hpp>
#include <mediajobs/reflect/enum.hpp>
#include <mediajobs/reflect/reflect.hpp>

#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Hot one-liners of the writer must inline even in big callers (GCC otherwise keeps `put` out of
// line in the struct writers, a call per character).
#if defined(__GNUC__)
#define MEDIAJOBS_JSON_INLINE __attribute__((always_inline)) inline
#define MEDIAJOBS_JSON_COLD __attribute__((noinline, cold))
#else
#define MEDIAJOBS_JSON_INLINE inline
#define MEDIAJOBS_JSON_COLD
#endif

namespace mediajobs::json {

/// Reading options.
struct options {
  /// A key the target struct does not know is an error ("unknown key 'foo'") instead of being
  /// skipped (or kept in a json::unknown_fields member).
  bool error_on_unknown_keys = false;
  /// Deepest nesting of arrays and objects accepted ("nesting deeper than 256").
  std::size_t max_depth = 256;
};

namespace detail {

// --- type traits ---------------------------------------------------------------------------------
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

template <class T>
inline constexpr bool is_vector = false;
template <class T, class A>
inline constexpr bool is_vector<std::vector<T, A>> = true;

template <class T>
inline constexpr bool is_std_array = false;
template <class T, std::size_t N>
inline constexpr bool is_std_array<std::array<T, N>> = true;

template <class T>
inline constexpr bool is_string_map = false;
template <class V, class C, class A>
inline constexpr bool is_string_map<std::map<std::string, V, C, A>> = true;
template <class V, class H, class E, class A>
inline constexpr bool is_string_map<std::unordered_map<std::string, V, H, E, A>> = true;

template <class T>
inline constexpr bool is_variant = false;
template <class... A>
inline constexpr bool is_variant<std::variant<A...>> = true;

template <class T>
inline constexpr bool is_open_enum = false;
template <class E>
inline constexpr bool is_open_enum<open_enum<E>> = true;

template <class T>
inline constexpr bool is_sys_time = false;
template <class D>
inline constexpr bool is_sys_time<std::chrono::sys_time<D>> = true;

template <class T>
inline constexpr bool is_null_like = std::is_same_v<T, std::monostate> || std::is_same_v<T, std::nullptr_t>;

template <class T>
inline constexpr bool is_integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// A struct the codec reflects (the library's own class types are handled before this).
template <class T>
inline constexpr bool is_struct =
    reflect::aggregate<T> && !is_std_array<T> && !is_null_like<T> && !std::is_same_v<T, unknown_fields>;

template <class T>
constexpr std::size_t unknown_fields_index() noexcept {
  std::size_t found = static_cast<std::size_t>(-1);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((std::is_same_v<reflect::field_type<T, I>, unknown_fields> ? (found = I, 0) : 0), ...);
  }(std::make_index_sequence<reflect::field_count<T>>{});
  return found;
}

template <class T>
constexpr bool has_defaults() noexcept {
  if constexpr (requires { T::json_defaults; })
    return static_cast<bool>(T::json_defaults);
  else
    return false;
}

// Members that must be present when reading T.
template <class T>
constexpr auto required_fields() noexcept {
  std::array<bool, reflect::field_count<T>> out{};
  if constexpr (!has_defaults<T>()) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out[I] = !is_optional<reflect::field_type<T, I>> &&
                 !std::is_same_v<reflect::field_type<T, I>, unknown_fields>),
       ...);
    }(std::make_index_sequence<reflect::field_count<T>>{});
  }
  return out;
}

template <std::size_t N>
constexpr bool any_true(const std::array<bool, N>& a) noexcept {
  for (bool b : a)
    if (b) return true;
  return false;
}

template <class T>
constexpr std::string_view integer_name() noexcept {
  constexpr bool s = std::is_signed_v<T>;
  switch (sizeof(T)) {
    case 1: return s ? "int8" : "uint8";
    case 2: return s ? "int16" : "uint16";
    case 4: return s ? "int32" : "uint32";
    default: return s ? "int64" : "uint64";
  }
}

// The JSON kind a value starting with c has (for messages and variants).
enum class token_kind : unsigned char { string, number, boolean, null, array, object, invalid, end };

constexpr token_kind kind_of_slow(char c) noexcept {
  switch (c) {
    case '"': return token_kind::string;
    case '{': return token_kind::object;
    case '[': return token_kind::array;
    case 't':
    case 'f': return token_kind::boolean;
    case 'n': return token_kind::null;
    case '-': return token_kind::number;
    default: return c >= '0' && c <= '9' ? token_kind::number : token_kind::invalid;
  }
}

inline constexpr auto kind_table = [] {
  std::array<token_kind, 256> t{};
  for (std::size_t i = 0; i < 256; ++i) t[i] = kind_of_slow(static_cast<char>(static_cast<unsigned char>(i)));
  return t;
}();

constexpr token_kind kind_of(char c) noexcept { return kind_table[static_cast<unsigned char>(c)]; }

constexpr std::string_view kind_name(token_kind k) noexcept {
  switch (k) {
    case token_kind::string: return "string";
    case token_kind::number: return "number";
    case token_kind::boolean: return "boolean";
    case token_kind::null: return "null";
    case token_kind::array: return "array";
    case token_kind::object: return "object";
    case token_kind::end: return "end of input";
    case token_kind::invalid: break;
  }
  return "invalid token";
}

// Does a value of type T accept a JSON value of kind k (used to pick a variant alternative)?
template <class T>
constexpr bool accepts(token_kind k) noexcept {
  if constexpr (std::is_same_v<T, value>) {
    return true;
  } else if constexpr (is_optional<T>) {
    return k == token_kind::null || accepts<typename T::value_type>(k);
  } else if constexpr (is_null_like<T>) {
    return k == token_kind::null;
  } else if constexpr (std::is_same_v<T, bool>) {
    return k == token_kind::boolean;
  } else if constexpr (std::is_arithmetic_v<T>) {
    return k == token_kind::number;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_enum_v<T> || is_open_enum<T> || is_sys_time<T>) {
    return k == token_kind::string;
  } else if constexpr (is_vector<T> || is_std_array<T>) {
    return k == token_kind::array;
  } else if constexpr (is_string_map<T> || std::is_same_v<T, unknown_fields> || is_struct<T>) {
    return k == token_kind::object;
  } else {
    return false;
  }
}

inline void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

// Any byte that needs attention in a string: '"', '\\', < 0x20 or >= 0x80 (SWAR over 8 bytes).
inline bool has_special_byte(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t high = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & high; };
  return ((has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\')) | ((w - ones * 0x20) & ~w) | w) & high) != 0;
}

// The first byte in [p, end) that needs attention in a string (see has_special_byte), or end.
// 16 bytes at a time with SSE2 (one signed compare catches both < 0x20 and >= 0x80).
inline const char* find_special(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if (has_special_byte(w)) break;
    p += 8;
  }
  while (p != end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
    ++p;
  }
  return end;
}

// Length of the valid UTF-8 sequence at p (first byte >= 0x80), or 0 when invalid/truncated.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned char c = p[0];
  const auto avail = static_cast<std::size_t>(end - p);
  const auto cont = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < avail && p[i] >= lo && p[i] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no UTF-8-encoded surrogates
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;  // <= U+10FFFF
  return 0;
}

// Short-string equality without a memcmp call (keys are short).
inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  std::size_t n = a.size();
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    std::uint64_t u, v;
    std::memcpy(&u, x, 8);
    std::memcpy(&v, y, 8);
    if (u != v) return false;
  }
  for (; n != 0; --n)
    if (*x++ != *y++) return false;
  return true;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// An integral double below 2^53 in magnitude written exactly as std::to_chars(d) plus ".0" would
// write it (its digits are then the shortest round trip), into out (20 bytes); returns the length,
// or 0 when d is not such a value or to_chars would pick exponent notation (1e+05): the caller
// then takes the general path. Keeps the output text identical while skipping the Ryu search.
inline std::size_t integral_double(char* out, double d) noexcept {
  if (!(d > -9007199254740992.0 && d < 9007199254740992.0)) return 0;
  const auto i = static_cast<std::int64_t>(d);
  if (static_cast<double>(i) != d) return 0;
  std::uint64_t v = i < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i);
  char buf[20];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  const auto k = static_cast<std::size_t>(buf + sizeof buf - p);
  std::size_t zeros = 0;
  while (zeros + 1 < k && p[k - 1 - zeros] == '0') ++zeros;
  // to_chars picks the shorter of fixed (k digits) and exponent notation (the significant digits,
  // a '.' when more than one, "e+NN"), fixed on a tie.
  const std::size_t significant = k - zeros;
  if (k > significant + (significant > 1 ? 1 : 0) + 4) return 0;
  char* o = out;
  if (std::signbit(d)) *o++ = '-';  // also -0.0, which to_chars writes "-0"
  std::memcpy(o, p, k);
  o += k;
  o[0] = '.';
  o[1] = '0';
  return static_cast<std::size_t>(o + 2 - out);
}

// Wire keys are written without escaping: make sure none needs it.
template <class T>
constexpr bool keys_need_no_escape() noexcept {
  for (std::string_view k : reflect::wire_keys<T>)
    for (char c : k)
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

// Every wire key is printable ASCII without '"' or '\\': then input bytes equal to `"key":` are
// that key, valid and unescaped, and the reader may match them raw.
template <class T>
constexpr bool keys_plain_ascii() noexcept {
  for (std::string_view k : reflect::wire_keys<T>)
    for (char c : k)
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F)
        return false;
  return true;
}

// `"key":` for every member of T, built at compile time so a member's key is one copy.
template <class T>
constexpr auto make_key_prefixes() noexcept {
  constexpr std::size_t n = reflect::field_count<T>;
  constexpr std::size_t chars = [] {
    std::size_t total = 0;
    for (std::string_view k : reflect::wire_keys<T>) total += k.size() + 3;
    return total;
  }();
  // 16 spare bytes: a prefix of up to 16 bytes is copied as one fixed 16-byte block.
  reflect::detail::name_table<n, chars + 16> table{};
  std::size_t at = 0;
  for (std::size_t i = 0; i < n; ++i) {
    table.offsets[i] = at;
    table.chars[at++] = '"';
    for (char c : reflect::wire_keys<T>[i]) table.chars[at++] = c;
    table.chars[at++] = '"';
    table.chars[at++] = ':';
  }
  table.offsets[n] = at;
  return table;
}

template <class T>
inline constexpr auto key_prefixes = make_key_prefixes<T>();

// A non-integral double with few decimals (0.4918, 29.97, -14.2) written exactly as
// std::to_chars(d) writes it (shortest round trip, fixed notation), into out (32 bytes); returns
// the length, or 0 to take the general path. For k = 1, 2, ... decimals, m = round(|d| * 10^k) is
// the only candidate (|d| * 10^k < 2^50 keeps the product's error and the round-trip interval
// both far below 1/2), and m / 10^k == |d| (both exact, so one correctly rounded division) proves
// that "m e-k" reads back as d: the first such k gives the shortest digits, and the nearest ones,
// as to_chars does. Powers of two (a lopsided round-trip interval) and values for which to_chars
// would choose exponent notation go the general way.
inline std::size_t short_decimal_double(char* out, double d) noexcept {
  static constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  const double a = std::fabs(d);
  if (!(a >= 1e-5 && a < 1e9)) return 0;
  std::uint64_t bits;
  std::memcpy(&bits, &a, sizeof bits);
  if ((bits & ((std::uint64_t{1} << 52) - 1)) == 0 || std::nearbyint(a) == a) return 0;  // integral: not here
  for (std::size_t k = 1; k < std::size(pow10); ++k) {
    const double x = a * pow10[k];
    if (x >= 1125899906842624.0) return 0;  // 2^50
    const double r = std::nearbyint(x);
    if (r / pow10[k] != a) continue;
    // m has k decimals: the integer part, then the fraction zero-padded to k digits.
    auto m = static_cast<std::uint64_t>(r);
    char digits[24];
    char* p = digits + sizeof digits;
    std::size_t n = 0;
    do {
      *--p = static_cast<char>('0' + m % 10);
      m /= 10;
      ++n;
    } while (m != 0);
    while (n < k + 1) {  // at least one integer digit ("0.05")
      *--p = '0';
      ++n;
    }
    // Fixed is "I.F" (n + 1 chars); exponent notation is the significant digits with a '.' when
    // more than one, and "e-NN" / "e+NN": to_chars takes the shorter, fixed on a tie.
    std::size_t lead = 0;
    while (lead + 1 < n && p[lead] == '0') ++lead;
    const std::size_t significant = n - lead;
    if (n + 1 > significant + (significant > 1 ? 1 : 0) + 4) return 0;
    char* o = out;
    if (std::signbit(d)) *o++ = '-';
    const std::size_t int_digits = n - k;
    std::memcpy(o, p, int_digits);
    o += int_digits;
    *o++ = '.';
    std::memcpy(o, p + int_digits, k);
    o += k;
    return static_cast<std::size_t>(o - out);
  }
  return 0;
}

// --- reader ----------------------------------------------------------------------------------------
// Every read function returns false on error, after recording the detail and byte offset; callers
// add their path segment on the way out (so paths cost nothing on success).
class reader {
 public:
  reader(std::string_view in, const options& opt) noexcept
      : begin_(in.data()), p_(in.data()), end_(in.data() + in.size()), opt_(opt) {}

  template <class T>
  bool read_document(T& out) {
    skip_ws();
    if (!read(out)) return false;
    skip_ws();
    if (p_ != end_) return fail("trailing characters after the JSON value");
    return true;
  }

  [[nodiscard]] error take_error() {
    std::string path = "$";
    for (auto it = path_rev_.rbegin(); it != path_rev_.rend(); ++it) path += *it;
    return decode_error(std::move(path), err_offset_, std::move(err_detail_));
  }

  // --- dispatch --------------------------------------------------------------------------------
  template <class T>
  bool read(T& out) {
    if constexpr (std::is_same_v<T, value>) {
      return read_dom(out);
    } else if constexpr (std::is_same_v<T, bool>) {
      return read_bool(out);
    } else if constexpr (is_integer<T>) {
      return read_integer(out);
    } else if constexpr (std::is_floating_point_v<T>) {
      return read_floating(out);
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!expect_kind(token_kind::string)) return false;
      return read_string_into(out);
    } else if constexpr (std::is_enum_v<T>) {
      return read_enum(out);
    } else if constexpr (is_open_enum<T>) {
      std::string_view s;
      if (!expect_kind(token_kind::string) || !parse_string(s)) return false;
      out = T(s);
      return true;
    } else if constexpr (is_sys_time<T>) {
      return read_time(out);
    } else if constexpr (is_null_like<T>) {
      if (!expect_kind(token_kind::null)) return false;
      return literal("null");
    } else if constexpr (is_optional<T>) {
      if (p_ != end_ && *p_ == 'n') {
        out.reset();
        return literal("null");
      }
      if (!out) out.emplace();
      return read(*out);
    } else if constexpr (is_vector<T>) {
      return read_vector(out);
    } else if constexpr (is_std_array<T>) {
      return read_std_array(out);
    } else if constexpr (is_string_map<T>) {
      return read_map(out);
    } else if constexpr (std::is_same_v<T, unknown_fields>) {
      return read_unknown_fields_object(out);
    } else if constexpr (is_variant<T>) {
      return read_variant(out);
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      static_assert(!std::is_same_v<T, T>, "mediajobs::json: std::string_view can be written, not read");
    } else if constexpr (is_struct<T>) {
      return read_struct(out);
    } else {
      static_assert(!std::is_same_v<T, T>, "mediajobs::json: this type cannot be read from JSON");
    }
    return false;
  }

 private:
  // --- errors -----------------------------------------------------------------------------------
  bool fail_at(const char* at, std::string detail) {
    err_offset_ = static_cast<std::size_t>(at - begin_);
    err_detail_ = std::move(detail);
    return false;
  }
  bool fail(std::string detail) { return fail_at(p_, std::move(detail)); }
  void push_key(std::string_view key) {
    std::string seg;
    seg.reserve(key.size() + 1);
    seg += '.';
    seg += key;
    path_rev_.push_back(std::move(seg));
  }
  void push_index(std::size_t i) {
    std::string seg = "[";
    append_uint(seg, i);
    seg += ']';
    path_rev_.push_back(std::move(seg));
  }

  [[nodiscard]] token_kind peek_kind() const noexcept { return p_ == end_ ? token_kind::end : kind_of(*p_); }

  bool expect_kind(token_kind want) {
    if (MEDIAJOBS_LIKELY(p_ != end_ && kind_of(*p_) == want)) return true;
    return kind_mismatch(want);
  }

  // The cold half of expect_kind, kept out of line so the check itself inlines.
#if defined(__GNUC__)
  __attribute__((noinline, cold))
#endif
  bool kind_mismatch(token_kind want) {
    const token_kind got = peek_kind();
    if (got == token_kind::invalid || got == token_kind::end) return fail_unexpected();
    std::string d = "expected ";
    d += kind_name(want);
    d += ", got ";
    d += kind_name(got);
    return fail(std::move(d));
  }

  bool fail_unexpected() {
    if (p_ == end_) return fail("unexpected end of input");
    const auto c = static_cast<unsigned char>(*p_);
    std::string d = "unexpected character ";
    if (c >= 0x20 && c < 0x7F) {
      d += '\'';
      d += static_cast<char>(c);
      d += '\'';
    } else {
      constexpr char hex[] = "0123456789abcdef";
      d += "0x";
      d += hex[c >> 4];
      d += hex[c & 15];
    }
    return fail(std::move(d));
  }

  // --- lexing -----------------------------------------------------------------------------------
  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) >= word.size() && std::memcmp(p_, word.data(), word.size()) == 0) {
      p_ += word.size();
      return true;
    }
    return fail_unexpected();
  }

  bool enter() {
    if (MEDIAJOBS_UNLIKELY(++depth_ > opt_.max_depth)) {
      std::string d = "nesting deeper than ";
      append_uint(d, opt_.max_depth);
      return fail(std::move(d));
    }
    return true;
  }
  void leave() noexcept { --depth_; }

  // After a member or element: ',' (true, more) or the closer (true, done); false on error.
  bool next_or_close(char closer, bool& more) {
    skip_ws();
    if (p_ != end_ && *p_ == ',') {
      ++p_;
      skip_ws();
      more = true;
      return true;
    }
    if (p_ != end_ && *p_ == closer) {
      ++p_;
      more = false;
      return true;
    }
    if (p_ == end_) return fail("unexpected end of input");
    return fail(closer == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
  }

  // p_ at '"'. On success `view` is the decoded string: a slice of the input when it has no
  // escape, else scratch_ (valid until the next string is parsed).
  bool parse_string(std::string_view& view) {
    const char* start = ++p_;
    for (;;) {
      p_ = find_special(p_, end_);
      if (MEDIAJOBS_UNLIKELY(p_ == end_)) return fail_at(start - 1, "unterminated string");
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        view = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') break;
      if (!plain_byte(c)) return false;
    }
    scratch_.assign(start, p_);
    if (!decode_rest(scratch_)) return false;
    view = scratch_;
    return true;
  }

  // One byte (or UTF-8 sequence) that is not '"' or '\\': checks it and advances.
  bool plain_byte(unsigned char c) {
    if (c < 0x20) return fail("control character in string");
    if (c < 0x80) {
      ++p_;
      return true;
    }
    const std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p_), reinterpret_cast<const unsigned char*>(end_));
    if (n == 0) return fail("invalid UTF-8");
    p_ += n;
    return true;
  }

  // Decodes from p_ (inside a string, after the part already in out) to the closing quote.
  bool decode_rest(std::string& out) {
    for (;;) {
      const char* run = p_;
      for (;;) {
        p_ = find_special(p_, end_);
        if (p_ == end_) return fail("unterminated string");
        const auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\') break;
        if (!plain_byte(c)) return false;
      }
      out.append(run, p_);
      if (*p_ == '"') {
        ++p_;
        return true;
      }
      if (!escape(out)) return false;
    }
  }

  bool hex4(std::uint32_t& cp) {
    if (end_ - p_ < 4) return fail("invalid escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = p_[i];
      std::uint32_t d;
      if (c >= '0' && c <= '9')
        d = static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return fail("invalid escape");
      cp = cp << 4 | d;
    }
    p_ += 4;
    return true;
  }

  // p_ at '\\'.
  bool escape(std::string& out) {
    const char* at = p_;
    ++p_;
    if (p_ == end_) return fail_at(at, "invalid escape");
    const char c = *p_++;
    switch (c) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return fail_at(at, "invalid escape");
    }
    std::uint32_t cp = 0;
    if (!hex4(cp)) return fail_at(at, "invalid escape");
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail_at(at, "lone surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t lo = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return fail_at(at, "lone surrogate in \\u escape");
      p_ += 2;
      if (!hex4(lo)) return fail_at(at, "invalid escape");
      if (lo < 0xDC00 || lo > 0xDFFF) return fail_at(at, "lone surrogate in \\u escape");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    append_utf8(out, cp);
    return true;
  }

  bool read_string_into(std::string& out) {
    const char* start = p_ + 1;
    // Decode straight into out when there are escapes, to save a copy.
    ++p_;
    for (;;) {
      p_ = find_special(p_, end_);
      if (p_ == end_) return fail_at(start - 1, "unterminated string");
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out.assign(start, p_);
        ++p_;
        return true;
      }
      if (c == '\\') break;
      if (!plain_byte(c)) return false;
    }
    out.assign(start, p_);
    return decode_rest(out);
  }

  // --- numbers ----------------------------------------------------------------------------------
  struct number_token {
    const char* begin;
    const char* end;
    std::uint64_t magnitude;  // of the integer part, when is_integer && !overflow
    std::uint64_t mantissa;   // all digits without the dot, when fast (for the double fast path)
    int exponent10;           // value = mantissa * 10^exponent10, when fast
    bool negative;
    bool is_integer;
    bool overflow;
    bool negative_exponent;
    bool fast;  // mantissa <= 2^53 and |exponent10| <= 22: the double is exact without from_chars
  };

  bool scan_number(number_token& t) {
    t = {p_, p_, 0, 0, 0, false, true, false, false, true};
    const char* p = p_;
    constexpr std::uint64_t exact = std::uint64_t{1} << 53;
    if (p != end_ && *p == '-') {
      t.negative = true;
      ++p;
    }
    if (p == end_ || *p < '0' || *p > '9') return fail_at(t.begin, "invalid number");
    if (*p == '0') {
      ++p;
      if (p != end_ && *p >= '0' && *p <= '9') return fail_at(t.begin, "leading zeros are not allowed");
    } else {
      std::uint64_t m = 0;
      const char* first = p;
      // 19 digits always fit in a uint64; only longer numbers need the overflow check.
      while (p != end_ && *p >= '0' && *p <= '9' && p - first < 19) {
        m = m * 10 + static_cast<std::uint64_t>(*p - '0');
        ++p;
      }
      while (p != end_ && *p >= '0' && *p <= '9') {
        const auto d = static_cast<std::uint64_t>(*p - '0');
        if (m > (std::numeric_limits<std::uint64_t>::max() - d) / 10) t.overflow = true;
        m = m * 10 + d;
        ++p;
      }
      t.magnitude = m;
      t.fast = !t.overflow && m <= exact;
      t.mantissa = m;
    }
    if (p != end_ && *p == '.') {
      t.is_integer = false;
      ++p;
      if (p == end_ || *p < '0' || *p > '9') return fail_at(p, "invalid number");
      while (p != end_ && *p >= '0' && *p <= '9') {
        if (t.fast) {
          t.mantissa = t.mantissa * 10 + static_cast<std::uint64_t>(*p - '0');
          --t.exponent10;
          t.fast = t.mantissa <= exact;
        }
        ++p;
      }
    }
    if (p != end_ && (*p == 'e' || *p == 'E')) {
      t.is_integer = false;
      ++p;
      if (p != end_ && (*p == '+' || *p == '-')) {
        t.negative_exponent = *p == '-';
        ++p;
      }
      if (p == end_ || *p < '0' || *p > '9') return fail_at(p, "invalid number");
      int e = 0;
      while (p != end_ && *p >= '0' && *p <= '9') {
        if (e < 10000) e = e * 10 + (*p - '0');
        ++p;
      }
      t.exponent10 += t.negative_exponent ? -e : e;
    }
    t.fast = t.fast && t.exponent10 >= -22 && t.exponent10 <= 22;
    t.end = p;
    p_ = p;
    return true;
  }

  bool number_to_double(const number_token& t, double& out) {
    if (t.fast) {
      // Exact mantissa times an exact power of ten: one correctly rounded operation (Clinger).
      static constexpr double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
      double d = static_cast<double>(t.mantissa);
      if (t.exponent10 < 0)
        d /= pow10[-t.exponent10];
      else
        d *= pow10[t.exponent10];
      out = t.negative ? -d : d;
      return true;
    }
    double d = 0;
    const auto r = std::from_chars(t.begin, t.end, d, std::chars_format::general);
    if (r.ec == std::errc::result_out_of_range) {
      if (!t.negative_exponent) return fail_at(t.begin, "number out of range for double");
      d = t.negative ? -0.0 : 0.0;  // underflow
    } else if (r.ec != std::errc{} || r.ptr != t.end) {
      return fail_at(t.begin, "invalid number");
    }
    out = d;
    return true;
  }

  template <class T>
  bool read_integer(T& out) {
    if (!expect_kind(token_kind::number)) return false;
    number_token t;
    if (!scan_number(t)) return false;
    if (!t.is_integer) return fail_at(t.begin, "expected integer, got number with fraction or exponent");
    const auto out_of_range = [&] {
      std::string d = "integer out of range for ";
      d += integer_name<T>();
      return fail_at(t.begin, std::move(d));
    };
    if (t.overflow) return out_of_range();
    if constexpr (std::is_signed_v<T>) {
      const auto max = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
      if (t.negative) {
        if (t.magnitude > max + 1) return out_of_range();
        out = t.magnitude == max + 1 ? std::numeric_limits<T>::min() : static_cast<T>(-static_cast<T>(t.magnitude));
      } else {
        if (t.magnitude > max) return out_of_range();
        out = static_cast<T>(t.magnitude);
      }
    } else {
      if ((t.negative && t.magnitude != 0) || t.magnitude > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
        return out_of_range();
      out = static_cast<T>(t.magnitude);
    }
    return true;
  }

  template <class T>
  bool read_floating(T& out) {
    if (!expect_kind(token_kind::number)) return false;
    number_token t;
    if (!scan_number(t)) return false;
    double d = 0;
    if (!number_to_double(t, d)) return false;
    if constexpr (std::is_same_v<T, float>) {
      if (std::abs(d) > static_cast<double>(std::numeric_limits<float>::max()))
        return fail_at(t.begin, "number out of range for float");
    }
    out = static_cast<T>(d);
    return true;
  }

  bool read_bool(bool& out) {
    if (!expect_kind(token_kind::boolean)) return false;
    if (*p_ == 't') {
      out = true;
      return literal("true");
    }
    out = false;
    return literal("false");
  }

  template <class E>
  bool read_enum(E& out) {
    const char* at = p_;
    std::string_view s;
    if (!expect_kind(token_kind::string) || !parse_string(s)) return false;
    if (auto e = reflect::enum_from_name<E>(s)) {
      out = *e;
      return true;
    }
    std::string d = "unknown value \"";
    d.append(s.substr(0, 64));
    d += '"';
    return fail_at(at, std::move(d));
  }

  template <class T>
  bool read_time(T& out) {
    const char* at = p_;
    std::string_view s;
    if (!expect_kind(token_kind::string) || !parse_string(s)) return false;
    auto tp = parse_rfc3339<typename T::duration>(s);
    if (!tp) return fail_at(at, "invalid RFC 3339 timestamp");
    out = *tp;
    return true;
  }

  // --- containers -------------------------------------------------------------------------------
  // Calls each(index) for every element of an array; p_ at '['.
  template <class F>
  bool for_each_element(F&& each) {
    if (!expect_kind(token_kind::array) || !enter()) return false;
    ++p_;
    skip_ws();
    std::size_t i = 0;
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      leave();
      return true;
    }
    for (bool more = true; more; ++i) {
      if (!each(i)) {
        push_index(i);
        return false;
      }
      if (!next_or_close(']', more)) return false;
    }
    leave();
    return true;
  }

  template <class V>
  bool read_vector(V& out) {
    out.clear();
    out.reserve(4);  // skips the 1 -> 2 -> 4 regrowth (each moving every element) of short arrays
    return for_each_element([&](std::size_t) {
      if constexpr (std::is_same_v<typename V::value_type, bool>) {  // std::vector<bool> has no bool&
        bool b = false;
        if (!read_bool(b)) return false;
        out.push_back(b);
        return true;
      } else {
        out.emplace_back();
        return read(out.back());
      }
    });
  }

  template <class A>
  bool read_std_array(A& out) {
    const char* at = p_;
    std::size_t count = 0;
    const bool ok = for_each_element([&](std::size_t i) {
      if (i >= out.size()) return fail("too many elements for an array of " + std::to_string(out.size()));
      ++count;
      return read(out[i]);
    });
    if (!ok) return false;
    if (count != out.size())
      return fail_at(at, "expected " + std::to_string(out.size()) + " elements, got " + std::to_string(count));
    return true;
  }

  // Calls each(key, key_start) for every member of an object, with p_ at the value; p_ at '{'.
  template <class F>
  bool for_each_member(F&& each) {
    if (!expect_kind(token_kind::object) || !enter()) return false;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      leave();
      return true;
    }
    for (bool more = true; more;) {
      const char* key_at = p_;
      std::string_view key;
      if (!member_key(key)) return false;
      if (!each(key, key_at)) return false;
      if (!next_or_close('}', more)) return false;
    }
    leave();
    return true;
  }

  // A member's key and the ':' after it (p_ then at the value).
  bool member_key(std::string_view& key) {
    if (p_ == end_ || *p_ != '"') {
      if (p_ == end_) return fail("unexpected end of input");
      return fail("expected a string key");
    }
    if (!parse_string(key)) return false;
    skip_ws();
    if (p_ == end_ || *p_ != ':') return fail("expected ':'");
    ++p_;
    skip_ws();
    return true;
  }

  // Does the input at p_ start with `prefix`, a key_prefixes entry (16 readable bytes from its
  // start)? Then the key is that wire key (wire keys need no escape) and the ':' follows.
  MEDIAJOBS_JSON_INLINE bool at_prefix(std::string_view prefix) const noexcept {
    const std::size_t len = prefix.size();
    if constexpr (std::endian::native == std::endian::little) {
      if (len <= 16 && end_ - p_ >= 16) {
        std::uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, p_, 8);
        std::memcpy(&a1, p_ + 8, 8);
        std::memcpy(&b0, prefix.data(), 8);
        std::memcpy(&b1, prefix.data() + 8, 8);
        // Only the first len bytes count: mask the rest (little-endian: byte i is bits 8i..8i+7).
        const std::uint64_t m0 = len >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * len)) - 1;
        const std::uint64_t m1 =
            len >= 16 ? ~std::uint64_t{0} : len <= 8 ? 0 : (std::uint64_t{1} << (8 * (len - 8))) - 1;
        return (((a0 ^ b0) & m0) | ((a1 ^ b1) & m1)) == 0;
      }
    }
    return static_cast<std::size_t>(end_ - p_) >= len && std::memcmp(p_, prefix.data(), len) == 0;
  }

  template <class M>
  bool read_map(M& out) {
    out.clear();
    return for_each_member([&](std::string_view key, const char*) {
      std::string k(key);
      if (!read(out[k])) {
        push_key(k);
        return false;
      }
      return true;
    });
  }

  bool read_unknown_fields_object(unknown_fields& out) {
    out.clear();
    return for_each_member([&](std::string_view key, const char*) {
      std::string k(key);
      value v;
      if (!read_dom(v)) {
        push_key(k);
        return false;
      }
      out.push_back(std::move(k), std::move(v));
      return true;
    });
  }

  // --- structs ----------------------------------------------------------------------------------
  template <class T>
  static std::size_t match_key(std::string_view key, std::size_t hint) noexcept {
    constexpr auto& keys = reflect::wire_keys<T>;
    constexpr std::size_t uf = unknown_fields_index<T>();
    // Keys usually come in declaration order: try the one after the last match first.
    if (hint < keys.size() && hint != uf && same_bytes(keys[hint], key)) return hint;
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (i != uf && same_bytes(keys[i], key)) return i;
    return static_cast<std::size_t>(-1);
  }

  template <class T>
  bool read_field(T& obj, std::size_t index) {
    return reflect::visit_fields(obj, [&](auto&... m) {
      std::size_t i = 0;
      bool ok = true;
      (void)((i++ == index && (ok = read(m), true)) || ...);
      (void)i;
      return ok;
    });
  }

  template <class T>
  bool read_struct(T& out) {
    constexpr std::size_t n = reflect::field_count<T>;
    constexpr std::size_t uf = unknown_fields_index<T>();
    constexpr auto required = required_fields<T>();
    constexpr bool any_required = any_true(required);
    const char* object_at = p_;
    constexpr auto& prefixes = key_prefixes<T>;
    std::array<bool, n> seen{};
    std::size_t hint = 0;
    if constexpr (uf < n) reflect::get<uf>(out).clear();
    const auto known = [&](std::size_t idx) {
      if (!read_field(out, idx)) {
        push_key(reflect::wire_keys<T>[idx]);
        return false;
      }
      seen[idx] = true;
      hint = idx + 1;
      return true;
    };
    const auto member = [&](std::string_view key, const char* key_at) {
      const std::size_t idx = match_key<T>(key, hint);
      if (idx < n) return known(idx);
      if (opt_.error_on_unknown_keys) return fail_at(key_at, "unknown key '" + std::string(key.substr(0, 64)) + "'");
      if constexpr (uf < n) {
        std::string k(key);
        value v;
        if (!read_dom(v)) {
          push_key(k);
          return false;
        }
        reflect::get<uf>(out).push_back(std::move(k), std::move(v));
        return true;
      } else {
        return skip_member(key);
      }
    };
    // for_each_member, with a shortcut: keys usually come in declaration order, so the raw bytes
    // `"key":` of the member after the last match are compared first, without parsing the key.
    if (!expect_kind(token_kind::object) || !enter()) return false;
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      for (bool more = true; more;) {
        if (keys_plain_ascii<T>() && hint < n && hint != uf && at_prefix(prefixes[hint])) {
          p_ += prefixes[hint].size();
          skip_ws();
          if (!known(hint)) return false;
        } else {
          const char* key_at = p_;
          std::string_view key;
          if (!member_key(key) || !member(key, key_at)) return false;
        }
        if (!next_or_close('}', more)) return false;
      }
    }
    leave();
    if constexpr (any_required) {
      for (std::size_t i = 0; i < n; ++i)
        if (required[i] && !seen[i])
          return fail_at(object_at, "missing key '" + std::string(reflect::wire_keys<T>[i]) + "'");
    }
    return true;
  }

  // --- variants ---------------------------------------------------------------------------------
  // Per alternative S of a variant: its member count and required-key count when it is a struct.
  template <class S>
  static constexpr std::size_t struct_width() noexcept {
    if constexpr (is_struct<S>)
      return reflect::field_count<S>;
    else
      return 0;
  }
  template <class S>
  static constexpr std::size_t required_count() noexcept {
    if constexpr (is_struct<S>) {
      std::size_t n = 0;
      for (bool r : required_fields<S>()) n += r ? 1 : 0;
      return n;
    } else {
      return 0;
    }
  }

  // Marks key as seen for struct alternative S (flags at `seen`); a required key seen for the
  // first time lowers `missing`.
  template <class S>
  static void note_key(std::string_view key, bool* seen, std::size_t& missing) noexcept {
    if constexpr (is_struct<S>) {
      constexpr auto required = required_fields<S>();
      const std::size_t idx = match_key<S>(key, 0);
      if (idx < required.size() && required[idx] && !seen[idx]) {
        seen[idx] = true;
        --missing;
      }
    } else {
      (void)key;
      (void)seen;
      (void)missing;
    }
  }

  // Scans the keys of the object at p_ (p_ and the depth are restored; nothing is allocated) and
  // leaves in missing[i] how many required keys of struct alternative i are absent. With
  // stop_early, stops (stopped = true) as soon as the first struct alternative has all its
  // required keys: it is then the choice whatever follows. false on a syntax error.
  template <class... A>
  bool scan_variant_keys(std::array<std::size_t, sizeof...(A)>& missing, bool stop_early, bool& stopped) {
    constexpr std::array<std::size_t, sizeof...(A)> widths{struct_width<A>()...};
    constexpr std::size_t total = (std::size_t{0} + ... + struct_width<A>());
    constexpr std::size_t first = first_struct_index<A...>();
    std::array<bool, total + 1> seen{};
    missing = {required_count<A>()...};
    stopped = false;
    if (stop_early && missing[first] == 0) {
      stopped = true;
      return true;
    }
    const char* saved = p_;
    const std::size_t saved_depth = depth_;
    const bool ok = for_each_member([&](std::string_view key, const char*) {
      std::size_t base = 0;
      std::size_t alt = 0;
      ((note_key<A>(key, seen.data() + base, missing[alt]), base += widths[alt], ++alt), ...);
      if (stop_early && missing[first] == 0) {
        stopped = true;
        return false;
      }
      return skip_value();
    });
    p_ = saved;
    depth_ = saved_depth;
    return ok || stopped;
  }

  template <class... A>
  static constexpr std::size_t first_struct_index() noexcept {
    constexpr std::array<bool, sizeof...(A)> is_obj_struct{is_struct<A>...};
    for (std::size_t i = 0; i < sizeof...(A); ++i)
      if (is_obj_struct[i]) return i;
    return 0;
  }

  template <class V, std::size_t I>
  bool emplace_and_read(V& out) {
    auto& alt = out.template emplace<I>();
    return read(alt);
  }

  template <class... A>
  bool read_variant(std::variant<A...>& out) {
    using V = std::variant<A...>;
    const token_kind k = peek_kind();
    if (k == token_kind::invalid || k == token_kind::end) return fail_unexpected();
    constexpr std::size_t none = sizeof...(A);
    std::size_t chosen = none;
    if (k == token_kind::number) {
      // Integer-looking numbers prefer an integer alternative; others a floating one.
      bool integral = true;
      for (const char* q = p_; q != end_ && (kind_of(*q) == token_kind::number || *q == '.' || *q == 'e' ||
                                             *q == 'E' || *q == '+');
           ++q)
        if (*q == '.' || *q == 'e' || *q == 'E') integral = false;
      constexpr std::array<bool, sizeof...(A)> is_int{is_integer<A>...};
      constexpr std::array<bool, sizeof...(A)> is_float{std::is_floating_point_v<A>...};
      for (std::size_t i = 0; i < none && chosen == none; ++i)
        if (integral ? is_int[i] : is_float[i]) chosen = i;
    } else if (k == token_kind::object) {
      constexpr std::array<bool, sizeof...(A)> is_obj_struct{is_struct<A>...};
      constexpr std::size_t struct_count = (std::size_t{0} + ... + (is_struct<A> ? 1 : 0));
      if constexpr (struct_count > 1) {
        // The first struct alternative whose required keys are all present. When the first struct
        // alternative qualifies early in the object, it is read at once; only if that read fails
        // is the object scanned to its end, so that the error is the one the full scan (which
        // comes first) reports.
        constexpr std::size_t first = first_struct_index<A...>();
        std::array<std::size_t, sizeof...(A)> missing{};
        bool stopped = false;
        if (!scan_variant_keys<A...>(missing, true, stopped)) return false;
        if (stopped) {
          const char* saved = p_;
          const std::size_t saved_depth = depth_;
          const std::size_t saved_path = path_rev_.size();
          if (dispatch_variant<V>(out, first, std::index_sequence_for<A...>{})) return true;
          p_ = saved;
          depth_ = saved_depth;
          path_rev_.resize(saved_path);
          if (!scan_variant_keys<A...>(missing, false, stopped)) return false;
        }
        for (std::size_t i = 0; i < none && chosen == none; ++i)
          if (is_obj_struct[i] && missing[i] == 0) chosen = i;
      }
      if (chosen == none) {
        // A map / json::value / unknown_fields alternative, else the first struct.
        constexpr std::array<bool, sizeof...(A)> takes{(accepts<A>(token_kind::object) && !is_struct<A>)...};
        for (std::size_t i = 0; i < none && chosen == none; ++i)
          if (takes[i]) chosen = i;
        for (std::size_t i = 0; i < none && chosen == none; ++i)
          if (is_obj_struct[i]) chosen = i;
      }
    }
    if (chosen == none) {
      constexpr std::array<bool (*)(token_kind), sizeof...(A)> acc{&accepts<A>...};
      for (std::size_t i = 0; i < none && chosen == none; ++i)
        if (acc[i](k)) chosen = i;
    }
    if (chosen == none) {
      std::string d = "no alternative accepts ";
      d += kind_name(k);
      return fail(std::move(d));
    }
    return dispatch_variant<V>(out, chosen, std::index_sequence_for<A...>{});
  }

  template <class V, std::size_t... I>
  bool dispatch_variant(V& out, std::size_t chosen, std::index_sequence<I...>) {
    bool ok = false;
    (void)((chosen == I && (ok = emplace_and_read<V, I>(out), true)) || ...);
    return ok;
  }

  // --- json::value and skipping -------------------------------------------------------------------
  bool read_dom(value& out) {
    switch (peek_kind()) {
      case token_kind::string: return read_string_into(out.string_ref());
      case token_kind::number: {
        number_token t;
        if (!scan_number(t)) return false;
        if (t.is_integer && !t.overflow) {
          if (!t.negative) {
            out = t.magnitude <= static_cast<std::uint64_t>(INT64_MAX) ? value(static_cast<std::int64_t>(t.magnitude))
                                                                       : value(t.magnitude);
            return true;
          }
          if (t.magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
            out = value(t.magnitude == static_cast<std::uint64_t>(INT64_MAX) + 1
                            ? INT64_MIN
                            : -static_cast<std::int64_t>(t.magnitude));
            return true;
          }
        }
        double d = 0;
        if (!number_to_double(t, d)) return false;
        out = value(d);
        return true;
      }
      case token_kind::boolean: {
        bool b = false;
        if (!read_bool(b)) return false;
        out = value(b);
        return true;
      }
      case token_kind::null: out = value(); return literal("null");
      case token_kind::array: {
        auto& arr = out.array_ref();
        arr.clear();
        arr.reserve(4);  // skips the 1 -> 2 -> 4 regrowth (and moves) of small arrays
        return for_each_element([&](std::size_t) {
          arr.emplace_back();
          return read_dom(arr.back());
        });
      }
      case token_kind::object: {
        auto& obj = out.object_ref();
        obj.clear();
        obj.reserve(4);
        return for_each_member([&](std::string_view key, const char*) {
          obj.emplace_back(std::string(key), value());
          if (!read_dom(obj.back().second)) {
            push_key(obj.back().first);
            return false;
          }
          return true;
        });
      }
      case token_kind::invalid:
      case token_kind::end: break;
    }
    return fail_unexpected();
  }

  // Validates one value as strictly as reading it, without keeping it.
  bool skip_value() {
    switch (peek_kind()) {
      case token_kind::string: {
        std::string_view s;
        return parse_string(s);
      }
      case token_kind::number: {
        number_token t;
        return scan_number(t);
      }
      case token_kind::boolean: return *p_ == 't' ? literal("true") : literal("false");
      case token_kind::null: return literal("null");
      case token_kind::array: return for_each_element([&](std::size_t) { return skip_value(); });
      case token_kind::object:
        return for_each_member([&](std::string_view key, const char*) { return skip_member(key); });
      case token_kind::invalid:
      case token_kind::end: break;
    }
    return fail_unexpected();
  }

  // Skips the value of member `key`; the key is copied only when it lives in scratch_ (it had
  // escapes), which the value may overwrite.
  bool skip_member(std::string_view key) {
    std::string copy;
    if (!scratch_.empty() && key.data() == scratch_.data()) {
      copy.assign(key);
      key = copy;
    }
    if (!skip_value()) {
      push_key(key);
      return false;
    }
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const options& opt_;
  std::size_t depth_ = 0;
  std::string scratch_;
  std::size_t err_offset_ = 0;
  std::string err_detail_;
  std::vector<std::string> path_rev_;
};

// --- writer --------------------------------------------------------------------------------------
// Appends to a caller's std::string through raw pointers: the string is grown geometrically
// while writing and trimmed to the written length at the end (no per-character push_back).
class writer {
 public:
  explicit writer(std::string& out) noexcept : out_(out), len_(out.size()) {}
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  ~writer() { out_.resize(len_); }

  [[nodiscard]] error take_error() {
    std::string path = "$";
    for (auto it = path_rev_.rbegin(); it != path_rev_.rend(); ++it) path += *it;
    return error{error_kind::validation, std::move(err_detail_)}.at_field(std::move(path));
  }

  template <class T>
  bool write(const T& v) {
    if constexpr (std::is_same_v<T, value>) {
      return write_dom(v);
    } else if constexpr (std::is_same_v<T, bool>) {
      put(v ? std::string_view("true") : std::string_view("false"));
      return true;
    } else if constexpr (is_integer<T>) {
      write_integer(v);
      return true;
    } else if constexpr (std::is_floating_point_v<T>) {
      return write_double(static_cast<double>(v));
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
      return write_string(v);
    } else if constexpr (std::is_same_v<T, const char*> || std::is_same_v<T, char*>) {
      return write_string(std::string_view(v ? v : ""));
    } else if constexpr (std::is_array_v<T> && std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>, char>) {
      return write_string(std::string_view(v, std::char_traits<char>::length(v)));
    } else if constexpr (std::is_enum_v<T>) {
      const std::string_view name = reflect::enum_name(v);
      if (name.empty()) return fail("enum value " + std::to_string(static_cast<long long>(v)) + " has no name");
      return write_string(name);
    } else if constexpr (is_open_enum<T>) {
      return write_string(v.name());
    } else if constexpr (is_sys_time<T>) {
      char* d = ensure(48);
      d[0] = '"';
      const std::size_t n = format_rfc3339(d + 1, v);
      d[n + 1] = '"';
      len_ += n + 2;
      return true;
    } else if constexpr (is_null_like<T>) {
      put(std::string_view("null"));
      return true;
    } else if constexpr (is_optional<T>) {
      if (!v) {
        put(std::string_view("null"));
        return true;
      }
      return write(*v);
    } else if constexpr (is_vector<T> || is_std_array<T>) {
      put('[');
      std::size_t i = 0;
      for (const auto& e : v) {
        if (i != 0) put(',');
        if (!write(e)) {
          push_index(i);
          return false;
        }
        ++i;
      }
      put(']');
      return true;
    } else if constexpr (is_string_map<T> || std::is_same_v<T, unknown_fields>) {
      put('{');
      bool first = true;
      for (const auto& [k, e] : v)
        if (!member(first, k, e)) return false;
      put('}');
      return true;
    } else if constexpr (is_variant<T>) {
      return std::visit([&](const auto& alt) { return write(alt); }, v);
    } else if constexpr (is_struct<T>) {
      return write_struct(v);
    } else {
      static_assert(!std::is_same_v<T, T>, "mediajobs::json: this type cannot be written as JSON");
      return false;
    }
  }

 private:
  // Room for n more bytes; returns where they go.
  MEDIAJOBS_JSON_INLINE char* ensure(std::size_t n) {
    if (MEDIAJOBS_UNLIKELY(out_.size() - len_ < n)) grow(n);
    return out_.data() + len_;
  }
  MEDIAJOBS_JSON_COLD void grow(std::size_t n) {
    const std::size_t want = len_ + n;
    out_.resize(want > 2 * out_.size() ? want + 256 : 2 * out_.size());
  }
  MEDIAJOBS_JSON_INLINE void put(char c) {
    *ensure(1) = c;
    ++len_;
  }
  MEDIAJOBS_JSON_INLINE void put(std::string_view s) {
    std::memcpy(ensure(s.size()), s.data(), s.size());
    len_ += s.size();
  }
  // A `"key":` prefix from key_prefixes (which has 16 readable bytes after every prefix), with a
  // leading ',' unless first: short ones are a fixed-size copy, no memcpy call.
  MEDIAJOBS_JSON_INLINE void put_prefix(bool first, std::string_view s) {
    char* d = ensure(s.size() + 17);
    *d = ',';
    d += first ? 0 : 1;
    if (MEDIAJOBS_LIKELY(s.size() <= 16))
      std::memcpy(d, s.data(), 16);
    else
      std::memcpy(d, s.data(), s.size());
    len_ += s.size() + (first ? 0 : 1);
  }

  bool fail(std::string detail) {
    err_detail_ = std::move(detail);
    return false;
  }
  void push_key(std::string_view key) {
    std::string seg = ".";
    seg += key;
    path_rev_.push_back(std::move(seg));
  }
  void push_index(std::size_t i) {
    std::string seg = "[";
    append_uint(seg, i);
    seg += ']';
    path_rev_.push_back(std::move(seg));
  }

  template <class V>
  bool member(bool& first, std::string_view key, const V& v) {
    if (!first) put(',');
    first = false;
    if (!write_string(key)) return false;
    put(':');
    if (!write(v)) {
      push_key(key);
      return false;
    }
    return true;
  }

  void write_uint(std::uint64_t v) {
    char buf[24];
    char* p = buf + sizeof buf;
    do {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    put(std::string_view(p, static_cast<std::size_t>(buf + sizeof buf - p)));
  }

  template <class T>
  void write_integer(T v) {
    if constexpr (std::is_signed_v<T>) {
      if (v < 0) {
        put('-');
        write_uint(static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
        return;
      }
    }
    write_uint(static_cast<std::uint64_t>(v));
  }

  bool write_double(double d) {
    if (!std::isfinite(d)) return fail("NaN or infinity cannot be written as JSON");
    char* buf = ensure(32);
    if (std::size_t n = integral_double(buf, d); n != 0 || (n = short_decimal_double(buf, d)) != 0) {
      len_ += n;
      return true;
    }
    const auto r = std::to_chars(buf, buf + 30, d);
    const auto n = static_cast<std::size_t>(r.ptr - buf);
    // Keep a double a double when read back: 1.0 is written "1.0", not "1".
    bool integral_looking = true;
    for (std::size_t i = 0; i < n; ++i)
      if (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E') integral_looking = false;
    len_ += n;
    if (integral_looking) put(std::string_view(".0"));
    return true;
  }

  // One room check for the whole string (its bytes and the quotes); an escape re-checks for its
  // expansion. Runs without anything to escape are copied whole.
  bool write_string(std::string_view s) {
    const char* p = s.data();
    const char* const end = p + s.size();
    char* d = ensure(s.size() + 2);
    *d++ = '"';
    for (;;) {
      const char* run = p;
      p = find_special(p, end);
      while (p != end && static_cast<unsigned char>(*p) >= 0x80) {
        const std::size_t n =
            utf8_sequence(reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
        if (n == 0) {
          len_ = static_cast<std::size_t>(d - out_.data());  // the partial text, as before
          return fail("invalid UTF-8");
        }
        p = find_special(p + n, end);
      }
      std::memcpy(d, run, static_cast<std::size_t>(p - run));
      d += p - run;
      if (p == end) break;
      // An escape is at most 6 bytes for 1: make room for it and the rest of the string.
      len_ = static_cast<std::size_t>(d - out_.data());
      d = ensure(6 + static_cast<std::size_t>(end - p) + 1);
      d += escape_byte(d, static_cast<unsigned char>(*p++));
    }
    *d++ = '"';
    len_ = static_cast<std::size_t>(d - out_.data());
    return true;
  }

  // Writes the escape of c ('"', '\\' or a control character) at d; returns its length.
  static std::size_t escape_byte(char* d, unsigned char c) noexcept {
    static constexpr char hex[] = "0123456789abcdef";
    d[0] = '\\';
    switch (c) {
      case '"': d[1] = '"'; return 2;
      case '\\': d[1] = '\\'; return 2;
      case '\n': d[1] = 'n'; return 2;
      case '\r': d[1] = 'r'; return 2;
      case '\t': d[1] = 't'; return 2;
      case '\b': d[1] = 'b'; return 2;
      case '\f': d[1] = 'f'; return 2;
      default: break;
    }
    d[1] = 'u';
    d[2] = '0';
    d[3] = '0';
    d[4] = hex[c >> 4];
    d[5] = hex[c & 15];
    return 6;
  }

  template <class T>
  bool write_struct(const T& v) {
    static_assert(keys_need_no_escape<T>(), "mediajobs::json: a wire key needs JSON escaping");
    constexpr std::size_t uf = unknown_fields_index<T>();
    constexpr auto& prefixes = key_prefixes<T>;
    put('{');
    bool first = true;
    const bool ok = reflect::visit_fields(v, [&](const auto&... m) {
      std::size_t i = 0;
      const auto one = [&](const auto& field) {
        const std::size_t idx = i++;
        using F = std::remove_cvref_t<decltype(field)>;
        if constexpr (std::is_same_v<F, unknown_fields>) {
          return true;
        } else {
          if constexpr (is_optional<F>)
            if (!field) return true;
          put_prefix(first, prefixes[idx]);
          first = false;
          if (!write(field)) {
            push_key(reflect::wire_keys<T>[idx]);
            return false;
          }
          return true;
        }
      };
      (void)one;  // unused for a struct without members
      return (one(m) && ...);
    });
    if (!ok) return false;
    if constexpr (uf < reflect::field_count<T>) {
      for (const auto& [k, e] : reflect::get<uf>(v))
        if (!member(first, k, e)) return false;
    }
    put('}');
    return true;
  }

  bool write_dom(const value& v) {
    return std::visit(
        [&](const auto& x) -> bool {
          using X = std::remove_cvref_t<decltype(x)>;
          if constexpr (std::is_same_v<X, std::nullptr_t>) {
            put(std::string_view("null"));
            return true;
          } else if constexpr (std::is_same_v<X, value::array_t>) {
            put('[');
            for (std::size_t i = 0; i < x.size(); ++i) {
              if (i != 0) put(',');
              if (!write_dom(x[i])) {
                push_index(i);
                return false;
              }
            }
            put(']');
            return true;
          } else if constexpr (std::is_same_v<X, value::object_t>) {
            put('{');
            bool first = true;
            for (const auto& [k, e] : x)
              if (!member(first, k, e)) return false;
            put('}');
            return true;
          } else {
            return write(x);
          }
        },
        v.storage());
  }

  std::string& out_;
  std::size_t len_;
  std::string err_detail_;
  std::vector<std::string> path_rev_;
};

}  // namespace detail

/// Appends the JSON text of v to out. Fails (kind validation, with the path in field()) only on a
/// NaN/infinity, an invalid UTF-8 string or an enum value without a name; out then holds a partial
/// text after its original content.
template <class T>
[[nodiscard]] result<void> write(const T& v, std::string& out) {
  detail::writer w(out);  // trims `out` to the written length when it goes out of scope
  if (!w.write(v)) return fail(w.take_error());
  return {};
}

/// The JSON text of v.
template <class T>
[[nodiscard]] result<std::string> to_string(const T& v) {
  std::string out;
  if (auto r = write(v, out); !r) return fail(std::move(r).error());
  return out;
}

/// Reads `text` into `out` (members absent from the text keep their values when allowed).
template <class T>
[[nodiscard]] result<void> read(std::string_view text, T& out, const options& opt = {}) {
  detail::reader r(text, opt);
  if (!r.read_document(out)) return fail(r.take_error());
  return {};
}

/// Reads `text` as a T (T must be default-constructible).
template <class T>
[[nodiscard]] result<T> read(std::string_view text, const options& opt = {}) {
  T out{};
  detail::reader r(text, opt);
  if (!r.read_document(out)) return fail(r.take_error());
  return out;
}

}  // namespace mediajobs::json
