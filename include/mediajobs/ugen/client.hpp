// mediajobs::ugen::client — the U-Gen Jobs API (https://api.u-gen.ai/api/v1/jobs), one method
// per documented endpoint, each a lazy task<result<T>> (co_await it, or start()/sync_wait()).
//
// BEGIN example
// template <class Transport, class Timer>
// mediajobs::task<mediajobs::result<std::string>> make_video(mediajobs::ugen::client<Transport, Timer>& ugen) {
//   mediajobs::ugen::create_job_request req;
//   req.product_name = "Premium Wireless Headphones";
//   req.product_image_url = "https://example.com/headphones.jpg";
//   req.segment_count = 3;
//   mediajobs::ugen::wait_options progress;
//   progress.on_progress = [](const mediajobs::ugen::job& j) {
//     std::printf("%s %.0f%%\n", std::string{j.status.name()}.c_str(), j.progress_percent.value_or(0));
//   };
//   auto done = co_await ugen.create_and_wait(std::move(req), std::move(progress));
//   if (!done) co_return mediajobs::unexpected(done.error());  // job_failed, deadline_exceeded, ...
//   co_return done->outputs ? done->outputs->video_url.value_or("") : std::string{};
// }
// END example
//
// GCC 12 caveat (a compiler bug, reproduced under ASan): a temporary argument of class type
// created inside a co_await operand is destroyed twice, e.g. `co_await c.create_job({...})` or
// `co_await c.get_job(std::string{id})`. Put the request in a variable first, as the example
// does; Clang is not affected.
//
// Choices where the docs are silent (see also ugen/schema.hpp for the response shapes):
//  - Auth: `X-API-Key: <key>` (documented). Base URL default: https://api.u-gen.ai.
//  - create_job: when the caller set no `idempotency_key`, the client generates a random UUID v4
//    once per create_job() call and sends it on every attempt, so a create is retried like a GET
//    (connection failures, 408, 429, 5xx) without risk of a second job. Success: 200, 201, 202.
//  - cancel_job, pause_job, resume_job, retry_job answer `std::optional<job>`: the job when the
//    server sends one, nullopt for an empty body (e.g. 204). pause/resume/retry are POSTs without
//    idempotency key: retried only on 429 or when not sent (api/retry.hpp). suggest_fields is a
//    free, stateless POST: retried like a GET.
//  - wait(): documented running states pending, processing, paused keep polling (a paused job
//    waits for a resume until the deadline); completed succeeds; failed and cancelled give
//    `job_failed`; any other status is reported at once (`protocol`). Default interval 5 s (the
//    docs: every 5–10 s), deadline 30 min (client_options::poll).
//  - all_jobs(): pages of `page_size` (default 20) from `page` (default 1); see api/pages.hpp.
//
// Thread-safety: methods may be called concurrently; the client, its transport and timer must
// outlive the tasks it returns.
#pragma once

#include <mediajobs/api/api.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/transport/transport.hpp>
#include <mediajobs/ugen/schema.hpp>
#include <mediajobs/ugen/validate.hpp>

#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mediajobs::ugen {

using wait_options = api::wait_options<job>;

