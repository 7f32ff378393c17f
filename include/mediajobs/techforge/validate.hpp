// TechForgeInnovate request validation: the rules the POST /jobs/v2 pages document, checked before
// anything is sent, with an error naming the field:
//   validation error at background_volume: background_volume must be 0 to 1 (got 1.5)
//
// Rules (techforge-create-job-v2*.txt):
//   job_type         one of the 7 documented values (ai_talking_video, video, tts, image,
//                    photo_qc, pdf, ai_image_generation). The member is an open enum so that a
//                    job record with a new type decodes, but a create with an unknown type is
//                    refused here: the docs give the full list of valid values.
//   template_id / project_id   at least one present and non-empty (the controller resolves
//                    template_id first, then project_id; without either, it answers 400).
//   background_volume  0 to 1 when set;  background_start  >= 0 seconds when set.
// Only the first failure is reported. Fields the docs leave open (values, version, the v6
// talking-video fields, extra keys) are not checked.
//
// Thread-safety: stateless functions; safe to call concurrently.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/reflect/enum.hpp>
#include <mediajobs/techforge/schema.hpp>

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

namespace mediajobs::techforge {

namespace detail::rules {
[[nodiscard]] inline std::string number_text(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return r.ec == std::errc{} ? std::string(buf, r.ptr) : std::string{"?"};
}
}  // namespace detail::rules

/// Checks a create request against the documented rules; the first failure names its field.
[[nodiscard]] inline result<void> validate(const create_request& r) {
  if (r.job_type.is_unknown()) {
    std::string detail = "unknown job_type \"";
    detail += r.job_type.name();
    detail += "\" (expected one of ai_talking_video, video, tts, image, photo_qc, pdf, ai_image_generation)";
    return fail(validation_error("job_type", std::move(detail)));
  }
  const bool has_template = r.template_id && !r.template_id->empty();
  const bool has_project = r.project_id && !r.project_id->empty();
  if (!has_template && !has_project)
    return fail(validation_error("template_id", "template_id or project_id is required (non-empty)"));
  if (r.background_volume) {
    const double v = *r.background_volume;
    if (!(v >= 0.0 && v <= 1.0))  // also refuses NaN
      return fail(validation_error("background_volume",
                                   "background_volume must be 0 to 1 (got " + detail::rules::number_text(v) + ")"));
  }
  if (r.background_start) {
    const double v = *r.background_start;
    if (!(v >= 0.0) || !std::isfinite(v))  // refuses NaN and infinity too
      return fail(validation_error("background_start", "background_start must be at least 0 seconds (got " +
                                                           detail::rules::number_text(v) + ")"));
  }
  return {};
}

}  // namespace mediajobs::techforge
