// mediajobs::sandbox::techforge_service — the simulated TechForgeInnovate (TFI) Jobs v2 service,
// as documented in api-docs/techforge-*.txt and as techforge/client.hpp calls it. Routes, below
// the mount prefix:
//
//   POST /jobs/v2                                         create a job (201 {message, job{…}};
//                                                         202 {jobId, status:"queued"} when the
//                                                         server's tfi_202_shape fault is on)
//   GET  /api/jobs-get?uuid=ID                            poll: {"job": {…record…}}
//   GET  /storage/generate-signed-path?path=KEY           {signedUrl, expiresAt}
//   GET  /storage/objects/KEY?expires=MS&signature=HEX    the signed URL itself: the output bytes
//   GET  /api/provider/projects/active                    {"projects": [...]}
//   GET  /api/provider/projects/ID/mapping-fields         {"project_id": ID, "fields": [...]}
//
// Auth: `x-api-key` (any case) must equal the configured key, else 401 — on every route but the
// signed object URL, whose signature is its authorisation (the client downloads it keyless).
// Errors are JSON `{"message", "code"[, "field"]}` (the shape api/errors.hpp reads): 400 names
// the field (`template_id`, `version`, `values.headline`, `uuid`, `path`, or `body` for a body
// that is not a JSON object), 404 unknown route/job/object/project, 405 (with Allow) for a known
// path with another method, 429 when limits.max_jobs jobs exist (nothing is evicted).
//
// Create (docs: "resolves template_id before project_id"): the body is decoded with the client's
// own techforge::create_request and checked with techforge::validate(), so the sandbox refuses
// exactly what the docs refuse: a job_type outside the 7 documented ones, neither template_id
// nor project_id, background_volume outside 0..1, background_start < 0, a non-integer version,
// `values` entries that are neither strings nor objects. An id that is not seeded -> 400 naming
// `template_id` or `project_id`. The whole body is kept verbatim as the job's `input`. Whether
// the referenced project's workflow matches job_type, and which mapping fields are present, is
// the downstream worker's business in the docs: not checked.
//
// Timeline (sandbox time since the create, any speed): QUEUED for 0.5 s, PROCESSING until 2 s,
// then COMPLETED with `output_path` (a storage key, e.g. ai-talking-videos/{projectId}/outputs/
// {uuid}.mp4 as in the docs) and `credit_used` set — or FAILED with `error` (a string, which the
// client surfaces as the failure message) when the failure injection asks for it:
//   FAILURE INJECTION: any string anywhere inside `values` that contains "[fail]" makes the job
//   FAILED at 2 s with error "render failed: values.<key> contains [fail] (sandbox failure injection)".
// Output files by job_type: ai_talking_video/video .mp4, tts .mp3, image/ai_image_generation .png
// (a valid 1x1 PNG), photo_qc .json (a QC report), pdf .pdf; served with the matching Content-Type.
//
// Signed URLs: {base_url}/storage/objects/{key}?expires={sandbox ms}&signature={32 hex}, valid for
// 15 min of sandbox time; `expiresAt` is the same instant as wall time (RFC 3339). The signature
// is a keyed 128-bit non-cryptographic hash of key and expiry (this is a sandbox, not a vault).
// Checks in order: object unknown -> 404; signature or expires missing or wrong -> 403; past
// expiry -> 403 ("signed URL expired"). generate-signed-path for a key that does not exist (yet:
// an output exists from COMPLETED on) -> 404, as documented.
//
// Seeds (fixed ids, listed by the active-projects route, each with its mapping fields):
//   468ea7a0-66e1-4357-a760-236e54167f3e  ai_talking_video v2  (the docs' example template)
//   2b7d4c1e-9f3a-4d6b-8e2f-5a1c3b9d7e60  video v2
//   9c3e5f7a-1b2d-4e6f-8a0b-c1d2e3f4a5b6  tts v1
//   5e8a1f2b-3c4d-4a5e-9f60-718293a4b5c6  image v2
//   d41c2b3a-8e7f-4c6d-a5b4-c3d2e1f0a9b8  photo_qc v1
//   0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0  pdf v1
//   7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d  ai_image_generation v1 (an image prompt id)
// Job uuids come from a fixed-seed generator: the same sequence in every run. user_id is the
// docs' example user.
//
// Where the docs are silent: jobs-get answers the record wrapped as `{"job": …}` like the create
// example; active projects answer `{"projects": [...]}`; an unknown project in mapping-fields is
// 404 (a resource in the path); TFI documents no webhook, so advance() sends none; no
// idempotency key is documented, so jobs_by_idempotency_key stays empty. inject_unknown adds
// unknown keys to the create answers and job records, and an unknown value of the open enum
// `status` beside the documented `job_status` (the client reads job_status first, so polling is
// unaffected).
//
// stats(): jobs_created, jobs_by_idempotency_key ({}), jobs_live (QUEUED or PROCESSING),
// jobs_completed, jobs_failed, signed_urls (issued), downloads (objects served), projects.
//
// Thread-safety: none (see sandbox/service.hpp).
#pragma once

