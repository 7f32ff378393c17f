// Style engine request validation: the rules of JobCreateRequest, checked before anything is sent,
// with an error naming the field:
//   validation error at webhook_url: not an absolute http(s) URL: missing scheme (…)
//
// Rules (style-engine-job-schemas.txt): video_id is required (non-empty); webhook_url, when set,
// must be an absolute http or https URL (the engine POSTs to it). template_video_id and config are
// not checked (the docs give no rule). The URL itself never appears in the error (it may carry a
// token).
//
// Thread-safety: stateless functions; safe to call concurrently.
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/style/schema.hpp>

#include <string>
#include <string_view>

namespace mediajobs::style {

/// Checks a create request; the first failure names its field.
[[nodiscard]] inline result<void> validate(const job_create_request& r) {
  if (r.video_id.empty()) return fail(validation_error("video_id", "video_id is required"));
  if (r.webhook_url) {
    auto u = http::parse_url(*r.webhook_url);
    if (!u) {
      std::string why{u.error().detail()};
      if (constexpr std::string_view p = "bad URL: "; why.compare(0, p.size(), p) == 0) why.erase(0, p.size());
      return fail(validation_error("webhook_url", "not an absolute http(s) URL: " + why));
    }
  }
  return {};
}

}  // namespace mediajobs::style
