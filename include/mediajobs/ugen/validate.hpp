// U-Gen request validation: the rules the Jobs API documents, checked before anything is sent, so
// that a request the service would refuse (after reserving credits, or after a round trip) fails
// here with an error naming the field:
//   validation error at segment_duration: Veo models fix segment_duration at 8 (got 6)
//
// Rules (U-Gen "Jobs API" page):
//   create:  product_name and product_image_url required (non-empty); product_image_url and
//            webhook_url absolute http(s) URLs; segment_count >= 1; Veo models (name starting with
//            "veo") fix segment_duration at 8; Kling models ("kling…") allow 3 to 10; aspect ratio
//            1:1 only with Kling models; max_retries_keyframe and max_retries_video 0 to 5;
//            music_volume 0 to 1.
//   suggest-fields: product_name and product_image_url as for create; segment_count >= 1 when set.
//   retry:   restart_from_stage, when set, must not be empty. A stage name this build does not know
//            is allowed (it is an open enum): the docs' stage list is incomplete and the server is
//            the authority on which stages exist; an unknown name is sent verbatim.
// Members left empty are checked with their documented default (`ugen::defaults`). Model names are
// matched case-insensitively by prefix, so a new Veo or Kling model is covered without a change
// here; a model of neither family gets no segment_duration rule. Only the first failure is
// reported, in the order of the docs' parameter table.
//
// Thread-safety: stateless functions; safe to call concurrently.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/ugen/schema.hpp>

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace mediajobs::ugen {

namespace detail::rules {

[[nodiscard]] inline std::string number_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return r.ec == std::errc{} ? std::string(buf, r.ptr) : std::string{"?"};
}
[[nodiscard]] inline std::string number_text(int v) {
  char buf[16];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

[[nodiscard]] inline bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (http::detail::ascii_lower(s[i]) != prefix[i]) return false;
  return true;
}

/// A required string: present and non-empty.
[[nodiscard]] inline result<void> check_required(std::string_view field, std::string_view value) {
  if (value.empty()) return fail(validation_error(std::string{field}, std::string{field} + " is required"));
  return {};
}

/// An absolute http or https URL (the URL itself is not echoed: it may carry a token).
[[nodiscard]] inline result<void> check_http_url(std::string_view field, std::string_view value) {
  auto u = http::parse_url(value);
  if (u) return {};
  std::string why{u.error().detail()};
  if (constexpr std::string_view p = "bad URL: "; why.compare(0, p.size(), p) == 0) why.erase(0, p.size());
  return fail(validation_error(std::string{field}, "not an absolute http(s) URL: " + why));
}

[[nodiscard]] inline result<void> check_int_range(std::string_view field, int v, int lo, int hi) {
  if (v >= lo && v <= hi) return {};
  return fail(validation_error(std::string{field}, std::string{field} + " must be " + number_text(lo) + " to " +
                                                       number_text(hi) + " (got " + number_text(v) + ")"));
}

/// lo <= v <= hi; NaN is refused (every comparison with it is false).
[[nodiscard]] inline result<void> check_number_range(std::string_view field, double v, double lo, double hi) {
  if (v >= lo && v <= hi) return {};
  return fail(validation_error(std::string{field}, std::string{field} + " must be " + number_text(lo) + " to " +
                                                       number_text(hi) + " (got " + number_text(v) + ")"));
}

}  // namespace detail::rules

/// True for the Veo family ("veo3_fast", "veo3", …): segment_duration fixed at 8.
[[nodiscard]] inline bool is_veo_model(std::string_view model) noexcept {
  return detail::rules::starts_with_nocase(model, "veo");
}
/// True for the Kling family ("kling_v2", …): segment_duration 3 to 10, and the only one with 1:1.
[[nodiscard]] inline bool is_kling_model(std::string_view model) noexcept {
  return detail::rules::starts_with_nocase(model, "kling");
}

/// Checks a create request against the documented rules; the first failure names its field.
[[nodiscard]] inline result<void> validate(const create_job_request& r) {
  using namespace detail::rules;
  if (auto v = check_required("product_name", r.product_name); !v) return v;
  if (auto v = check_required("product_image_url", r.product_image_url); !v) return v;
  if (auto v = check_http_url("product_image_url", r.product_image_url); !v) return v;
  if (r.segment_count < 1)
    return fail(validation_error("segment_count",
                                 "segment_count must be at least 1 (got " + number_text(r.segment_count) + ")"));

  const open_enum<ugen::video_model> model = r.video_model.value_or(defaults::video_model);
  const std::string_view model_name = model.name();
  const int duration = r.segment_duration.value_or(defaults::segment_duration);
  // U-Gen docs: "Veo models fix segment_duration at 8s. Kling models allow 3–10s."
  if (is_veo_model(model_name) && duration != 8)
    return fail(validation_error("segment_duration", "Veo models fix segment_duration at 8 (got " +
                                                         number_text(duration) + ")"));
  if (is_kling_model(model_name) && (duration < 3 || duration > 10))
    return fail(validation_error("segment_duration", "Kling models allow segment_duration 3 to 10 (got " +
                                                         number_text(duration) + ")"));
  // U-Gen docs: "Aspect ratio 1:1 is only supported by Kling models."
  const open_enum<ugen::aspect_ratio> ratio = r.aspect_ratio.value_or(defaults::aspect_ratio);
  if (ratio.name() == "1:1" && !is_kling_model(model_name))
    return fail(validation_error("aspect_ratio", "aspect ratio 1:1 is only supported by Kling models (video_model is " +
                                                     std::string{model_name} + ")"));

  if (r.music_volume)
    if (auto v = check_number_range("music_volume", *r.music_volume, 0.0, 1.0); !v) return v;
  // U-Gen docs: "max_retries_keyframe, max_retries_video: 0–5 each".
  if (r.max_retries_keyframe)
    if (auto v = check_int_range("max_retries_keyframe", *r.max_retries_keyframe, 0, 5); !v) return v;
  if (r.max_retries_video)
    if (auto v = check_int_range("max_retries_video", *r.max_retries_video, 0, 5); !v) return v;
  if (r.webhook_url)
    if (auto v = check_http_url("webhook_url", *r.webhook_url); !v) return v;
  return {};
}

/// Checks a suggest-fields request: the two required fields, and segment_count >= 1 when set.
[[nodiscard]] inline result<void> validate(const suggest_fields_request& r) {
  using namespace detail::rules;
  if (auto v = check_required("product_name", r.product_name); !v) return v;
  if (auto v = check_required("product_image_url", r.product_image_url); !v) return v;
  if (auto v = check_http_url("product_image_url", r.product_image_url); !v) return v;
  if (r.segment_count && *r.segment_count < 1)
    return fail(validation_error("segment_count", "segment_count must be at least 1 (got " +
                                                      number_text(*r.segment_count) + ")"));
  return {};
}

/// Checks a retry request: an empty stage name is refused; an unknown one is allowed (see above).
[[nodiscard]] inline result<void> validate(const retry_request& r) {
  if (r.restart_from_stage && r.restart_from_stage->name().empty())
    return fail(validation_error("restart_from_stage",
                                 "restart_from_stage must name a stage when set (omit it to retry from the failed stage)"));
  return {};
}

}  // namespace mediajobs::ugen
