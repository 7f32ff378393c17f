// Standard Webhooks signature verification and signing, base64.
//
// Known-answer vectors were computed independently of this code, at authoring time, with Python's
// standard library:
//   python3 -c 'import hmac,hashlib,base64; k=base64.b64decode(SECRET_B64);
//     print("v1,"+base64.b64encode(hmac.new(k, (ID+"."+TS+".").encode()+BODY, hashlib.sha256).digest()).decode())'
// The first vector is also the example of the Standard Webhooks specification.
#include <mediajobs/webhook/signature.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wh = mediajobs::webhook;
using namespace std::chrono_literals;
using mediajobs::error_kind;

namespace {

std::chrono::system_clock::time_point at(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}};
}

// Vector 1: the Standard Webhooks example.
constexpr std::string_view spec_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view spec_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::string_view spec_ts = "1614265330";
constexpr std::string_view spec_body = R"({"test": 2432232314})";
constexpr std::string_view spec_sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

// Vector 2: key = bytes 0..31, base64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".
constexpr std::string_view key2_b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr std::string_view body2 = R"({"job_id":"j1","status":"completed"})";
constexpr std::string_view sig2 = "v1,LEw9uoTi7NFNfoP2ecHBmUHreIHgfwJ1nywtPhhbq+g=";
constexpr std::string_view sig2_empty_body = "v1,amcCR9+HGJUcbpN0HzliuKzDJkenCx5mV9lf3DlQ0mM=";

std::string detail_of(const mediajobs::result<void>& r) {
  REQUIRE_FALSE(r.has_value());
  return std::string{r.error().detail()};
}

}  // namespace

TEST_CASE("base64 encodes the RFC 4648 test vectors") {
  CHECK(wh::base64_encode("") == "");
  CHECK(wh::base64_encode("f") == "Zg==");
  CHECK(wh::base64_encode("fo") == "Zm8=");
  CHECK(wh::base64_encode("foo") == "Zm9v");
  CHECK(wh::base64_encode("foob") == "Zm9vYg==");
  CHECK(wh::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(wh::base64_encode("foobar") == "Zm9vYmFy");
  CHECK(wh::base64_encode(std::string_view{"\xfb\xff\xbf", 3}) == "+/+/");
}

TEST_CASE("base64 decodes the RFC 4648 test vectors") {
  CHECK(wh::base64_decode("") == std::string{});
  CHECK(wh::base64_decode("Zg==") == std::string{"f"});
  CHECK(wh::base64_decode("Zm8=") == std::string{"fo"});
  CHECK(wh::base64_decode("Zm9v") == std::string{"foo"});
  CHECK(wh::base64_decode("Zm9vYg==") == std::string{"foob"});
  CHECK(wh::base64_decode("Zm9vYmE=") == std::string{"fooba"});
  CHECK(wh::base64_decode("Zm9vYmFy") == std::string{"foobar"});
  CHECK(wh::base64_decode("+/+/") == std::string{"\xfb\xff\xbf", 3});
}

TEST_CASE("base64 round-trips every byte value at every length remainder") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{254},
                          std::size_t{255}, std::size_t{256}}) {
    const std::string bytes = all.substr(0, len);
    const auto back = wh::base64_decode(wh::base64_encode(bytes));
    REQUIRE(back.has_value());
    CHECK(*back == bytes);
  }
}

