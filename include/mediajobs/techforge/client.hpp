// mediajobs::techforge::client — the TechForgeInnovate API (https://api.techforgeinnovate.com):
// create a job (POST /jobs/v2), poll it (api/jobs-get), sign storage paths, discover projects.
// Each method is a lazy task<result<T>>.
//
// BEGIN example
// template <class Transport, class Timer>
// mediajobs::task<mediajobs::result<std::string>> talking_video(mediajobs::techforge::client<Transport, Timer>& tfi) {
//   mediajobs::techforge::create_request req;
//   req.job_type = mediajobs::techforge::job_type::ai_talking_video;
//   req.template_id = "468ea7a0-66e1-4357-a760-236e54167f3e";
//   req.version = 2;
//   req.values = mediajobs::techforge::values_map{{"headline", std::string{"Launch in minutes"}}};
//   auto done = co_await tfi.create_and_wait(std::move(req));
//   if (!done) co_return mediajobs::unexpected(done.error());
//   if (!done->output_path) co_return done->output_url.value_or("");
//   auto link = co_await tfi.signed_url(*done->output_path);  // a short-lived download URL
//   if (!link) co_return mediajobs::unexpected(link.error());
//   co_return link->signed_url;
// }
// END example
//
// GCC 12 caveat (a compiler bug, reproduced under ASan): a temporary argument of class type
// created inside a co_await operand is destroyed twice, e.g. `co_await c.create_job({...})` or
// `co_await c.get_job(std::string{id})`. Put the request in a variable first, as the example
// does; Clang is not affected.
//
// Choices where the docs are silent or disagree:
//  - Auth: `x-api-key: <key>` (documented). Base URL default: https://api.techforgeinnovate.com.
//  - create_job: the docs answer 201 `{message, job{uuid, job_status, …}}` on one page and 202
//    `{jobId, status}` on another; both (and 200) are accepted and normalised into `created_job`.
//    No idempotency key is documented: retried only on 429 or when not sent (api/retry.hpp).
//  - get_job: the docs only say "Poll api/jobs-get with the returned job.uuid". We send
//    `GET /api/jobs-get?uuid=<id>` (a GET with the id as the query parameter named like the
//    field it comes from) and accept the job record flat or wrapped as `{job: …}`.
//  - signed_url(path): GET /storage/generate-signed-path?path=<path> (documented); 404 is
//    `not_found`. active_projects(): GET /api/provider/projects/active; mapping_fields(id):
//    GET /api/provider/projects/{projectId}/mapping-fields (both documented as steps, shapes not:
//    a bare array or one under a usual key is accepted, see techforge/schema.hpp).
//  - wait(): QUEUED and PROCESSING (either case) keep polling; COMPLETED succeeds; FAILED gives
//    `job_failed` (the record's `error` text as the service message); a missing or unknown status
//    is reported (`protocol`).
//
// Thread-safety: methods may be called concurrently; the client, its transport and timer must
// outlive the tasks it returns.
#pragma once

#include <mediajobs/api/api.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/techforge/schema.hpp>
#include <mediajobs/techforge/validate.hpp>
#include <mediajobs/transport/transport.hpp>

#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

