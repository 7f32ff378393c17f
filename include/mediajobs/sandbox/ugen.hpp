// mediajobs::sandbox::ugen_service — the simulated U-Gen Jobs API (api-docs/ugen-jobs-api.txt),
// answering in the shapes ugen/schema.hpp decodes. Routes, below the mount prefix:
//   POST   /api/v1/jobs                   create (201; 200 for an idempotent replay)
//   GET    /api/v1/jobs                   list: ?status=&page=&page_size= (default 1 / 20, max 100)
//   POST   /api/v1/jobs/suggest-fields    free suggestions derived from the product name
//   GET    /api/v1/jobs/{id}              the job; DELETE cancels it
//   POST   /api/v1/jobs/{id}/pause|resume|retry
//   GET    /api/v1/jobs/{id}/keyframes|videos
//   GET    /files/ugen/{id}/{name}        the output files (no auth, like a CDN URL): kf-N.png,
//                                          seg-N.mp4, final.mp4, captions.vtt, audio.mp3
// Every error is JSON `{"error": code, "message": text[, "field": name]}`: 400 validation_error /
// invalid_json (field "body" when the JSON itself is bad), 401, 402 insufficient_credits, 404,
// 405 (with Allow), 409 conflict / idempotency_conflict, 429 too_many_jobs.
//
// Simulated pipeline (sandbox time, speed 1): script 300 ms, keyframes 300 ms, generation 600 ms
// per segment, captions 200 ms (skipped when captions_enabled is false), music 200 ms (skipped
// when music_enabled is false), assembly 300 ms: a 3-segment job completes in 3.1 s. There is no
// queue: a job starts at its creation time, so it is `pending` only in the create (or retry)
// answer and `processing` from the next clock step on (advance(), or the next request: handle()
// first brings every job to ctx.time, for callers that do not advance).
// progress_percent per stage: script 0, keyframes 10, generation 25 + 60 × completed/segment_count
// (proportional to segments, as documented), captions 85, music 90, assembly 95, completed 100.
// stop_at_stage: the job completes after that stage (outputs of later stages absent).
//
// Failure injection: a product_name containing `[fail:STAGE]` fails the job when STAGE would
// complete, the first time only (so a retry succeeds); `[fail:STAGE:always]` fails every run.
// STAGE is one of script, keyframes, generation, captions, music, assembly (another name: 400).
// A failure in generation fails the last segment. The job's `error` is
// `{"code":"stage_failed","stage":STAGE,"message":...}`.
//
// Choices where the docs are silent:
//  - Auth: `X-API-Key` must equal ctx.api_key when that is non-empty (else 401). Each key is a
//    tenant (jobs, credits and idempotency keys are per tenant; with auth off the header value,
//    possibly empty, still names the tenant). Keys never appear in a response or in stats().
//  - Credits: each tenant starts with 1000; a job costs 10 per segment, reserved at creation
//    (402 when the balance is short), released on cancel or failure, settled (credits_used) on
//    completion; a retry re-reserves. The job shows credits_reserved and credits_used.
//  - Idempotency: the key (given or a generated UUID) is compared with the parameters after the
//    defaults are applied, so omitting a default equals sending it. A different body -> 409.
//  - Validation beyond ugen::validate: unknown keys and wrong types -> 400 naming the key;
//    segment_count 1..20; video_model must be a Veo or Kling model; aspect_ratio 9:16, 16:9 or
//    1:1; stop_at_stage and restart_from_stage must name a stage; other enum strings must be
//    lowercase tokens ([a-z0-9_]); human_review_max_rejections 0..10; custom_caption_options and
//    voice_settings objects; idempotency_key 1..255 chars.
//  - pause on a processing job answers 200 with "pause_requested": true and status still
//    processing; the job becomes paused when the current stage ends (a pending one at once).
//    resume on a job with a pending pause request just withdraws it. Cancel answers the job.
//  - retry: only failed or cancelled jobs (409 otherwise); the stage defaults to the failed one
//    (for a cancelled job, the stage it stopped at); it must be in the job's pipeline and every
//    stage before it must have completed (else 400).
//  - The list is in creation order (oldest first), as `{"jobs":[...],"page","page_size","total",
//    "total_pages","has_more"}`; keyframes as `{"keyframes":[...]}`, videos as `{"videos":[...]}`.
//  - ctx.inject_unknown adds unknown keys to jobs, segments, outputs and list items, and reports
//    pending segments, keyframes and videos with the unknown status "queued" (an open enum in the
//    client's schema); required keys (id, status) are never touched.
//  - Webhooks: when webhook_url is set, a POST `{"event":"job.completed|job.failed|job.cancelled",
//    "data": job}` on each terminal transition (cancel's is sent at the next advance()).
//  - Bounded: at most limits.max_jobs jobs are kept; a create beyond answers 429, nothing is
//    evicted.
//
// Thread-safety: none (see sandbox/service.hpp).
#pragma once

#include <mediajobs/sandbox/service.hpp>
#include <mediajobs/ugen/schema.hpp>
#include <mediajobs/ugen/validate.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mediajobs::sandbox {

