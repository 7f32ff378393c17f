// The request validators of the three services (ugen/, style/, techforge/ validate.hpp): each
// documented rule refuses bad input naming the field, and accepts good input at its boundaries.
// One file for the three so that the schemas (and the JSON codec under them) are compiled once.
#include <mediajobs/style/validate.hpp>
#include <mediajobs/techforge/validate.hpp>
#include <mediajobs/ugen/validate.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <string_view>

using mediajobs::error_kind;
using mediajobs::open_enum;
using mediajobs::result;

namespace {

/// Fails the check (and says why) unless `r` is a validation error at `field`.
void expect_refused(const result<void>& r, std::string_view field) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().kind() == error_kind::validation);
  CHECK(r.error().field() == field);
}

void expect_ok(const result<void>& r) {
  if (!r) FAIL_CHECK(r.error().message());
  CHECK(r.has_value());
}

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

}  // namespace

// =============================================================================================
// U-Gen
// =============================================================================================
namespace ugen = mediajobs::ugen;

namespace {
// Members are assigned one by one: GCC 12's -Wmissing-field-initializers (in -Wextra) warns about
// designated initializers that leave members out.
ugen::create_job_request good_ugen() {
  ugen::create_job_request r;
  r.product_name = "Premium Wireless Headphones";
  r.product_image_url = "https://example.com/headphones.jpg";
  r.segment_count = 3;
  return r;
}
ugen::create_job_request kling(int duration) {
  auto r = good_ugen();
  r.video_model = open_enum<ugen::video_model>{"kling_v2"};
  r.segment_duration = duration;
  return r;
}
}  // namespace

TEST_CASE("ugen: the docs' example request is valid, defaults included") {
  expect_ok(ugen::validate(good_ugen()));
  auto r = good_ugen();
  r.interaction_mode = ugen::interaction_mode::holdable;
  r.video_model = ugen::video_model::veo3_fast;
  r.script_tone = ugen::script_tone::enthusiastic;
  r.music_mood = "upbeat";
  r.qai_enabled = true;
  expect_ok(ugen::validate(r));
}

TEST_CASE("ugen: product_name and product_image_url are required") {
  auto r = good_ugen();
  r.product_name.clear();
  const auto e = ugen::validate(r);
  expect_refused(e, "product_name");
  CHECK(e.error().message() == "validation error at product_name: product_name is required");

  r = good_ugen();
  r.product_image_url.clear();
  expect_refused(ugen::validate(r), "product_image_url");
}

TEST_CASE("ugen: product_image_url and webhook_url must be absolute http(s) URLs") {
  for (std::string_view bad : {"example.com/h.jpg", "/h.jpg", "ftp://example.com/h.jpg", "https://", "https:///h.jpg",
                               "https://exa mple.com/h.jpg", "file:///etc/passwd"}) {
    CAPTURE(bad);
    auto r = good_ugen();
    r.product_image_url = bad;
    const auto e = ugen::validate(r);
    expect_refused(e, "product_image_url");
    CHECK(e.error().detail().find("not an absolute http(s) URL") == 0);
    r = good_ugen();
    r.webhook_url = std::string{bad};
    expect_refused(ugen::validate(r), "webhook_url");
  }
  for (std::string_view ok : {"http://127.0.0.1:8080/hook", "https://example.com", "HTTPS://Example.com/a?b=c"}) {
    CAPTURE(ok);
    auto r = good_ugen();
    r.product_image_url = ok;
    r.webhook_url = std::string{ok};
    expect_ok(ugen::validate(r));
  }
}

TEST_CASE("ugen: a URL is never echoed in the error (it may carry a token)") {
  auto r = good_ugen();
  r.webhook_url = "hooks.example.com/cb?token=s3cr3t";
  const auto e = ugen::validate(r);
  expect_refused(e, "webhook_url");
  CHECK(e.error().message().find("s3cr3t") == std::string::npos);
}

TEST_CASE("ugen: segment_count must be at least 1") {
  auto r = good_ugen();
  r.segment_count = 0;
  const auto e = ugen::validate(r);
  expect_refused(e, "segment_count");
  CHECK(e.error().message() == "validation error at segment_count: segment_count must be at least 1 (got 0)");
  r.segment_count = -2;
  expect_refused(ugen::validate(r), "segment_count");
  r.segment_count = 1;
  expect_ok(ugen::validate(r));
}

TEST_CASE("ugen: Veo models fix segment_duration at 8") {
  auto r = good_ugen();  // default model veo3_fast
  r.segment_duration = 6;
  const auto e = ugen::validate(r);
  expect_refused(e, "segment_duration");
  CHECK(e.error().message() == "validation error at segment_duration: Veo models fix segment_duration at 8 (got 6)");
  r.segment_duration = 8;
  expect_ok(ugen::validate(r));
  r.segment_duration = 9;
  expect_refused(ugen::validate(r), "segment_duration");
  SUBCASE("any model of the family, explicitly named, in any case") {
    r.video_model = open_enum<ugen::video_model>{"Veo3"};
    r.segment_duration = 5;
    expect_refused(ugen::validate(r), "segment_duration");
    r.segment_duration = 8;
    expect_ok(ugen::validate(r));
  }
}