TEST_CASE("base64 decode rejects malformed input") {
  SUBCASE("length not a multiple of four") {
    CHECK_FALSE(wh::base64_decode("Zg="));
    CHECK_FALSE(wh::base64_decode("Zg"));
    CHECK_FALSE(wh::base64_decode("Zm9vY"));
  }
  SUBCASE("characters outside the standard alphabet") {
    CHECK_FALSE(wh::base64_decode("Zm9-"));  // url-safe alphabet
    CHECK_FALSE(wh::base64_decode("Zm9_"));
    CHECK_FALSE(wh::base64_decode("Zm 9"));
    CHECK_FALSE(wh::base64_decode("Zm9v\n"));
    CHECK_FALSE(wh::base64_decode(std::string_view{"Zm\0v", 4}));
  }
  SUBCASE("padding anywhere but the end, or too much of it") {
    CHECK_FALSE(wh::base64_decode("Zg==Zg=="));
    CHECK_FALSE(wh::base64_decode("=Zm9"));
    CHECK_FALSE(wh::base64_decode("Z=9v"));
    CHECK_FALSE(wh::base64_decode("Z==="));
    CHECK_FALSE(wh::base64_decode("===="));
  }
  SUBCASE("non-zero bits under the padding") {
    CHECK_FALSE(wh::base64_decode("Zh=="));  // canonical: Zg==
    CHECK_FALSE(wh::base64_decode("Zm9="));  // canonical: Zm8=
  }
}

#if defined(MEDIAJOBS_WITH_OPENSSL)

TEST_CASE("a good signature verifies (Standard Webhooks example vector)") {
  const auto r = wh::verify(spec_secret, {spec_id, spec_ts, spec_sig}, spec_body, at(1614265330));
  CHECK(r.has_value());
}

TEST_CASE("sign reproduces the independently computed vectors") {
  CHECK(wh::sign(spec_secret, spec_id, 1614265330, spec_body).value() == spec_sig);
  CHECK(wh::sign(key2_b64, "msg_1", 1700000000, body2).value() == sig2);
  CHECK(wh::sign(key2_b64, "msg_1", 1700000000, "").value() == sig2_empty_body);
}

TEST_CASE("a secret without the whsec_ prefix is the same key") {
  CHECK(wh::verify(key2_b64, {"msg_1", "1700000000", sig2}, body2, at(1700000000)).has_value());
  CHECK(wh::verify(std::string{"whsec_"} + std::string{key2_b64}, {"msg_1", "1700000000", sig2}, body2, at(1700000000))
            .has_value());
}

TEST_CASE("an empty body verifies when signed empty") {
  CHECK(wh::verify(key2_b64, {"msg_1", "1700000000", sig2_empty_body}, "", at(1700000000)).has_value());
}

