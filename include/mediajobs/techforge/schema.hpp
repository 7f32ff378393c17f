// TechForgeInnovate schemas (POST /jobs/v2, api/jobs-get, GET /storage/generate-signed-path,
// the provider project endpoints): plain reflected aggregates. Sources of truth:
// api-docs/techforge-create-job-v2.txt, techforge-create-job-v2-reference.txt and
// techforge-overview-signed-urls.txt.
//
// The docs disagree on the create answer (201 `{message, job{…}}` on the job pages, 202
// `{jobId, status}` on the overview): `create_response` accepts both and `normalize()` turns
// either into one `created_job`. The polled job (api/jobs-get) is not documented at all: `job`
// is tolerant (every member optional, ids and status under several keys, unknown keys kept).
// Job states are upper case on the wire (QUEUED, PROCESSING, COMPLETED, FAILED) except in the
// 202 answer ("queued"); `parse_status()` maps either case.
//
// Every member has an initialiser (`{}` at least) so that designated initialisation of a few
// members, `{.video_id = "v"}`, compiles cleanly under GCC 12's -Wextra
// (-Wmissing-field-initializers warns about omitted members that have none).
//
// Thread-safety: plain data; like any struct of std types.
#pragma once

#include <mediajobs/json/json.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace mediajobs::techforge {

/// Workflow type (documented values).
enum class job_type { ai_talking_video, video, tts, image, photo_qc, pdf, ai_image_generation };

/// Job state: "New jobs are created as QUEUED"; poll until COMPLETED or FAILED.
enum class job_status { queued, processing, completed, failed };
constexpr auto enum_naming(job_status) { return reflect::naming::upper_case; }