#include <mediajobs/core/error.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/sandbox/service.hpp>
#include <mediajobs/techforge/schema.hpp>
#include <mediajobs/techforge/validate.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace mediajobs::sandbox {

namespace detail::tfi {

inline constexpr std::string_view user_id = "c95a2ab1-7c10-4a03-9d25-55f905d2b6f0";
inline constexpr std::string_view accepted_message = "Job update accepted and processing.";
inline constexpr std::string_view fail_marker = "[fail]";
inline constexpr std::string_view objects_prefix = "/storage/objects/";
inline constexpr std::string_view projects_prefix = "/api/provider/projects/";
inline constexpr std::string_view mapping_suffix = "/mapping-fields";
inline constexpr duration queued_for{500};
inline constexpr duration done_after{2000};
inline constexpr duration signed_url_lifetime{15 * 60 * 1000};
inline constexpr std::size_t max_body_depth = 64;

struct field_seed {
  std::string_view key{}, label{}, type{};
  bool required = false;
};

struct project_seed {
  std::string_view id{}, name{}, description{};
  techforge::job_type type{};
  int version = 1;
  std::vector<field_seed> fields{};
};

[[nodiscard]] inline std::vector<project_seed> seeded_projects() {
  using techforge::job_type;
  return {
      {"468ea7a0-66e1-4357-a760-236e54167f3e", "Launch talking video", "Avatar presents a headline over a voiceover",
       job_type::ai_talking_video, 2,
       {{"headline", "Headline", "text", true}, {"voiceover", "Voiceover", "audio", false},
        {"avatar", "Avatar", "image", false}}},
      {"2b7d4c1e-9f3a-4d6b-8e2f-5a1c3b9d7e60", "Product showcase video", "Product shots with a tagline",
       job_type::video, 2,
       {{"product_name", "Product name", "text", true}, {"product_image", "Product image", "image", true},
        {"tagline", "Tagline", "text", false}}},
      {"9c3e5f7a-1b2d-4e6f-8a0b-c1d2e3f4a5b6", "Narrated announcement", "Text to speech announcement",
       job_type::tts, 1, {{"script", "Script", "text", true}, {"voice", "Voice", "text", false}}},
      {"5e8a1f2b-3c4d-4a5e-9f60-718293a4b5c6", "Social post image", "Headline over a background image",
       job_type::image, 2,
       {{"headline", "Headline", "text", true}, {"background_image", "Background image", "image", false}}},
      {"d41c2b3a-8e7f-4c6d-a5b4-c3d2e1f0a9b8", "Product photo check", "Quality check of a product photo",
       job_type::photo_qc, 1, {{"photo", "Photo", "image", true}}},
      {"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "Brand one-pager", "A one-page PDF brochure", job_type::pdf, 1,
       {{"title", "Title", "text", true}, {"body", "Body text", "text", true}, {"logo", "Logo", "image", false}}},
      {"7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "Studio product shot prompt", "Image prompt for AI image generation",
       job_type::ai_image_generation, 1,
       {{"prompt", "Prompt", "text", true}, {"reference_image", "Reference image", "image", false}}},
  };
}

/// Storage folder and file extension of a job type's output.
struct output_kind {
  std::string_view folder{}, extension{};
};
[[nodiscard]] inline output_kind output_of(techforge::job_type t) noexcept {
  using techforge::job_type;
  switch (t) {
    case job_type::ai_talking_video: return {"ai-talking-videos", ".mp4"};
    case job_type::video: return {"videos", ".mp4"};
    case job_type::tts: return {"tts", ".mp3"};
    case job_type::image: return {"images", ".png"};
    case job_type::photo_qc: return {"photo-qc", ".json"};
    case job_type::pdf: return {"pdfs", ".pdf"};
    case job_type::ai_image_generation: return {"ai-images", ".png"};
  }
  return {"outputs", ".bin"};
}

[[nodiscard]] inline int credits_of(techforge::job_type t) noexcept {
  using techforge::job_type;
  switch (t) {
    case job_type::ai_talking_video:
    case job_type::video: return 10;
    case job_type::image:
    case job_type::ai_image_generation: return 2;
    case job_type::tts:
    case job_type::photo_qc:
    case job_type::pdf: return 1;
  }
  return 1;
}

[[nodiscard]] inline std::string_view content_type_of(std::string_view key) noexcept {
  const auto ends = [&](std::string_view ext) {
    return key.size() >= ext.size() && key.substr(key.size() - ext.size()) == ext;
  };
  if (ends(".mp4")) return "video/mp4";
  if (ends(".mp3")) return "audio/mpeg";
  if (ends(".png")) return "image/png";
  if (ends(".pdf")) return "application/pdf";
  if (ends(".json")) return "application/json";
  return "application/octet-stream";
}

[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t z) noexcept {  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline void append_hex(std::string& out, std::uint64_t v, int digits) {
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out += hex[(v >> (4 * i)) & 0xF];
}

/// Keyed 128-bit hash of (key, expires), as 32 hex digits: FNV-1a over the text, two seeds.
[[nodiscard]] inline std::string signature_of(std::string_view key, std::int64_t expires) {
  std::string text = "tfi-sandbox-signing-secret\n";
  text += key;
  text += '\n';
  text += std::to_string(expires);
  std::string out;
  for (const std::uint64_t seed : std::array<std::uint64_t, 2>{0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL}) {
    std::uint64_t h = seed;
    for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    append_hex(out, mix64(h), 16);
  }
  return out;
}

[[nodiscard]] inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = static_cast<unsigned char>(diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  return diff == 0;
}

[[nodiscard]] inline std::optional<std::int64_t> parse_int64(std::string_view s) noexcept {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

/// The key path ("values.voiceover.audio_url") of the first string inside `v` that holds the
/// failure marker, or nothing.
[[nodiscard]] inline std::optional<std::string> find_fail_marker(const json::value& v, const std::string& at) {
  if (v.is_string()) {
    if (v.as_string().find(fail_marker) != std::string::npos) return at;
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (auto p = find_fail_marker(v.at(i), at + "[" + std::to_string(i) + "]")) return p;
  } else if (v.is_object()) {
    for (const auto& [k, m] : v.as_object())
      if (auto p = find_fail_marker(m, at + "." + k)) return p;
  }
  return std::nullopt;
}

[[nodiscard]] inline std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::string out;
  json::append_rfc3339(out, std::chrono::floor<std::chrono::milliseconds>(t));
  return out;
}

[[nodiscard]] inline http::response error_response(int status, std::string_view code, std::string message,
                                                   std::string_view field = {}) {
  json::value body = json::value::object_t{};
  body["message"] = std::move(message);
  body["code"] = code;
  if (!field.empty()) body["field"] = field;
  return json_response(status, body);
}

/// The body field a decode error points at: "$.values.headline" -> "values.headline"; a missing
/// key (reported at the object holding it) -> that key; otherwise the root -> "body".
[[nodiscard]] inline std::string field_of(const error& e) {
  std::string field;
  const std::string_view path = e.json_path();
  if (path.size() > 2 && path.substr(0, 2) == "$.") field = std::string{path.substr(2)};
  const std::string_view detail = e.detail();
  constexpr std::string_view missing = "missing key '";
  if (const auto at = detail.find(missing); at != std::string_view::npos) {
    const std::string_view rest = detail.substr(at + missing.size());
    if (const auto end = rest.find('\''); end != std::string_view::npos) {
      if (!field.empty()) field += '.';
      field += rest.substr(0, end);
    }
  }
  return field.empty() ? std::string{"body"} : field;
}

}  // namespace detail::tfi

class techforge_service final : public service {
 public:
  explicit techforge_service(service_limits limits = {}) : limits_(limits), projects_(detail::tfi::seeded_projects()) {}