namespace endpoints {
using api::no_body;
using api::no_query;
using api::retry_safety;

inline constexpr api::endpoint<create_job_request, no_query, job> create_job{
    .method = "POST", .path = "/api/v1/jobs", .safety = retry_safety::idempotency_key, .success = {200, 201, 202}};
inline constexpr api::endpoint<suggest_fields_request, no_query, suggest_fields_response> suggest_fields{
    .method = "POST", .path = "/api/v1/jobs/suggest-fields", .safety = retry_safety::idempotent};
inline constexpr api::endpoint<no_body, no_query, job> get_job{.method = "GET", .path = "/api/v1/jobs/{jobId}"};
inline constexpr api::endpoint<no_body, list_jobs_query, job_list> list_jobs{.method = "GET", .path = "/api/v1/jobs"};
inline constexpr api::endpoint<no_body, no_query, std::optional<job>> cancel_job{
    .method = "DELETE", .path = "/api/v1/jobs/{jobId}", .success = {200, 202, 204}};
inline constexpr api::endpoint<no_body, no_query, std::optional<job>> pause_job{
    .method = "POST", .path = "/api/v1/jobs/{jobId}/pause", .safety = retry_safety::not_idempotent,
    .success = {200, 202, 204}};
inline constexpr api::endpoint<no_body, no_query, std::optional<job>> resume_job{
    .method = "POST", .path = "/api/v1/jobs/{jobId}/resume", .safety = retry_safety::not_idempotent,
    .success = {200, 202, 204}};
inline constexpr api::endpoint<retry_request, no_query, std::optional<job>> retry_job{
    .method = "POST", .path = "/api/v1/jobs/{jobId}/retry", .safety = retry_safety::not_idempotent,
    .success = {200, 201, 202, 204}};
inline constexpr api::endpoint<no_body, no_query, keyframe_list, std::vector<keyframe>> list_keyframes{
    .method = "GET", .path = "/api/v1/jobs/{jobId}/keyframes",
    .convert = [](keyframe_list&& l) { return std::vector<keyframe>(list_items(l)); }};
inline constexpr api::endpoint<no_body, no_query, video_list, std::vector<video_segment>> list_videos{
    .method = "GET", .path = "/api/v1/jobs/{jobId}/videos",
    .convert = [](video_list&& l) { return std::vector<video_segment>(list_items(l)); }};
}  // namespace endpoints

/// The service as the api layer sees it.
inline constexpr api::service_profile profile{
    .name = "U-Gen", .default_base_url = "https://api.u-gen.ai", .auth_header = "X-API-Key"};

/// Where a job stands, for wait() (see the header comment).
[[nodiscard]] inline api::job_view describe(const job& j) {
  api::job_view v;
  v.status = j.status.name();
  if (j.current_stage) v.stage = j.current_stage->name();
  v.progress = j.progress_percent;
  if (const auto s = j.status.known()) {
    switch (*s) {
      case job_status::pending:
      case job_status::processing:
      case job_status::paused: v.phase = api::job_phase::running; break;
      case job_status::completed: v.phase = api::job_phase::succeeded; break;
      case job_status::failed:
      case job_status::cancelled: v.phase = api::job_phase::failed; break;
    }
  }
  if (v.phase == api::job_phase::failed && j.error) v.failure_message = api::failure_message_of(*j.error);
  return v;
}

template <transport Transport, timer Timer = Transport>
class client {
 public:
  /// A transport that is also a timer (e.g. the Asio transport).
  explicit client(Transport& t, api::client_options options = {})
    requires timer<Transport>
      : engine_(t, t, std::move(options), profile) {}
  client(Transport& t, Timer& tm, api::client_options options = {}) : engine_(t, tm, std::move(options), profile) {}

