// mediajobs::style::client — the Style engine's Jobs API (upload a video, create a job, poll it,
// fetch its result), one method per endpoint, each a lazy task<result<T>>.
//
// BEGIN example
// template <class Transport, class Timer>
// mediajobs::task<mediajobs::result<std::string>> restyle(mediajobs::style::client<Transport, Timer>& style,
//                                                         std::string video_bytes) {
//   mediajobs::style::upload_video_request upload;
//   upload.filename = "source.mp4";
//   upload.data = std::move(video_bytes);
//   auto uploaded = co_await style.upload_video(std::move(upload));
//   if (!uploaded) co_return mediajobs::unexpected(uploaded.error());
//   mediajobs::style::job_create_request req;
//   req.video_id = uploaded->video_id;
//   auto detail = co_await style.create_and_wait(std::move(req));  // polls, then GET .../result
//   if (!detail) co_return mediajobs::unexpected(detail.error());
//   co_return detail->output_video_url.value_or("");
// }
// END example
//
// GCC 12 caveat (a compiler bug, reproduced under ASan): a temporary argument of class type
// created inside a co_await operand is destroyed twice, e.g. `co_await c.create_job({...})` or
// `co_await c.get_job(std::string{id})`. Put the request in a variable first, as the example
// does; Clang is not affected.
//
// Choices where the docs are silent:
//  - Host: the docs name none, so there is no default: set client_options::base_url (a call
//    without one fails with `validation` at field `base_url`, nothing sent).
//  - Auth: the docs do not say; we send `X-API-Key: <key>` like U-Gen, whose API has the same
//    /api/v1/jobs shape. Override with client_options::auth_header if your deployment differs.
//  - Responses: the docs mention a "standard response envelope" (`{data: …}`); every answer is
//    accepted either enveloped or bare.
//  - upload_video: the docs link an "Upload a video" page we do not have. We send what such
//    endpoints conventionally take: `POST /api/v1/videos/upload`, multipart/form-data with one
//    part named `file` (filename and Content-Type given), answered by an `upload_result` holding
//    the `video_id`. Not retried after it may have been written (no idempotency key).
//  - create_job: POST /api/v1/jobs (200/201/202); no idempotency key is documented, so it is
//    retried only on 429 or when not sent.
//  - list_jobs: `GET /api/v1/jobs?status=&page=&page_size=` ("paginated list"; the query names
//    are U-Gen's, undocumented here); all_jobs() walks the pages.
//  - wait(): queued and processing keep polling; completed succeeds; failed and cancelled give
//    `job_failed` (a top-level `error` in the snapshot becomes the service message); any other
//    status is reported (`protocol`). create_and_wait() returns the JobDetailResponse
//    (GET /api/v1/jobs/{job_id}/result) of the completed job; its last_snapshot is the polled job.
//
// Thread-safety: methods may be called concurrently; the client, its transport and timer must
// outlive the tasks it returns.
#pragma once

#include <mediajobs/api/api.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/style/schema.hpp>
#include <mediajobs/style/validate.hpp>
#include <mediajobs/transport/transport.hpp>

#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mediajobs::style {

using wait_options = api::wait_options<job_response>;

/// GET /api/v1/jobs query (names assumed, see above).
struct list_query {
  std::optional<open_enum<job_status>> status{};
  std::optional<int> page{};
  std::optional<int> page_size{};
};

/// A video to upload, held in memory.
struct upload_video_request {
  std::string filename{};
  std::string content_type = "video/mp4";
  std::string data{};
};

namespace endpoints {
using api::envelope;
using api::no_body;
using api::no_query;
using api::retry_safety;

inline constexpr api::endpoint<api::raw_body, no_query, upload_result> upload_video{
    .method = "POST", .path = "/api/v1/videos/upload", .safety = retry_safety::not_idempotent,
    .success = {200, 201, 202}, .wrap = envelope::data};
inline constexpr api::endpoint<job_create_request, no_query, job_response> create_job{
    .method = "POST", .path = "/api/v1/jobs", .safety = retry_safety::not_idempotent, .success = {200, 201, 202},
    .wrap = envelope::data};
inline constexpr api::endpoint<no_body, no_query, job_response> get_job{
    .method = "GET", .path = "/api/v1/jobs/{job_id}", .wrap = envelope::data};
inline constexpr api::endpoint<no_body, no_query, job_detail_response> get_result{
    .method = "GET", .path = "/api/v1/jobs/{job_id}/result", .wrap = envelope::data};
inline constexpr api::endpoint<no_body, list_query, job_list> list_jobs{
    .method = "GET", .path = "/api/v1/jobs", .wrap = envelope::data};
}  // namespace endpoints

inline constexpr api::service_profile profile{.name = "Style engine", .default_base_url = "", .auth_header = "X-API-Key"};

/// Where a job stands, for wait().
[[nodiscard]] inline api::job_view describe(const job_response& j) {
  api::job_view v;
  v.status = j.status.name();
  if (j.current_stage) v.stage = j.current_stage->name();
  if (j.progress_percent) v.progress = *j.progress_percent;
  if (const auto s = j.status.known()) {
    switch (*s) {
      case job_status::queued:
      case job_status::processing: v.phase = api::job_phase::running; break;
      case job_status::completed: v.phase = api::job_phase::succeeded; break;
      case job_status::failed:
      case job_status::cancelled: v.phase = api::job_phase::failed; break;
    }
  }
  if (v.phase == api::job_phase::failed)
    if (const json::value* e = j.extra.find("error")) v.failure_message = api::failure_message_of(*e);
  return v;
}