/// A job state from its wire text in either case ("QUEUED" from the job record, "queued" from
/// the 202 answer); an unknown text is kept verbatim.
[[nodiscard]] inline open_enum<job_status> parse_status(std::string_view text) {
  open_enum<job_status> s{text};
  if (!s.is_unknown() || text.size() > 32) return s;
  std::array<char, 32> upper{};
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    upper[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  open_enum<job_status> u{std::string_view{upper.data(), text.size()}};
  return u.is_unknown() ? s : u;
}

// --- values --------------------------------------------------------------------------------
// "Entries can be plain strings or asset objects such as { "image_url": "..." } or
// { "audio_url": "...", "effects": [...] }". An object is read as the first alternative whose
// required keys are present: image_asset (image_url), audio_asset (audio_url), else other_asset,
// which keeps any other object verbatim ("such as" leaves the set open).

struct image_asset {
  std::string image_url{};
  json::unknown_fields extra{};
};

struct audio_asset {
  std::string audio_url{};
  std::optional<std::vector<json::value>> effects{};  // effect objects: not specified further
  json::unknown_fields extra{};
};

struct other_asset {
  json::unknown_fields extra{};
};

using value_entry = std::variant<std::string, image_asset, audio_asset, other_asset>;
using values_map = std::map<std::string, value_entry>;

/// `values` is documented as an object, but the overview's v6 example sends `"values": []`: an
/// array is accepted (and written back as sent).
using values_field = std::variant<values_map, std::vector<json::value>>;

// --- requests ------------------------------------------------------------------------------

/// POST /jobs/v2. Everything but `job_type` is optional; `extra` carries "any additional fields"
/// (stored in the job input and interpreted by the worker for the job type), written after the
/// known ones.
struct create_request {
  // Required, no documented default: empty (unknown "") until set, so that a forgotten job type
  // is caught by validation instead of silently becoming a talking-video job.
  open_enum<techforge::job_type> job_type{std::string_view{}};
  std::optional<std::string> template_id{};  // recommended; resolved before project_id
  std::optional<std::string> project_id{};   // alternative project/source id (ai_image_generation)
  std::optional<values_field> values{};
  std::optional<int> version{};              // the studio sends 2 for template jobs; v6 for talking video
  std::optional<std::string> session_id{};
  // video / ai_talking_video, version 2:
  std::optional<std::string> background_music{};  // URL; absent: no background music
  std::optional<double> background_volume{};      // 0–1
  std::optional<double> background_start{};       // seconds, ≥ 0
  // ai_talking_video, version 6 (overview page):
  std::optional<std::string> image_url{};
  std::optional<std::string> audio_url{};
  std::optional<bool> is_clone_required{};
  std::optional<std::string> language{};  // e.g. "en"
  std::optional<int> output_size{};       // pixels, e.g. 400
  std::optional<bool> crop{};
  std::optional<double> dynamic_scale{};
  std::optional<int> iteration_count{};
  std::optional<double> expand_ratio{};
  json::unknown_fields extra{};
};

/// GET /storage/generate-signed-path query.
struct signed_path_query {
  std::string path{};  // storage key, e.g. ai-talking-videos/{projectId}/outputs/{file}.mp4
};

// --- responses -----------------------------------------------------------------------------

/// `credit_used` is documented as a string ("0"); a number is accepted too.
using credit_amount = std::variant<std::string, double>;

/// A job record: the `job` of the 201 create answer, and what api/jobs-get is taken to return
/// (undocumented: the same record, flat or wrapped as `{job: …}`). Every member is optional;
/// the id may be under `uuid` (documented), `id` or `job_id`, the state under `job_status`
/// (documented) or `status`. The output is expected as a storage path to sign (the overview says
/// to fetch outputs through signed URLs) or a URL; both are typed, anything else is in `extra`.
struct job {
  std::optional<std::string> uuid{};
  std::optional<std::string> id{};
  std::optional<std::string> job_id{};
  std::optional<std::string> user_id{};
  std::optional<std::string> template_id{};
  std::optional<std::string> project_id{};
  std::optional<json::value> input{};  // the stored request body, verbatim (any client may have sent it)
  std::optional<values_field> values{};
  std::optional<open_enum<techforge::job_status>> job_status{};  // QUEUED…; see get_status()
  std::optional<open_enum<techforge::job_status>> status{};      // lower case is possible here
  std::optional<open_enum<techforge::job_type>> job_type{};
  std::optional<credit_amount> credit_used{};
  std::optional<std::string> output_path{};  // storage key for generate-signed-path
  std::optional<std::string> output_url{};
  std::optional<json::value> error{};  // string or object: undocumented
  json::unknown_fields extra{};

  /// The job id, whichever key carried it (`uuid`, then `id`, then `job_id`); empty when none.
  [[nodiscard]] std::string_view get_id() const noexcept {
    if (uuid) return *uuid;
    if (id) return *id;
    if (job_id) return *job_id;
    return {};
  }
  /// The state from `job_status` or `status`, in either case; empty when neither was sent.
  [[nodiscard]] std::optional<open_enum<techforge::job_status>> get_status() const {
    const auto& s = job_status ? job_status : status;
    if (!s) return std::nullopt;
    return s->is_unknown() ? parse_status(s->name()) : *s;
  }
  /// `credit_used` as a number (the string form parsed); empty when absent or not a number.
  [[nodiscard]] std::optional<double> credits_used() const noexcept {
    if (!credit_used) return std::nullopt;
    if (const auto* d = std::get_if<double>(&*credit_used)) return *d;
    const std::string& s = std::get<std::string>(*credit_used);
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
  }
};

/// 201 Created: `{message, job{uuid, user_id, template_id, input, values, job_status, job_type,
/// credit_used}}`. `message` is documented required but optional here (tolerance): the `job` key
/// alone identifies this form.
struct create_response_201 {
  std::optional<std::string> message{};  // "Job update accepted and processing."
  techforge::job job{};
  json::unknown_fields extra{};
};

/// 202 Accepted (overview page): `{jobId, status}` with status "queued". `status` stays a
/// string: its documented case differs from the job record's; normalize() maps it.
struct create_response_202 {
  std::string job_id{};
  std::string status{};
  json::unknown_fields extra{};
  static constexpr std::array json_renames{reflect::rename{"job_id", "jobId"}};
};

/// The create answer in either documented form: an object with `job` is the 201 form, one with
/// `jobId` and `status` the 202 form.
using create_response = std::variant<create_response_201, create_response_202>;

/// The create answer normalised (not a wire type).
struct created_job {
  std::string job_id{};
  open_enum<techforge::job_status> status{techforge::job_status::queued};
  std::optional<std::string> message{};
  std::optional<techforge::job> job{};  // the full record, when the 201 form sent one
};

[[nodiscard]] inline created_job normalize(const create_response& r) {
  created_job out{};
  if (const auto* a = std::get_if<create_response_201>(&r)) {
    out.job_id = std::string{a->job.get_id()};
    out.status = a->job.get_status().value_or(open_enum<techforge::job_status>{techforge::job_status::queued});
    out.message = a->message;
    out.job = a->job;
  } else {
    const auto& b = std::get<create_response_202>(r);
    out.job_id = b.job_id;
    out.status = parse_status(b.status);
  }
  return out;
}

/// api/jobs-get: the record wrapped as `{job: …}` (the create form) or flat.
using jobs_get_response = std::variant<create_response_201, job>;

[[nodiscard]] inline const job& job_of(const jobs_get_response& r) noexcept {
  if (const auto* w = std::get_if<create_response_201>(&r)) return w->job;
  return std::get<job>(r);
}

/// GET /storage/generate-signed-path: `{signedUrl, expiresAt}`.
struct signed_path {
  std::string signed_url{};
  std::optional<timestamp> expires_at{};
  json::unknown_fields extra{};
  static constexpr auto json_naming = reflect::naming::camel_case;
};

/// One project of GET /api/provider/projects/active (undocumented: the usual project record).
struct project {
  std::optional<std::string> id{};
  std::optional<std::string> uuid{};
  std::optional<std::string> name{};
  std::optional<std::string> description{};
  std::optional<open_enum<techforge::job_type>> job_type{};
  std::optional<int> version{};
  std::optional<std::string> thumbnail_url{};
  json::unknown_fields extra{};

  [[nodiscard]] std::string_view get_id() const noexcept {
    if (id) return *id;
    if (uuid) return *uuid;
    return {};
  }
};

struct project_list_page {
  std::optional<std::vector<project>> projects{};
  std::optional<std::vector<project>> data{};
  std::optional<std::vector<project>> items{};
  json::unknown_fields extra{};
};

/// Active projects: a bare array or an object holding it under `projects`, `data` or `items`.
using project_list = std::variant<std::vector<project>, project_list_page>;

/// One expected input of a project (GET /api/provider/projects/:projectId/mapping-fields):
/// the key to use in `values` and what kind of entry it takes. Undocumented record.
struct mapping_field {
  std::optional<std::string> key{};   // the `values` key
  std::optional<std::string> name{};
  std::optional<std::string> label{};
  std::optional<std::string> type{};  // e.g. text, image, audio: kept as sent
  std::optional<bool> required{};
  std::optional<json::value> default_value{};
  json::unknown_fields extra{};
};

struct mapping_field_list_page {
  std::optional<std::vector<mapping_field>> fields{};
  std::optional<std::vector<mapping_field>> mapping_fields{};
  std::optional<std::vector<mapping_field>> data{};
  std::optional<std::vector<mapping_field>> items{};
  json::unknown_fields extra{};
};

/// Mapping fields: a bare array or an object holding it under `fields`, `mapping_fields`,
/// `data` or `items`.
using mapping_field_list = std::variant<std::vector<mapping_field>, mapping_field_list_page>;

[[nodiscard]] inline const std::vector<project>& list_items(const project_list& list) noexcept {
  static const std::vector<project> none;
  if (const auto* a = std::get_if<std::vector<project>>(&list)) return *a;
  const auto& p = std::get<project_list_page>(list);
  return p.projects ? *p.projects : p.data ? *p.data : p.items ? *p.items : none;
}

[[nodiscard]] inline const std::vector<mapping_field>& list_items(const mapping_field_list& list) noexcept {
  static const std::vector<mapping_field> none;
  if (const auto* a = std::get_if<std::vector<mapping_field>>(&list)) return *a;
  const auto& p = std::get<mapping_field_list_page>(list);
  return p.fields ? *p.fields : p.mapping_fields ? *p.mapping_fields : p.data ? *p.data : p.items ? *p.items : none;
}

}  // namespace mediajobs::techforge
