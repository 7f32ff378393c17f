// Style engine schemas (POST/GET /api/v1/jobs, /api/v1/jobs/{job_id}/result, uploads, webhooks):
// plain reflected aggregates. Source of truth: api-docs/style-engine-job-schemas.txt.
//
// Responses are tolerant: only a job's `job_id` and `status` are required to decode; the other
// members the docs mark required (video_id, progress_percent, created_at, updated_at) are
// optional here so that one missing field never makes a poll fail. Enums the server sends are
// `open_enum` (an unknown value is kept verbatim); every response keeps unknown keys in `extra`.
//
// Every member has an initialiser (`{}` at least) so that designated initialisation of a few
// members, `{.video_id = "v"}`, compiles cleanly under GCC 12's -Wextra
// (-Wmissing-field-initializers warns about omitted members that have none).
//
// Thread-safety: plain data; like any struct of std types.
#pragma once

#include <mediajobs/json/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mediajobs::style {

/// Job lifecycle status (documented values).
enum class job_status { queued, processing, completed, failed, cancelled };

/// Active pipeline stage while `status` is processing (documented values).
enum class job_stage { video_analysis, audio_analysis, motion_analysis, style_extraction, style_application, rendering };

/// True for the states a job never leaves (the ones that trigger the webhook).
[[nodiscard]] inline bool is_terminal(const open_enum<job_status>& s) noexcept {
  return s.is(job_status::completed) || s.is(job_status::failed) || s.is(job_status::cancelled);
}

// --- requests ---------------------------------------------------------------------------------

/// JobCreateRequest: POST /api/v1/jobs.
struct job_create_request {
  std::string video_id{};                          // required: from the upload
  std::optional<std::string> template_video_id{};  // a previously uploaded video used as style template
  std::optional<json::value> config{};             // "optional processing configuration" (object)
  std::optional<std::string> webhook_url{};        // POSTed an envelope<job_detail_response> at the end
};

// --- responses --------------------------------------------------------------------------------

/// JobResponse: POST /api/v1/jobs, GET /api/v1/jobs/{job_id}, and the items of the list.
struct job_response {
  std::string job_id{};
  std::optional<std::string> video_id{};
  open_enum<job_status> status{job_status::queued};
  std::optional<int> progress_percent{};                // 0–100
  std::optional<open_enum<job_stage>> current_stage{};  // null unless processing
  std::optional<timestamp> created_at{};
  std::optional<timestamp> updated_at{};
  std::optional<timestamp> started_at{};    // null until processing began
  std::optional<timestamp> completed_at{};  // null until terminal
  std::optional<std::string> template_video_id{};
  json::unknown_fields extra{};
};

/// JobDetailResponse: GET /api/v1/jobs/{job_id}/result and the webhook's data. "Extends
/// JobResponse": the members are repeated, not inherited, because reflection needs a flat
/// aggregate.
struct job_detail_response {
  std::string job_id{};
  std::optional<std::string> video_id{};
  open_enum<job_status> status{job_status::queued};
  std::optional<int> progress_percent{};
  std::optional<open_enum<job_stage>> current_stage{};
  std::optional<timestamp> created_at{};
  std::optional<timestamp> updated_at{};
  std::optional<timestamp> started_at{};
  std::optional<timestamp> completed_at{};
  std::optional<std::string> template_video_id{};
  std::optional<json::value> style_json{};          // the StyleJSON object (its own schema is open-ended)
  std::optional<std::string> output_video_url{};    // null unless completed
  std::optional<json::value> error{};               // object when failed, null otherwise
  std::optional<double> processing_time_seconds{};  // null until completed
  json::unknown_fields extra{};
};

using job = job_response;
using job_detail = job_detail_response;

/// The paginated list as an object. Undocumented beyond "JobResponse items": the items may be under
/// `jobs`, `items` or `data`, with the usual pagination fields beside them.
struct job_list_page {
  std::optional<std::vector<job_response>> jobs{};
  std::optional<std::vector<job_response>> items{};
  std::optional<std::vector<job_response>> data{};
  std::optional<int> page{};
  std::optional<int> page_size{};
  std::optional<int> total{};
  std::optional<int> total_pages{};
  std::optional<bool> has_more{};
  json::unknown_fields extra{};

  [[nodiscard]] const std::vector<job_response>& get_items() const noexcept {
    static const std::vector<job_response> none{};
    return jobs ? *jobs : items ? *items : data ? *data : none;
  }
};

/// GET /api/v1/jobs: a bare array or an object page (chosen by the JSON kind).
using job_list = std::variant<std::vector<job_response>, job_list_page>;

[[nodiscard]] inline const std::vector<job_response>& list_items(const job_list& list) noexcept {
  if (const auto* a = std::get_if<std::vector<job_response>>(&list)) return *a;
  return std::get<job_list_page>(list).get_items();
}

/// The standard response envelope: `{success?, data, error?, message?, …}`. `data` is required
/// (that is what the caller asked for); an error body is decoded by the api layer, not as this.
template <class T>
struct envelope {
  std::optional<bool> success{};
  T data{};
  std::optional<json::value> error{};  // string or object: undocumented
  std::optional<std::string> message{};
  json::unknown_fields extra{};
};

/// Upload a video: the answer carries the `video_id` used by job_create_request. The other
/// members are undocumented; they are what an upload record carries.
struct upload_result {
  std::string video_id{};
  std::optional<std::string> filename{};
  std::optional<std::string> content_type{};
  std::optional<std::int64_t> size_bytes{};
  std::optional<double> duration_seconds{};
  std::optional<std::string> status{};
  std::optional<timestamp> created_at{};
  json::unknown_fields extra{};
};

/// The body POSTed to `webhook_url` when a job reaches a terminal state.
using webhook_payload = envelope<job_detail_response>;

}  // namespace mediajobs::style