  [[nodiscard]] std::string_view name() const noexcept override { return "tfi"; }

  [[nodiscard]] http::response handle(const request_context& ctx) override {
    namespace d = detail::tfi;
    advance_to(ctx.time.now);
    std::string_view path = ctx.path;
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

    // The signed URL carries its own authorisation: no API key (the client downloads keyless).
    if (path.substr(0, d::objects_prefix.size()) == d::objects_prefix) {
      if (ctx.method != "GET") return method_not_allowed(ctx, "GET");
      return serve_object(ctx, path.substr(d::objects_prefix.size()));
    }
    if (!authorized(ctx))
      return d::error_response(401, "unauthorized", "missing or invalid x-api-key");

    if (path == "/jobs/v2") {
      if (ctx.method != "POST") return method_not_allowed(ctx, "POST");
      return create_job(ctx);
    }
    if (path == "/api/jobs-get") {
      if (ctx.method != "GET") return method_not_allowed(ctx, "GET");
      return get_job(ctx);
    }
    if (path == "/storage/generate-signed-path") {
      if (ctx.method != "GET") return method_not_allowed(ctx, "GET");
      return signed_path(ctx);
    }
    if (path == "/api/provider/projects/active") {
      if (ctx.method != "GET") return method_not_allowed(ctx, "GET");
      return active_projects();
    }
    if (path.size() > d::projects_prefix.size() + d::mapping_suffix.size() &&
        path.substr(0, d::projects_prefix.size()) == d::projects_prefix &&
        path.substr(path.size() - d::mapping_suffix.size()) == d::mapping_suffix) {
      const std::string_view raw_id = path.substr(
          d::projects_prefix.size(), path.size() - d::projects_prefix.size() - d::mapping_suffix.size());
      if (raw_id.find('/') == std::string_view::npos) {
        if (ctx.method != "GET") return method_not_allowed(ctx, "GET");
        return mapping_fields(raw_id);
      }
    }
    std::string message = "no route for ";
    message += ctx.method;
    message += ' ';
    message += ctx.path;
    return d::error_response(404, "not_found", std::move(message));
  }

