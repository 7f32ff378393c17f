// U-Gen Jobs API schemas (https://api.u-gen.ai/api/v1/jobs): the request and response bodies as
// plain reflected aggregates. Source of truth: the U-Gen "Jobs API" page (api-docs/ugen-jobs-api.txt).
//
// Requests are strict: every documented parameter, nothing else, exact wire strings. Parameters
// with a documented default are `std::optional` and sent only when the caller set them, so the
// server applies its own default (the documented one is in `ugen::defaults` and in a comment):
// no default needs to be applied client-side, and a server-side change of default is not
// silently overridden by an old client. The validator reads `x.value_or(defaults::x)`.
//
// Responses are tolerant: the docs do not define the job, list, keyframe or video bodies, so
// only a job's status is required; every other member is optional (`null` reads as absent),
// enums the server sends are `open_enum` (a new value is kept verbatim, never an error), and every
// response struct keeps the keys it does not know in `extra` so that nothing is lost.
//
// Every member has an initialiser (`{}` at least) so that designated initialisation of a few
// members, `{.video_id = "v"}`, compiles cleanly under GCC 12's -Wextra
// (-Wmissing-field-initializers warns about omitted members that have none).
//
// Thread-safety: plain data; like any struct of std types.
#pragma once

#include <mediajobs/json/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mediajobs::ugen {

// --- enums ------------------------------------------------------------------------------------
// The docs give most of these parameters as "string" with only a default (and sometimes an example)
// as known value. They are open enums: the known values are named, any other string is sent
// verbatim (`open_enum<E>{"kling_v2"}`), so a value the docs do not list is never blocked.

/// Job lifecycle status. Not listed as such by the docs; these are the states the operations
/// describe: "cancel a pending or processing job", "pause a processing job", "resume a paused
/// job", "retry a failed job", "if the job was completed or failed", `?status=completed`.
enum class job_status { pending, processing, paused, completed, failed, cancelled };

/// Pipeline stage (`current_stage`, `stop_at_stage`, `restart_from_stage`). The docs' stage table
/// did not survive in our copy; `generation` is the one named ("restart_from_stage":
/// "generation", "during the generation stage"). The others are the stages the docs' sections
/// and endpoints imply (script, keyframes with QAI, video generation, captions, music, final
/// assembly); unknown stage names from the server are kept verbatim.
enum class pipeline_stage { script, keyframes, generation, captions, music, assembly };

/// Status of one segment, keyframe or video (inferred; kept verbatim when different).
enum class asset_status { pending, processing, completed, failed };

enum class video_resolution { standard };                     // docs: default "standard"
enum class aspect_ratio { r9_16, r16_9, r1_1 };                // docs: default "9:16"; "1:1" Kling only
enum class interaction_mode { holdable };                     // docs: default "holdable"
enum class script_structure { standard_5phase };              // docs: default "standard_5phase"
enum class script_tone { conversational, enthusiastic };      // default + the curl example's value
enum class caption_style { tiktok_karaoke };                  // docs: default "tiktok_karaoke"
enum class qai_mode { lenient };                              // docs: default "lenient"
enum class human_review_budget { accept_best };               // docs: default "accept_best"
enum class video_model { veo3_fast };                         // docs: default "veo3_fast"
enum class human_review_mode { off };                         // docs: default "off"
enum class failure_behavior { accept_best };                  // docs: default "accept_best"

constexpr auto enum_renames(aspect_ratio) {
  return std::array{std::pair{aspect_ratio::r9_16, std::string_view{"9:16"}},
                    std::pair{aspect_ratio::r16_9, std::string_view{"16:9"}},
                    std::pair{aspect_ratio::r1_1, std::string_view{"1:1"}}};
}

