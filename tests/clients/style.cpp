// style::client against mock_transport and manual_timer: every endpoint's exact request and
// decoded answer (enveloped or bare), the upload's multipart body, create retry safety, polling
// and create_and_wait's JobDetailResponse, pagination, the missing-host rule.
#include "support.hpp"

#include <mediajobs/core/task.hpp>
#include <mediajobs/style/client.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace api = mediajobs::api;
namespace style = mediajobs::style;
using mediajobs::error_kind;
using mediajobs::sync_wait;
using test_support::respond;
using test_support::secret;

namespace {

// BEGIN example
template <class Transport, class Timer>
mediajobs::task<mediajobs::result<std::string>> restyle(mediajobs::style::client<Transport, Timer>& style,
                                                        std::string video_bytes) {
  mediajobs::style::upload_video_request upload;
  upload.filename = "source.mp4";
  upload.data = std::move(video_bytes);
  auto uploaded = co_await style.upload_video(std::move(upload));
  if (!uploaded) co_return mediajobs::unexpected(uploaded.error());
  mediajobs::style::job_create_request req;
  req.video_id = uploaded->video_id;
  auto detail = co_await style.create_and_wait(std::move(req));  // polls, then GET .../result
  if (!detail) co_return mediajobs::unexpected(detail.error());
  co_return detail->output_video_url.value_or("");
}
// END example

constexpr const char* base = "https://style.example.test";

struct style_fixture : test_support::fixture {
  style::client<mediajobs::mock_transport, mediajobs::manual_timer> client{mock, timer, options(base)};
};

std::string job_json(std::string_view status, int progress = 0, std::string_view stage = {}) {
  std::string s = R"({"job_id":"s-1","video_id":"v-1","status":")" + std::string{status} +
                  R"(","progress_percent":)" + std::to_string(progress);
  if (!stage.empty()) s += R"(,"current_stage":")" + std::string{stage} + '"';
  return s + R"(,"created_at":"2024-12-01T12:00:00Z","updated_at":"2024-12-01T12:00:05Z"})";
}

std::string enveloped(const std::string& data) { return R"({"success":true,"data":)" + data + "}"; }

}  // namespace