  void advance(const time_info& t, std::vector<http::request>& /*webhooks: TFI documents none*/) override {
    advance_to(t.now);
  }

  [[nodiscard]] json::value stats() const override {
    json::value s = json::value::object_t{};
    s["jobs_created"] = jobs_.size();
    s["jobs_by_idempotency_key"] = json::value::object_t{};
    s["jobs_live"] = pending_.size();
    s["jobs_completed"] = completed_;
    s["jobs_failed"] = failed_;
    s["signed_urls"] = signed_urls_;
    s["downloads"] = downloads_;
    s["projects"] = projects_.size();
    return s;
  }

 private:
  enum class state : unsigned char { queued, processing, completed, failed };

  struct job_record {
    std::string uuid{};
    techforge::job_type type{};
    std::string source_id{};  // the resolved template or project id
    json::value input{};      // the request body, verbatim
    json::value values{};
    duration created{};
    state status = state::queued;
    std::string failure{};  // non-empty: fails at the end of processing
    std::string output_path{};
  };

  // --- time ----------------------------------------------------------------------------------

  void advance_to(duration t) {
    if (t > now_) now_ = t;
    std::size_t keep = 0;
    for (const std::size_t i : pending_) {
      job_record& j = jobs_[i];
      const duration age = now_ - j.created;
      if (age >= detail::tfi::done_after) {
        if (j.failure.empty()) {
          j.status = state::completed;
          objects_.emplace(j.output_path, i);
          ++completed_;
        } else {
          j.status = state::failed;
          ++failed_;
        }
        continue;
      }
      j.status = age >= detail::tfi::queued_for ? state::processing : state::queued;
      pending_[keep++] = i;
    }
    pending_.resize(keep);
  }

  // --- helpers -------------------------------------------------------------------------------

  [[nodiscard]] bool authorized(const request_context& ctx) const {
    if (ctx.api_key.empty()) return true;
    const auto key = ctx.request->headers.get("x-api-key");
    return key && detail::tfi::constant_time_equal(*key, ctx.api_key);
  }