/// The documented defaults of the create parameters (applied by the server when a member is empty).
namespace defaults {
inline constexpr ugen::video_resolution video_resolution = ugen::video_resolution::standard;
inline constexpr ugen::aspect_ratio aspect_ratio = ugen::aspect_ratio::r9_16;
inline constexpr int segment_duration = 8;
inline constexpr ugen::interaction_mode interaction_mode = ugen::interaction_mode::holdable;
inline constexpr ugen::script_structure script_structure = ugen::script_structure::standard_5phase;
inline constexpr ugen::script_tone script_tone = ugen::script_tone::conversational;
inline constexpr ugen::caption_style caption_style = ugen::caption_style::tiktok_karaoke;
inline constexpr double music_volume = 0.15;
inline constexpr ugen::qai_mode qai_mode = ugen::qai_mode::lenient;
inline constexpr int human_review_max_rejections = 0;
inline constexpr ugen::human_review_budget human_review_budget = ugen::human_review_budget::accept_best;
inline constexpr ugen::video_model video_model = ugen::video_model::veo3_fast;
inline constexpr bool captions_enabled = true;
inline constexpr bool music_enabled = true;
inline constexpr bool qai_enabled = true;
inline constexpr ugen::human_review_mode human_review = ugen::human_review_mode::off;
inline constexpr ugen::failure_behavior failure_behavior = ugen::failure_behavior::accept_best;
inline constexpr int max_retries_keyframe = 1;  // docs: 0–5
inline constexpr int max_retries_video = 0;     // docs: 0–5
inline constexpr int list_page = 1;
inline constexpr int list_page_size = 20;
}  // namespace defaults

// --- requests ---------------------------------------------------------------------------------

/// POST /api/v1/jobs. Members in the docs' table order; `// default:` is what the server applies
/// when the member is empty. Enum members use qualified type names because a member may not share
/// (and change the meaning of) the name of a type used in the same class.
struct create_job_request {
  std::string product_name{};       // required
  std::string product_image_url{};  // required (URL)
  int segment_count = 0;          // required
  std::optional<open_enum<ugen::video_resolution>> video_resolution{};  // default: standard
  std::optional<open_enum<ugen::aspect_ratio>> aspect_ratio{};          // default: 9:16
  std::optional<int> segment_duration{};                                // default: 8 (Veo: 8 only; Kling: 3–10)
  std::optional<open_enum<ugen::interaction_mode>> interaction_mode{};  // default: holdable
  std::optional<std::string> environment_description{};
  std::optional<std::vector<std::string>> key_selling_points{};
  std::optional<std::string> cta_text{};
  std::optional<std::string> custom_script{};  // when set, structure/tone/selling points/CTA are ignored
  std::optional<open_enum<ugen::script_structure>> script_structure{};  // default: standard_5phase
  std::optional<open_enum<ugen::script_tone>> script_tone{};            // default: conversational
  std::optional<open_enum<ugen::caption_style>> caption_style{};        // default: tiktok_karaoke
  std::optional<json::value> custom_caption_options{};                  // object, not specified further
  std::optional<std::string> music_mood{};
  std::optional<double> music_volume{};  // default: 0.15
  std::optional<std::string> custom_music_id{};
  std::optional<json::value> voice_settings{};                             // object, not specified further
  std::optional<open_enum<ugen::qai_mode>> qai_mode{};                     // default: lenient
  std::optional<int> human_review_max_rejections{};                        // default: 0
  std::optional<open_enum<ugen::human_review_budget>> human_review_budget{};  // default: accept_best
  std::optional<open_enum<pipeline_stage>> stop_at_stage{};
  std::optional<std::string> idempotency_key{};  // server generates a UUID when absent
  std::optional<open_enum<ugen::video_model>> video_model{};  // default: veo3_fast
  std::optional<std::string> persona_id{};                    // server picks a random persona when absent
  std::optional<bool> captions_enabled{};                     // default: true
  std::optional<bool> music_enabled{};                        // default: true
  std::optional<std::string> elevenlabs_voice_id{};
  std::optional<bool> qai_enabled{};                                      // default: true
  std::optional<open_enum<human_review_mode>> human_review{};             // default: off
  std::optional<open_enum<ugen::failure_behavior>> failure_behavior{};    // default: accept_best
  std::optional<int> max_retries_keyframe{};                              // default: 1 (0–5)
  std::optional<int> max_retries_video{};                                 // default: 0 (0–5)
  std::optional<std::string> webhook_url{};                               // URL
};

