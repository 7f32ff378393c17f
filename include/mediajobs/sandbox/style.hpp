// mediajobs::sandbox::style_service — the simulated Style engine (api-docs/style-engine-job-schemas.txt),
// answering in the shapes style::client sends and parses. A pure state machine (see service.hpp).
//
// Routes (below the mount prefix, e.g. /style):
//   POST /api/v1/videos/upload        multipart/form-data, part `file` -> 201 upload_result
//   POST /api/v1/jobs                 JobCreateRequest -> 201 JobResponse
//   GET  /api/v1/jobs                 ?status=&page=&page_size= -> 200 paginated list
//   GET  /api/v1/jobs/{job_id}        -> 200 JobResponse
//   GET  /api/v1/jobs/{job_id}/result -> 200 JobDetailResponse
//   GET|HEAD /files/{job_id}/output.mp4  the output video (no auth: it is a download URL)
// Every success is the "standard response envelope" `{"success":true,"data":...}`; every error is
// `{"success":false,"error":{"code":"...","message":"...","field":"..."}}` (field when one is at fault).
// 401 without `X-API-Key` equal to the configured key (when one is set), 404 for unknown routes and
// ids, 405 (with Allow) for a wrong method, 429 beyond service_limits::max_jobs jobs or uploads.
//
// Pipeline (sandbox time, speed 1): queued 250 ms, then the six documented stages in order —
// video_analysis 500 ms, audio_analysis 400, motion_analysis 450, style_extraction 500,
// style_application 500, rendering 400 — completed 3 s after creation. While processing,
// `current_stage` names the stage and `progress_percent` grows with the time spent (0 while queued,
// at most 99 while processing, 100 once completed; a failed job keeps the value it had).
// Timestamps are RFC 3339 wall times (the wall time of the event on the sandbox clock):
// `updated_at` moves on status changes only (the docs: "most recent status change"); `started_at`
// when processing began; `completed_at` at any terminal state.
//
// Deterministic failure injection: the text `[fail:STAGE]` (STAGE one of the six stage names) in the
// uploaded file name of the source or template video, or in any string inside `config`, makes the
// job fail half-way through that stage; `[cancel:STAGE]` makes it end `cancelled` there instead
// (the docs define the status but no cancel endpoint). A marker naming an unknown stage answers
// 400. E.g. `{"video_id": "...", "config": {"note": "[fail:rendering]"}}`.
//
// Choices where the docs are silent:
//  - Upload: the docs link a page we do not have; as style::client sends it. Any content type is
//    accepted; at most 64 MiB per video (413), file name sanitised (invalid UTF-8 and control
//    characters become '_'). Only size and name are kept, not the bytes.
//  - Create: unknown keys, a non-object `config` or a `video_id` that was never uploaded are 400
//    naming the field (not 404: the request, not the URL, is at fault); likewise an unknown
//    `template_video_id`. `webhook_url` must be http(s) to a loopback host (127.0.0.1, ::1,
//    localhost): the sandbox only delivers there.
//  - Every job runs all six stages; without a template, style_extraction extracts the StyleJSON of
//    the source itself. Workers are unlimited (queued only for the queue delay).
//  - Result before completion: 200 with the detail whose style_json, output_video_url and
//    processing_time_seconds are null (as the docs describe those fields), not 409. StyleJSON's own
//    schema is not in our docs: the sandbox returns a deterministic object (version, color,
//    lighting, motion, audio, transitions) derived from the video ids. processing_time_seconds is
//    set at every terminal state reached after processing began.
//  - List: newest first; page >= 1 (default 1), page_size 1..100 (default 20), status one of the
//    five statuses; else 400 naming the parameter. Answer: data = {items, page, page_size, total,
//    total_pages, has_more}.
//  - Absent values are written as JSON null (current_stage, started_at, ...), as the docs say.
//  - ctx.inject_unknown: job objects gain unknown fields (`engine_region`, `x_sandbox`) and, while
//    processing, `current_stage` carries an unknown value (`frame_interpolation`); status stays known.
//
// Webhooks: when a job with a webhook_url becomes completed, failed or cancelled, advance() appends
// exactly one POST to it: Content-Type application/json, body the envelope
// `{"success": <completed>, "data": <JobDetailResponse>, "message": "job <status>"}`, signed with
// Standard Webhooks headers (webhook-id `msg_<job_id>_<status>`, webhook-timestamp, webhook-signature;
// see webhook/signature.hpp) under the webhook secret, default "sandbox-webhook-secret". A secret
// starting with `whsec_` is used as is; any other text is the raw HMAC key, whose `whsec_` form
// webhook_secret() returns for webhook::verify / webhook::parse_style (for the default:
// `whsec_c2FuZGJveC13ZWJob29rLXNlY3JldA==`). An empty secret, or a build
// without OpenSSL, sends the webhooks unsigned.
//
// stats(): {"jobs_created", "jobs_by_idempotency_key": {} (no key is documented), "jobs_live"
// (not yet terminal), "uploads", "webhooks_queued"}.
//
// Thread-safety: none (see sandbox/service.hpp).
#pragma once

