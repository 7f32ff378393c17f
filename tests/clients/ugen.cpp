// ugen::client against mock_transport and manual_timer: every endpoint's exact request and
// decoded answer, the retry matrix, idempotency keys, polling, pagination, and secrecy of the key.
#include "support.hpp"

#include <mediajobs/core/task.hpp>
#include <mediajobs/ugen/client.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <stop_token>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace api = mediajobs::api;
namespace ugen = mediajobs::ugen;
using mediajobs::error_kind;
using mediajobs::sync_wait;
using test_support::respond;
using test_support::secret;

namespace {

// BEGIN example
template <class Transport, class Timer>
mediajobs::task<mediajobs::result<std::string>> make_video(mediajobs::ugen::client<Transport, Timer>& ugen) {
  mediajobs::ugen::create_job_request req;
  req.product_name = "Premium Wireless Headphones";
  req.product_image_url = "https://example.com/headphones.jpg";
  req.segment_count = 3;
  mediajobs::ugen::wait_options progress;
  progress.on_progress = [](const mediajobs::ugen::job& j) {
    std::printf("%s %.0f%%\n", std::string{j.status.name()}.c_str(), j.progress_percent.value_or(0));
  };
  auto done = co_await ugen.create_and_wait(std::move(req), std::move(progress));
  if (!done) co_return mediajobs::unexpected(done.error());  // job_failed, deadline_exceeded, ...
  co_return done->outputs ? done->outputs->video_url.value_or("") : std::string{};
}
// END example

struct ugen_fixture : test_support::fixture {
  ugen::client<mediajobs::mock_transport, mediajobs::manual_timer> client{mock, timer, options()};
};

ugen::create_job_request headphones() {
  ugen::create_job_request r;
  r.product_name = "Headphones";
  r.product_image_url = "https://example.com/h.jpg";
  r.segment_count = 3;
  return r;
}

std::string job_json(std::string_view status, std::string_view stage = {}, int progress = -1) {
  std::string s = R"({"id":"j-1","status":")" + std::string{status} + '"';
  if (!stage.empty()) s += R"(,"current_stage":")" + std::string{stage} + '"';
  if (progress >= 0) s += R"(,"progress_percent":)" + std::to_string(progress);
  return s + "}";
}

}  // namespace

