// The fallback of webhook/signature.hpp when the library is built without OpenSSL: this file
// pretends OpenSSL is absent (the functions live in a different inline namespace, so this does
// not clash with the other files of this executable).
#undef MEDIAJOBS_WITH_OPENSSL
#include <mediajobs/webhook/signature.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>

namespace wh = mediajobs::webhook;

TEST_CASE("built without OpenSSL, verify and sign return an error saying so") {
  static_assert(!wh::signatures_supported);
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1614265330}};
  const auto r = wh::verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                            {"msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
                            R"({"test": 2432232314})", now);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind() == mediajobs::error_kind::validation);
  CHECK(r.error().message() ==
        "validation error: webhook signature verification needs OpenSSL (build with MEDIAJOBS_WITH_OPENSSL)");
  const auto s = wh::sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg", 1, "{}");
  REQUIRE_FALSE(s.has_value());
  CHECK(std::string{s.error().detail()}.find("needs OpenSSL") != std::string::npos);
  // base64 does not need OpenSSL.
  CHECK(wh::base64_decode("Zm9vYmFy") == std::string{"foobar"});
}
