// Standard Webhooks signatures (https://www.standardwebhooks.com): verify that a webhook came from
// the service that knows the shared secret, and sign one (tests, the local sandbox).
//
//   webhook-id:        msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
//   webhook-timestamp: 1674087231                       (unix seconds)
//   webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1,…   (space-separated)
//
// The signature is base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)). The secret is
// given as `whsec_<base64 key>`; a bare `<base64 key>` without the prefix is accepted too (some
// dashboards show it that way); the key must hold at least min_secret_bytes (16) bytes. A
// signature entry of another version (`v1a,…`) or one that is not valid base64 is skipped; the
// message verifies when any v1 entry matches (key rotation sends several). The timestamp must be
// within `tolerance` (default 5 minutes) of `now`, in both directions, so that a captured request
// cannot be replayed later; `now` is a parameter so tests need no clock. Digests are compared in
// constant time (CRYPTO_memcmp).
//
// Every failure is a `validation` error whose field names the header and whose detail says which
// check failed ("missing header webhook-id", "malformed header webhook-timestamp", "timestamp
// outside tolerance (too old)", "no valid signature", "malformed secret", "secret too short").
// It never contains the secret, the expected signature or the body.
//
// The HMAC needs OpenSSL: it is used when MEDIAJOBS_WITH_OPENSSL is defined (the CMake target
// defines it when OpenSSL was found, and links it). Without it this header still compiles, and
// verify() and sign() return an error saying that signature verification needs OpenSSL.
//
// This header depends on core only: header values come in as three string_views or through a
// lookup function; an overload for http::headers is in webhook/events.hpp.
//
// Thread-safety: stateless functions; safe to call concurrently.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#if defined(MEDIAJOBS_WITH_OPENSSL)
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

namespace mediajobs::webhook {

/// The three header values of a signed webhook; an empty view means the header is absent.
struct signature_headers {
  std::string_view id;         ///< webhook-id
  std::string_view timestamp;  ///< webhook-timestamp, unix seconds in decimal
  std::string_view signature;  ///< webhook-signature, one or more `v1,<base64>` separated by spaces
};

/// Header names (lowercase; HTTP header lookup is case-insensitive).
inline constexpr std::string_view header_id = "webhook-id";
inline constexpr std::string_view header_timestamp = "webhook-timestamp";
inline constexpr std::string_view header_signature = "webhook-signature";

/// How far the webhook-timestamp may be from `now`, in either direction (Standard Webhooks: 5 min).
inline constexpr std::chrono::seconds default_tolerance{300};

/// The shortest HMAC key verify() and sign() accept: 16 bytes (128 bits). A shorter secret could
/// be guessed offline from one captured webhook. (Standard Webhooks generates 24 to 64 bytes.)
inline constexpr std::size_t min_secret_bytes = 16;

// --- base64 (RFC 4648 §4, standard alphabet, with padding) -----------------------------------

namespace detail {
inline constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

[[nodiscard]] constexpr int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace detail

/// Appends the base64 encoding of `bytes` (standard alphabet, '=' padding) to `out`.
inline void base64_encode(std::string_view bytes, std::string& out) {
  out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += detail::base64_alphabet[n >> 18 & 63];
    out += detail::base64_alphabet[n >> 12 & 63];
    out += detail::base64_alphabet[n >> 6 & 63];
    out += detail::base64_alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = byte(i) << 16;
    out += detail::base64_alphabet[n >> 18 & 63];
    out += detail::base64_alphabet[n >> 12 & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
    out += detail::base64_alphabet[n >> 18 & 63];
    out += detail::base64_alphabet[n >> 12 & 63];
    out += detail::base64_alphabet[n >> 6 & 63];
    out += '=';
  }
}

[[nodiscard]] inline std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_encode(bytes, out);
  return out;
}

/// Decodes strict base64: standard alphabet, length a multiple of 4, '=' padding only at the
/// end (at most two), no whitespace, and unused bits of the last character zero (so that each
/// byte string has exactly one accepted encoding). Empty input decodes to empty output.
/// Returns nullopt on any violation.
[[nodiscard]] inline std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t data_chars = last ? 4 - pad : 4;
    std::uint32_t n = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      int v = 0;
      if (k < data_chars) {
        v = detail::base64_value(text[i + k]);
        if (v < 0) return std::nullopt;  // includes a '=' before the final padding
      }
      n = n << 6 | static_cast<std::uint32_t>(v);
    }
    out += static_cast<char>(n >> 16 & 0xFF);
    if (data_chars >= 3) out += static_cast<char>(n >> 8 & 0xFF);
    if (data_chars == 4) out += static_cast<char>(n & 0xFF);
    // Non-zero bits under the padding: a non-canonical encoding.
    if (data_chars == 2 && (n & 0xFFFF) != 0) return std::nullopt;
    if (data_chars == 3 && (n & 0xFF) != 0) return std::nullopt;
  }
  return out;
}