/// POST /api/v1/jobs/suggest-fields (free, no credits).
struct suggest_fields_request {
  std::string product_name{};       // required
  std::string product_image_url{};  // required (URL)
  std::optional<std::string> persona_id{};
  std::optional<open_enum<ugen::interaction_mode>> interaction_mode{};
  std::optional<int> segment_count{};
};

/// POST /api/v1/jobs/{jobId}/retry. Empty: retry from the stage where the job failed.
struct retry_request {
  std::optional<open_enum<pipeline_stage>> restart_from_stage{};
};

/// GET /api/v1/jobs query parameters.
struct list_jobs_query {
  std::optional<open_enum<job_status>> status{};
  std::optional<int> page{};       // default: 1
  std::optional<int> page_size{};  // default: 20
};

// --- responses --------------------------------------------------------------------------------

/// The suggest-fields answer: "returns key_selling_points, cta_text, environment_description, and
/// custom_script" (each may be absent).
struct suggest_fields_response {
  std::optional<std::vector<std::string>> key_selling_points{};
  std::optional<std::string> cta_text{};
  std::optional<std::string> environment_description{};
  std::optional<std::string> custom_script{};
  json::unknown_fields extra{};
};

/// One segment inside a job ("segments are included with individual status and output URLs").
/// Shape undocumented: index, status, the keyframe/video URLs and QAI score are what such a
/// record carries; anything else lands in `extra`.
struct segment {
  std::optional<int> index{};  // 0- or 1-based: undocumented, kept as sent
  std::optional<open_enum<asset_status>> status{};
  std::optional<std::string> script{};
  std::optional<double> duration_seconds{};
  std::optional<std::string> keyframe_url{};
  std::optional<std::string> video_url{};
  std::optional<double> qai_score{};
  std::optional<int> retries{};
  json::unknown_fields extra{};
};

/// A job's output URLs ("all output URLs"): undocumented names, the usual ones typed.
struct job_outputs {
  std::optional<std::string> video_url{};       // the final video
  std::optional<std::string> thumbnail_url{};
  std::optional<std::string> captions_url{};    // e.g. SRT/VTT
  std::optional<std::string> audio_url{};
  json::unknown_fields extra{};
};

/// GET /api/v1/jobs/{jobId} (also what create, cancel, pause, resume and retry are expected to
/// answer). Undocumented shape: the id may come as `id`, `job_id` or `uuid` — all three are
/// accepted and `id()` returns the first present; `status` is the only required key.
/// `progress_percent` is a double because it is "proportional to completed segments" (1 of 3 →
/// 33.3); credits are numbers (reserved at creation, settled on completion).
struct job {
  std::optional<std::string> id{};
  std::optional<std::string> job_id{};
  std::optional<std::string> uuid{};
  open_enum<job_status> status{job_status::pending};
  std::optional<double> progress_percent{};  // 0–100, added by the gateway
  std::optional<open_enum<pipeline_stage>> current_stage{};
  std::optional<std::string> product_name{};
  std::optional<std::string> product_image_url{};
  std::optional<int> segment_count{};
  std::optional<int> segment_duration{};
  std::optional<open_enum<ugen::aspect_ratio>> aspect_ratio{};
  std::optional<open_enum<ugen::video_model>> video_model{};
  std::optional<std::string> persona_id{};
  std::optional<std::string> idempotency_key{};
  std::optional<std::vector<segment>> segments{};
  std::optional<job_outputs> outputs{};
  std::optional<std::string> output_url{};  // a flat final-video URL, if the server sends one
  std::optional<double> credits_reserved{};
  std::optional<double> credits_used{};
  std::optional<json::value> error{};  // string or object: undocumented
  std::optional<timestamp> created_at{};
  std::optional<timestamp> updated_at{};
  std::optional<timestamp> completed_at{};
  json::unknown_fields extra{};