TEST_CASE("style: the header's usage example is the code compiled here, and it runs") {
  const std::string header = test_support::read_file(MEDIAJOBS_SOURCE_DIR "/include/mediajobs/style/client.hpp");
  const std::string self = test_support::read_file(MEDIAJOBS_SOURCE_DIR "/tests/clients/style.cpp");
  REQUIRE_FALSE(header.empty());
  const std::string documented = test_support::example_block(header, true);
  CHECK(documented.size() > 200);
  CHECK(documented == test_support::example_block(self, false));

  style_fixture f;
  f.mock.expect(respond(201, enveloped(R"({"video_id":"v-1"})")));
  f.mock.expect(respond(201, enveloped(job_json("queued"))));
  f.mock.expect(respond(200, enveloped(job_json("completed", 100))));
  f.mock.expect(respond(200, enveloped(R"({"job_id":"s-1","status":"completed","output_video_url":"https://cdn/o.mp4"})")));
  auto url = sync_wait(restyle(f.client, "VIDEO"));
  REQUIRE(url);
  CHECK(*url == "https://cdn/o.mp4");
}

TEST_CASE("style: without a base URL nothing is sent") {
  test_support::fixture f;
  style::client c{f.mock, f.timer, f.options()};
  auto r = sync_wait(c.get_job("s-1"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::validation);
  CHECK(r.error().field() == "base_url");
  CHECK(f.mock.request_count() == 0);
}

TEST_CASE("style: upload_video sends one multipart part named file") {
  style_fixture f;
  f.mock.expect(respond(201, R"({"video_id":"v-7","filename":"clip.mov"})"));
  style::upload_video_request up;
  up.filename = "my \"clip\".mov";
  up.content_type = "video/quicktime";
  up.data = std::string("\x00\x01moov", 6);
  auto r = sync_wait(f.client.upload_video(up));
  REQUIRE(r);
  CHECK(r->video_id == "v-7");
  const auto req = f.request(0);
  CHECK(req.method == "POST");
  CHECK(req.url == "https://style.example.test/api/v1/videos/upload");
  CHECK(f.header(0, "X-API-Key") == secret);
  const std::string ct = f.header(0, "Content-Type");
  const std::string prefix = "multipart/form-data; boundary=";
  REQUIRE(ct.rfind(prefix, 0) == 0);
  const std::string boundary = ct.substr(prefix.size());
  CHECK(boundary.size() > 20);
  CHECK(req.body == "--" + boundary + "\r\n" +
                        "Content-Disposition: form-data; name=\"file\"; filename=\"my %22clip%22.mov\"\r\n"
                        "Content-Type: video/quicktime\r\n\r\n" +
                        std::string("\x00\x01moov", 6) + "\r\n--" + boundary + "--\r\n");

  auto empty = sync_wait(f.client.upload_video({}));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().kind() == error_kind::validation);
  CHECK(f.mock.request_count() == 1);
}

TEST_CASE("style: create_job, get_job, get_result, list_jobs send the documented requests") {
  style_fixture f;
  SUBCASE("create_job (enveloped answer)") {
    f.mock.expect(respond(201, enveloped(job_json("queued"))));
    style::job_create_request req;
    req.video_id = "v-1";
    req.template_video_id = "v-2";
    req.webhook_url = "https://hooks.example/style";
    auto r = sync_wait(f.client.create_job(req));
    REQUIRE(r);
    CHECK(r->job_id == "s-1");
    CHECK(r->status == style::job_status::queued);
    CHECK(f.request(0).method == "POST");
    CHECK(f.request(0).url == "https://style.example.test/api/v1/jobs");
    CHECK(f.request(0).body == R"({"video_id":"v-1","template_video_id":"v-2","webhook_url":"https://hooks.example/style"})");
    CHECK(f.header(0, "Content-Type") == "application/json");
  }
  SUBCASE("create_job validates first") {
    auto r = sync_wait(f.client.create_job({}));
    REQUIRE_FALSE(r);
    CHECK(r.error().field() == "video_id");
    CHECK(f.mock.request_count() == 0);
  }
  SUBCASE("get_job (bare answer)") {
    f.mock.expect(respond(200, job_json("processing", 40, "style_application")));
    auto r = sync_wait(f.client.get_job("s-1"));
    REQUIRE(r);
    CHECK(r->progress_percent == 40);
    CHECK(r->current_stage->is(style::job_stage::style_application));
    CHECK(f.request(0).method == "GET");
    CHECK(f.request(0).url == "https://style.example.test/api/v1/jobs/s-1");
  }
  SUBCASE("get_result") {
    f.mock.expect(respond(200, enveloped(R"({"job_id":"s-1","status":"completed","style_json":{"lut":"warm"},)"
                                         R"("output_video_url":"https://cdn/o.mp4","processing_time_seconds":12.5})")));
    auto r = sync_wait(f.client.get_result("s-1"));
    REQUIRE(r);
    CHECK(r->processing_time_seconds == 12.5);
    CHECK(r->style_json->find("lut")->as_string() == "warm");
    CHECK(f.request(0).url == "https://style.example.test/api/v1/jobs/s-1/result");
  }
  SUBCASE("list_jobs") {
    f.mock.expect(respond(200, enveloped("[" + job_json("completed", 100) + "]")));
    style::list_query q;
    q.status = style::job_status::completed;
    q.page = 2;
    auto r = sync_wait(f.client.list_jobs(q));
    REQUIRE(r);
    CHECK(style::list_items(*r).size() == 1);
    CHECK(f.request(0).url == "https://style.example.test/api/v1/jobs?status=completed&page=2");
  }
  SUBCASE("404 is not_found") {
    f.mock.expect(respond(404, R"({"success":false,"error":{"code":"job_not_found","message":"no job s-9"}})"));
    auto r = sync_wait(f.client.get_result("s-9"));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::not_found);
    CHECK(r.error().service_code() == "job_not_found");
  }
}

TEST_CASE("style: a create is not repeated after it may have been written") {
  style_fixture f;
  style::job_create_request req;
  req.video_id = "v-1";
  f.mock.expect(respond(502, "{}"));
  CHECK_FALSE(sync_wait(f.client.create_job(req)));
  CHECK(f.mock.request_count() == 1);
  f.mock.fail_next(error_kind::transport, "connection reset after the request was sent");
  CHECK_FALSE(sync_wait(f.client.create_job(req)));
  CHECK(f.mock.request_count() == 2);
  f.mock.fail_next(api::not_sent_error("connection refused"));
  f.mock.expect(respond(429, "{}", {{"Retry-After", "2"}}));
  f.mock.expect(respond(201, job_json("queued")));
  CHECK(sync_wait(f.client.create_job(req)));
  CHECK(f.mock.request_count() == 5);
  CHECK(f.request(4).body == f.request(2).body);
  CHECK(f.timer.requested().back() == 2000ms);
}

TEST_CASE("style: create_and_wait returns the JobDetailResponse, or job_failed with the snapshot") {
  style_fixture f;
  style::job_create_request req;
  req.video_id = "v-1";
  f.mock.expect(respond(201, job_json("queued")));
  f.mock.expect(respond(200, job_json("processing", 10, "video_analysis")));
  f.mock.expect(respond(200, job_json("processing", 80, "rendering")));
  f.mock.expect(respond(200, job_json("completed", 100)));
  f.mock.expect(respond(200, R"({"job_id":"s-1","status":"completed","output_video_url":"https://cdn/o.mp4"})"));
  std::vector<std::string> stages;
  style::wait_options o;
  o.on_progress = [&](const style::job_response& j) {
    stages.emplace_back(j.current_stage ? j.current_stage->name() : j.status.name());
  };
  auto r = sync_wait(f.client.create_and_wait(req, o));
  REQUIRE(r);
  CHECK(r->output_video_url == "https://cdn/o.mp4");
  CHECK(stages == std::vector<std::string>{"video_analysis", "rendering", "completed"});
  REQUIRE(r.last_snapshot);
  CHECK(r.last_snapshot->status == style::job_status::completed);
  CHECK(f.request(4).url == "https://style.example.test/api/v1/jobs/s-1/result");

  f.mock.expect(respond(201, job_json("queued")));
  f.mock.expect(respond(200, R"({"job_id":"s-1","status":"failed","error":{"message":"no audio track"}})"));
  auto failed = sync_wait(f.client.create_and_wait(req));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().kind() == error_kind::job_failed);
  CHECK(failed.error().service_message() == "no audio track");
  REQUIRE(failed.last_snapshot);
  CHECK(failed.last_snapshot->status == style::job_status::failed);
}

TEST_CASE("style: all_jobs walks enveloped pages") {
  style_fixture f;
  f.mock.expect(respond(200, enveloped(R"({"items":[)" + job_json("completed") + "," + job_json("completed") +
                                       R"(],"has_more":true})")));
  f.mock.expect(respond(200, enveloped(R"({"items":[)" + job_json("completed") + "," + job_json("failed") +
                                       R"(],"has_more":true})")));
  f.mock.expect(respond(200, enveloped(R"({"items":[)" + job_json("cancelled") + R"(],"has_more":false})")));
  style::list_query q;
  q.page_size = 2;
  auto n = sync_wait(api::for_each(f.client.all_jobs(q), [](const style::job_response&) {}));
  REQUIRE(n);
  CHECK(*n == 5);
  REQUIRE(f.mock.request_count() == 3);
  CHECK(f.request(2).url == "https://style.example.test/api/v1/jobs?page=3&page_size=2");
}