// --- the checks that need no HMAC -------------------------------------------------------------

namespace detail {

/// The HMAC key from `whsec_<base64>` or a bare `<base64>`; nullopt when malformed or empty.
[[nodiscard]] inline std::optional<std::string> decode_secret(std::string_view secret) {
  constexpr std::string_view prefix = "whsec_";
  if (secret.substr(0, prefix.size()) == prefix) secret.remove_prefix(prefix.size());
  auto key = base64_decode(secret);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

/// decode_secret(), then the minimum key length; the error never holds the secret.
[[nodiscard]] inline result<std::string> secret_key(std::string_view secret) {
  auto key = decode_secret(secret);
  if (!key) return fail(make_error(error_kind::validation, "malformed secret (expected whsec_<base64>)"));
  if (key->size() < min_secret_bytes)
    return fail(make_error(error_kind::validation, "secret too short (the key must hold at least 16 bytes)"));
  return std::move(*key);
}

/// webhook-timestamp: unix seconds, decimal digits only (no sign, no fraction).
[[nodiscard]] inline std::optional<std::int64_t> parse_unix_seconds(std::string_view text) noexcept {
  if (text.empty() || text.size() > 18) return std::nullopt;  // 18 digits cannot overflow int64
  std::int64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

[[nodiscard]] inline error signature_error(std::string_view header, std::string detail) {
  return validation_error(std::string{header}, std::move(detail));
}

/// Header presence, timestamp format and tolerance; returns the parsed timestamp.
[[nodiscard]] inline result<std::int64_t> check_headers(const signature_headers& h, std::chrono::system_clock::time_point now,
                                                        std::chrono::seconds tolerance) {
  if (h.id.empty()) return fail(signature_error(header_id, "missing header webhook-id"));
  if (h.timestamp.empty()) return fail(signature_error(header_timestamp, "missing header webhook-timestamp"));
  if (h.signature.empty()) return fail(signature_error(header_signature, "missing header webhook-signature"));
  const auto ts = parse_unix_seconds(h.timestamp);
  if (!ts)
    return fail(signature_error(header_timestamp, "malformed header webhook-timestamp (expected unix seconds)"));
  const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // Clamped so that the sums below cannot overflow: |now_s| < 10^11 for any system_clock in
  // nanoseconds, ts < 10^18, and a tolerance beyond 10^15 s (30 million years) means "any".
  constexpr std::int64_t max_tol = 1'000'000'000'000'000;
  const auto tol_count = tolerance.count();
  const std::int64_t tol = tol_count < 0 ? 0 : tol_count > max_tol ? max_tol : static_cast<std::int64_t>(tol_count);
  if (*ts < now_s - tol) return fail(signature_error(header_timestamp, "timestamp outside tolerance (too old)"));
  if (*ts > now_s + tol) return fail(signature_error(header_timestamp, "timestamp outside tolerance (in the future)"));
  return *ts;
}

/// The signed content: id + "." + timestamp + "." + body.
[[nodiscard]] inline std::string signed_content(std::string_view id, std::string_view timestamp, std::string_view body) {
  std::string s;
  s.reserve(id.size() + timestamp.size() + body.size() + 2);
  s += id;
  s += '.';
  s += timestamp;
  s += '.';
  s += body;
  return s;
}

[[nodiscard]] inline std::string decimal(std::int64_t v) {
  // Only non-negative timestamps are signed; a negative one is written with its sign.
  const bool neg = v < 0;
  std::uint64_t u = neg ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  char buf[24];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (neg) *--p = '-';
  return std::string(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

}  // namespace detail

// --- the parts that need OpenSSL ----------------------------------------------------------------
// In an inline namespace named after the configuration, so that a program whose translation units
// disagree on MEDIAJOBS_WITH_OPENSSL gets two distinct sets of functions instead of an ODR violation.

#if defined(MEDIAJOBS_WITH_OPENSSL)
namespace detail {
using sha256_digest = std::array<unsigned char, 32>;

/// HMAC-SHA256 with the one-shot HMAC() (not deprecated in OpenSSL 3, present in 1.1).
[[nodiscard]] inline std::optional<sha256_digest> hmac_sha256(std::string_view key, std::string_view data) {
  if (key.size() > static_cast<std::size_t>(INT32_MAX)) return std::nullopt;
  sha256_digest md{};
  unsigned int len = 0;
  // HMAC() reads nothing through `data` when the size is 0 but wants a non-null pointer.
  static constexpr unsigned char empty = 0;
  const auto* d = data.empty() ? &empty : reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), d, data.size(), md.data(), &len) == nullptr ||
      len != md.size())
    return std::nullopt;
  return md;
}
}  // namespace detail

inline namespace with_openssl {
inline constexpr bool signatures_supported = true;

/// Verifies a Standard Webhooks signature: headers present, `secret` well-formed, timestamp within
/// `tolerance` of `now`, and one `v1` signature equal to HMAC-SHA256 of `id.timestamp.body`.
/// `body` must be the raw bytes as received (not re-serialized JSON).
[[nodiscard]] inline result<void> verify(std::string_view secret, const signature_headers& headers, std::string_view body,
                                         std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
                                         std::chrono::seconds tolerance = default_tolerance) {
  const auto key = detail::secret_key(secret);
  if (!key) return fail(key.error());
  if (auto ts = detail::check_headers(headers, now, tolerance); !ts) return fail(std::move(ts).error());
  const auto expected =
      detail::hmac_sha256(*key, detail::signed_content(headers.id, headers.timestamp, body));
  if (!expected) return fail(make_error(error_kind::validation, "HMAC-SHA256 computation failed"));

  bool matched = false;
  std::string_view rest = headers.signature;
  while (!rest.empty()) {
    const std::size_t sp = rest.find(' ');
    const std::string_view entry = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    const std::size_t comma = entry.find(',');
    if (comma == std::string_view::npos || entry.substr(0, comma) != "v1") continue;  // other versions: skip
    const auto sig = base64_decode(entry.substr(comma + 1));
    if (!sig || sig->size() != expected->size()) continue;
    // Keep going after a match: the time taken does not depend on which entry matched.
    if (CRYPTO_memcmp(sig->data(), expected->data(), expected->size()) == 0) matched = true;
  }
  if (!matched)
    return fail(detail::signature_error(header_signature, "no valid signature"));
  return {};
}

/// The `webhook-signature` value for a message: "v1,<base64 HMAC-SHA256>". `timestamp` is unix
/// seconds, written in decimal exactly as it must appear in the webhook-timestamp header.
[[nodiscard]] inline result<std::string> sign(std::string_view secret, std::string_view id, std::int64_t timestamp,
                                              std::string_view body) {
  const auto key = detail::secret_key(secret);
  if (!key) return fail(key.error());
  const auto mac = detail::hmac_sha256(*key, detail::signed_content(id, detail::decimal(timestamp), body));
  if (!mac) return fail(make_error(error_kind::validation, "HMAC-SHA256 computation failed"));
  std::string out = "v1,";
  base64_encode(std::string_view{reinterpret_cast<const char*>(mac->data()), mac->size()}, out);
  return out;
}
}  // namespace with_openssl
#else
inline namespace without_openssl {
inline constexpr bool signatures_supported = false;

[[nodiscard]] inline error needs_openssl() {
  return make_error(error_kind::validation,
                    "webhook signature verification needs OpenSSL (build with MEDIAJOBS_WITH_OPENSSL)");
}

/// Without OpenSSL: always an error saying that verification needs OpenSSL (never a silent pass).
[[nodiscard]] inline result<void> verify(std::string_view /*secret*/, const signature_headers& /*headers*/,
                                         std::string_view /*body*/,
                                         std::chrono::system_clock::time_point /*now*/ = std::chrono::system_clock::now(),
                                         std::chrono::seconds /*tolerance*/ = default_tolerance) {
  return fail(needs_openssl());
}

[[nodiscard]] inline result<std::string> sign(std::string_view /*secret*/, std::string_view /*id*/,
                                              std::int64_t /*timestamp*/, std::string_view /*body*/) {
  return fail(needs_openssl());
}
}  // namespace without_openssl
#endif

/// verify() with the headers fetched through `header(name) -> std::optional<std::string_view>`
/// (any HTTP library's header map in a one-line lambda). Names are passed in lowercase.
template <class Lookup>
  requires std::is_invocable_r_v<std::optional<std::string_view>, Lookup&, std::string_view>
[[nodiscard]] result<void> verify(std::string_view secret, Lookup&& header, std::string_view body,
                                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now(),
                                  std::chrono::seconds tolerance = default_tolerance) {
  const auto get = [&](std::string_view name) -> std::string_view {
    const std::optional<std::string_view> v = header(name);
    return v ? *v : std::string_view{};
  };
  return verify(secret, signature_headers{get(header_id), get(header_timestamp), get(header_signature)}, body, now,
                tolerance);
}

}  // namespace mediajobs::webhook