#include <mediajobs/api/uuid.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/json/value.hpp>
#include <mediajobs/reflect/enum.hpp>
#include <mediajobs/sandbox/service.hpp>
#include <mediajobs/style/schema.hpp>
#include <mediajobs/webhook/signature.hpp>
#include <mediajobs/webhook/webhook.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mediajobs::sandbox {

namespace detail {

/// Sandbox durations of the Style pipeline (see the header comment).
inline constexpr duration style_queue_delay{250};
inline constexpr std::array<duration, 6> style_stage_durations{duration{500}, duration{400}, duration{450},
                                                               duration{500}, duration{500}, duration{400}};
inline constexpr duration style_processing_total{2750};

/// A splitmix64 step: deterministic ids without a random device.
[[nodiscard]] constexpr std::uint64_t style_mix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

[[nodiscard]] constexpr std::uint64_t style_hash(std::string_view s) noexcept {  // FNV-1a
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

[[nodiscard]] constexpr char style_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

[[nodiscard]] constexpr std::string_view style_trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The parameters of a header value `type; a=b; c="d"` (names lowercased, quoted strings
/// unescaped); the first element holds the bare value (lowercased) under an empty name.
/// nullopt on an unterminated quoted string.
[[nodiscard]] inline std::optional<std::vector<std::pair<std::string, std::string>>> style_header_params(
    std::string_view v) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  const auto bare_until_semicolon = [&] {
    const std::size_t start = i;
    while (i < v.size() && v[i] != ';') ++i;
    return style_trim(v.substr(start, i - start));
  };
  std::string first;
  for (const char c : bare_until_semicolon()) first += style_lower(c);
  out.emplace_back(std::string{}, std::move(first));
  while (i < v.size()) {
    ++i;  // ';'
    const std::size_t name_start = i;
    while (i < v.size() && v[i] != '=' && v[i] != ';') ++i;
    std::string name;
    for (const char c : style_trim(v.substr(name_start, i - name_start))) name += style_lower(c);
    std::string value;
    if (i < v.size() && v[i] == '=') {
      ++i;
      while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
      if (i < v.size() && v[i] == '"') {
        ++i;
        bool closed = false;
        while (i < v.size()) {
          const char c = v[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\' && i < v.size()) {
            value += v[i++];
          } else {
            value += c;
          }
        }
        if (!closed) return std::nullopt;
        while (i < v.size() && v[i] != ';') ++i;  // ignore anything after the quoted string
      } else {
        value = std::string{bare_until_semicolon()};
      }
    }
    if (!name.empty()) out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

[[nodiscard]] inline const std::string* style_param(const std::vector<std::pair<std::string, std::string>>& params,
                                                    std::string_view name) noexcept {
  for (std::size_t k = 1; k < params.size(); ++k)
    if (params[k].first == name) return &params[k].second;
  return nullptr;
}

/// One part of a multipart/form-data body.
struct style_form_part {
  std::string name{};
  std::optional<std::string> filename{};
  std::string content_type{};
  std::string_view data{};  // into the request body
};

/// Parses a multipart/form-data body (RFC 7578 / RFC 2046): `boundary` from the Content-Type.
/// Bounded: at most 32 parts, 8 KiB of headers per part. An error is the reason, for a 400.
[[nodiscard]] inline result<std::vector<style_form_part>> style_parse_multipart(std::string_view body,
                                                                                std::string_view boundary) {
  const auto bad = [](std::string detail) { return fail(validation_error("file", std::move(detail))); };
  if (boundary.empty() || boundary.size() > 70) return bad("multipart boundary must be 1 to 70 characters");
  std::string delimiter{"--"};  // appended, not `"--" + string` (GCC 12 -O3 -Wrestrict false positive)
  delimiter += boundary;
  std::string next_delimiter{"\r\n"};
  next_delimiter += delimiter;
  // The first delimiter: at the start, or after a preamble ending in CRLF.
  std::size_t pos = 0;
  if (body.substr(0, delimiter.size()) != delimiter) {
    pos = body.find(next_delimiter);
    if (pos == std::string_view::npos) return bad("multipart body without its boundary");
    pos += 2;
  }
  pos += delimiter.size();
  std::vector<style_form_part> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // close delimiter (the epilogue is ignored)
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;  // transport padding
    if (body.substr(pos, 2) != "\r\n") return bad("malformed multipart delimiter line");
    pos += 2;
    if (parts.size() == 32) return bad("too many multipart parts (at most 32)");
    const std::size_t headers_end = body.find("\r\n\r\n", pos);
    const bool no_headers = body.substr(pos, 2) == "\r\n";
    if (!no_headers && (headers_end == std::string_view::npos || headers_end - pos > 8192))
      return bad("malformed or oversized multipart part headers");
    style_form_part part;
    bool disposition = false;
    if (!no_headers) {
      std::string_view lines = body.substr(pos, headers_end - pos);
      while (!lines.empty()) {
        const std::size_t eol = lines.find("\r\n");
        const std::string_view line = lines.substr(0, eol);
        lines = eol == std::string_view::npos ? std::string_view{} : lines.substr(eol + 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return bad("malformed multipart part header");
        const std::string_view name = style_trim(line.substr(0, colon));
        const std::string_view value = style_trim(line.substr(colon + 1));
        if (http::detail::iequals(name, "Content-Disposition")) {
          auto params = style_header_params(value);
          if (!params || (*params)[0].second != "form-data") return bad("malformed Content-Disposition of a part");
          if (const auto* n = style_param(*params, "name")) part.name = *n;
          if (const auto* f = style_param(*params, "filename")) part.filename = *f;
          disposition = true;
        } else if (http::detail::iequals(name, "Content-Type")) {
          part.content_type = std::string{value};
        }
      }
      pos = headers_end + 4;
    } else {
      pos += 2;
    }
    if (!disposition) return bad("a multipart part without Content-Disposition: form-data");
    const std::size_t end = body.find(next_delimiter, pos);
    if (end == std::string_view::npos) return bad("unterminated multipart part");
    part.data = body.substr(pos, end - pos);
    parts.push_back(std::move(part));
    pos = end + next_delimiter.size();
  }
}

/// Text safe to write as JSON: valid UTF-8 kept (control characters become '_'); otherwise every
/// non-ASCII byte becomes '_' too. At most `max` bytes.
[[nodiscard]] inline std::string style_clean_text(std::string_view s, std::size_t max = 255) {
  std::string out{s.substr(0, max)};
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '_';
  if (!json::to_string(std::string_view{out}))
    for (char& c : out)
      if (static_cast<unsigned char>(c) >= 0x80) c = '_';
  return out;
}

[[nodiscard]] inline bool style_is_loopback(std::string_view host) noexcept {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

/// Strict decimal integer in [lo, hi].
[[nodiscard]] inline std::optional<int> style_parse_int(std::string_view s, int lo, int hi) noexcept {
  int v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

inline void style_append_hex_byte(std::string& out, std::uint64_t v) {
  static constexpr char hex[] = "0123456789abcdef";
  out += hex[(v >> 4) & 0xF];
  out += hex[v & 0xF];
}

}  // namespace detail

class style_service final : public service {
 public:
  /// The default webhook secret (raw HMAC key; webhook_secret() gives its `whsec_` form).
  static constexpr std::string_view default_webhook_secret = "sandbox-webhook-secret";
  /// Largest accepted video upload.
  static constexpr std::size_t max_upload_bytes = std::size_t{64} << 20;

  explicit style_service(service_limits limits = {}) : limits_(limits) { set_webhook_secret(std::string{default_webhook_secret}); }
  style_service(service_limits limits, std::string webhook_secret) : limits_(limits) {
    set_webhook_secret(std::move(webhook_secret));
  }

  /// Sets the secret webhooks are signed with: `whsec_<base64>` as is, other text as the raw key,
  /// empty to send them unsigned.
  void set_webhook_secret(std::string secret) {
    if (secret.empty() || secret.rfind("whsec_", 0) == 0) {
      secret_ = std::move(secret);
    } else {
      secret_ = "whsec_";
      webhook::base64_encode(secret, secret_);
    }
  }
  /// The secret in the `whsec_<base64>` form webhook::verify and webhook::parse_style take.
  [[nodiscard]] const std::string& webhook_secret() const noexcept { return secret_; }

  [[nodiscard]] std::string_view name() const noexcept override { return "style"; }

  [[nodiscard]] http::response handle(const request_context& ctx) override {
    observe(ctx.time.now);
    std::vector<std::string_view> seg;
    std::string_view path = ctx.path;
    if (const std::size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
    while (!path.empty()) {
      if (path.front() == '/') {
        path.remove_prefix(1);
        continue;
      }
      const std::size_t slash = path.find('/');
      seg.push_back(path.substr(0, slash));
      if (slash == std::string_view::npos) break;
      path.remove_prefix(slash);
      if (seg.size() > 8) return not_found("no such route");
    }
    const std::string_view m = ctx.method;

    // The output file is a download URL: no API key (the client's download() sends none).
    if (seg.size() == 3 && seg[0] == "files" && seg[2] == "output.mp4") {
      if (m != "GET" && m != "HEAD") return method_not_allowed("GET, HEAD");
      return output_file(seg[1]);
    }
    if (!ctx.api_key.empty()) {
      const auto key = ctx.request->headers.get("X-API-Key");
      if (!key || *key != ctx.api_key)
        return error_response(401, "unauthorized", "invalid or missing API key (header X-API-Key)");
    }
    const bool is_api = seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1";
    if (is_api && seg.size() == 4 && seg[2] == "videos" && seg[3] == "upload") {
      if (m != "POST") return method_not_allowed("POST");
      return upload(ctx);
    }
    if (is_api && seg[2] == "jobs") {
      if (seg.size() == 3) {
        if (m == "POST") return create(ctx);
        if (m == "GET") return list(ctx);
        return method_not_allowed("GET, POST");
      }
      if (seg.size() == 4 || (seg.size() == 5 && seg[4] == "result")) {
        if (m != "GET") return method_not_allowed("GET");
        const auto it = index_.find(std::string{seg[3]});
        if (it == index_.end()) return not_found("no job with this id");
        const bool detail = seg.size() == 5;
        return ok(200, job_value(jobs_[it->second], detail, ctx.inject_unknown));
      }
    }
    return not_found("no such route");
  }

  void advance(const time_info& t, std::vector<http::request>& webhooks) override {
    observe(t.now);
    std::size_t out = 0;
    for (const std::size_t i : active_) {
      const job& j = jobs_[i];
      const state s = state_of(j, now_);
      if (!style::is_terminal(s.status)) {
        active_[out++] = i;
        continue;
      }
      if (j.webhook_url) webhooks.push_back(make_webhook(j, t));
    }
    active_.resize(out);
  }

  [[nodiscard]] json::value stats() const override {
    std::size_t live = 0;
    for (const std::size_t i : active_)
      if (!style::is_terminal(state_of(jobs_[i], now_).status)) ++live;
    json::value s = json::value::object_t{};
    s["jobs_created"] = jobs_.size();
    s["jobs_by_idempotency_key"] = json::value::object_t{};
    s["jobs_live"] = live;
    s["uploads"] = uploads_.size();
    s["webhooks_queued"] = webhooks_queued_;
    return s;
  }

 private:
  struct upload_record {
    std::string filename{};
    std::string content_type{};
    std::size_t size = 0;
    std::chrono::system_clock::time_point created_wall{};
  };

  struct job {
    std::string id{};
    std::string video_id{};
    std::optional<std::string> template_video_id{};
    std::optional<std::string> webhook_url{};
    std::string base_url{};
    duration created{};
    std::chrono::system_clock::time_point created_wall{};
    int end_stage = -1;            ///< injected: the stage the job ends in (-1: runs to completion)
    bool end_cancelled = false;    ///< injected: the end is `cancelled`, not `failed`
  };

  /// Where a job stands at a sandbox time (a pure function of the job and the time).
  struct state {
    style::job_status status = style::job_status::queued;
    int stage = -1;  ///< index while processing
    int progress = 0;
    std::optional<duration> started{}, ended{};
  };

  [[nodiscard]] static int progress_at(duration in_processing) noexcept {
    return static_cast<int>(in_processing.count() * 100 / detail::style_processing_total.count());
  }

  [[nodiscard]] static state state_of(const job& j, duration now) noexcept {
    state s;
    const duration elapsed = now - j.created;
    if (elapsed < detail::style_queue_delay) return s;
    s.started = j.created + detail::style_queue_delay;
    const duration p = elapsed - detail::style_queue_delay;
    duration stage_start{0};
    for (std::size_t k = 0; k < detail::style_stage_durations.size(); ++k) {
      const duration d = detail::style_stage_durations[k];
      if (j.end_stage == static_cast<int>(k)) {
        const duration end = stage_start + d / 2;
        if (p >= end) {
          s.status = j.end_cancelled ? style::job_status::cancelled : style::job_status::failed;
          s.progress = progress_at(end);
          s.ended = *s.started + end;
          return s;
        }
      }
      if (p < stage_start + d) {
        s.status = style::job_status::processing;
        s.stage = static_cast<int>(k);
        s.progress = std::min(99, progress_at(p));
        return s;
      }
      stage_start += d;
    }
    s.status = style::job_status::completed;
    s.progress = 100;
    s.ended = *s.started + detail::style_processing_total;
    return s;
  }

  void observe(duration now) noexcept { now_ = std::max(now_, now); }

  [[nodiscard]] static json::value wall_text(const job& j, duration at) {
    const auto wall = std::chrono::floor<std::chrono::microseconds>(j.created_wall) +
                      std::chrono::duration_cast<std::chrono::microseconds>(at - j.created);
    std::string s;
    json::append_rfc3339(s, wall);
    return json::value{std::move(s)};
  }

  [[nodiscard]] static std::string_view stage_name(int k) noexcept {
    return reflect::enum_name(static_cast<style::job_stage>(k));
  }

  /// JobResponse (or JobDetailResponse) as JSON, nulls written out.
  [[nodiscard]] json::value job_value(const job& j, bool detail, bool inject_unknown) const {
    const state s = state_of(j, now_);
    json::value v = json::value::object_t{};
    v["job_id"] = j.id;
    v["video_id"] = j.video_id;
    v["status"] = reflect::enum_name(s.status);
    v["progress_percent"] = s.progress;
    if (s.stage >= 0)
      v["current_stage"] = inject_unknown ? std::string_view{"frame_interpolation"} : stage_name(s.stage);
    else
      v["current_stage"] = nullptr;
    v["created_at"] = wall_text(j, j.created);
    v["updated_at"] = wall_text(j, s.ended ? *s.ended : s.started ? *s.started : j.created);
    v["started_at"] = s.started ? wall_text(j, *s.started) : json::value{};
    v["completed_at"] = s.ended ? wall_text(j, *s.ended) : json::value{};
    v["template_video_id"] = j.template_video_id ? json::value{*j.template_video_id} : json::value{};
    if (detail) {
      const bool done = s.status == style::job_status::completed;
      v["style_json"] = done ? style_json(j) : json::value{};
      v["output_video_url"] = done ? json::value{j.base_url + "/files/" + j.id + "/output.mp4"} : json::value{};
      if (s.status == style::job_status::failed) {
        const std::string_view st = stage_name(j.end_stage);
        std::string message{"injected failure during "};
        message += st;
        v["error"] = json::value::object({{"code", "stage_failed"}, {"stage", st}, {"message", std::move(message)}});
      } else {
        v["error"] = nullptr;
      }
      v["processing_time_seconds"] =
          s.ended ? json::value{static_cast<double>((*s.ended - *s.started).count()) / 1000.0} : json::value{};
    }
    if (inject_unknown) {
      v["engine_region"] = "sandbox-local-1";
      v["x_sandbox"] = json::value::object({{"injected", true}, {"note", "unknown field"}});
    }
    return v;
  }

  /// A deterministic StyleJSON (its schema is not in our docs; see the header comment).
  [[nodiscard]] static json::value style_json(const job& j) {
    std::uint64_t h = detail::style_hash(j.video_id) ^ detail::style_hash(j.template_video_id.value_or(""));
    const auto next = [&h](std::uint64_t mod) {
      h = detail::style_mix(h);
      return h % mod;
    };
    json::value palette = json::value::array_t{};
    for (int k = 0; k < 5; ++k) {
      std::string c = "#";
      for (int b = 0; b < 3; ++b) detail::style_append_hex_byte(c, next(256));
      palette.push_back(std::move(c));
    }
    static constexpr std::array<std::string_view, 4> moves{"static", "dolly_in", "pan_left", "handheld"};
    static constexpr std::array<std::string_view, 3> moods{"calm", "upbeat", "dramatic"};
    static constexpr std::array<std::string_view, 3> cuts{"hard_cut", "cross_dissolve", "whip_pan"};
    return json::value::object(
        {{"version", "1.0"},
         {"source_video_id", j.video_id},
         {"template_video_id", j.template_video_id ? json::value{*j.template_video_id} : json::value{}},
         {"color", json::value::object({{"palette", std::move(palette)},
                                        {"temperature_kelvin", static_cast<int>(3200 + next(3300))},
                                        {"contrast", static_cast<double>(next(100)) / 100.0},
                                        {"saturation", static_cast<double>(50 + next(100)) / 100.0},
                                        {"brightness", static_cast<double>(next(41)) / 100.0 - 0.2}})},
         {"lighting", json::value::object({{"key", next(2) == 0 ? "low" : "high"},
                                           {"direction_degrees", static_cast<int>(next(360))}})},
         {"motion", json::value::object({{"camera_movement", moves[next(moves.size())]},
                                         {"average_speed", static_cast<double>(next(100)) / 100.0}})},
         {"audio", json::value::object({{"tempo_bpm", static_cast<int>(70 + next(90))},
                                        {"loudness_lufs", -8.0 - static_cast<double>(next(120)) / 10.0},
                                        {"mood", moods[next(moods.size())]}})},
         {"transitions", json::value::object({{"style", cuts[next(cuts.size())]},
                                              {"average_shot_seconds", static_cast<double>(10 + next(50)) / 10.0}})}});
  }

  // --- responses ----------------------------------------------------------------------------------

  [[nodiscard]] static http::response ok(int status, json::value data) {
    json::value body = json::value::object({{"success", true}, {"data", std::move(data)}});
    return json_response(status, body);
  }
  [[nodiscard]] static http::response error_response(int status, std::string_view code, std::string message,
                                                     std::string_view field = {}) {
    json::value e = json::value::object({{"code", code}, {"message", std::move(message)}});
    if (!field.empty()) e["field"] = field;
    json::value body = json::value::object({{"success", false}, {"error", std::move(e)}});
    return json_response(status, body);
  }
  [[nodiscard]] static http::response bad_request(std::string_view field, std::string message) {
    return error_response(400, "validation_error", std::string{field} + ": " + message, field);
  }
  [[nodiscard]] static http::response not_found(std::string message) {
    return error_response(404, "not_found", std::move(message));
  }
  [[nodiscard]] static http::response method_not_allowed(std::string allow) {
    http::response r = error_response(405, "method_not_allowed", "method not allowed (allowed: " + allow + ")");
    r.headers.add("Allow", std::move(allow));
    return r;
  }

  [[nodiscard]] std::string next_id() {
    ++id_counter_;
    return api::uuid_v4(detail::style_mix(id_counter_ * 2), detail::style_mix(id_counter_ * 2 + 1));
  }

  // --- endpoints ----------------------------------------------------------------------------------

  [[nodiscard]] http::response upload(const request_context& ctx) {
    const http::request& req = *ctx.request;
    const auto ct = req.headers.get("Content-Type");
    if (!ct) return bad_request("Content-Type", "multipart/form-data with a boundary is required");
    const auto params = detail::style_header_params(*ct);
    if (!params || (*params)[0].second != "multipart/form-data")
      return bad_request("Content-Type", "multipart/form-data with a boundary is required");
    const std::string* boundary = detail::style_param(*params, "boundary");
    if (boundary == nullptr || boundary->empty())
      return bad_request("Content-Type", "the multipart boundary parameter is missing");
    auto parts = detail::style_parse_multipart(req.body, *boundary);
    if (!parts) return bad_request("file", std::string{parts.error().detail()});
    const detail::style_form_part* file = nullptr;
    for (const auto& p : *parts)
      if (p.name == "file") {
        file = &p;
        break;
      }
    if (file == nullptr) return bad_request("file", "the multipart part named 'file' is missing");
    if (file->data.empty()) return bad_request("file", "the video is empty");
    if (file->data.size() > max_upload_bytes)
      return error_response(413, "payload_too_large", "file: a video may hold at most 64 MiB", "file");
    if (uploads_.size() >= limits_.max_jobs)
      return error_response(429, "too_many_uploads", "the sandbox holds at most max_jobs videos");
    upload_record u;
    u.filename = detail::style_clean_text(file->filename.value_or("video"));
    u.content_type = detail::style_clean_text(file->content_type.empty() ? std::string_view{"application/octet-stream"}
                                                                         : std::string_view{file->content_type});
    u.size = file->data.size();
    u.created_wall = ctx.time.wall;
    std::string id = next_id();
    json::value v = json::value::object_t{};
    v["video_id"] = id;
    v["filename"] = u.filename;
    v["content_type"] = u.content_type;
    v["size_bytes"] = u.size;
    v["duration_seconds"] = nullptr;
    v["status"] = "uploaded";
    std::string when;
    json::append_rfc3339(when, std::chrono::floor<std::chrono::microseconds>(u.created_wall));
    v["created_at"] = std::move(when);
    uploads_.emplace(std::move(id), std::move(u));
    return ok(201, std::move(v));
  }

  /// The injected end found in `text` (see the header comment): 0 = none, 1 = found, -1 = bad stage.
  static int find_marker(std::string_view text, job& j) {
    for (const bool cancel : {false, true}) {
      const std::string_view open = cancel ? "[cancel:" : "[fail:";
      const std::size_t at = text.find(open);
      if (at == std::string_view::npos) continue;
      const std::size_t close = text.find(']', at);
      if (close == std::string_view::npos) return -1;
      const std::string_view stage = text.substr(at + open.size(), close - at - open.size());
      const auto e = reflect::enum_from_name<style::job_stage>(stage);
      if (!e) return -1;
      j.end_stage = static_cast<int>(*e);
      j.end_cancelled = cancel;
      return 1;
    }
    return 0;
  }
  static int find_marker(const json::value& v, job& j) {
    if (v.is_string()) return find_marker(std::string_view{v.as_string()}, j);
    if (v.is_array())
      for (const auto& e : v.as_array())
        if (const int r = find_marker(e, j); r != 0) return r;
    if (v.is_object())
      for (const auto& [k, e] : v.as_object())
        if (const int r = find_marker(e, j); r != 0) return r;
    return 0;
  }

  [[nodiscard]] http::response create(const request_context& ctx) {
    const std::string& text = ctx.request->body;
    if (is_blank(text)) return bad_request("body", "a JSON object is required");
    auto parsed = json::read<style::job_create_request>(text, json::options{.error_on_unknown_keys = true});
    if (!parsed) return bad_request(field_of(parsed.error()), std::string{parsed.error().detail()});
    style::job_create_request& r = *parsed;
    if (r.video_id.empty()) return bad_request("video_id", "video_id is required");
    const auto source = uploads_.find(r.video_id);
    if (source == uploads_.end()) return bad_request("video_id", "no uploaded video has this id");
    const upload_record* tmpl = nullptr;
    if (r.template_video_id) {
      const auto t = uploads_.find(*r.template_video_id);
      if (t == uploads_.end()) return bad_request("template_video_id", "no uploaded video has this id");
      tmpl = &t->second;
    }
    if (r.config && !r.config->is_object() && !r.config->is_null()) return bad_request("config", "must be an object");
    if (r.webhook_url) {
      auto u = http::parse_url(*r.webhook_url);
      if (!u) return bad_request("webhook_url", "not an absolute http(s) URL");
      if (!detail::style_is_loopback(u->host))
        return bad_request("webhook_url",
                           "the sandbox only delivers webhooks to loopback hosts (127.0.0.1, ::1, localhost)");
    }
    if (jobs_.size() >= limits_.max_jobs)
      return error_response(429, "too_many_jobs", "the sandbox holds at most max_jobs jobs (nothing is evicted)");

    job j;
    if (find_marker(std::string_view{source->second.filename}, j) < 0)
      return bad_request("video_id", "the file name holds a failure marker naming an unknown stage");
    if (j.end_stage < 0 && tmpl != nullptr && find_marker(std::string_view{tmpl->filename}, j) < 0)
      return bad_request("template_video_id", "the file name holds a failure marker naming an unknown stage");
    if (j.end_stage < 0 && r.config && find_marker(*r.config, j) < 0)
      return bad_request("config", "a failure marker names an unknown stage");
    j.id = next_id();
    j.video_id = std::move(r.video_id);
    j.template_video_id = std::move(r.template_video_id);
    j.webhook_url = std::move(r.webhook_url);
    j.base_url = ctx.base_url;
    j.created = now_;
    j.created_wall = ctx.time.wall - std::chrono::duration_cast<std::chrono::system_clock::duration>(ctx.time.now - now_);
    index_.emplace(j.id, jobs_.size());
    active_.push_back(jobs_.size());
    jobs_.push_back(std::move(j));
    return ok(201, job_value(jobs_.back(), false, ctx.inject_unknown));
  }

  [[nodiscard]] static bool is_blank(std::string_view s) noexcept {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
  }

  /// The top-level key a decode error is about: `$.config.x` -> "config"; a missing key -> its name.
  [[nodiscard]] static std::string field_of(const error& e) {
    std::string_view p = e.json_path();
    if (p.substr(0, 2) == "$.") {
      p.remove_prefix(2);
      return std::string{p.substr(0, p.find_first_of(".["))};
    }
    const std::string_view d = e.detail();
    for (const std::string_view pre : {std::string_view{"missing key '"}, std::string_view{"unknown key '"}}) {
      if (const std::size_t at = d.find(pre); at != std::string_view::npos) {
        const std::size_t end = d.find('\'', at + pre.size());
        if (end != std::string_view::npos) return detail::style_clean_text(d.substr(at + pre.size(), end - at - pre.size()), 64);
      }
    }
    return "body";
  }

  [[nodiscard]] http::response list(const request_context& ctx) const {
    std::optional<style::job_status> filter;
    if (const std::string* s = ctx.query_value("status"); s != nullptr && !s->empty()) {
      filter = reflect::enum_from_name<style::job_status>(*s);
      if (!filter) return bad_request("status", "must be one of queued, processing, completed, failed, cancelled");
    }
    int page = 1, page_size = 20;
    if (const std::string* s = ctx.query_value("page")) {
      const auto v = detail::style_parse_int(*s, 1, 1000000);
      if (!v) return bad_request("page", "must be an integer >= 1");
      page = *v;
    }
    if (const std::string* s = ctx.query_value("page_size")) {
      const auto v = detail::style_parse_int(*s, 1, 100);
      if (!v) return bad_request("page_size", "must be an integer from 1 to 100");
      page_size = *v;
    }
    const std::size_t first = static_cast<std::size_t>(page - 1) * static_cast<std::size_t>(page_size);
    std::size_t total = 0;
    json::value items = json::value::array_t{};
    for (std::size_t k = jobs_.size(); k-- > 0;) {  // newest first
      if (filter && state_of(jobs_[k], now_).status != *filter) continue;
      if (total >= first && total < first + static_cast<std::size_t>(page_size))
        items.push_back(job_value(jobs_[k], false, ctx.inject_unknown));
      ++total;
    }
    const std::size_t pages = (total + static_cast<std::size_t>(page_size) - 1) / static_cast<std::size_t>(page_size);
    json::value data = json::value::object_t{};
    data["items"] = std::move(items);
    data["page"] = page;
    data["page_size"] = page_size;
    data["total"] = total;
    data["total_pages"] = pages;
    data["has_more"] = static_cast<std::size_t>(page) < pages;
    return ok(200, std::move(data));
  }

  [[nodiscard]] http::response output_file(std::string_view id) const {
    const auto it = index_.find(std::string{id});
    if (it == index_.end() || state_of(jobs_[it->second], now_).status != style::job_status::completed)
      return not_found("no output for this job (unknown or not completed)");
    // A minimal ISO BMFF header (ftyp + mdat) and deterministic filler: "a video" for downloads.
    std::string bytes{"\0\0\0\x18" "ftypisom\0\0\x02\0" "isomiso2", 24};
    const std::uint32_t payload = 4096;
    const std::uint32_t box = payload + 8;
    for (int s = 24; s >= 0; s -= 8) bytes += static_cast<char>((box >> s) & 0xFF);
    bytes += "mdat";
    std::uint64_t h = detail::style_hash(id);
    for (std::uint32_t k = 0; k < payload; ++k) {
      if (k % 8 == 0) h = detail::style_mix(h);
      bytes += static_cast<char>((h >> (8 * (k % 8))) & 0xFF);
    }
    http::response r;
    r.status = 200;
    r.headers.add("Content-Type", "video/mp4");
    r.body = std::move(bytes);
    return r;
  }

  [[nodiscard]] http::request make_webhook(const job& j, const time_info& t) {
    const json::value data = job_value(j, true, false);
    const state s = state_of(j, now_);
    const std::string_view status = reflect::enum_name(s.status);
    json::value env = json::value::object({{"success", s.status == style::job_status::completed},
                                            {"data", data},
                                            {"message", std::string{"job "}.append(status)}});
    http::request w;
    w.method = "POST";
    w.url = *j.webhook_url;
    w.headers.add("Content-Type", "application/json");
    w.headers.add("User-Agent", "mediajobs-sandbox-style");
    (void)json::write(env, w.body);  // only valid UTF-8 and finite numbers are ever put in it
    if (!secret_.empty()) {
      const std::int64_t unix_s =
          std::chrono::duration_cast<std::chrono::seconds>(t.wall.time_since_epoch()).count();
      // Fails only without OpenSSL: the webhook then goes unsigned (see the header comment).
      std::string msg_id{"msg_"};
      msg_id.append(j.id).append("_").append(status);
      (void)webhook::set_signature_headers(w.headers, secret_, msg_id, unix_s, w.body);
    }
    ++webhooks_queued_;
    return w;
  }

  service_limits limits_;
  std::string secret_{};
  duration now_{0};
  std::uint64_t id_counter_ = 0;
  std::uint64_t webhooks_queued_ = 0;
  std::vector<job> jobs_{};
  std::unordered_map<std::string, std::size_t> index_{};
  std::vector<std::size_t> active_{};  ///< jobs that were not terminal at the last advance()
  std::unordered_map<std::string, upload_record> uploads_{};
};

}  // namespace mediajobs::sandbox