TEST_CASE("ugen: the header's usage example is the code compiled here, and it runs") {
  const std::string header = test_support::read_file(MEDIAJOBS_SOURCE_DIR "/include/mediajobs/ugen/client.hpp");
  const std::string self = test_support::read_file(MEDIAJOBS_SOURCE_DIR "/tests/clients/ugen.cpp");
  REQUIRE_FALSE(header.empty());
  const std::string documented = test_support::example_block(header, true);
  CHECK(documented.size() > 200);
  CHECK(documented == test_support::example_block(self, false));

  ugen_fixture f;
  f.mock.expect(respond(201, job_json("pending")));
  f.mock.expect(respond(200, R"({"id":"j-1","status":"completed","outputs":{"video_url":"https://cdn/v.mp4"}})"));
  auto url = sync_wait(make_video(f.client));
  REQUIRE(url);
  CHECK(*url == "https://cdn/v.mp4");
}

TEST_CASE("ugen: create_job sends the documented request with a generated idempotency key") {
  ugen_fixture f;
  f.mock.expect(respond(201, R"({"id":"j-1","status":"pending","credits_reserved":3})"));
  auto r = sync_wait(f.client.create_job(headphones()));
  REQUIRE(r);
  CHECK(r->get_id() == "j-1");
  CHECK(r->status == ugen::job_status::pending);
  REQUIRE(f.mock.request_count() == 1);
  const auto req = f.request(0);
  CHECK(req.method == "POST");
  CHECK(req.url == "https://api.u-gen.ai/api/v1/jobs");
  CHECK(f.header(0, "X-API-Key") == secret);
  CHECK(f.header(0, "User-Agent") == "mediajobs/0.1.0");
  CHECK(f.header(0, "Content-Type") == "application/json");
  CHECK(f.header(0, "Accept") == "application/json");
  CHECK(f.header(0, "X-Retry-Count") == "<absent>");
  const std::string key = api::uuid_v4(f.random_value, f.random_value);
  CHECK(req.body == R"({"product_name":"Headphones","product_image_url":"https://example.com/h.jpg",)"
                    R"("segment_count":3,"idempotency_key":")" + key + R"("})");
  CHECK(req.timeout == 30000ms);
}

TEST_CASE("ugen: create_job keeps the caller's idempotency key and sends optional fields") {
  ugen_fixture f;
  f.mock.expect(respond(200, job_json("pending")));
  auto req = headphones();
  req.idempotency_key = "my-key";
  req.video_model = ugen::video_model::veo3_fast;
  req.aspect_ratio = ugen::aspect_ratio::r9_16;
  req.key_selling_points = std::vector<std::string>{"ANC", "30 h"};
  REQUIRE(sync_wait(f.client.create_job(req)));
  CHECK(f.request(0).body ==
        R"({"product_name":"Headphones","product_image_url":"https://example.com/h.jpg","segment_count":3,)"
        R"("aspect_ratio":"9:16","key_selling_points":["ANC","30 h"],"idempotency_key":"my-key","video_model":"veo3_fast"})");
}

TEST_CASE("ugen: an invalid request fails validation and sends nothing") {
  ugen_fixture f;
  auto req = headphones();
  req.video_model = ugen::video_model::veo3_fast;
  req.segment_duration = 6;  // docs: Veo fixes 8
  auto r = sync_wait(f.client.create_job(req));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::validation);
  CHECK(r.error().field() == "segment_duration");
  CHECK(f.mock.request_count() == 0);

  auto empty_id = sync_wait(f.client.get_job(""));
  REQUIRE_FALSE(empty_id);
  CHECK(empty_id.error().kind() == error_kind::validation);
  CHECK(empty_id.error().field() == "jobId");
  CHECK(f.mock.request_count() == 0);
}

TEST_CASE("ugen: every other endpoint sends its documented method, path, query and body") {
  ugen_fixture f;
  SUBCASE("suggest_fields") {
    f.mock.expect(respond(200, R"({"key_selling_points":["ANC"],"cta_text":"Buy now","custom_script":"Hi"})"));
    ugen::suggest_fields_request req;
    req.product_name = "Wireless Headphones";
    req.product_image_url = "https://example.com/headphones.jpg";
    auto r = sync_wait(f.client.suggest_fields(req));
    REQUIRE(r);
    CHECK(r->cta_text == "Buy now");
    CHECK(f.request(0).method == "POST");
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs/suggest-fields");
    CHECK(f.request(0).body ==
          R"({"product_name":"Wireless Headphones","product_image_url":"https://example.com/headphones.jpg"})");
  }
  SUBCASE("get_job (id percent-encoded)") {
    f.mock.expect(respond(200, R"({"job_id":"a/b","status":"processing","progress_percent":33.3,)"
                               R"("current_stage":"generation","segments":[{"index":0,"status":"completed"}]})"));
    auto r = sync_wait(f.client.get_job("a/b"));
    REQUIRE(r);
    CHECK(r->get_id() == "a/b");
    CHECK(r->progress_percent == 33.3);
    CHECK(r->current_stage->is(ugen::pipeline_stage::generation));
    CHECK(f.request(0).method == "GET");
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs/a%2Fb");
    CHECK(f.request(0).body.empty());
    CHECK(f.header(0, "Content-Type") == "<absent>");
  }
  SUBCASE("list_jobs with the docs' query") {
    f.mock.expect(respond(200, R"({"jobs":[{"id":"j-1","status":"completed"}],"page":1,"page_size":10,"total":1})"));
    ugen::list_jobs_query q;
    q.status = ugen::job_status::completed;
    q.page = 1;
    q.page_size = 10;
    auto r = sync_wait(f.client.list_jobs(q));
    REQUIRE(r);
    CHECK(ugen::list_items(*r).size() == 1);
    CHECK(f.request(0).method == "GET");
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs?status=completed&page=1&page_size=10");
  }
  SUBCASE("list_jobs as a bare array, no query") {
    f.mock.expect(respond(200, R"([{"id":"j-1","status":"completed"},{"uuid":"j-2","status":"failed"}])"));
    auto r = sync_wait(f.client.list_jobs());
    REQUIRE(r);
    CHECK(ugen::list_items(*r).size() == 2);
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs");
  }
  SUBCASE("cancel_job: DELETE; a job body or an empty 204") {
    f.mock.expect(respond(200, job_json("cancelled")));
    f.mock.expect(respond(204, ""));
    auto a = sync_wait(f.client.cancel_job("j-1"));
    REQUIRE(a);
    REQUIRE(*a);
    CHECK((*a)->status == ugen::job_status::cancelled);
    auto b = sync_wait(f.client.cancel_job("j-1"));
    REQUIRE(b);
    CHECK_FALSE(*b);
    CHECK(f.request(0).method == "DELETE");
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs/j-1");
  }
  SUBCASE("pause_job and resume_job: POST without body") {
    f.mock.expect(respond(200, job_json("paused")));
    f.mock.expect(respond(200, job_json("processing")));
    REQUIRE(sync_wait(f.client.pause_job("j-1")));
    REQUIRE(sync_wait(f.client.resume_job("j-1")));
    CHECK(f.request(0).method == "POST");
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs/j-1/pause");
    CHECK(f.request(0).body.empty());
    CHECK(f.request(1).url == "https://api.u-gen.ai/api/v1/jobs/j-1/resume");
  }
  SUBCASE("retry_job with and without restart_from_stage") {
    f.mock.expect(respond(200, job_json("processing")));
    f.mock.expect(respond(202, ""));
    REQUIRE(sync_wait(f.client.retry_job("j-1", ugen::pipeline_stage::generation)));
    REQUIRE(sync_wait(f.client.retry_job("j-1")));
    CHECK(f.request(0).method == "POST");
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs/j-1/retry");
    CHECK(f.request(0).body == R"({"restart_from_stage":"generation"})");
    CHECK(f.header(0, "Content-Type") == "application/json");
    CHECK(f.request(1).body == "{}");
  }
  SUBCASE("list_keyframes: object or bare array") {
    f.mock.expect(respond(200, R"({"keyframes":[{"id":"k1","qai_score":0.9,"status":"completed"}]})"));
    f.mock.expect(respond(200, R"([{"id":"k1"},{"id":"k2"}])"));
    auto a = sync_wait(f.client.list_keyframes("j-1"));
    REQUIRE(a);
    REQUIRE(a->size() == 1);
    CHECK(a->at(0).qai_score == 0.9);
    auto b = sync_wait(f.client.list_keyframes("j-1"));
    REQUIRE(b);
    CHECK(b->size() == 2);
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs/j-1/keyframes");
  }
  SUBCASE("list_videos") {
    f.mock.expect(respond(200, R"({"videos":[{"id":"v1","video_url":"https://cdn/v1.mp4"}]})"));
    auto a = sync_wait(f.client.list_videos("j-1"));
    REQUIRE(a);
    REQUIRE(a->size() == 1);
    CHECK(a->at(0).video_url == "https://cdn/v1.mp4");
    CHECK(f.request(0).method == "GET");
    CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs/j-1/videos");
  }
}

TEST_CASE("ugen: a base URL with a path prefix keeps it") {
  test_support::fixture f;
  ugen::client c{f.mock, f.timer, f.options("https://gw.example/ugen/")};
  f.mock.expect(respond(200, job_json("pending")));
  REQUIRE(sync_wait(c.get_job("j-1")));
  CHECK(f.request(0).url == "https://gw.example/ugen/api/v1/jobs/j-1");
}

TEST_CASE("ugen: a success body that does not decode keeps the raw body and status") {
  ugen_fixture f;
  f.mock.expect(respond(200, R"({"id":"j-1"})"));  // no status
  auto r = sync_wait(f.client.get_job("j-1"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::decode);
  CHECK(r.error().http_status() == 200);
  CHECK(r.error().raw_body() == R"({"id":"j-1"})");
}

TEST_CASE("ugen: retry matrix on an idempotent GET") {
  for (const int status : {408, 429, 500, 502, 503, 504}) {
    CAPTURE(status);
    ugen_fixture f;
    f.mock.expect(respond(status, R"({"message":"try later"})"));
    f.mock.expect(respond(200, job_json("pending")));
    auto r = sync_wait(f.client.get_job("j-1"));
    REQUIRE(r);
    CHECK(f.mock.request_count() == 2);
    CHECK(f.header(0, "X-Retry-Count") == "<absent>");
    CHECK(f.header(1, "X-Retry-Count") == "1");
    REQUIRE(f.timer.requested().size() == 1);
    CHECK(f.timer.requested()[0] <= 500ms);
  }
  for (const auto& failure : {mediajobs::error{error_kind::transport, "connection reset"},
                              mediajobs::error{error_kind::timeout, "no answer in 30000 ms"},
                              api::not_sent_error("connection refused")}) {
    CAPTURE(failure.message());
    ugen_fixture f;
    f.mock.fail_next(failure);
    f.mock.expect(respond(200, job_json("pending")));
    CHECK(sync_wait(f.client.get_job("j-1")));
    CHECK(f.mock.request_count() == 2);
  }
  SUBCASE("other statuses are not retried") {
    for (const int status : {400, 401, 404, 409, 422, 501}) {
      CAPTURE(status);
      ugen_fixture f;
      f.mock.expect(respond(status, "{}"));
      CHECK_FALSE(sync_wait(f.client.get_job("j-1")));
      CHECK(f.mock.request_count() == 1);
    }
  }
}

TEST_CASE("ugen: gives up after the retry budget with full-jitter backoff") {
  ugen_fixture f;
  f.random_value = ~std::uint64_t{0};
  for (int i = 0; i < 4; ++i) f.mock.expect(respond(503, R"({"error":{"code":"busy","message":"overloaded"}})"));
  auto r = sync_wait(f.client.get_job("j-1"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::http_status);
  CHECK(r.error().http_status() == 503);
  CHECK(r.error().service_code() == "busy");
  CHECK(f.mock.request_count() == 4);
  CHECK(f.header(3, "X-Retry-Count") == "3");
  const auto waits = f.timer.requested();
  REQUIRE(waits.size() == 3);
  // ~0 % (ceiling + 1) for ceilings 500, 1000, 2000.
  CHECK(waits[0] == std::chrono::milliseconds{static_cast<std::int64_t>(~std::uint64_t{0} % 501)});
  CHECK(waits[1] == std::chrono::milliseconds{static_cast<std::int64_t>(~std::uint64_t{0} % 1001)});
  CHECK(waits[2] == std::chrono::milliseconds{static_cast<std::int64_t>(~std::uint64_t{0} % 2001)});
  for (const auto w : waits) CHECK(w > 0ms);
}

TEST_CASE("ugen: Retry-After is honoured in both forms, and beyond 120 s ends as rate_limited") {
  ugen_fixture f;
  SUBCASE("delta-seconds") {
    f.mock.expect(respond(429, "{}", {{"Retry-After", "7"}}));
    f.mock.expect(respond(200, job_json("pending")));
    REQUIRE(sync_wait(f.client.get_job("j-1")));
    CHECK(f.timer.requested() == std::vector<std::chrono::milliseconds>{7000ms});
  }
  SUBCASE("HTTP-date against the injected clock") {
    api::client_options o = f.options();
    o.retry.now = [] { return std::chrono::system_clock::time_point{std::chrono::sys_days{std::chrono::year{2024} / 12 / 1}}; };
    ugen::client c{f.mock, f.timer, o};
    f.mock.expect(respond(503, "", {{"Retry-After", "Sun, 01 Dec 2024 00:00:42 GMT"}}));
    f.mock.expect(respond(200, job_json("pending")));
    REQUIRE(sync_wait(c.get_job("j-1")));
    CHECK(f.timer.requested() == std::vector<std::chrono::milliseconds>{42000ms});
  }
  SUBCASE("too long") {
    f.mock.expect(respond(429, R"({"message":"slow down"})", {{"Retry-After", "121"}}));
    auto r = sync_wait(f.client.get_job("j-1"));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::rate_limited);
    CHECK(r.error().retry_after() == 121000ms);
    CHECK(r.error().service_message() == "slow down");
    CHECK(r.error().detail().find("exceeds the 120 s") != std::string_view::npos);
    CHECK(f.mock.request_count() == 1);
    CHECK(f.timer.requested().empty());
  }
  SUBCASE("429 until the budget is spent") {
    for (int i = 0; i < 4; ++i) f.mock.expect(respond(429, "{}", {{"Retry-After", "1"}}));
    auto r = sync_wait(f.client.get_job("j-1"));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::rate_limited);
    CHECK(r.error().retry_after() == 1000ms);
    CHECK(f.mock.request_count() == 4);
  }
}

TEST_CASE("ugen: a create is retried with the same idempotency key on every attempt") {
  ugen_fixture f;
  int draws = 0;
  api::client_options o = f.options();
  o.retry.random = [&] { return static_cast<std::uint64_t>(++draws) * 0x9E3779B97F4A7C15ULL; };
  ugen::client c{f.mock, f.timer, o};
  f.mock.expect(respond(503, "{}"));
  f.mock.fail_next(mediajobs::error{error_kind::transport, "connection reset"});  // may have been written
  f.mock.expect(respond(201, job_json("pending")));
  auto r = sync_wait(c.create_job(headphones()));
  REQUIRE(r);
  REQUIRE(f.mock.request_count() == 3);
  const std::string body = f.request(0).body;
  CHECK(body.find("\"idempotency_key\":\"") != std::string::npos);
  CHECK(f.request(1).body == body);
  CHECK(f.request(2).body == body);
  CHECK(f.header(1, "X-Retry-Count") == "1");
  CHECK(f.header(2, "X-Retry-Count") == "2");
  // A second create_job() call gets a new key.
  f.mock.expect(respond(201, job_json("pending")));
  REQUIRE(sync_wait(c.create_job(headphones())));
  CHECK(f.request(3).body != body);
}

TEST_CASE("ugen: actions without idempotency key are retried only on 429 or when not sent") {
  ugen_fixture f;
  SUBCASE("503 after writing: not repeated") {
    f.mock.expect(respond(503, "{}"));
    CHECK_FALSE(sync_wait(f.client.pause_job("j-1")));
    CHECK(f.mock.request_count() == 1);
  }
  SUBCASE("connection reset (may have been written): not repeated") {
    f.mock.fail_next(error_kind::transport, "connection reset");
    auto r = sync_wait(f.client.retry_job("j-1"));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::transport);
    CHECK(f.mock.request_count() == 1);
  }
  SUBCASE("timeout: not repeated") {
    f.mock.fail_next(error_kind::timeout);
    CHECK_FALSE(sync_wait(f.client.resume_job("j-1")));
    CHECK(f.mock.request_count() == 1);
  }
  SUBCASE("not sent: repeated") {
    f.mock.fail_next(api::not_sent_error("connection refused"));
    f.mock.expect(respond(200, job_json("paused")));
    CHECK(sync_wait(f.client.pause_job("j-1")));
    CHECK(f.mock.request_count() == 2);
  }
  SUBCASE("429: repeated") {
    f.mock.expect(respond(429, "{}"));
    f.mock.expect(respond(200, job_json("paused")));
    CHECK(sync_wait(f.client.pause_job("j-1")));
    CHECK(f.mock.request_count() == 2);
  }
}

TEST_CASE("ugen: the API key never appears in an error message or a log line") {
  ugen_fixture f;
  f.mock.expect(respond(401, std::string{R"({"message":"API key )"} + secret + R"( is not valid","code":"bad_key"})",
                        {{"X-Request-Id", "req-123"}}));
  auto r = sync_wait(f.client.get_job("j-1"));
  REQUIRE_FALSE(r);
  const auto& e = r.error();
  CHECK(e.kind() == error_kind::unauthorized);
  CHECK(e.http_status() == 401);
  CHECK(e.request_id() == "req-123");
  CHECK(e.message().find("invalid or missing API key") != std::string::npos);
  CHECK(e.message().find(secret) == std::string::npos);
  CHECK(e.raw_body().find(secret) == std::string::npos);
  CHECK(e.service_message() == "API key [redacted] is not valid");

  f.mock.fail_next(mediajobs::error{error_kind::transport, std::string{"proxy echoed "} + secret});
  auto t = sync_wait(f.client.pause_job("j-1"));
  REQUIRE_FALSE(t);
  CHECK(t.error().message().find(secret) == std::string::npos);

  REQUIRE(f.log.size() == 2);
  for (const auto& line : f.log) {
    CAPTURE(line);
    CHECK(line.find(secret) == std::string::npos);
    CHECK(line.find("X-API-Key: [redacted]") != std::string::npos);
  }
  // ...while the request itself did carry it.
  CHECK(f.header(0, "X-API-Key") == secret);
}

TEST_CASE("ugen: the logging hook sees every attempt") {
  ugen_fixture f;
  f.mock.expect(respond(502, "bad gateway"));
  f.mock.expect(respond(200, job_json("pending")));
  REQUIRE(sync_wait(f.client.get_job("j-1")));
  REQUIRE(f.log.size() == 2);
  CHECK(f.log[0].rfind("GET https://api.u-gen.ai/api/v1/jobs/j-1 -> 502 in ", 0) == 0);
  CHECK(f.log[0].find("(attempt 1)") != std::string::npos);
  CHECK(f.log[1].rfind("GET https://api.u-gen.ai/api/v1/jobs/j-1 -> 200 in ", 0) == 0);
  CHECK(f.log[1].find("(attempt 2)") != std::string::npos);
  CHECK(f.log[1].find("X-Retry-Count: 1") != std::string::npos);
}

TEST_CASE("ugen: wait reports progress changes and returns the completed job") {
  ugen_fixture f;
  f.mock.expect(respond(200, job_json("pending", "", 0)));
  f.mock.expect(respond(200, job_json("processing", "script", 10)));
  f.mock.expect(respond(200, job_json("processing", "script", 10)));  // unchanged: no callback
  f.mock.expect(respond(200, job_json("processing", "generation", 10)));
  f.mock.expect(respond(200, job_json("paused", "generation", 10)));
  f.mock.expect(respond(200, job_json("processing", "generation", 66)));
  f.mock.expect(respond(200, job_json("completed", "", 100)));
  std::vector<std::string> seen;
  ugen::wait_options o;
  o.on_progress = [&](const ugen::job& j) {
    std::string s{j.status.name()};
    if (j.current_stage) s += "/" + std::string{j.current_stage->name()};
    s += "/" + std::to_string(static_cast<int>(j.progress_percent.value_or(-1)));
    seen.push_back(s);
  };
  auto r = sync_wait(f.client.wait("j-1", o));
  REQUIRE(r);
  CHECK(r->status == ugen::job_status::completed);
  CHECK(seen == std::vector<std::string>{"pending/0", "processing/script/10", "processing/generation/10",
                                         "paused/generation/10", "processing/generation/66", "completed/100"});
  CHECK(f.mock.request_count() == 7);
  CHECK(f.timer.requested() == std::vector<std::chrono::milliseconds>(6, 5000ms));
  CHECK(f.request(6).url == "https://api.u-gen.ai/api/v1/jobs/j-1");
  REQUIRE(r.last_snapshot);
  CHECK(r.last_snapshot->status == ugen::job_status::completed);
}

TEST_CASE("ugen: wait stops at the deadline with the last snapshot") {
  ugen_fixture f;
  f.mock.on_request([](const mediajobs::http::request&) { return mediajobs::result<mediajobs::http::response>{respond(200, job_json("processing", "generation", 40))}; });
  ugen::wait_options o;
  o.deadline = 12s;
  auto r = sync_wait(f.client.wait("j-1", o));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::deadline_exceeded);
  REQUIRE(r.last_snapshot);
  CHECK(r.last_snapshot->progress_percent == 40);
  // Polls at 0, 5, 10 and a last one at the deadline (12 s).
  CHECK(f.timer.requested() == std::vector<std::chrono::milliseconds>{5000ms, 5000ms, 2000ms});
  CHECK(f.mock.request_count() == 4);
  CHECK(f.timer.now() == 12000ms);
}

TEST_CASE("ugen: wait honours the interval from client_options and from the call") {
  test_support::fixture f;
  api::client_options opts = f.options();
  opts.poll.interval = 10s;
  ugen::client c{f.mock, f.timer, opts};
  f.mock.expect(respond(200, job_json("pending")));
  f.mock.expect(respond(200, job_json("completed")));
  REQUIRE(sync_wait(c.wait("j-1")));
  f.mock.expect(respond(200, job_json("pending")));
  f.mock.expect(respond(200, job_json("completed")));
  ugen::wait_options o;
  o.interval = 7s;
  REQUIRE(sync_wait(c.wait("j-1", o)));
  CHECK(f.timer.requested() == std::vector<std::chrono::milliseconds>{10000ms, 7000ms});
}

TEST_CASE("ugen: wait ends with job_failed on a failed or cancelled job") {
  ugen_fixture f;
  f.mock.expect(respond(200, job_json("processing")));
  f.mock.expect(respond(200, R"({"id":"j-1","status":"failed","error":{"message":"keyframe QA rejected"}})"));
  auto r = sync_wait(f.client.wait("j-1"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::job_failed);
  CHECK(r.error().service_message() == "keyframe QA rejected");
  CHECK(r.error().detail() == "job ended with status failed");
  REQUIRE(r.last_snapshot);
  CHECK(r.last_snapshot->status == ugen::job_status::failed);

  f.mock.expect(respond(200, job_json("cancelled")));
  auto c = sync_wait(f.client.wait("j-1"));
  REQUIRE_FALSE(c);
  CHECK(c.error().kind() == error_kind::job_failed);
}

TEST_CASE("ugen: an unknown status is reported, not polled forever") {
  ugen_fixture f;
  f.mock.expect(respond(200, job_json("processing")));
  f.mock.expect(respond(200, job_json("teleported")));
  auto r = sync_wait(f.client.wait("j-1"));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::protocol);
  CHECK(r.error().detail() == "unknown job status \"teleported\"");
  REQUIRE(r.last_snapshot);
  CHECK(r.last_snapshot->status.name() == "teleported");
  CHECK(f.mock.request_count() == 2);
}

TEST_CASE("ugen: wait stops on a stop request, during a sleep") {
  ugen_fixture f;
  f.timer.set_auto_advance(false);
  f.mock.on_request([](const mediajobs::http::request&) { return mediajobs::result<mediajobs::http::response>{respond(200, job_json("processing"))}; });
  std::stop_source stop;
  ugen::wait_options o;
  o.stop = stop.get_token();
  std::optional<api::wait_result<ugen::job>> out;
  mediajobs::start(f.client.wait("j-1", o), [&](api::wait_result<ugen::job> r) { out.emplace(std::move(r)); });
  CHECK(f.mock.request_count() == 1);
  f.timer.advance(5s);
  CHECK(f.mock.request_count() == 2);
  CHECK_FALSE(out);
  stop.request_stop();
  REQUIRE(out);
  REQUIRE_FALSE(*out);
  CHECK(out->error().kind() == error_kind::cancelled);
  CHECK(out->last_snapshot);
  CHECK(f.mock.request_count() == 2);
}

TEST_CASE("ugen: the task's own stop token stops a wait as well") {
  ugen_fixture f;
  f.timer.set_auto_advance(false);
  f.mock.on_request([](const mediajobs::http::request&) { return mediajobs::result<mediajobs::http::response>{respond(200, job_json("processing"))}; });
  std::stop_source stop;
  std::optional<api::wait_result<ugen::job>> out;
  mediajobs::start(f.client.wait("j-1"), [&](api::wait_result<ugen::job> r) { out.emplace(std::move(r)); },
                   stop.get_token());
  CHECK_FALSE(out);
  stop.request_stop();
  REQUIRE(out);
  CHECK(out->error().kind() == error_kind::cancelled);
}

TEST_CASE("ugen: a stop during a backoff wait ends the call with cancelled") {
  ugen_fixture f;
  f.timer.set_auto_advance(false);
  f.mock.expect(respond(503, "{}"));
  std::stop_source stop;
  std::optional<mediajobs::result<ugen::job>> out;
  mediajobs::start(f.client.get_job("j-1"), [&](mediajobs::result<ugen::job> r) { out.emplace(std::move(r)); },
                   stop.get_token());
  CHECK(f.timer.pending() == 1);
  stop.request_stop();
  REQUIRE(out);
  CHECK(out->error().kind() == error_kind::cancelled);
  CHECK(f.mock.request_count() == 1);
}

TEST_CASE("ugen: all_jobs walks 3 pages lazily") {
  ugen_fixture f;
  f.mock.expect(respond(200, R"({"jobs":[{"id":"a","status":"completed"},{"id":"b","status":"completed"}],"page":1,"total_pages":3})"));
  f.mock.expect(respond(200, R"({"data":[{"id":"c","status":"completed"},{"id":"d","status":"completed"}],"page":2,"total_pages":3})"));
  f.mock.expect(respond(200, R"({"items":[{"id":"e","status":"completed"}],"page":3,"total_pages":3})"));
  ugen::list_jobs_query q;
  q.status = ugen::job_status::completed;
  q.page_size = 2;
  auto pages = f.client.all_jobs(q);
  CHECK(f.mock.request_count() == 0);  // lazy
  std::vector<std::string> ids;
  auto n = sync_wait(api::for_each(std::move(pages), [&](const ugen::job& j) { ids.emplace_back(j.get_id()); }));
  REQUIRE(n);
  CHECK(*n == 5);
  CHECK(ids == std::vector<std::string>{"a", "b", "c", "d", "e"});
  REQUIRE(f.mock.request_count() == 3);
  CHECK(f.request(0).url == "https://api.u-gen.ai/api/v1/jobs?status=completed&page=1&page_size=2");
  CHECK(f.request(1).url == "https://api.u-gen.ai/api/v1/jobs?status=completed&page=2&page_size=2");
  CHECK(f.request(2).url == "https://api.u-gen.ai/api/v1/jobs?status=completed&page=3&page_size=2");
}

TEST_CASE("ugen: pages of bare arrays end on a short page; next() gives page by page") {
  ugen_fixture f;
  f.mock.expect(respond(200, R"([{"id":"a","status":"completed"},{"id":"b","status":"completed"}])"));
  f.mock.expect(respond(500, "{}"));  // retried
  f.mock.expect(respond(200, R"([{"id":"c","status":"completed"},{"id":"d","status":"completed"}])"));
  f.mock.expect(respond(200, R"([{"id":"e","status":"completed"}])"));
  ugen::list_jobs_query q;
  q.page_size = 2;
  auto pages = f.client.all_jobs(q);
  std::vector<std::size_t> sizes;
  for (;;) {
    auto page = sync_wait(pages.next());
    REQUIRE(page);
    if (!*page) break;
    sizes.push_back((*page)->size());
  }
  CHECK(sizes == std::vector<std::size_t>{2, 2, 1});
  CHECK(pages.done());
  CHECK(f.mock.request_count() == 4);
}

TEST_CASE("ugen: for_each stops when the callback returns false, and reports a failed page") {
  ugen_fixture f;
  f.mock.expect(respond(200, R"({"jobs":[{"id":"a","status":"completed"},{"id":"b","status":"completed"}],"has_more":true})"));
  auto n = sync_wait(api::for_each(f.client.all_jobs(), [](const ugen::job& j) { return j.get_id() != "a"; }));
  REQUIRE(n);
  CHECK(*n == 1);
  CHECK(f.mock.request_count() == 1);

  f.mock.expect(respond(404, R"({"message":"no such page"})"));
  auto e = sync_wait(api::for_each(f.client.all_jobs(), [](const ugen::job&) {}));
  REQUIRE_FALSE(e);
  CHECK(e.error().kind() == error_kind::not_found);
}

TEST_CASE("ugen: create_and_wait creates once, then polls the created job") {
  ugen_fixture f;
  f.mock.expect(respond(201, R"({"job_id":"j-9","status":"pending"})"));
  f.mock.expect(respond(200, R"({"job_id":"j-9","status":"processing"})"));
  f.mock.expect(respond(200, R"({"job_id":"j-9","status":"completed"})"));
  auto r = sync_wait(f.client.create_and_wait(headphones()));
  REQUIRE(r);
  CHECK(r->get_id() == "j-9");
  CHECK(f.request(0).method == "POST");
  CHECK(f.request(1).url == "https://api.u-gen.ai/api/v1/jobs/j-9");
  CHECK(f.request(2).url == "https://api.u-gen.ai/api/v1/jobs/j-9");

  f.mock.expect(respond(400, R"({"message":"bad image"})"));
  auto bad = sync_wait(f.client.create_and_wait(headphones()));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == error_kind::http_status);
  CHECK(bad.error().service_message() == "bad image");
  CHECK_FALSE(bad.last_snapshot);
}