namespace detail {

/// The multipart/form-data body of an upload: one part `file`.
[[nodiscard]] inline api::raw_body multipart_upload(const upload_video_request& r, std::string boundary) {
  std::string filename;
  for (const char c : r.filename) {  // a quoted-string: escape what would end or break it
    if (c == '"')
      filename += "%22";
    else if (c == '\r')
      filename += "%0D";
    else if (c == '\n')
      filename += "%0A";
    else
      filename += c;
  }
  api::raw_body b;
  b.content_type = "multipart/form-data; boundary=" + boundary;
  b.data.reserve(r.data.size() + filename.size() + 2 * boundary.size() + 160);
  b.data += "--" + boundary + "\r\n";
  b.data += "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n";
  b.data += "Content-Type: " + (r.content_type.empty() ? std::string{"application/octet-stream"} : r.content_type) + "\r\n\r\n";
  b.data += r.data;
  b.data += "\r\n--" + boundary + "--\r\n";
  return b;
}

}  // namespace detail

template <transport Transport, timer Timer = Transport>
class client {
 public:
  /// A transport that is also a timer (e.g. the Asio transport).
  explicit client(Transport& t, api::client_options options = {})
    requires timer<Transport>
      : engine_(t, t, std::move(options), profile) {}
  client(Transport& t, Timer& tm, api::client_options options = {}) : engine_(t, tm, std::move(options), profile) {}

  /// POST /api/v1/videos/upload (multipart; see above).
  task<result<upload_result>> upload_video(upload_video_request request) {
    if (request.filename.empty()) co_return fail(validation_error("filename", "filename is required"));
    if (request.data.empty()) co_return fail(validation_error("data", "the video is empty"));
    const auto& p = engine_.options().retry;
    std::string boundary;
    do {
      boundary = "mediajobs-" + api::uuid_v4(p.random_bits(), p.random_bits());
    } while (request.data.find(boundary) != std::string::npos);
    // Built before co_await: GCC 12 mishandles temporaries inside a co_await's operand.
    api::raw_body body = detail::multipart_upload(request, std::move(boundary));
    task<result<upload_result>> call = engine_.call(endpoints::upload_video, {}, std::move(body));
    co_return co_await std::move(call);
  }
  /// POST /api/v1/jobs
  task<result<job_response>> create_job(job_create_request request) {
    return engine_.call(endpoints::create_job, {}, std::move(request));
  }
  /// GET /api/v1/jobs/{job_id}
  task<result<job_response>> get_job(std::string job_id) { return engine_.call(endpoints::get_job, {std::move(job_id)}); }
  /// GET /api/v1/jobs/{job_id}/result
  task<result<job_detail_response>> get_result(std::string job_id) {
    return engine_.call(endpoints::get_result, {std::move(job_id)});
  }
  /// GET /api/v1/jobs — one page, in the form the server sent it.
  task<result<job_list>> list_jobs(list_query query = {}) { return engine_.call(endpoints::list_jobs, {}, {}, std::move(query)); }
  /// Every job matching `query`, page by page (lazy; see api/pages.hpp). Page size default 20.
  [[nodiscard]] api::pager<job_response> all_jobs(list_query query = {}) {
    const int first = query.page.value_or(1);
    const int size = query.page_size.value_or(20);
    return api::pager<job_response>{
        [this, query](int page, std::stop_token stop) { return fetch_page(query, page, std::move(stop)); }, first, size};
  }
  /// Polls get_job until the job is terminal (api/wait.hpp).
  task<api::wait_result<job_response>> wait(std::string job_id, wait_options options = {}) {
    return api::poll_job<job_response>(
        engine_.timer(),
        [this, id = std::move(job_id)](std::stop_token stop) {
          return engine_.call(endpoints::get_job, {id}, {}, {}, std::move(stop));
        },
        &describe, std::move(options), engine_.options().poll);
  }
  /// create_job, wait, then get_result: the JobDetailResponse of the completed job.
  task<api::wait_result<job_detail_response, job_response>> create_and_wait(job_create_request request,
                                                                            wait_options options = {}) {
    using out_t = api::wait_result<job_detail_response, job_response>;
    result<job_response> created = co_await create_job(std::move(request));
    if (!created) co_return out_t{unexpected(std::move(created).error())};
    api::wait_result<job_response> done = co_await wait(created->job_id, std::move(options));
    if (!done) {
      out_t out{unexpected(std::move(done).error())};
      out.last_snapshot = std::move(done.last_snapshot);
      co_return out;
    }
    out_t out{co_await get_result(created->job_id)};
    out.last_snapshot = std::move(done.last_snapshot);
    co_return out;
  }

  /// Downloads an output URL (a signed URL, an output video URL) to a file; no API key is sent.
  /// See api/download.hpp (max_bytes is required).
  task<result<api::download_info>> download(std::string url, std::string path, api::download_options options) {
    return api::download_to_file(engine_.transport(), std::move(url), std::move(path), std::move(options));
  }

  [[nodiscard]] const api::engine<Transport, Timer>& engine() const noexcept { return engine_; }

 private:
  task<result<api::page_slice<job_response>>> fetch_page(list_query query, int page, std::stop_token stop) {
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

}  // namespace mediajobs::style