  [[nodiscard]] static http::response method_not_allowed(const request_context& ctx, std::string_view allow) {
    std::string message = "method ";
    message += ctx.method;
    message += " not allowed on ";
    message += ctx.path;
    http::response r = detail::tfi::error_response(405, "method_not_allowed", std::move(message));
    r.headers.add("Allow", std::string{allow});
    return r;
  }

  [[nodiscard]] const detail::tfi::project_seed* find_project(std::string_view id) const noexcept {
    for (const auto& p : projects_)
      if (p.id == id) return &p;
    return nullptr;
  }

  [[nodiscard]] std::string next_uuid() {
    // Version 4 layout from a fixed-seed generator: deterministic across runs.
    const std::uint64_t a = detail::tfi::mix64(uuid_state_ += 0x9e3779b97f4a7c15ULL);
    const std::uint64_t b = detail::tfi::mix64(uuid_state_ += 0x9e3779b97f4a7c15ULL);
    std::string out;
    out.reserve(36);
    detail::tfi::append_hex(out, a >> 32, 8);
    out += '-';
    detail::tfi::append_hex(out, (a >> 16) & 0xFFFF, 4);
    out += '-';
    detail::tfi::append_hex(out, 0x4000 | (a & 0x0FFF), 4);
    out += '-';
    detail::tfi::append_hex(out, 0x8000 | ((b >> 48) & 0x3FFF), 4);
    out += '-';
    detail::tfi::append_hex(out, b & 0xFFFFFFFFFFFFULL, 12);
    return out;
  }

  [[nodiscard]] static std::string_view status_text(state s) noexcept {
    switch (s) {
      case state::queued: return "QUEUED";
      case state::processing: return "PROCESSING";
      case state::completed: return "COMPLETED";
      case state::failed: return "FAILED";
    }
    return "QUEUED";
  }

  [[nodiscard]] static json::value record_json(const job_record& j, bool inject_unknown) {
    json::value r = json::value::object_t{};
    r["uuid"] = j.uuid;
    r["user_id"] = detail::tfi::user_id;
    r["template_id"] = j.source_id;
    r["input"] = j.input;
    r["values"] = j.values;
    r["job_status"] = status_text(j.status);
    r["job_type"] = reflect::enum_name(j.type);
    r["credit_used"] = j.status == state::completed ? std::to_string(detail::tfi::credits_of(j.type)) : "0";
    if (j.status == state::completed) r["output_path"] = j.output_path;
    if (j.status == state::failed) r["error"] = j.failure;
    if (inject_unknown) {
      // An unknown value of an open enum the client decodes (`status`), beside the documented
      // job_status that it reads first; and keys nobody documented.
      r["status"] = "UPSCALING";
      r["render_node"] = "sandbox-gpu-3";
      r["queue"] = json::value::object({{"name", "standard"}, {"position", 0}});
    }
    return r;
  }

  // --- routes --------------------------------------------------------------------------------