namespace mediajobs::techforge {

using wait_options = api::wait_options<job>;

/// The api/jobs-get query (see above).
struct jobs_get_query {
  std::string uuid{};
};

/// An empty id would ask for nothing: refused before sending.
[[nodiscard]] inline result<void> validate(const jobs_get_query& q) {
  if (q.uuid.empty()) return fail(validation_error("uuid", "job id is required"));
  return {};
}

namespace endpoints {
using api::no_body;
using api::no_query;
using api::retry_safety;

inline constexpr api::endpoint<create_request, no_query, create_response, created_job> create_job{
    .method = "POST", .path = "/jobs/v2", .safety = retry_safety::not_idempotent, .success = {200, 201, 202},
    .convert = [](create_response&& r) { return normalize(r); }};
inline constexpr api::endpoint<no_body, jobs_get_query, jobs_get_response, job> get_job{
    .method = "GET", .path = "/api/jobs-get", .convert = [](jobs_get_response&& r) { return job_of(r); }};
inline constexpr api::endpoint<no_body, signed_path_query, signed_path> signed_url{
    .method = "GET", .path = "/storage/generate-signed-path"};
inline constexpr api::endpoint<no_body, no_query, project_list, std::vector<project>> active_projects{
    .method = "GET", .path = "/api/provider/projects/active",
    .convert = [](project_list&& l) { return std::vector<project>(list_items(l)); }};
inline constexpr api::endpoint<no_body, no_query, mapping_field_list, std::vector<mapping_field>> mapping_fields{
    .method = "GET", .path = "/api/provider/projects/{projectId}/mapping-fields",
    .convert = [](mapping_field_list&& l) { return std::vector<mapping_field>(list_items(l)); }};
}  // namespace endpoints

inline constexpr api::service_profile profile{
    .name = "TechForgeInnovate", .default_base_url = "https://api.techforgeinnovate.com", .auth_header = "x-api-key"};

/// Where a job stands, for wait().
[[nodiscard]] inline api::job_view describe(const job& j) {
  api::job_view v;
  const auto& raw = j.job_status ? j.job_status : j.status;
  if (raw) v.status = raw->name();
  if (const auto s = j.get_status(); s && s->known()) {
    switch (*s->known()) {
      case job_status::queued:
      case job_status::processing: v.phase = api::job_phase::running; break;
      case job_status::completed: v.phase = api::job_phase::succeeded; break;
      case job_status::failed: v.phase = api::job_phase::failed; break;
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

  /// POST /jobs/v2; the 201 and 202 answers normalised.
  task<result<created_job>> create_job(create_request request) {
    return engine_.call(endpoints::create_job, {}, std::move(request));
  }
  /// GET /api/jobs-get?uuid=<job_id>
  task<result<job>> get_job(std::string job_id) {
    return engine_.call(endpoints::get_job, {}, {}, jobs_get_query{std::move(job_id)});
  }
  /// GET /storage/generate-signed-path?path=<storage_path>
  task<result<signed_path>> signed_url(std::string storage_path) {
    if (storage_path.empty()) co_return fail(validation_error("path", "storage path is required"));
    // Built before co_await: GCC 12 mishandles temporaries inside a co_await's operand.
    signed_path_query query{std::move(storage_path)};
    task<result<signed_path>> call = engine_.call(endpoints::signed_url, {}, {}, std::move(query));
    co_return co_await std::move(call);
  }
  /// GET /api/provider/projects/active
  task<result<std::vector<project>>> active_projects() { return engine_.call(endpoints::active_projects); }
  /// GET /api/provider/projects/{projectId}/mapping-fields
  task<result<std::vector<mapping_field>>> mapping_fields(std::string project_id) {
    return engine_.call(endpoints::mapping_fields, {std::move(project_id)});
  }
  /// Polls get_job until the job is terminal (api/wait.hpp).
  task<api::wait_result<job>> wait(std::string job_id, wait_options options = {}) {
    return api::poll_job<job>(
        engine_.timer(),
        [this, id = std::move(job_id)](std::stop_token stop) {
          return engine_.call(endpoints::get_job, {}, {}, jobs_get_query{id}, std::move(stop));
        },
        &describe, std::move(options), engine_.options().poll);
  }
  /// create_job, then wait for the created job.
  task<api::wait_result<job>> create_and_wait(create_request request, wait_options options = {}) {
    result<created_job> created = co_await create_job(std::move(request));
    if (!created) co_return api::wait_result<job>{unexpected(std::move(created).error())};
    if (created->job_id.empty()) {
      api::wait_result<job> out{unexpected(error{error_kind::protocol, "create answer carries no job id"})};
      out.last_snapshot = std::move(created->job);
      co_return out;
    }
    co_return co_await wait(created->job_id, std::move(options));
  }

  /// Downloads an output URL (a signed URL, an output video URL) to a file; no API key is sent.
  /// See api/download.hpp (max_bytes is required).
  task<result<api::download_info>> download(std::string url, std::string path, api::download_options options) {
    return api::download_to_file(engine_.transport(), std::move(url), std::move(path), std::move(options));
  }

  [[nodiscard]] const api::engine<Transport, Timer>& engine() const noexcept { return engine_; }

 private:
  api::engine<Transport, Timer> engine_;
};

}  // namespace mediajobs::techforge
