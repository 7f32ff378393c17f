// techforge::client against mock_transport and manual_timer: every endpoint's exact request and
// decoded answer, both create answers (201 and 202), the jobs-get poll, signed paths, projects.
#include "support.hpp"

#include <mediajobs/core/task.hpp>
#include <mediajobs/techforge/client.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace api = mediajobs::api;
namespace techforge = mediajobs::techforge;
using mediajobs::error_kind;
using mediajobs::sync_wait;
using test_support::respond;
using test_support::secret;

namespace {

// BEGIN example
template <class Transport, class Timer>
mediajobs::task<mediajobs::result<std::string>> talking_video(mediajobs::techforge::client<Transport, Timer>& tfi) {
  mediajobs::techforge::create_request req;
  req.job_type = mediajobs::techforge::job_type::ai_talking_video;
  req.template_id = "468ea7a0-66e1-4357-a760-236e54167f3e";
  req.version = 2;
  req.values = mediajobs::techforge::values_map{{"headline", std::string{"Launch in minutes"}}};
  auto done = co_await tfi.create_and_wait(std::move(req));
  if (!done) co_return mediajobs::unexpected(done.error());
  if (!done->output_path) co_return done->output_url.value_or("");
  auto link = co_await tfi.signed_url(*done->output_path);  // a short-lived download URL
  if (!link) co_return mediajobs::unexpected(link.error());
  co_return link->signed_url;
}
// END example

struct tfi_fixture : test_support::fixture {
  techforge::client<mediajobs::mock_transport, mediajobs::manual_timer> client{mock, timer, options()};
};

constexpr const char* created_201 = R"({"message":"Job update accepted and processing.","job":{)"
                                    R"("uuid":"15a6331b-3837-4ae8-8fa7-d3ead3388d77","job_status":"QUEUED",)"
                                    R"("job_type":"ai_talking_video","credit_used":"0"}})";

std::string job_json(std::string_view status) {
  return R"({"uuid":"u-1","job_status":")" + std::string{status} + R"("})";
}

techforge::create_request talking() {
  techforge::create_request r;
  r.job_type = techforge::job_type::ai_talking_video;
  r.template_id = "468ea7a0-66e1-4357-a760-236e54167f3e";
  r.version = 2;
  r.session_id = "fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c";
  r.values = techforge::values_map{{"headline", std::string{"Launch in minutes"}},
                                   {"avatar", techforge::image_asset{"https://cdn.example.com/images/avatar.png", {}}}};
  return r;
}

}  // namespace