  [[nodiscard]] http::response create_job(const request_context& ctx) {
    namespace d = detail::tfi;
    const std::string_view body = ctx.request->body;
    json::options opts;
    opts.max_depth = d::max_body_depth;
    auto doc = json::read<json::value>(body, opts);
    if (!doc) return d::error_response(400, "invalid_json", "request body is not valid JSON: " + doc.error().message(), "body");
    if (!doc->is_object()) return d::error_response(400, "invalid_body", "request body must be a JSON object", "body");

    auto req = json::read<techforge::create_request>(body, opts);
    if (!req) {
      std::string field = d::field_of(req.error());
      return d::error_response(400, "validation_error", field + ": " + std::string{req.error().detail()}, field);
    }
    if (auto ok = techforge::validate(*req); !ok) {
      const std::string field{ok.error().field()};
      return d::error_response(400, "validation_error", std::string{ok.error().detail()}, field);
    }
    // Docs: "The controller resolves template_id before project_id"; 400 when it cannot.
    const detail::tfi::project_seed* source = nullptr;
    std::string_view source_field = "template_id";
    if (req->template_id && !req->template_id->empty()) {
      source = find_project(*req->template_id);
    } else {
      source_field = "project_id";
      source = find_project(req->project_id.value_or(""));
    }
    if (source == nullptr) {
      const std::string& id = source_field == "template_id" ? *req->template_id : *req->project_id;
      return d::error_response(400, "source_not_found",
                               std::string{source_field} + ": project or source '" + id + "' cannot be resolved",
                               source_field);
    }
    if (jobs_.size() >= limits_.max_jobs)
      return d::error_response(429, "too_many_jobs",
                               "sandbox job limit reached (" + std::to_string(limits_.max_jobs) + " jobs)");

    job_record j;
    j.uuid = next_uuid();
    j.type = *req->job_type.known();  // validate() refused unknown types
    j.source_id = std::string{source->id};
    j.values = doc->contains("values") ? (*doc)["values"] : json::value{json::value::object_t{}};
    if (auto at = d::find_fail_marker(j.values, "values"))
      j.failure = "render failed: " + *at + " contains [fail] (sandbox failure injection)";
    j.input = std::move(*doc);
    j.created = now_;
    const d::output_kind out = d::output_of(j.type);
    j.output_path = std::string{out.folder} + "/" + j.source_id + "/outputs/" + j.uuid + std::string{out.extension};

    const std::size_t index = jobs_.size();
    ids_.emplace(j.uuid, index);
    jobs_.push_back(std::move(j));
    pending_.push_back(index);
    const job_record& rec = jobs_.back();

    json::value answer = json::value::object_t{};
    if (ctx.tfi_202_shape) {
      // Overview page: 202 Accepted with { "jobId": "<uuid>", "status": "queued" }.
      answer["jobId"] = rec.uuid;
      answer["status"] = "queued";
      if (ctx.inject_unknown) answer["estimated_seconds"] = 2;
      return json_response(202, answer);
    }
    answer["message"] = d::accepted_message;
    answer["job"] = record_json(rec, ctx.inject_unknown);
    if (ctx.inject_unknown) answer["queue_position"] = pending_.size();
    return json_response(201, answer);
  }

  [[nodiscard]] http::response get_job(const request_context& ctx) const {
    namespace d = detail::tfi;
    const std::string* id = ctx.query_value("uuid");
    if (id == nullptr || id->empty()) return d::error_response(400, "validation_error", "uuid: job uuid is required", "uuid");
    const auto it = ids_.find(*id);
    if (it == ids_.end()) return d::error_response(404, "job_not_found", "job '" + *id + "' not found");
    json::value answer = json::value::object_t{};
    answer["job"] = record_json(jobs_[it->second], ctx.inject_unknown);
    return json_response(200, answer);
  }

  [[nodiscard]] http::response signed_path(const request_context& ctx) {
    namespace d = detail::tfi;
    const std::string* raw = ctx.query_value("path");
    std::string_view key = raw ? std::string_view{*raw} : std::string_view{};
    if (!key.empty() && key.front() == '/') key.remove_prefix(1);
    if (key.empty()) return d::error_response(400, "validation_error", "path: storage key is required", "path");
    if (objects_.find(key) == objects_.end())
      return d::error_response(404, "not_found", "storage key '" + std::string{key} + "' does not exist");
    const duration expires = now_ + d::signed_url_lifetime;
    const std::int64_t expires_ms = expires.count();
    std::string url = ctx.base_url;
    url += d::objects_prefix;
    url += key;  // storage keys are made of URL-safe characters only (ids, folders, extensions)
    url += "?expires=";
    url += std::to_string(expires_ms);
    url += "&signature=";
    url += d::signature_of(key, expires_ms);
    ++signed_urls_;
    json::value answer = json::value::object_t{};
    answer["signedUrl"] = std::move(url);
    answer["expiresAt"] = d::rfc3339(ctx.time.wall + (expires - now_));
    return json_response(200, answer);
  }