TEST_CASE("ugen: Kling models allow segment_duration 3 to 10") {
  const auto low = ugen::validate(kling(2));
  expect_refused(low, "segment_duration");
  CHECK(low.error().message() ==
        "validation error at segment_duration: Kling models allow segment_duration 3 to 10 (got 2)");
  expect_ok(ugen::validate(kling(3)));
  expect_ok(ugen::validate(kling(6)));
  expect_ok(ugen::validate(kling(10)));
  expect_refused(ugen::validate(kling(11)), "segment_duration");
  SUBCASE("the default duration (8) is fine for Kling") {
    auto r = kling(8);
    r.segment_duration.reset();
    expect_ok(ugen::validate(r));
  }
}

TEST_CASE("ugen: a model of neither family gets no segment_duration rule") {
  auto r = good_ugen();
  r.video_model = open_enum<ugen::video_model>{"sora_2"};
  r.segment_duration = 12;
  expect_ok(ugen::validate(r));
}

TEST_CASE("ugen: aspect ratio 1:1 only with Kling models") {
  auto r = good_ugen();
  r.aspect_ratio = ugen::aspect_ratio::r1_1;
  const auto e = ugen::validate(r);
  expect_refused(e, "aspect_ratio");
  CHECK(e.error().message() ==
        "validation error at aspect_ratio: aspect ratio 1:1 is only supported by Kling models (video_model is veo3_fast)");
  auto k = kling(5);
  k.aspect_ratio = ugen::aspect_ratio::r1_1;
  expect_ok(ugen::validate(k));
  SUBCASE("given as a wire string") {
    r.aspect_ratio = open_enum<ugen::aspect_ratio>{"1:1"};
    expect_refused(ugen::validate(r), "aspect_ratio");
  }
  SUBCASE("the other ratios with Veo") {
    r.aspect_ratio = ugen::aspect_ratio::r16_9;
    expect_ok(ugen::validate(r));
    r.aspect_ratio = ugen::aspect_ratio::r9_16;
    expect_ok(ugen::validate(r));
  }
}

TEST_CASE("ugen: max_retries_keyframe and max_retries_video are 0 to 5") {
  for (int v : {0, 5}) {
    auto r = good_ugen();
    r.max_retries_keyframe = v;
    r.max_retries_video = v;
    expect_ok(ugen::validate(r));
  }
  for (int v : {-1, 6}) {
    CAPTURE(v);
    auto r = good_ugen();
    r.max_retries_keyframe = v;
    const auto e = ugen::validate(r);
    expect_refused(e, "max_retries_keyframe");
    r = good_ugen();
    r.max_retries_video = v;
    expect_refused(ugen::validate(r), "max_retries_video");
  }
  auto r = good_ugen();
  r.max_retries_video = 6;
  CHECK(ugen::validate(r).error().message() ==
        "validation error at max_retries_video: max_retries_video must be 0 to 5 (got 6)");
}

TEST_CASE("ugen: music_volume is 0 to 1") {
  for (double v : {0.0, 0.15, 1.0}) {
    auto r = good_ugen();
    r.music_volume = v;
    expect_ok(ugen::validate(r));
  }
  for (double v : {-0.01, 1.01, not_a_number}) {
    CAPTURE(v);
    auto r = good_ugen();
    r.music_volume = v;
    expect_refused(ugen::validate(r), "music_volume");
  }
  auto r = good_ugen();
  r.music_volume = 1.01;
  CHECK(ugen::validate(r).error().message() == "validation error at music_volume: music_volume must be 0 to 1 (got 1.01)");
}

TEST_CASE("ugen: suggest-fields requires product_name and an http(s) product_image_url") {
  ugen::suggest_fields_request r;
  r.product_name = "Wireless Headphones";
  r.product_image_url = "https://example.com/headphones.jpg";
  expect_ok(ugen::validate(r));
  auto bad = r;
  bad.product_name.clear();
  expect_refused(ugen::validate(bad), "product_name");
  bad = r;
  bad.product_image_url.clear();
  expect_refused(ugen::validate(bad), "product_image_url");
  bad = r;
  bad.product_image_url = "headphones.jpg";
  expect_refused(ugen::validate(bad), "product_image_url");
  bad = r;
  bad.segment_count = 0;
  expect_refused(ugen::validate(bad), "segment_count");
  bad.segment_count = 1;
  expect_ok(ugen::validate(bad));
}