TEST_CASE("a tampered body, id or timestamp fails with no valid signature") {
  const auto now = at(1614265330);
  SUBCASE("body") {
    const auto r = wh::verify(spec_secret, {spec_id, spec_ts, spec_sig}, R"({"test": 2432232315})", now);
    CHECK(detail_of(r) == "no valid signature");
    CHECK(r.error().kind() == error_kind::validation);
    CHECK(r.error().field() == "webhook-signature");
    CHECK(r.error().message() == "validation error at webhook-signature: no valid signature");
  }
  SUBCASE("trailing whitespace in the body") {
    CHECK(detail_of(wh::verify(spec_secret, {spec_id, spec_ts, spec_sig}, std::string{spec_body} + "\n", now)) ==
          "no valid signature");
  }
  SUBCASE("id") {
    CHECK(detail_of(wh::verify(spec_secret, {"msg_other", spec_ts, spec_sig}, spec_body, now)) == "no valid signature");
  }
  SUBCASE("timestamp (still inside the tolerance)") {
    CHECK(detail_of(wh::verify(spec_secret, {spec_id, "1614265331", spec_sig}, spec_body, now)) ==
          "no valid signature");
  }
  SUBCASE("one flipped bit in the signature") {
    CHECK(detail_of(wh::verify(spec_secret, {spec_id, spec_ts, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="},
                               spec_body, now)) == "no valid signature");
  }
}

TEST_CASE("a wrong secret fails with no valid signature") {
  const auto r = wh::verify(key2_b64, {spec_id, spec_ts, spec_sig}, spec_body, at(1614265330));
  CHECK(detail_of(r) == "no valid signature");
}

TEST_CASE("the timestamp must be within the tolerance of now, both directions") {
  const std::int64_t ts = 1614265330;
  const auto check = [&](std::int64_t now, std::chrono::seconds tol = wh::default_tolerance) {
    return wh::verify(spec_secret, {spec_id, spec_ts, spec_sig}, spec_body, at(now), tol);
  };
  CHECK(check(ts + 300).has_value());  // exactly 5 minutes old: accepted
  CHECK(check(ts - 300).has_value());  // exactly 5 minutes ahead: accepted
  const auto old = check(ts + 301);
  CHECK(detail_of(old) == "timestamp outside tolerance (too old)");
  CHECK(old.error().field() == "webhook-timestamp");
  CHECK(detail_of(check(ts - 301)) == "timestamp outside tolerance (in the future)");
  CHECK(detail_of(check(ts + 86400)) == "timestamp outside tolerance (too old)");
  SUBCASE("a custom tolerance") {
    CHECK(check(ts + 10, 10s).has_value());
    CHECK_FALSE(check(ts + 11, 10s).has_value());
    CHECK(check(ts + 3600, 1h).has_value());
  }
  SUBCASE("extreme tolerances and clocks do not overflow") {
    CHECK(check(ts + 3'000'000'000, std::chrono::seconds::max()).has_value());
    CHECK(detail_of(check(ts + 1, std::chrono::seconds{-5})) == "timestamp outside tolerance (too old)");
    CHECK(check(ts, 0s).has_value());
    CHECK_FALSE(wh::verify(spec_secret, {spec_id, spec_ts, spec_sig}, spec_body,
                           std::chrono::system_clock::time_point::max())
                    .has_value());
    CHECK_FALSE(wh::verify(spec_secret, {spec_id, "999999999999999999", spec_sig}, spec_body,
                           std::chrono::system_clock::time_point::min(), std::chrono::seconds::max())
                    .has_value());  // accepted by the clock check, refused by the signature
  }
  SUBCASE("an expired timestamp fails even when the signature is valid for it") {
    // The signature matches, so only the clock check can refuse it.
    CHECK(detail_of(check(ts + 301)).find("outside tolerance") != std::string::npos);
  }
}

TEST_CASE("several signatures: one valid one is enough") {
  const auto now = at(1614265330);
  const std::string bad = "v1,LEw9uoTi7NFNfoP2ecHBmUHreIHgfwJ1nywtPhhbq+g=";
  CHECK(wh::verify(spec_secret, {spec_id, spec_ts, bad + " " + std::string{spec_sig}}, spec_body, now).has_value());
  CHECK(wh::verify(spec_secret, {spec_id, spec_ts, std::string{spec_sig} + " " + bad}, spec_body, now).has_value());
  SUBCASE("other versions and malformed entries are skipped") {
    const std::string header = "v1a,c29tZXRoaW5n v2,abc garbage v1,not*base64 v1, " + std::string{spec_sig};
    CHECK(wh::verify(spec_secret, {spec_id, spec_ts, header}, spec_body, now).has_value());
  }
  SUBCASE("repeated spaces between entries") {
    CHECK(wh::verify(spec_secret, {spec_id, spec_ts, bad + "   " + std::string{spec_sig} + " "}, spec_body, now)
              .has_value());
  }
  SUBCASE("none valid") {
    CHECK(detail_of(wh::verify(spec_secret, {spec_id, spec_ts, bad + " " + bad}, spec_body, now)) ==
          "no valid signature");
  }
  SUBCASE("the right digest under another version is not accepted") {
    CHECK(detail_of(wh::verify(spec_secret, {spec_id, spec_ts, "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
                               spec_body, now)) == "no valid signature");
  }
  SUBCASE("a truncated digest is not accepted") {
    CHECK(detail_of(wh::verify(spec_secret, {spec_id, spec_ts, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ"},
                               spec_body, now)) == "no valid signature");
  }
}

TEST_CASE("missing and malformed headers say which one") {
  const auto now = at(1614265330);
  CHECK(detail_of(wh::verify(spec_secret, {"", spec_ts, spec_sig}, spec_body, now)) == "missing header webhook-id");
  CHECK(detail_of(wh::verify(spec_secret, {spec_id, "", spec_sig}, spec_body, now)) ==
        "missing header webhook-timestamp");
  CHECK(detail_of(wh::verify(spec_secret, {spec_id, spec_ts, ""}, spec_body, now)) ==
        "missing header webhook-signature");
  for (std::string_view ts : {"-1614265330", "+1614265330", "1614265330.5", "1614265330 ", "2021-02-25T15:02:10Z",
                              "abc", "99999999999999999999999"}) {
    CAPTURE(ts);
    const auto r = wh::verify(spec_secret, {spec_id, ts, spec_sig}, spec_body, now);
    CHECK(detail_of(r).find("malformed header webhook-timestamp") == 0);
    CHECK(r.error().field() == "webhook-timestamp");
  }
}

TEST_CASE("a malformed secret is refused without echoing it") {
  const auto now = at(1614265330);
  for (std::string_view secret : {"", "whsec_", "whsec_not base64!", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
                                  "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw==", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw-"}) {
    CAPTURE(secret);
    const auto r = wh::verify(secret, {spec_id, spec_ts, spec_sig}, spec_body, now);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind() == error_kind::validation);
    CHECK(r.error().detail().find("malformed secret") == 0);
    if (secret.size() > 6) CHECK(r.error().message().find(secret.substr(6)) == std::string::npos);
    CHECK_FALSE(wh::sign(secret, spec_id, 1614265330, spec_body).has_value());
  }
}

TEST_CASE("no error message contains the secret or the expected signature") {
  const auto now = at(1614265330);
  const auto wrong = wh::verify(spec_secret, {spec_id, spec_ts, "v1,AAAA"}, spec_body, now);
  const auto old = wh::verify(spec_secret, {spec_id, spec_ts, spec_sig}, spec_body, at(1714265330));
  for (const auto* r : {&wrong, &old}) {
    REQUIRE_FALSE(r->has_value());
    const std::string msg = r->error().message();
    CHECK(msg.find("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == std::string::npos);
    CHECK(msg.find("g0hM9SsE") == std::string::npos);
  }
}

TEST_CASE("verify through a header lookup function") {
  const auto lookup = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "webhook-id") return spec_id;
    if (name == "webhook-timestamp") return spec_ts;
    if (name == "webhook-signature") return spec_sig;
    return std::nullopt;
  };
  CHECK(wh::verify(spec_secret, lookup, spec_body, at(1614265330)).has_value());
  const auto no_sig = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "webhook-id") return spec_id;
    if (name == "webhook-timestamp") return spec_ts;
    return std::nullopt;
  };
  CHECK(detail_of(wh::verify(spec_secret, no_sig, spec_body, at(1614265330))) == "missing header webhook-signature");
}

TEST_CASE("sign then verify round-trips with a fresh clock") {
  const auto now = std::chrono::system_clock::now();
  const std::int64_t ts = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string ts_text = std::to_string(ts);
  const std::string body = R"({"hello":"world","n":[1,2,3]})";
  const auto sig = wh::sign(key2_b64, "msg_roundtrip", ts, body);
  REQUIRE(sig.has_value());
  CHECK(sig->substr(0, 3) == "v1,");
  CHECK(wh::verify(key2_b64, {"msg_roundtrip", ts_text, *sig}, body).has_value());  // default clock
  CHECK_FALSE(wh::verify(key2_b64, {"msg_roundtrip", ts_text, *sig}, body + " ").has_value());
}

#else

TEST_CASE("without OpenSSL, verify and sign refuse with a clear error") {
  MESSAGE("built without MEDIAJOBS_WITH_OPENSSL: only the fallback is tested");
  const auto r = wh::verify(spec_secret, {spec_id, spec_ts, spec_sig}, spec_body, at(1614265330));
  CHECK(detail_of(r).find("needs OpenSSL") != std::string::npos);
  CHECK_FALSE(wh::sign(spec_secret, spec_id, 1614265330, spec_body).has_value());
}

#endif