namespace detail::ugen_sim {

inline constexpr std::size_t stage_count = 6;
inline constexpr std::array<std::string_view, stage_count> stage_names{"script",   "keyframes", "generation",
                                                                        "captions", "music",     "assembly"};
enum stage : int { script = 0, keyframes = 1, generation = 2, captions = 3, music = 4, assembly = 5 };
inline constexpr std::array<double, stage_count> stage_progress{0, 10, 25, 85, 90, 95};
inline constexpr std::int64_t segment_ms = 600;
inline constexpr std::array<std::int64_t, stage_count> stage_ms{300, 300, 0, 200, 200, 300};
inline constexpr int credits_per_segment = 10;
inline constexpr int initial_credits = 1000;
inline constexpr int max_segments = 20;

[[nodiscard]] inline int stage_of(std::string_view name) noexcept {
  for (std::size_t i = 0; i < stage_count; ++i)
    if (stage_names[i] == name) return static_cast<int>(i);
  return -1;
}

[[nodiscard]] inline std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

[[nodiscard]] inline std::uint64_t hash(std::string_view s) noexcept {  // FNV-1a
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

/// A UUID v4-shaped id, deterministic in `n` so that test runs are reproducible.
[[nodiscard]] inline std::string uuid(std::uint64_t n) {
  const std::uint64_t a = mix(n * 2 + 1), b = mix(n * 2 + 2);
  constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    const std::uint64_t word = i < 16 ? a : b;
    auto nibble = static_cast<unsigned>((word >> ((i % 16) * 4)) & 0xfU);
    if (i == 12) nibble = 4;                       // version 4
    if (i == 16) nibble = 8 | (nibble & 3U);       // RFC 4122 variant
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += hex[nibble];
  }
  return out;
}

[[nodiscard]] inline std::string rfc3339(std::chrono::system_clock::time_point tp) {
  auto s = json::to_string(std::chrono::floor<std::chrono::microseconds>(tp));
  if (!s || s->size() < 2) return {};
  return s->substr(1, s->size() - 2);
}

[[nodiscard]] inline bool is_token(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

[[nodiscard]] inline std::optional<int> parse_int(std::string_view s) noexcept {
  int v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

[[nodiscard]] inline http::response error_response(int status, std::string_view code, std::string_view message,
                                                   std::string_view field = {}) {
  json::value e = json::value::object_t{};
  e["error"] = code;
  if (!field.empty()) e["field"] = field;
  e["message"] = message;
  return json_response(status, e);
}

/// The key a reader error is about: the first member of its JSON path, else the quoted key of
/// its detail ("unknown key 'foo'", "missing key 'x'"); empty when the JSON itself is bad.
[[nodiscard]] inline std::string field_of(const error& e) {
  std::string_view path = e.json_path();
  if (path.size() > 2 && path.substr(0, 2) == "$.") {
    path.remove_prefix(2);
    return std::string{path.substr(0, path.find_first_of(".["))};
  }
  const std::string_view d = e.detail();
  if (d.starts_with("unknown key '") || d.starts_with("missing key '")) {
    const auto open = d.find('\'');
    const auto close = d.find('\'', open + 1);
    if (close != std::string_view::npos) return std::string{d.substr(open + 1, close - open - 1)};
  }
  return {};
}

/// Reads a request body strictly (unknown keys refused); on failure, the 400 to answer.
template <class T>
[[nodiscard]] std::optional<http::response> parse_body(std::string_view body, T& out, bool empty_ok = false) {
  if (body.empty() && empty_ok) body = "{}";
  if (body.empty()) return error_response(400, "invalid_json", "a JSON object body is required", "body");
  json::options opt;
  opt.error_on_unknown_keys = true;
  opt.max_depth = 32;
  if (auto r = json::read(body, out, opt); !r) {
    std::string field = field_of(r.error());
    const bool bad_json = field.empty();
    if (bad_json) field = "body";
    return error_response(400, bad_json ? "invalid_json" : "validation_error", r.error().message(), field);
  }
  return std::nullopt;
}

struct tenant {
  std::int64_t balance = initial_credits;
};

struct job {
  std::string id{};
  std::string tenant{};
  std::string base_url{};         // ctx.base_url at creation: for webhook bodies
  std::string params{};           // canonical parameters (idempotency comparison)
  ugen::create_job_request req{};  // defaults applied
  std::vector<int> plan{};        // stages this job runs, in order
  std::size_t pos = 0;            // index in plan of the current (or next) stage
  std::string status = "pending";
  duration start_at{};            // pending: when the pipeline (re)starts
  duration stage_started{};       // processing: when the current stage began
  bool pause_requested = false;
  std::array<bool, stage_count> done{};
  std::array<int, stage_count> fail_left{};  // injected failures left per stage; -1: always
  int segs_done = 0;
  int failed_stage = -1;
  int kf_attempt = 1, video_attempt = 1;
  std::int64_t cost = 0, reserved = 0, used = 0;
  std::optional<json::value> err{};
  std::chrono::system_clock::time_point created{}, updated{};
  std::optional<std::chrono::system_clock::time_point> completed{};
  bool webhook_due = false;  // a terminal transition whose webhook is not yet queued

  [[nodiscard]] int current_stage() const noexcept { return plan[std::min(pos, plan.size() - 1)]; }
  [[nodiscard]] bool terminal() const noexcept {
    return status == "completed" || status == "failed" || status == "cancelled";
  }
};

}  // namespace detail::ugen_sim

class ugen_service final : public service {
 public:
  explicit ugen_service(service_limits limits = {}) : limits_(limits) {}

  [[nodiscard]] std::string_view name() const noexcept override { return "ugen"; }

  [[nodiscard]] http::response handle(const request_context& ctx) override {
    using namespace detail::ugen_sim;
    sync(ctx.time);  // the server advances first; direct callers (tests) may not
    std::string_view path = ctx.path;
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (path.starts_with("/files/ugen/")) return serve_file(ctx, path.substr(12));
    constexpr std::string_view jobs_root = "/api/v1/jobs";
    if (!path.starts_with(jobs_root) || (path.size() > jobs_root.size() && path[jobs_root.size()] != '/'))
      return error_response(404, "not_found", "no such route");
    const auto key = ctx.request->headers.get("X-API-Key");
    if (!ctx.api_key.empty() && (!key || *key != ctx.api_key))
      return error_response(401, "unauthorized", key ? "invalid API key" : "missing X-API-Key header");
    const std::string tenant_id{key.value_or(std::string_view{})};
    std::string_view rest = path.substr(jobs_root.size());
    if (rest.empty()) {
      if (ctx.method == "POST") return create(ctx, tenant_id);
      if (ctx.method == "GET") return list(ctx, tenant_id);
      return not_allowed("GET, POST");
    }
    rest.remove_prefix(1);
    if (rest == "suggest-fields") return ctx.method == "POST" ? suggest(ctx) : not_allowed("POST");
    const auto slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    const std::string_view action = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (action.find('/') != std::string_view::npos) return error_response(404, "not_found", "no such route");
    const bool is_post_action = action == "pause" || action == "resume" || action == "retry";
    const bool is_get_action = action == "keyframes" || action == "videos";
    if (!action.empty() && !is_post_action && !is_get_action) return error_response(404, "not_found", "no such route");
    job* j = find(id, tenant_id);
    if (action.empty()) {
      if (ctx.method != "GET" && ctx.method != "DELETE") return not_allowed("GET, DELETE");
      if (!j) return job_not_found();
      if (ctx.method == "GET") return json_response(200, render(*j, ctx.base_url, ctx.inject_unknown));
      return cancel(ctx, *j);
    }
    if (is_post_action && ctx.method != "POST") return not_allowed("POST");
    if (is_get_action && ctx.method != "GET") return not_allowed("GET");
    if (!j) return job_not_found();
    if (action == "pause") return pause(ctx, *j);
    if (action == "resume") return resume(ctx, *j);
    if (action == "retry") return retry(ctx, *j);
    if (action == "keyframes") return assets(ctx, *j, true);
    return assets(ctx, *j, false);
  }

  void advance(const time_info& t, std::vector<http::request>& webhooks) override {
    sync(t);
    for (auto& j : jobs_) {
      if (j.webhook_due) {
        j.webhook_due = false;
        if (j.req.webhook_url) queue_webhook(j, webhooks);
      }
    }
  }

  [[nodiscard]] json::value stats() const override {
    json::value s = json::value::object_t{};
    s["jobs_created"] = jobs_created_;
    json::value keys = json::value::object_t{};
    for (const auto& [k, n] : jobs_by_key_) keys.emplace(k, n);
    s["jobs_by_idempotency_key"] = std::move(keys);
    std::int64_t live = 0, reserved = 0, used = 0;
    json::value by_status = json::value::object_t{};
    for (const auto& j : jobs_) {
      if (!j.terminal()) ++live;
      reserved += j.reserved;
      used += j.used;
      json::value& n = by_status[j.status];
      n = n.as_int64() + 1;
    }
    s["jobs_live"] = live;
    s["jobs_stored"] = jobs_.size();
    s["jobs_by_status"] = std::move(by_status);
    std::int64_t available = 0;
    for (const auto& [k, tn] : tenants_) available += tn.balance;
    json::value c = json::value::object_t{};
    c["per_segment"] = detail::ugen_sim::credits_per_segment;
    c["initial_balance"] = detail::ugen_sim::initial_credits;
    c["reserved"] = reserved;
    c["used"] = used;
    c["released"] = released_;
    c["available"] = available;
    c["tenants"] = tenants_.size();
    s["credits"] = std::move(c);
    return s;
  }

 private:
  using job = detail::ugen_sim::job;

  static http::response not_allowed(std::string allow) {
    auto r = detail::ugen_sim::error_response(405, "method_not_allowed", "method not allowed on this route");
    r.headers.add("Allow", std::move(allow));
    return r;
  }
  static http::response job_not_found() { return detail::ugen_sim::error_response(404, "not_found", "job not found"); }
  static http::response conflict(std::string_view message) {
    return detail::ugen_sim::error_response(409, "conflict", message);
  }

  job* find(std::string_view id, const std::string& tenant_id) {
    auto it = by_id_.find(std::string{id});
    if (it == by_id_.end() || jobs_[it->second].tenant != tenant_id) return nullptr;
    return &jobs_[it->second];
  }

  /// Moves the clock to `t` (never backwards) and every job with it.
  void sync(const time_info& t) {
    if (t.now >= now_) {
      now_ = t.now;
      wall_ = t.wall;
    }
    for (auto& j : jobs_) step(j);
  }

  [[nodiscard]] std::chrono::system_clock::time_point wall_at(duration t) const { return wall_ - (now_ - t); }

  // --- create -----------------------------------------------------------------------------------

  /// The rules the docs state (and a few the sandbox adds, see the header comment) that
  /// ugen::validate does not check; the first failure is returned.
  static std::optional<http::response> check_more(const ugen::create_job_request& r) {
    using namespace detail::ugen_sim;
    auto bad = [](std::string_view field, std::string message) {
      return error_response(400, "validation_error", message, field);
    };
    if (r.segment_count > max_segments)
      return bad("segment_count", "the sandbox allows segment_count 1 to 20");
    const std::string_view model = r.video_model ? r.video_model->name() : std::string_view{"veo3_fast"};
    if (!ugen::is_veo_model(model) && !ugen::is_kling_model(model))
      return bad("video_model", "unknown video_model (Veo or Kling models only)");
    if (r.aspect_ratio) {
      const std::string_view a = r.aspect_ratio->name();
      if (a != "9:16" && a != "16:9" && a != "1:1") return bad("aspect_ratio", "aspect_ratio must be 9:16, 16:9 or 1:1");
    }
    if (r.stop_at_stage && stage_of(r.stop_at_stage->name()) < 0)
      return bad("stop_at_stage", "stop_at_stage must name a pipeline stage");
    const std::pair<std::string_view, std::optional<std::string_view>> tokens[] = {
        {"video_resolution", r.video_resolution ? std::optional{r.video_resolution->name()} : std::nullopt},
        {"interaction_mode", r.interaction_mode ? std::optional{r.interaction_mode->name()} : std::nullopt},
        {"script_structure", r.script_structure ? std::optional{r.script_structure->name()} : std::nullopt},
        {"script_tone", r.script_tone ? std::optional{r.script_tone->name()} : std::nullopt},
        {"caption_style", r.caption_style ? std::optional{r.caption_style->name()} : std::nullopt},
        {"qai_mode", r.qai_mode ? std::optional{r.qai_mode->name()} : std::nullopt},
        {"human_review_budget", r.human_review_budget ? std::optional{r.human_review_budget->name()} : std::nullopt},
        {"human_review", r.human_review ? std::optional{r.human_review->name()} : std::nullopt},
        {"failure_behavior", r.failure_behavior ? std::optional{r.failure_behavior->name()} : std::nullopt},
    };
    for (const auto& [field, v] : tokens)
      if (v && !is_token(*v)) return bad(field, std::string{field} + " must be a known lowercase value");
    if (r.human_review_max_rejections && (*r.human_review_max_rejections < 0 || *r.human_review_max_rejections > 10))
      return bad("human_review_max_rejections", "human_review_max_rejections must be 0 to 10");
    if (r.custom_caption_options && !r.custom_caption_options->is_object())
      return bad("custom_caption_options", "custom_caption_options must be an object");
    if (r.voice_settings && !r.voice_settings->is_object())
      return bad("voice_settings", "voice_settings must be an object");
    if (r.idempotency_key && (r.idempotency_key->empty() || r.idempotency_key->size() > 255))
      return bad("idempotency_key", "idempotency_key must be 1 to 255 characters");
    return std::nullopt;
  }

  /// `[fail:STAGE]` / `[fail:STAGE:always]` markers of a product name; false on an unknown stage.
  static bool parse_failures(std::string_view name, std::array<int, detail::ugen_sim::stage_count>& out) {
    for (auto at = name.find("[fail:"); at != std::string_view::npos; at = name.find("[fail:", at + 1)) {
      const auto end = name.find(']', at);
      if (end == std::string_view::npos) return false;
      std::string_view spec = name.substr(at + 6, end - at - 6);
      int count = 1;
      if (spec.ends_with(":always")) {
        spec.remove_suffix(7);
        count = -1;
      }
      const int s = detail::ugen_sim::stage_of(spec);
      if (s < 0) return false;
      out[static_cast<std::size_t>(s)] = count;
    }
    return true;
  }

  static void apply_defaults(ugen::create_job_request& r) {
    namespace d = ugen::defaults;
    if (!r.video_resolution) r.video_resolution = d::video_resolution;
    if (!r.aspect_ratio) r.aspect_ratio = d::aspect_ratio;
    if (!r.segment_duration) r.segment_duration = d::segment_duration;
    if (!r.interaction_mode) r.interaction_mode = d::interaction_mode;
    if (!r.script_structure) r.script_structure = d::script_structure;
    if (!r.script_tone) r.script_tone = d::script_tone;
    if (!r.caption_style) r.caption_style = d::caption_style;
    if (!r.music_volume) r.music_volume = d::music_volume;
    if (!r.qai_mode) r.qai_mode = d::qai_mode;
    if (!r.human_review_max_rejections) r.human_review_max_rejections = d::human_review_max_rejections;
    if (!r.human_review_budget) r.human_review_budget = d::human_review_budget;
    if (!r.video_model) r.video_model = d::video_model;
    if (!r.captions_enabled) r.captions_enabled = d::captions_enabled;
    if (!r.music_enabled) r.music_enabled = d::music_enabled;
    if (!r.qai_enabled) r.qai_enabled = d::qai_enabled;
    if (!r.human_review) r.human_review = d::human_review;
    if (!r.failure_behavior) r.failure_behavior = d::failure_behavior;
    if (!r.max_retries_keyframe) r.max_retries_keyframe = d::max_retries_keyframe;
    if (!r.max_retries_video) r.max_retries_video = d::max_retries_video;
  }

  http::response create(const request_context& ctx, const std::string& tenant_id) {
    using namespace detail::ugen_sim;
    ugen::create_job_request req;
    if (auto bad = parse_body(ctx.request->body, req)) return std::move(*bad);
    if (auto v = ugen::validate(req); !v)
      return error_response(400, "validation_error", v.error().message(), v.error().field());
    if (auto bad = check_more(req)) return std::move(*bad);
    std::array<int, stage_count> failures{};
    if (!parse_failures(req.product_name, failures))
      return error_response(400, "validation_error",
                            "sandbox failure marker must be [fail:STAGE] or [fail:STAGE:always] with a known stage",
                            "product_name");
    apply_defaults(req);
    std::optional<std::string> given_key = std::move(req.idempotency_key);
    req.idempotency_key.reset();
    std::string params;
    if (auto w = json::write(req, params); !w)
      return error_response(400, "validation_error", w.error().message(), w.error().field());

    const std::string key = given_key ? *given_key : uuid(++id_counter_ + 0x10000000ULL);
    const std::string scoped = tenant_id + '\n' + key;
    if (auto it = by_key_.find(scoped); it != by_key_.end()) {
      job& existing = jobs_[it->second];
      if (existing.params != params)
        return error_response(409, "idempotency_conflict",
                              "idempotency_key was already used with different parameters", "idempotency_key");
      return json_response(200, render(existing, ctx.base_url, ctx.inject_unknown));
    }
    if (jobs_.size() >= limits_.max_jobs)
      return error_response(429, "too_many_jobs",
                            "the sandbox keeps at most " + std::to_string(limits_.max_jobs) + " jobs; limit reached");
    tenant& tn = tenants_[tenant_id];
    const std::int64_t cost = std::int64_t{req.segment_count} * credits_per_segment;
    if (tn.balance < cost)
      return error_response(402, "insufficient_credits",
                            "the job needs " + std::to_string(cost) + " credits, " + std::to_string(tn.balance) +
                                " available");

    job j;
    j.id = uuid(++id_counter_);
    j.tenant = tenant_id;
    j.base_url = ctx.base_url;
    j.params = std::move(params);
    j.req = std::move(req);
    j.req.idempotency_key = key;
    if (!j.req.persona_id) {
      static constexpr std::array<std::string_view, 4> personas{"persona_ava", "persona_ben", "persona_chloe",
                                                                "persona_dev"};
      j.req.persona_id = std::string{personas[hash(j.id) % personas.size()]};
    }
    for (int s = 0; s < static_cast<int>(stage_count); ++s) {
      const bool skipped = (s == captions && !*j.req.captions_enabled) || (s == music && !*j.req.music_enabled);
      if (!skipped) j.plan.push_back(s);
      // A disabled stop stage still stops there: after the stage before it.
      if (j.req.stop_at_stage && stage_of(j.req.stop_at_stage->name()) == s) break;
    }
    j.fail_left = failures;
    j.start_at = now_;
    j.cost = cost;
    j.reserved = cost;
    tn.balance -= cost;
    j.created = j.updated = wall_;
    by_id_.emplace(j.id, jobs_.size());
    by_key_.emplace(scoped, jobs_.size());
    ++jobs_by_key_[key];
    ++jobs_created_;
    jobs_.push_back(std::move(j));
    return json_response(201, render(jobs_.back(), ctx.base_url, ctx.inject_unknown));
  }

  // --- operations on a job ------------------------------------------------------------------------

  void release(job& j) {
    tenants_[j.tenant].balance += j.reserved;
    released_ += j.reserved;
    j.reserved = 0;
  }

  http::response cancel(const request_context& ctx, job& j) {
    if (j.terminal()) return conflict("only a pending, processing or paused job can be cancelled (it is " + j.status + ")");
    j.status = "cancelled";
    j.pause_requested = false;
    j.updated = wall_;
    j.completed = wall_;
    release(j);
    j.webhook_due = true;
    return json_response(200, render(j, ctx.base_url, ctx.inject_unknown));
  }

  http::response pause(const request_context& ctx, job& j) {
    if (j.terminal()) return conflict("only a pending or processing job can be paused (it is " + j.status + ")");
    if (j.status == "pending") j.status = "paused";  // no stage running: pause at once
    else if (j.status == "processing") j.pause_requested = true;  // docs: after the current stage
    j.updated = wall_;
    return json_response(200, render(j, ctx.base_url, ctx.inject_unknown));
  }

  http::response resume(const request_context& ctx, job& j) {
    if (j.status == "processing" && j.pause_requested) {
      j.pause_requested = false;
    } else if (j.status == "paused") {
      j.status = "processing";
      j.stage_started = now_;
    } else {
      return conflict("only a paused job can be resumed (it is " + j.status + ")");
    }
    j.updated = wall_;
    return json_response(200, render(j, ctx.base_url, ctx.inject_unknown));
  }

  http::response retry(const request_context& ctx, job& j) {
    using namespace detail::ugen_sim;
    ugen::retry_request req;
    if (auto bad = parse_body(ctx.request->body, req, true)) return std::move(*bad);
    if (j.status != "failed" && j.status != "cancelled")
      return conflict("only a failed or cancelled job can be retried (it is " + j.status + ")");
    int s = j.failed_stage >= 0 ? j.failed_stage : j.current_stage();
    if (req.restart_from_stage) {
      s = stage_of(req.restart_from_stage->name());
      if (s < 0) return error_response(400, "validation_error", "restart_from_stage must name a pipeline stage",
                                       "restart_from_stage");
    }
    const auto at = std::find(j.plan.begin(), j.plan.end(), s);
    if (at == j.plan.end())
      return error_response(400, "validation_error", "restart_from_stage is not part of this job's pipeline",
                            "restart_from_stage");
    for (auto it = j.plan.begin(); it != at; ++it)
      if (!j.done[static_cast<std::size_t>(*it)])
        return error_response(400, "validation_error",
                              "restart_from_stage comes after a stage that has not completed", "restart_from_stage");
    tenant& tn = tenants_[j.tenant];
    if (tn.balance < j.cost)
      return error_response(402, "insufficient_credits",
                            "the retry needs " + std::to_string(j.cost) + " credits, " + std::to_string(tn.balance) +
                                " available");
    tn.balance -= j.cost;
    j.reserved = j.cost;
    for (auto it = at; it != j.plan.end(); ++it) j.done[static_cast<std::size_t>(*it)] = false;
    if (s <= keyframes) ++j.kf_attempt;
    if (s <= generation) {
      ++j.video_attempt;
      j.segs_done = 0;
    }
    j.pos = static_cast<std::size_t>(at - j.plan.begin());
    j.status = "pending";
    j.start_at = now_;
    j.failed_stage = -1;
    j.err.reset();
    j.completed.reset();
    j.updated = wall_;
    return json_response(200, render(j, ctx.base_url, ctx.inject_unknown));
  }

  // --- the clock ----------------------------------------------------------------------------------

  /// Moves one job to now_: stage after stage, as long as their end is not in the future.
  void step(job& j) {
    using namespace detail::ugen_sim;
    if (j.status == "pending") {
      if (j.start_at > now_) return;
      j.status = "processing";
      j.stage_started = j.start_at;
    }
    while (j.status == "processing") {
      const int s = j.current_stage();
      const auto n = j.req.segment_count;
      const duration length{s == generation ? segment_ms * n : stage_ms[static_cast<std::size_t>(s)]};
      const duration end = j.stage_started + length;
      if (s == generation) {
        const auto elapsed = (std::min(now_, end) - j.stage_started).count();
        j.segs_done = static_cast<int>(std::min<std::int64_t>(n, elapsed / segment_ms));
      }
      if (end > now_) return;
      j.updated = wall_at(end);
      int& fail = j.fail_left[static_cast<std::size_t>(s)];
      if (fail != 0) {
        if (fail > 0) --fail;
        if (s == generation) j.segs_done = n - 1;
        j.status = "failed";
        j.failed_stage = s;
        json::value e = json::value::object_t{};
        e["code"] = "stage_failed";
        e["stage"] = stage_names[static_cast<std::size_t>(s)];
        e["message"] = std::string{"injected failure in stage "} + std::string{stage_names[static_cast<std::size_t>(s)]};
        j.err = std::move(e);
        j.completed = j.updated;
        j.pause_requested = false;
        release(j);
        j.webhook_due = true;
        return;
      }
      j.done[static_cast<std::size_t>(s)] = true;
      if (j.pos + 1 >= j.plan.size()) {
        j.status = "completed";
        j.used += j.reserved;
        j.reserved = 0;
        j.completed = j.updated;
        j.pause_requested = false;
        j.webhook_due = true;
        return;
      }
      ++j.pos;
      j.stage_started = end;
      if (j.pause_requested) {
        j.pause_requested = false;
        j.status = "paused";
      }
    }
  }

  void queue_webhook(const job& j, std::vector<http::request>& webhooks) const {
    json::value body = json::value::object_t{};
    body["event"] = "job." + j.status;
    body["data"] = render(j, j.base_url, false);
    http::request r;
    r.method = "POST";
    r.url = *j.req.webhook_url;
    r.headers.add("Content-Type", "application/json");
    if (auto w = json::write(body, r.body); !w) return;
    webhooks.push_back(std::move(r));
  }

  // --- rendering ----------------------------------------------------------------------------------

  [[nodiscard]] static double progress(const job& j) {
    using namespace detail::ugen_sim;
    if (j.status == "completed") return 100.0;
    const int s = j.current_stage();
    double p = stage_progress[static_cast<std::size_t>(s)];
    if (s == generation && j.req.segment_count > 0)
      p += 60.0 * static_cast<double>(j.segs_done) / static_cast<double>(j.req.segment_count);
    return p;
  }

  [[nodiscard]] static bool running(const job& j, int stage) {
    return j.status == "processing" && j.current_stage() == stage;
  }

  /// Status of keyframe / video `i` (0-based), in the client's asset_status words.
  [[nodiscard]] static std::string_view keyframe_status(const job& j) {
    using namespace detail::ugen_sim;
    if (j.done[keyframes]) return "completed";
    if (j.status == "failed" && j.failed_stage == keyframes) return "failed";
    return running(j, keyframes) ? "processing" : "pending";
  }
  [[nodiscard]] static std::string_view video_status(const job& j, int i) {
    using namespace detail::ugen_sim;
    if (j.done[generation] || i < j.segs_done) return "completed";
    if (j.status == "failed" && j.failed_stage == generation && i == j.segs_done) return "failed";
    return running(j, generation) && i == j.segs_done ? "processing" : "pending";
  }
  [[nodiscard]] static std::string_view shown(std::string_view status, bool inject) {
    return inject && status == "pending" ? std::string_view{"queued"} : status;  // an unknown enum value
  }

  [[nodiscard]] static double qai_score(const job& j, int i) {
    const auto h = detail::ugen_sim::mix(detail::ugen_sim::hash(j.id) + static_cast<std::uint64_t>(i) * 131 +
                                         static_cast<std::uint64_t>(j.kf_attempt));
    return 0.62 + static_cast<double>(h % 36) / 100.0;  // 0.62 .. 0.97
  }
  [[nodiscard]] static bool qai_passed(const job& j, double score) {
    return score >= (j.req.qai_mode && j.req.qai_mode->name() == "strict" ? 0.8 : 0.6);
  }

  static std::string file_url(std::string_view base, const job& j, std::string_view name) {
    std::string u{base};
    u += "/files/ugen/";
    u += j.id;
    u += '/';
    u += name;
    return u;
  }
  static std::string numbered(std::string_view prefix, int i, std::string_view ext) {
    return std::string{prefix} + std::to_string(i + 1) + std::string{ext};
  }

  [[nodiscard]] json::value render(const job& j, std::string_view base, bool inject) const {
    using namespace detail::ugen_sim;
    json::value o = json::value::object_t{};
    o["id"] = j.id;
    o["status"] = j.status;
    o["current_stage"] = stage_names[static_cast<std::size_t>(j.current_stage())];
    o["progress_percent"] = progress(j);
    if (j.pause_requested) o["pause_requested"] = true;
    std::string params;
    if (json::write(j.req, params)) {
      if (auto v = json::read<json::value>(params))
        for (auto& [k, val] : v->object_ref()) o[k] = std::move(val);
    }
    json::value segs = json::value::array_t{};
    for (int i = 0; i < j.req.segment_count; ++i) {
      json::value s = json::value::object_t{};
      s["index"] = i + 1;
      s["status"] = shown(video_status(j, i), inject);
      s["duration_seconds"] = static_cast<double>(*j.req.segment_duration);
      if (j.done[keyframes]) {
        s["keyframe_url"] = file_url(base, j, numbered("kf-", i, ".png"));
        if (*j.req.qai_enabled) s["qai_score"] = qai_score(j, i);
      }
      if (video_status(j, i) == "completed") s["video_url"] = file_url(base, j, numbered("seg-", i, ".mp4"));
      s["retries"] = j.video_attempt - 1;
      if (inject) s["render_node"] = "sim-node-" + std::to_string(i % 3);
      segs.push_back(std::move(s));
    }
    o["segments"] = std::move(segs);
    json::value out = json::value::object_t{};
    if (j.done[assembly]) out["video_url"] = file_url(base, j, "final.mp4");
    if (j.done[keyframes]) out["thumbnail_url"] = file_url(base, j, "kf-1.png");
    if (j.done[captions]) out["captions_url"] = file_url(base, j, "captions.vtt");
    if (j.done[music]) out["audio_url"] = file_url(base, j, "audio.mp3");
    if (inject) out["preview_gif_url"] = file_url(base, j, "preview.gif");
    o["outputs"] = std::move(out);
    if (j.done[assembly]) o["output_url"] = file_url(base, j, "final.mp4");
    o["credits_reserved"] = static_cast<double>(j.reserved);
    o["credits_used"] = static_cast<double>(j.used);
    if (j.err) o["error"] = *j.err;
    if (auto t = rfc3339(j.created); !t.empty()) o["created_at"] = std::move(t);
    if (auto t = rfc3339(j.updated); !t.empty()) o["updated_at"] = std::move(t);
    if (j.completed)
      if (auto t = rfc3339(*j.completed); !t.empty()) o["completed_at"] = std::move(t);
    if (inject) {
      o["sandbox_trace"] = json::value::object({{"region", "sim-1"}, {"shard", 3}});
      o["x_future_flag"] = true;
    }
    return o;
  }

  http::response assets(const request_context& ctx, const job& j, bool keyframe_list) {
    json::value items = json::value::array_t{};
    for (int i = 0; i < j.req.segment_count; ++i) {
      json::value a = json::value::object_t{};
      a["id"] = j.id + (keyframe_list ? "-kf-" : "-seg-") + std::to_string(i + 1);
      a["segment_index"] = i + 1;
      if (keyframe_list) {
        const std::string_view st = keyframe_status(j);
        a["status"] = shown(st, ctx.inject_unknown);
        if (st == "completed") {
          a["image_url"] = file_url(ctx.base_url, j, numbered("kf-", i, ".png"));
          if (*j.req.qai_enabled) {
            const double score = qai_score(j, i);
            a["qai_score"] = score;
            a["qai_passed"] = qai_passed(j, score);
          }
        }
        a["attempt"] = j.kf_attempt;
      } else {
        const std::string_view st = video_status(j, i);
        a["status"] = shown(st, ctx.inject_unknown);
        if (st == "completed") a["video_url"] = file_url(ctx.base_url, j, numbered("seg-", i, ".mp4"));
        a["duration_seconds"] = static_cast<double>(*j.req.segment_duration);
        a["attempt"] = j.video_attempt;
      }
      if (ctx.inject_unknown) a["sandbox_extra"] = json::value::object({{"note", "unknown to the client"}});
      items.push_back(std::move(a));
    }
    json::value o = json::value::object_t{};
    o[keyframe_list ? "keyframes" : "videos"] = std::move(items);
    return json_response(200, o);
  }

  http::response list(const request_context& ctx, const std::string& tenant_id) {
    using namespace detail::ugen_sim;
    int page = ugen::defaults::list_page, page_size = ugen::defaults::list_page_size;
    if (const std::string* p = ctx.query_value("page")) {
      auto v = parse_int(*p);
      if (!v || *v < 1) return error_response(400, "validation_error", "page must be an integer >= 1", "page");
      page = *v;
    }
    if (const std::string* p = ctx.query_value("page_size")) {
      auto v = parse_int(*p);
      if (!v || *v < 1 || *v > 100)
        return error_response(400, "validation_error", "page_size must be an integer 1 to 100", "page_size");
      page_size = *v;
    }
    const std::string* status = ctx.query_value("status");
    if (status) {
      static constexpr std::array<std::string_view, 6> known{"pending",   "processing", "paused",
                                                             "completed", "failed",     "cancelled"};
      if (std::find(known.begin(), known.end(), *status) == known.end())
        return error_response(400, "validation_error", "status must be a job status", "status");
    }
    std::vector<const job*> hits;
    for (const auto& j : jobs_)
      if (j.tenant == tenant_id && (!status || j.status == *status)) hits.push_back(&j);
    const auto total = static_cast<std::int64_t>(hits.size());
    const std::int64_t first = std::int64_t{page - 1} * page_size;
    json::value items = json::value::array_t{};
    for (std::int64_t i = first; i < total && i < first + page_size; ++i)
      items.push_back(render(*hits[static_cast<std::size_t>(i)], ctx.base_url, ctx.inject_unknown));
    json::value o = json::value::object_t{};
    o["jobs"] = std::move(items);
    o["page"] = page;
    o["page_size"] = page_size;
    o["total"] = total;
    o["total_pages"] = (total + page_size - 1) / page_size;
    o["has_more"] = first + page_size < total;
    if (ctx.inject_unknown) o["next_cursor"] = nullptr;
    return json_response(200, o);
  }

  http::response suggest(const request_context& ctx) {
    using namespace detail::ugen_sim;
    ugen::suggest_fields_request req;
    if (auto bad = parse_body(ctx.request->body, req)) return std::move(*bad);
    if (auto v = ugen::validate(req); !v)
      return error_response(400, "validation_error", v.error().message(), v.error().field());
    if (req.segment_count && *req.segment_count > max_segments)
      return error_response(400, "validation_error", "the sandbox allows segment_count 1 to 20", "segment_count");
    if (req.interaction_mode && !is_token(req.interaction_mode->name()))
      return error_response(400, "validation_error", "interaction_mode must be a known lowercase value",
                            "interaction_mode");
    const std::string& n = req.product_name;
    ugen::suggest_fields_response r;
    r.key_selling_points = std::vector<std::string>{n + " that fits your day", "Premium build quality", "Loved by creators"};
    r.cta_text = "Get your " + n + " today";
    r.environment_description = "A bright, modern living room with natural light";
    r.custom_script = "Hook: meet " + n + ". Problem, solution, proof, and a call to action.";
    return json_response(200, r);
  }

  // --- files --------------------------------------------------------------------------------------

  http::response serve_file(const request_context& ctx, std::string_view rest) {
    using namespace detail::ugen_sim;
    if (ctx.method != "GET") return not_allowed("GET");
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return error_response(404, "not_found", "file not found");
    auto it = by_id_.find(std::string{rest.substr(0, slash)});
    if (it == by_id_.end()) return error_response(404, "not_found", "file not found");
    const job& j = jobs_[it->second];
    const std::string_view file = rest.substr(slash + 1);
    std::string_view type;
    bool ready = false;
    auto index_of = [&](std::string_view prefix, std::string_view ext) -> int {
      if (!file.starts_with(prefix) || !file.ends_with(ext)) return -1;
      auto v = parse_int(file.substr(prefix.size(), file.size() - prefix.size() - ext.size()));
      return v && *v >= 1 && *v <= j.req.segment_count ? *v - 1 : -1;
    };
    if (const int k = index_of("kf-", ".png"); k >= 0) {
      type = "image/png";
      ready = j.done[keyframes];
    } else if (const int v = index_of("seg-", ".mp4"); v >= 0) {
      type = "video/mp4";
      ready = video_status(j, v) == "completed";
    } else if (file == "final.mp4") {
      type = "video/mp4";
      ready = j.done[assembly];
    } else if (file == "captions.vtt") {
      type = "text/vtt";
      ready = j.done[captions];
    } else if (file == "audio.mp3") {
      type = "audio/mpeg";
      ready = j.done[music];
    }
    if (!ready) return error_response(404, "not_found", "file not found (or not generated yet)");
    http::response r;
    r.status = 200;
    r.headers.add("Content-Type", std::string{type});
    r.body = file_bytes(type, std::string{rest});
    return r;
  }

  /// A few KiB whose first bytes are the format's magic, the rest deterministic in `seed`.
  static std::string file_bytes(std::string_view type, const std::string& seed) {
    std::string b;
    if (type == "video/mp4") b.assign("\0\0\0\x18" "ftypmp42\0\0\0\0mp42isom", 24);
    else if (type == "image/png") b.assign("\x89PNG\r\n\x1a\n", 8);
    else if (type == "audio/mpeg") b.assign("ID3\x04\0\0\0\0\0\0", 10);
    else b = "WEBVTT\n\n00:00.000 --> 00:02.000\nsandbox captions\n";
    if (type == "text/vtt") return b;
    std::uint64_t x = detail::ugen_sim::hash(seed);
    while (b.size() < 4096) {
      x = detail::ugen_sim::mix(x);
      b += static_cast<char>(x & 0xffU);
    }
    return b;
  }

  service_limits limits_;
  std::vector<job> jobs_;                                   // creation order; never evicted
  std::unordered_map<std::string, std::size_t> by_id_;      // id -> index in jobs_
  std::unordered_map<std::string, std::size_t> by_key_;     // tenant '\n' idempotency key -> index
  std::map<std::string, std::int64_t> jobs_by_key_;         // idempotency key -> jobs created under it
  std::map<std::string, detail::ugen_sim::tenant> tenants_;
  std::int64_t jobs_created_ = 0;
  std::int64_t released_ = 0;
  std::uint64_t id_counter_ = 0;
  duration now_{};
  std::chrono::system_clock::time_point wall_{};
};

}  // namespace mediajobs::sandbox