TEST_CASE("ugen: retry accepts no stage, a known stage and an unknown stage, but not an empty one") {
  expect_ok(ugen::validate(ugen::retry_request{}));
  expect_ok(ugen::validate(ugen::retry_request{.restart_from_stage = ugen::pipeline_stage::generation}));
  expect_ok(ugen::validate(ugen::retry_request{.restart_from_stage = open_enum<ugen::pipeline_stage>{"lip_sync"}}));
  expect_refused(ugen::validate(ugen::retry_request{.restart_from_stage = open_enum<ugen::pipeline_stage>{""}}),
                 "restart_from_stage");
}

// =============================================================================================
// TechForgeInnovate
// =============================================================================================
namespace tfi = mediajobs::techforge;

namespace {
tfi::create_request good_tfi() {
  tfi::create_request r;
  r.job_type = tfi::job_type::ai_talking_video;
  r.template_id = "468ea7a0-66e1-4357-a760-236e54167f3e";
  r.version = 2;
  r.session_id = "fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c";
  return r;
}
}  // namespace

TEST_CASE("techforge: the docs' example request is valid") { expect_ok(tfi::validate(good_tfi())); }

TEST_CASE("techforge: every documented job_type is accepted, an unknown one refused") {
  for (std::string_view t : {"ai_talking_video", "video", "tts", "image", "photo_qc", "pdf", "ai_image_generation"}) {
    CAPTURE(t);
    auto r = good_tfi();
    r.job_type = open_enum<tfi::job_type>{t};
    expect_ok(tfi::validate(r));
  }
  auto r = good_tfi();
  r.job_type = open_enum<tfi::job_type>{"hologram"};
  const auto e = tfi::validate(r);
  expect_refused(e, "job_type");
  CHECK(e.error().message() ==
        "validation error at job_type: unknown job_type \"hologram\" (expected one of ai_talking_video, video, tts, "
        "image, photo_qc, pdf, ai_image_generation)");
  r.job_type = open_enum<tfi::job_type>{"VIDEO"};  // wire names are lower case
  expect_refused(tfi::validate(r), "job_type");
}

TEST_CASE("techforge: template_id or project_id must be present and non-empty") {
  auto r = good_tfi();
  r.template_id.reset();
  const auto e = tfi::validate(r);
  expect_refused(e, "template_id");
  CHECK(e.error().message() == "validation error at template_id: template_id or project_id is required (non-empty)");
  r.template_id = "";
  r.project_id = "";
  expect_refused(tfi::validate(r), "template_id");
  r.project_id = "468ea7a0-66e1-4357-a760-236e54167f3e";
  expect_ok(tfi::validate(r));
  r.template_id = "t";
  r.project_id.reset();
  expect_ok(tfi::validate(r));
}

TEST_CASE("techforge: background_volume is 0 to 1") {
  for (double v : {0.0, 0.5, 1.0}) {
    auto r = good_tfi();
    r.background_volume = v;
    expect_ok(tfi::validate(r));
  }
  for (double v : {-0.1, 1.01, not_a_number}) {
    CAPTURE(v);
    auto r = good_tfi();
    r.background_volume = v;
    expect_refused(tfi::validate(r), "background_volume");
  }
  auto r = good_tfi();
  r.background_volume = 1.5;
  CHECK(tfi::validate(r).error().message() ==
        "validation error at background_volume: background_volume must be 0 to 1 (got 1.5)");
}

TEST_CASE("techforge: background_start is at least 0") {
  for (double v : {0.0, 12.5}) {
    auto r = good_tfi();
    r.background_start = v;
    expect_ok(tfi::validate(r));
  }
  for (double v : {-0.5, -1e-9, not_a_number, std::numeric_limits<double>::infinity()}) {
    CAPTURE(v);
    auto r = good_tfi();
    r.background_start = v;
    expect_refused(tfi::validate(r), "background_start");
  }
  auto r = good_tfi();
  r.background_start = -2;
  CHECK(tfi::validate(r).error().message() ==
        "validation error at background_start: background_start must be at least 0 seconds (got -2)");
}

// =============================================================================================
// Style engine
// =============================================================================================
namespace style = mediajobs::style;

TEST_CASE("style: video_id is required") {
  style::job_create_request r;
  r.video_id = "vid_123";
  expect_ok(style::validate(r));
  r.video_id.clear();
  const auto e = style::validate(r);
  expect_refused(e, "video_id");
  CHECK(e.error().message() == "validation error at video_id: video_id is required");
}

TEST_CASE("style: webhook_url, when set, must be an absolute http(s) URL") {
  style::job_create_request r;
  r.video_id = "vid_123";
  r.webhook_url = "https://hooks.example.com/style";
  expect_ok(style::validate(r));
  r.webhook_url = "http://127.0.0.1:9000/cb";
  expect_ok(style::validate(r));
  for (std::string_view bad : {"", "hooks.example.com/style", "mailto:a@b.c", "https://user:pw@hooks.example.com/"}) {
    CAPTURE(bad);
    r.webhook_url = std::string{bad};
    const auto e = style::validate(r);
    expect_refused(e, "webhook_url");
    CHECK(e.error().message().find("validation error at webhook_url: not an absolute http(s) URL") == 0);
  }
}