TEST_CASE("techforge: the header's usage example is the code compiled here, and it runs") {
  const std::string header = test_support::read_file(MEDIAJOBS_SOURCE_DIR "/include/mediajobs/techforge/client.hpp");
  const std::string self = test_support::read_file(MEDIAJOBS_SOURCE_DIR "/tests/clients/techforge.cpp");
  REQUIRE_FALSE(header.empty());
  const std::string documented = test_support::example_block(header, true);
  CHECK(documented.size() > 200);
  CHECK(documented == test_support::example_block(self, false));

  tfi_fixture f;
  f.mock.expect(respond(202, R"({"jobId":"u-1","status":"queued"})"));
  f.mock.expect(respond(200, R"({"uuid":"u-1","job_status":"COMPLETED","output_path":"ai-talking-videos/p/outputs/u-1.mp4"})"));
  f.mock.expect(respond(200, R"({"signedUrl":"https://storage/x?sig=1","expiresAt":"2024-12-01T12:00:00Z"})"));
  auto url = sync_wait(talking_video(f.client));
  REQUIRE(url);
  CHECK(*url == "https://storage/x?sig=1");
  CHECK(f.request(2).url ==
        "https://api.techforgeinnovate.com/storage/generate-signed-path?path=ai-talking-videos%2Fp%2Foutputs%2Fu-1.mp4");
}

TEST_CASE("techforge: create_job sends the documented body and accepts the 201 answer") {
  tfi_fixture f;
  f.mock.expect(respond(201, created_201));
  auto r = sync_wait(f.client.create_job(talking()));
  REQUIRE(r);
  CHECK(r->job_id == "15a6331b-3837-4ae8-8fa7-d3ead3388d77");
  CHECK(r->status == techforge::job_status::queued);
  CHECK(r->message == "Job update accepted and processing.");
  REQUIRE(r->job);
  CHECK(r->job->credits_used() == 0.0);
  const auto req = f.request(0);
  CHECK(req.method == "POST");
  CHECK(req.url == "https://api.techforgeinnovate.com/jobs/v2");
  CHECK(f.header(0, "x-api-key") == secret);
  CHECK(f.header(0, "Content-Type") == "application/json");
  CHECK(f.header(0, "User-Agent") == "mediajobs/0.1.0");
  CHECK(req.body == R"({"job_type":"ai_talking_video","template_id":"468ea7a0-66e1-4357-a760-236e54167f3e",)"
                    R"("values":{"avatar":{"image_url":"https://cdn.example.com/images/avatar.png"},)"
                    R"("headline":"Launch in minutes"},"version":2,"session_id":"fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c"})");
}

TEST_CASE("techforge: create_job accepts the 202 answer as the same normalised type") {
  tfi_fixture f;
  f.mock.expect(respond(202, R"({"jobId":"u-2","status":"queued"})"));
  auto r = sync_wait(f.client.create_job(talking()));
  REQUIRE(r);
  CHECK(r->job_id == "u-2");
  CHECK(r->status == techforge::job_status::queued);
  CHECK_FALSE(r->job);
}

TEST_CASE("techforge: create_job validates first and is retried only when safe") {
  tfi_fixture f;
  auto bad = talking();
  bad.background_volume = 3.0;  // docs: 0 to 1
  auto v = sync_wait(f.client.create_job(bad));
  REQUIRE_FALSE(v);
  CHECK(v.error().kind() == error_kind::validation);
  CHECK(f.mock.request_count() == 0);

  f.mock.expect(respond(500, "{}"));
  CHECK_FALSE(sync_wait(f.client.create_job(talking())));
  CHECK(f.mock.request_count() == 1);

  f.mock.expect(respond(429, R"({"message":"Too Many Requests"})"));
  f.mock.expect(respond(201, created_201));
  CHECK(sync_wait(f.client.create_job(talking())));
  CHECK(f.mock.request_count() == 3);
  CHECK(f.header(2, "X-Retry-Count") == "1");
  CHECK(f.request(2).body == f.request(1).body);
}

TEST_CASE("techforge: a 401 is unauthorized without the key") {
  tfi_fixture f;
  f.mock.expect(respond(401, R"({"message":"Unauthorized"})"));
  auto r = sync_wait(f.client.create_job(talking()));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::unauthorized);
  CHECK(r.error().message().find("invalid or missing API key") != std::string::npos);
  CHECK(r.error().message().find(secret) == std::string::npos);
  for (const auto& line : f.log) CHECK(line.find(secret) == std::string::npos);
}

TEST_CASE("techforge: get_job polls api/jobs-get with the uuid, flat or wrapped") {
  tfi_fixture f;
  f.mock.expect(respond(200, R"({"uuid":"u-1","job_status":"PROCESSING"})"));
  f.mock.expect(respond(200, R"({"job":{"uuid":"u-1","job_status":"COMPLETED","output_url":"https://cdn/v.mp4"}})"));
  auto a = sync_wait(f.client.get_job("u-1"));
  REQUIRE(a);
  CHECK(a->get_status() == techforge::job_status::processing);
  auto b = sync_wait(f.client.get_job("u-1"));
  REQUIRE(b);
  CHECK(b->output_url == "https://cdn/v.mp4");
  CHECK(f.request(0).method == "GET");
  CHECK(f.request(0).url == "https://api.techforgeinnovate.com/api/jobs-get?uuid=u-1");

  auto empty = sync_wait(f.client.get_job(""));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().field() == "uuid");
  CHECK(f.mock.request_count() == 2);
}

TEST_CASE("techforge: signed_url, active_projects and mapping_fields") {
  tfi_fixture f;
  SUBCASE("signed_url") {
    f.mock.expect(respond(200, R"({"signedUrl":"https://s/x","expiresAt":"2024-12-01T12:00:00Z"})"));
    auto r = sync_wait(f.client.signed_url("a b/c.mp4"));
    REQUIRE(r);
    CHECK(r->signed_url == "https://s/x");
    REQUIRE(r->expires_at);
    CHECK(f.request(0).method == "GET");
    CHECK(f.request(0).url == "https://api.techforgeinnovate.com/storage/generate-signed-path?path=a%20b%2Fc.mp4");
    CHECK(f.header(0, "x-api-key") == secret);
  }
  SUBCASE("signed_url: a missing object is not_found; an empty path is refused") {
    f.mock.expect(respond(404, R"({"message":"Not Found"})"));
    auto r = sync_wait(f.client.signed_url("nope.mp4"));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::not_found);
    auto e = sync_wait(f.client.signed_url(""));
    REQUIRE_FALSE(e);
    CHECK(e.error().kind() == error_kind::validation);
    CHECK(f.mock.request_count() == 1);
  }
  SUBCASE("active_projects") {
    f.mock.expect(respond(200, R"({"projects":[{"id":"p-1","name":"Launch"},{"uuid":"p-2"}]})"));
    auto r = sync_wait(f.client.active_projects());
    REQUIRE(r);
    REQUIRE(r->size() == 2);
    CHECK(r->at(1).get_id() == "p-2");
    CHECK(f.request(0).url == "https://api.techforgeinnovate.com/api/provider/projects/active");
  }
  SUBCASE("mapping_fields") {
    f.mock.expect(respond(200, R"([{"key":"headline","type":"text","required":true},{"key":"avatar","type":"image"}])"));
    auto r = sync_wait(f.client.mapping_fields("468ea7a0"));
    REQUIRE(r);
    REQUIRE(r->size() == 2);
    CHECK(r->at(0).key == "headline");
    CHECK(f.request(0).method == "GET");
    CHECK(f.request(0).url == "https://api.techforgeinnovate.com/api/provider/projects/468ea7a0/mapping-fields");
  }
}

TEST_CASE("techforge: wait follows QUEUED, PROCESSING to COMPLETED; FAILED is job_failed") {
  tfi_fixture f;
  f.mock.expect(respond(200, job_json("QUEUED")));
  f.mock.expect(respond(200, job_json("processing")));  // lower case accepted
  f.mock.expect(respond(200, job_json("COMPLETED")));
  std::vector<std::string> seen;
  techforge::wait_options o;
  o.on_progress = [&](const techforge::job& j) { seen.emplace_back(j.job_status->name()); };
  auto r = sync_wait(f.client.wait("u-1", o));
  REQUIRE(r);
  CHECK(seen == std::vector<std::string>{"QUEUED", "processing", "COMPLETED"});
  CHECK(f.timer.requested() == std::vector<std::chrono::milliseconds>{5000ms, 5000ms});

  f.mock.expect(respond(200, R"({"uuid":"u-1","job_status":"FAILED","error":"render crashed"})"));
  auto failed = sync_wait(f.client.wait("u-1"));
  REQUIRE_FALSE(failed);
  CHECK(failed.error().kind() == error_kind::job_failed);
  CHECK(failed.error().service_message() == "render crashed");

  f.mock.expect(respond(200, R"({"uuid":"u-1"})"));  // no status at all
  auto unknown = sync_wait(f.client.wait("u-1"));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind() == error_kind::protocol);
  CHECK(unknown.last_snapshot);
}

TEST_CASE("techforge: create_and_wait with the 201 answer polls job.uuid") {
  tfi_fixture f;
  f.mock.expect(respond(201, created_201));
  f.mock.expect(respond(200, R"({"uuid":"15a6331b-3837-4ae8-8fa7-d3ead3388d77","job_status":"COMPLETED"})"));
  auto r = sync_wait(f.client.create_and_wait(talking()));
  REQUIRE(r);
  CHECK(f.request(1).url == "https://api.techforgeinnovate.com/api/jobs-get?uuid=15a6331b-3837-4ae8-8fa7-d3ead3388d77");
}
