// Fuzz target: the Standard Webhooks signature verifier (webhook/signature.hpp) and its base64.
//
// Input: "<secret>\n<webhook-id>\n<webhook-timestamp>\n<webhook-signature>\n<body>".
// Invariants:
//   - verify() on the raw fields never crashes; a failure is a validation error whose message
//     does not hold the secret;
//   - a secret whose key is shorter than min_secret_bytes is refused by both sign() and verify();
//   - with a well-formed secret and an id: what sign() produces verifies (also after hostile
//     signature entries), and fails for a body one byte longer, for a timestamp just outside the
//     tolerance, and for a signature whose last byte was changed;
//   - base64: decode(encode(x)) == x, and an accepted encoding is the canonical one
//     (encode(decode(s)) == s).
#include "fuzz_support.hpp"

#include <mediajobs/webhook/signature.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace webhook = mediajobs::webhook;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  const auto f = mediajobs_fuzz::fields(input, '\n', 5);
  const std::string_view secret = f[0], id = f[1], timestamp = f[2], signature = f[3], body = f[4];

  constexpr std::int64_t now_s = 1'700'000'000;
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{now_s}};

  // base64
  const std::string enc = webhook::base64_encode(body);
  const auto dec = webhook::base64_decode(enc);
  MEDIAJOBS_FUZZ_CHECK(dec.has_value() && *dec == body);
  if (const auto d = webhook::base64_decode(signature)) MEDIAJOBS_FUZZ_CHECK(webhook::base64_encode(*d) == signature);

  const bool good_secret = webhook::detail::secret_key(secret).has_value();
  auto raw = webhook::verify(secret, webhook::signature_headers{id, timestamp, signature}, body, now);
  if (!raw) {
    MEDIAJOBS_FUZZ_CHECK(raw.error().kind() == mediajobs::error_kind::validation);
    if (good_secret && secret.size() >= 24) MEDIAJOBS_FUZZ_CHECK(raw.error().message().find(secret) == std::string::npos);
  }
  if (!webhook::signatures_supported) return 0;
  if (const auto key = webhook::detail::decode_secret(secret); key && key->size() < webhook::min_secret_bytes) {
    MEDIAJOBS_FUZZ_CHECK(!webhook::sign(secret, id, now_s, body));
    MEDIAJOBS_FUZZ_CHECK(!raw);
  }
  if (!good_secret || id.empty()) return 0;

  auto sig = webhook::sign(secret, id, now_s, body);
  MEDIAJOBS_FUZZ_CHECK(sig.has_value());
  const std::string ts = webhook::detail::decimal(now_s);
  MEDIAJOBS_FUZZ_CHECK(webhook::verify(secret, webhook::signature_headers{id, ts, *sig}, body, now).has_value());
  const std::string several = std::string(signature) + " " + *sig;
  MEDIAJOBS_FUZZ_CHECK(webhook::verify(secret, webhook::signature_headers{id, ts, several}, body, now).has_value());

  const std::string longer = std::string(body) + "x";
  MEDIAJOBS_FUZZ_CHECK(!webhook::verify(secret, webhook::signature_headers{id, ts, *sig}, longer, now));
  std::string changed = *sig;
  changed[changed.size() - 2] = changed[changed.size() - 2] == 'A' ? 'B' : 'A';  // before the '=' padding
  MEDIAJOBS_FUZZ_CHECK(!webhook::verify(secret, webhook::signature_headers{id, ts, changed}, body, now));

  constexpr std::int64_t old_s = now_s - 301;  // default tolerance: 300 s
  auto old_sig = webhook::sign(secret, id, old_s, body);
  MEDIAJOBS_FUZZ_CHECK(old_sig.has_value());
  const std::string old_ts = webhook::detail::decimal(old_s);
  MEDIAJOBS_FUZZ_CHECK(!webhook::verify(secret, webhook::signature_headers{id, old_ts, *old_sig}, body, now));
  return 0;
}