  /// The job id, whichever key carried it (`id`, then `job_id`, then `uuid`); empty when none.
  [[nodiscard]] std::string_view get_id() const noexcept {
    if (id) return *id;
    if (job_id) return *job_id;
    if (uuid) return *uuid;
    return {};
  }
};

/// A list page as an object. Undocumented: the jobs may be under `jobs`, `data` or `items`, with
/// pagination fields beside them; `items()` returns whichever is present.
struct job_list_page {
  std::optional<std::vector<job>> jobs{};
  std::optional<std::vector<job>> data{};
  std::optional<std::vector<job>> items{};
  std::optional<int> page{};
  std::optional<int> page_size{};
  std::optional<int> total{};
  std::optional<int> total_pages{};
  std::optional<bool> has_more{};
  json::unknown_fields extra{};

  [[nodiscard]] const std::vector<job>& get_items() const noexcept {
    static const std::vector<job> none{};
    return jobs ? *jobs : data ? *data : items ? *items : none;
  }
};

/// GET /api/v1/jobs: a bare array of jobs or an object page (chosen by the JSON kind).
using job_list = std::variant<std::vector<job>, job_list_page>;

/// The jobs of a list response, whichever form it came in.
[[nodiscard]] inline const std::vector<job>& list_items(const job_list& list) noexcept {
  if (const auto* a = std::get_if<std::vector<job>>(&list)) return *a;
  return std::get<job_list_page>(list).get_items();
}

/// One keyframe image ("keyframe images for a job with QAI scores and status").
struct keyframe {
  std::optional<std::string> id{};
  std::optional<int> segment_index{};
  std::optional<open_enum<asset_status>> status{};
  std::optional<std::string> image_url{};
  std::optional<double> qai_score{};
  std::optional<bool> qai_passed{};
  std::optional<int> attempt{};
  std::optional<timestamp> created_at{};
  json::unknown_fields extra{};
};

/// One generated video segment ("video segments with generation status and URLs").
struct video_segment {
  std::optional<std::string> id{};
  std::optional<int> segment_index{};
  std::optional<open_enum<asset_status>> status{};
  std::optional<std::string> video_url{};
  std::optional<double> duration_seconds{};
  std::optional<double> qai_score{};
  std::optional<int> attempt{};
  std::optional<timestamp> created_at{};
  json::unknown_fields extra{};
};

/// GET /api/v1/jobs/{jobId}/keyframes as an object (undocumented: `keyframes`, `data` or `items`).
struct keyframe_list_page {
  std::optional<std::vector<keyframe>> keyframes{};
  std::optional<std::vector<keyframe>> data{};
  std::optional<std::vector<keyframe>> items{};
  json::unknown_fields extra{};
};
using keyframe_list = std::variant<std::vector<keyframe>, keyframe_list_page>;

/// GET /api/v1/jobs/{jobId}/videos as an object (undocumented: `videos`, `segments`, `data` or `items`).
struct video_list_page {
  std::optional<std::vector<video_segment>> videos{};
  std::optional<std::vector<video_segment>> segments{};
  std::optional<std::vector<video_segment>> data{};
  std::optional<std::vector<video_segment>> items{};
  json::unknown_fields extra{};
};
using video_list = std::variant<std::vector<video_segment>, video_list_page>;

[[nodiscard]] inline const std::vector<keyframe>& list_items(const keyframe_list& list) noexcept {
  static const std::vector<keyframe> none;
  if (const auto* a = std::get_if<std::vector<keyframe>>(&list)) return *a;
  const auto& p = std::get<keyframe_list_page>(list);
  return p.keyframes ? *p.keyframes : p.data ? *p.data : p.items ? *p.items : none;
}

[[nodiscard]] inline const std::vector<video_segment>& list_items(const video_list& list) noexcept {
  static const std::vector<video_segment> none;
  if (const auto* a = std::get_if<std::vector<video_segment>>(&list)) return *a;
  const auto& p = std::get<video_list_page>(list);
  return p.videos ? *p.videos : p.segments ? *p.segments : p.data ? *p.data : p.items ? *p.items : none;
}

}  // namespace mediajobs::ugen