  /// POST /api/v1/jobs. Sets `idempotency_key` to a random UUID when empty (see above).
  task<result<job>> create_job(create_job_request request) {
    if (!request.idempotency_key || request.idempotency_key->empty()) {
      const auto& p = engine_.options().retry;
      request.idempotency_key = api::uuid_v4(p.random_bits(), p.random_bits());
    }
    return engine_.call(endpoints::create_job, {}, std::move(request));
  }
  /// POST /api/v1/jobs/suggest-fields (free).
  task<result<suggest_fields_response>> suggest_fields(suggest_fields_request request) {
    return engine_.call(endpoints::suggest_fields, {}, std::move(request));
  }
  /// GET /api/v1/jobs/{jobId}
  task<result<job>> get_job(std::string job_id) { return engine_.call(endpoints::get_job, {std::move(job_id)}); }
  /// GET /api/v1/jobs?status=&page=&page_size= — one page, in the form the server sent it.
  task<result<job_list>> list_jobs(list_jobs_query query = {}) {
    return engine_.call(endpoints::list_jobs, {}, {}, std::move(query));
  }
  /// Every job matching `query`, page by page from `query.page` (lazy; see api/pages.hpp).
  [[nodiscard]] api::pager<job> all_jobs(list_jobs_query query = {}) {
    const int first = query.page.value_or(defaults::list_page);
    const int size = query.page_size.value_or(defaults::list_page_size);
    return api::pager<job>{[this, query](int page, std::stop_token stop) { return fetch_page(query, page, std::move(stop)); },
                           first, size};
  }
  /// DELETE /api/v1/jobs/{jobId}
  task<result<std::optional<job>>> cancel_job(std::string job_id) {
    return engine_.call(endpoints::cancel_job, {std::move(job_id)});
  }
  /// POST /api/v1/jobs/{jobId}/pause
  task<result<std::optional<job>>> pause_job(std::string job_id) {
    return engine_.call(endpoints::pause_job, {std::move(job_id)});
  }
  /// POST /api/v1/jobs/{jobId}/resume
  task<result<std::optional<job>>> resume_job(std::string job_id) {
    return engine_.call(endpoints::resume_job, {std::move(job_id)});
  }
  /// POST /api/v1/jobs/{jobId}/retry; without a stage, from the stage where the job failed.
  task<result<std::optional<job>>> retry_job(std::string job_id,
                                             std::optional<open_enum<pipeline_stage>> restart_from_stage = {}) {
    return engine_.call(endpoints::retry_job, {std::move(job_id)}, retry_request{std::move(restart_from_stage)});
  }
  /// GET /api/v1/jobs/{jobId}/keyframes
  task<result<std::vector<keyframe>>> list_keyframes(std::string job_id) {
    return engine_.call(endpoints::list_keyframes, {std::move(job_id)});
  }
  /// GET /api/v1/jobs/{jobId}/videos
  task<result<std::vector<video_segment>>> list_videos(std::string job_id) {
    return engine_.call(endpoints::list_videos, {std::move(job_id)});
  }
  /// Polls get_job until the job is terminal (api/wait.hpp).
  task<api::wait_result<job>> wait(std::string job_id, wait_options options = {}) {
    return api::poll_job<job>(
        engine_.timer(),
        [this, id = std::move(job_id)](std::stop_token stop) {
          return engine_.call(endpoints::get_job, {id}, {}, {}, std::move(stop));
        },
        &describe, std::move(options), engine_.options().poll);
  }
  /// create_job, then wait for the created job.
  task<api::wait_result<job>> create_and_wait(create_job_request request, wait_options options = {}) {
    result<job> created = co_await create_job(std::move(request));
    if (!created) co_return api::wait_result<job>{unexpected(std::move(created).error())};
    std::string id{created->get_id()};
    if (id.empty()) {
      api::wait_result<job> out{unexpected(error{error_kind::protocol, "create answer carries no job id"})};
      out.last_snapshot = std::move(*created);
      co_return out;
    }
    co_return co_await wait(std::move(id), std::move(options));
  }

  /// Downloads an output URL (a signed URL, an output video URL) to a file; no API key is sent.
  /// See api/download.hpp (max_bytes is required).
  task<result<api::download_info>> download(std::string url, std::string path, api::download_options options) {
    return api::download_to_file(engine_.transport(), std::move(url), std::move(path), std::move(options));
  }

  [[nodiscard]] const api::engine<Transport, Timer>& engine() const noexcept { return engine_; }

 private:
  task<result<api::page_slice<job>>> fetch_page(list_jobs_query query, int page, std::stop_token stop) {
    query.page = page;
    // The task is built before co_await: GCC 12 destroys a temporary argument made inside a
    // co_await operand twice (here the `{}` path parameter vector).
    task<result<job_list>> call = engine_.call(endpoints::list_jobs, {}, {}, std::move(query), std::move(stop));
    result<job_list> r = co_await std::move(call);
    if (!r) co_return unexpected(std::move(r).error());
    co_return api::slice_of(std::move(*r));
  }

  api::engine<Transport, Timer> engine_;
};

}  // namespace mediajobs::ugen