  [[nodiscard]] http::response serve_object(const request_context& ctx, std::string_view raw_key) {
    namespace d = detail::tfi;
    auto key = http::percent_decode(raw_key);
    const auto it = key ? objects_.find(*key) : objects_.end();
    if (it == objects_.end()) return d::error_response(404, "not_found", "storage object not found");
    const std::string* expires_text = ctx.query_value("expires");
    const std::string* signature = ctx.query_value("signature");
    const auto expires = expires_text ? d::parse_int64(*expires_text) : std::nullopt;
    if (!expires || signature == nullptr || !d::constant_time_equal(*signature, d::signature_of(*key, *expires)))
      return d::error_response(403, "signature_invalid", "signature does not match");
    if (now_.count() > *expires) return d::error_response(403, "signature_expired", "signed URL expired");

    const job_record& j = jobs_[it->second];
    http::response r;
    r.status = 200;
    r.headers.add("Content-Type", std::string{d::content_type_of(*key)});
    r.body = object_bytes(j);
    ++downloads_;
    return r;
  }

  [[nodiscard]] static std::string object_bytes(const job_record& j) {
    const std::string_view ext = detail::tfi::output_of(j.type).extension;
    const std::string note = "mediajobs sandbox output for TFI job " + j.uuid;
    if (ext == ".png") {  // a valid 1x1 transparent PNG
      static constexpr unsigned char png[] = {
          0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
          0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
          0x00, 0x00, 0x0b, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00,
          0x01, 0x7a, 0x5e, 0xab, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
      return std::string(reinterpret_cast<const char*>(png), sizeof png);
    }
    if (ext == ".mp4") {  // an ISO BMFF `ftyp` box, then a `free` box holding the note
      std::string out("\x00\x00\x00\x18" "ftypmp42\x00\x00\x00\x00" "mp42isom", 24);
      const std::size_t size = 8 + note.size();
      for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
      out += "free";
      out += note;
      return out;
    }
    if (ext == ".mp3") return std::string("ID3\x03\x00\x00\x00\x00\x00\x00", 10) + note;
    if (ext == ".pdf") return "%PDF-1.4\n% " + note + "\n%%EOF\n";
    if (ext == ".json") {
      json::value report = json::value::object_t{};
      report["job"] = j.uuid;
      report["passed"] = true;
      report["checks"] = json::value::array({json::value::object({{"name", "sharpness"}, {"passed", true}}),
                                             json::value::object({{"name", "exposure"}, {"passed", true}})});
      auto text = json::to_string(report);
      return text ? std::move(*text) : std::string{"{}"};
    }
    return note;
  }

  [[nodiscard]] http::response active_projects() const {
    json::value list = json::value::array_t{};
    for (const auto& p : projects_) {
      json::value o = json::value::object_t{};
      o["id"] = p.id;
      o["name"] = p.name;
      o["description"] = p.description;
      o["job_type"] = reflect::enum_name(p.type);
      o["version"] = p.version;
      o["status"] = "active";
      list.push_back(std::move(o));
    }
    json::value answer = json::value::object_t{};
    answer["projects"] = std::move(list);
    return json_response(200, answer);
  }

  [[nodiscard]] http::response mapping_fields(std::string_view raw_id) const {
    namespace d = detail::tfi;
    auto id = http::percent_decode(raw_id);
    const d::project_seed* p = id ? find_project(*id) : nullptr;
    if (p == nullptr)
      return d::error_response(404, "project_not_found",
                               "project '" + (id ? *id : std::string{raw_id}) + "' not found", "projectId");
    json::value fields = json::value::array_t{};
    for (const auto& f : p->fields) {
      json::value o = json::value::object_t{};
      o["key"] = f.key;
      o["label"] = f.label;
      o["type"] = f.type;
      o["required"] = f.required;
      fields.push_back(std::move(o));
    }
    json::value answer = json::value::object_t{};
    answer["project_id"] = p->id;
    answer["fields"] = std::move(fields);
    return json_response(200, answer);
  }

  service_limits limits_;
  std::vector<detail::tfi::project_seed> projects_;
  std::vector<job_record> jobs_;
  std::map<std::string, std::size_t, std::less<>> ids_;      // uuid -> index in jobs_
  std::map<std::string, std::size_t, std::less<>> objects_;  // storage key -> job index (COMPLETED)
  std::vector<std::size_t> pending_;                         // jobs still QUEUED or PROCESSING
  duration now_{};
  std::uint64_t uuid_state_ = 0x7f1c0ffee5eedULL;
  std::uint64_t completed_ = 0, failed_ = 0, signed_urls_ = 0, downloads_ = 0;
};

}  // namespace mediajobs::sandbox
