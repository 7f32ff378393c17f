// sandbox::style_service driven directly (handle()/advance() with a manual sandbox time, no sockets):
// every route, the pipeline's stage order and timestamps, results and StyleJSON, failure injection,
// webhooks (count, body, signature), multipart edge cases, pagination, unknown-fields mode, bounds,
// garbage bodies, and the real style::client running against it.
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/sandbox/style.hpp>
#include <mediajobs/style/client.hpp>
#include <mediajobs/webhook/webhook.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
namespace sandbox = mediajobs::sandbox;
namespace style = mediajobs::style;
namespace json = mediajobs::json;
namespace http = mediajobs::http;
using sandbox::duration;

namespace {

const std::chrono::system_clock::time_point wall0 = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};

struct fixture {
  explicit fixture(sandbox::service_limits limits = {}) : svc(limits) {}

  sandbox::style_service svc;
  sandbox::time_info t{duration{0}, wall0};
  std::vector<http::request> hooks;
  std::string api_key = "k-123";
  bool inject_unknown = false;

  /// Moves the sandbox clock to `now` and lets the service advance (collecting webhooks).
  void at(duration now) {
    t.now = now;
    t.wall = wall0 + now;
    svc.advance(t, hooks);
  }

  http::response call(std::string method, std::string path_and_query, std::string body = {},
                      std::vector<std::pair<std::string, std::string>> headers = {}, bool auth = true) {
    http::request req;
    req.method = std::move(method);
    req.url = "/style" + path_and_query;
    req.body = std::move(body);
    if (auth) req.headers.add("X-API-Key", api_key);
    for (auto& [k, v] : headers) req.headers.add(k, v);
    return serve(req, path_and_query);
  }

  http::response serve(const http::request& req, std::string_view path_and_query) {
    sandbox::request_context ctx;
    ctx.request = &req;
    ctx.method = req.method;
    const std::size_t q = path_and_query.find('?');
    ctx.path = path_and_query.substr(0, q);
    if (q != std::string_view::npos) {
      auto parsed = http::parse_query(path_and_query.substr(q + 1));
      REQUIRE(parsed);
      ctx.query = std::move(*parsed);
    }
    ctx.time = t;
    ctx.base_url = "http://127.0.0.1:8080/style";
    ctx.api_key = api_key;
    ctx.inject_unknown = inject_unknown;
    return svc.handle(ctx);
  }

  http::response upload_raw(std::string filename, std::string data) {
    style::upload_video_request u;
    u.filename = std::move(filename);
    u.data = std::move(data);
    auto body = style::detail::multipart_upload(u, "b0undary");
    return call("POST", "/api/v1/videos/upload", std::move(body.data), {{"Content-Type", body.content_type}});
  }
  std::string upload(std::string filename = "source.mp4", std::string data = "VIDEO-BYTES") {
    auto r = upload_raw(std::move(filename), std::move(data));
    REQUIRE(r.status == 201);
    auto v = json::read<style::envelope<style::upload_result>>(r.body);
    REQUIRE(v);
    return v->data.video_id;
  }
  std::string create(const std::string& body_json) {
    auto r = call("POST", "/api/v1/jobs", body_json);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    auto j = json::read<style::envelope<style::job_response>>(r.body);
    REQUIRE(j);
    return j->data.job_id;
  }
  std::string create_for(const std::string& video_id) { return create(R"({"video_id":")" + video_id + R"("})"); }

  style::job_response get(const std::string& id) {
    auto r = call("GET", "/api/v1/jobs/" + id);
    REQUIRE(r.status == 200);
    auto j = json::read<style::envelope<style::job_response>>(r.body);
    REQUIRE(j);
    return std::move(j->data);
  }
  style::job_detail_response result(const std::string& id) {
    auto r = call("GET", "/api/v1/jobs/" + id + "/result");
    REQUIRE(r.status == 200);
    auto j = json::read<style::envelope<style::job_detail_response>>(r.body);
    REQUIRE(j);
    return std::move(j->data);
  }
};

json::value body_of(const http::response& r) {
  auto v = json::read<json::value>(r.body);
  REQUIRE_MESSAGE(v, r.body);
  return std::move(*v);
}

/// The `error.field` of an error answer (and checks its envelope shape).
std::string error_field(const http::response& r) {
  const json::value v = body_of(r);
  CHECK(v["success"].is_bool());
  CHECK_FALSE(v["success"].as_bool());
  CHECK(v["error"]["code"].is_string());
  CHECK_FALSE(v["error"]["message"].as_string().empty());
  return v["error"]["field"].as_string();
}

std::string text_of(const std::optional<mediajobs::timestamp>& ts) {
  REQUIRE(ts);
  std::string s;
  json::append_rfc3339(s, *ts);
  return s;
}

}  // namespace

TEST_CASE("style sandbox: the API key is required when one is configured, never for the output file") {
  fixture f;
  CHECK(f.call("GET", "/api/v1/jobs", {}, {}, false).status == 401);
  CHECK(error_field(f.call("GET", "/api/v1/jobs", {}, {}, false)).empty());
  CHECK(f.call("GET", "/api/v1/jobs", {}, {{"X-API-Key", "wrong"}}, false).status == 401);
  CHECK(f.call("GET", "/api/v1/jobs").status == 200);
  // The output URL is a download link: no key, but 404 for an unknown job.
  CHECK(f.call("GET", "/files/nope/output.mp4", {}, {}, false).status == 404);
  f.api_key.clear();  // authentication off
  CHECK(f.call("GET", "/api/v1/jobs", {}, {}, false).status == 200);
}

TEST_CASE("style sandbox: unknown routes and ids are 404, wrong methods 405 with Allow, all JSON") {
  fixture f;
  for (const char* p : {"/", "/api/v1", "/api/v1/nope", "/api/v2/jobs", "/api/v1/jobs/x/y/z", "/files/x"}) {
    CAPTURE(p);
    const auto r = f.call("GET", p);
    CHECK(r.status == 404);
    CHECK(r.headers.get("Content-Type") == "application/json");
    (void)error_field(r);
  }
  CHECK(f.call("GET", "/api/v1/jobs/no-such-job").status == 404);
  CHECK(f.call("GET", "/api/v1/jobs/no-such-job/result").status == 404);
  auto r = f.call("DELETE", "/api/v1/jobs");
  CHECK(r.status == 405);
  CHECK(r.headers.get("Allow") == "GET, POST");
  r = f.call("GET", "/api/v1/videos/upload");
  CHECK(r.status == 405);
  CHECK(r.headers.get("Allow") == "POST");
  CHECK(f.call("POST", "/api/v1/jobs/x").status == 405);
  CHECK(f.call("PUT", "/api/v1/jobs/x/result").status == 405);
  CHECK(f.call("POST", "/files/x/output.mp4", {}, {}, false).status == 405);
}

TEST_CASE("style sandbox: an upload answers the video id as the client parses it") {
  fixture f;
  auto r = f.upload_raw("clip one.mp4", std::string(1000, 'x'));
  REQUIRE(r.status == 201);
  const json::value v = body_of(r);
  CHECK(v["success"].as_bool());
  auto u = json::read<style::envelope<style::upload_result>>(r.body);
  REQUIRE(u);
  CHECK(u->data.video_id.size() == 36);
  CHECK(u->data.filename == "clip one.mp4");
  CHECK(u->data.content_type == "video/mp4");
  CHECK(u->data.size_bytes == 1000);
  CHECK(text_of(u->data.created_at) == "2026-01-01T00:00:00Z");
  CHECK(f.svc.stats()["uploads"].as_int64() == 1);
  CHECK(f.upload() != u->data.video_id);  // ids are unique
}

TEST_CASE("style sandbox: multipart edge cases are 400 naming the field, never a crash") {
  fixture f;
  const auto post = [&](std::string body, std::string content_type) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!content_type.empty()) h.emplace_back("Content-Type", std::move(content_type));
    return f.call("POST", "/api/v1/videos/upload", std::move(body), std::move(h));
  };
  const std::string part = "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n"
                           "Content-Type: video/mp4\r\n\r\nDATA\r\n--B--\r\n";
  SUBCASE("the well-formed body is accepted, with a quoted boundary and a preamble too") {
    CHECK(post(part, "multipart/form-data; boundary=B").status == 201);
    CHECK(post(part, "Multipart/Form-Data; boundary=\"B\"").status == 201);
    CHECK(post("preamble text\r\n" + part, "multipart/form-data; boundary=B").status == 201);
    // Another part before `file` is skipped over.
    auto r = post("--B\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n" + part,
                  "multipart/form-data; boundary=B");
    CHECK(r.status == 201);
  }
  SUBCASE("Content-Type missing, not multipart, or without a boundary") {
    CHECK(error_field(post(part, "")) == "Content-Type");
    CHECK(error_field(post(part, "application/json")) == "Content-Type");
    CHECK(error_field(post(part, "multipart/form-data")) == "Content-Type");
    CHECK(error_field(post(part, "multipart/form-data; boundary=")) == "Content-Type");
    CHECK(error_field(post(part, "multipart/form-data; boundary=\"B")) == "Content-Type");
    CHECK(post(part, "multipart/form-data; boundary=" + std::string(71, 'B')).status == 400);
  }
  SUBCASE("the body does not hold the boundary, or the part is malformed") {
    CHECK(error_field(post(part, "multipart/form-data; boundary=OTHER")) == "file");
    CHECK(error_field(post("", "multipart/form-data; boundary=B")) == "file");
    CHECK(error_field(post("--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nDATA",
                           "multipart/form-data; boundary=B")) == "file");  // unterminated
    CHECK(error_field(post("--B\r\nContent-Type: video/mp4\r\n\r\nDATA\r\n--B--",
                           "multipart/form-data; boundary=B")) == "file");  // no Content-Disposition
    CHECK(error_field(post("--B\nContent-Disposition: form-data; name=\"file\"\n\nDATA\n--B--\n",
                           "multipart/form-data; boundary=B")) == "file");  // bare LF
    CHECK(error_field(post("--B--\r\n", "multipart/form-data; boundary=B")) == "file");  // no part
  }
  SUBCASE("the part named file is missing or empty") {
    CHECK(error_field(post("--B\r\nContent-Disposition: form-data; name=\"video\"\r\n\r\nDATA\r\n--B--\r\n",
                           "multipart/form-data; boundary=B")) == "file");
    auto r = post("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n\r\n--B--\r\n",
                  "multipart/form-data; boundary=B");
    CHECK(error_field(r) == "file");
    CHECK(body_of(r)["error"]["message"].as_string().find("empty") != std::string::npos);
  }
  SUBCASE("every truncation of a valid body is a 400, the whole body a 201") {
    for (std::size_t n = 0; n < part.size(); ++n) {
      CAPTURE(n);
      const auto r = post(part.substr(0, n), "multipart/form-data; boundary=B");
      // Cut inside the epilogue ("--B--" already read) the upload is complete.
      CHECK(r.status == (n >= part.size() - 2 ? 201 : 400));
    }
    CHECK(post(part, "multipart/form-data; boundary=B").status == 201);
  }
  SUBCASE("a file name that is not UTF-8 or holds control characters is sanitised") {
    auto r = post("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\xff\tb.mp4\"\r\n\r\nX\r\n--B--\r\n",
                  "multipart/form-data; boundary=B");
    REQUIRE(r.status == 201);
    auto u = json::read<style::envelope<style::upload_result>>(r.body);
    REQUIRE(u);
    CHECK(u->data.filename == "a__b.mp4");
    CHECK(u->data.content_type == "application/octet-stream");
  }
}

TEST_CASE("style sandbox: a created job is queued with the documented fields, nulls written out") {
  fixture f;
  const std::string vid = f.upload();
  const std::string tmpl = f.upload("template.mp4");
  f.at(1000ms);
  auto r = f.call("POST", "/api/v1/jobs", R"({"video_id":")" + vid + R"(","template_video_id":")" + tmpl + R"(","config":{"strength":0.5}})");
  REQUIRE(r.status == 201);
  const json::value v = body_of(r);
  CHECK(v["success"].as_bool());
  const json::value& d = v["data"];
  for (const char* k : {"current_stage", "started_at", "completed_at"}) {
    CAPTURE(k);
    REQUIRE(d.find(k) != nullptr);
    CHECK(d[k].is_null());
  }
  auto j = json::read<style::envelope<style::job_response>>(r.body, json::options{.error_on_unknown_keys = true});
  REQUIRE(j);
  CHECK(j->data.status.is(style::job_status::queued));
  CHECK(j->data.video_id == vid);
  CHECK(j->data.template_video_id == tmpl);
  CHECK(j->data.progress_percent == 0);
  CHECK(text_of(j->data.created_at) == "2026-01-01T00:00:01Z");
  CHECK(text_of(j->data.updated_at) == "2026-01-01T00:00:01Z");
  CHECK(f.svc.stats()["jobs_created"].as_int64() == 1);
  CHECK(f.svc.stats()["jobs_live"].as_int64() == 1);
}

TEST_CASE("style sandbox: create rejects what the docs reject, naming the field") {
  fixture f;
  const std::string vid = f.upload();
  const auto field = [&](const std::string& body) {
    const auto r = f.call("POST", "/api/v1/jobs", body);
    CHECK(r.status == 400);
    return error_field(r);
  };
  CHECK(field("") == "body");
  CHECK(field("  \r\n") == "body");
  CHECK(field("{") == "body");
  CHECK(field("[]") == "body");
  CHECK(field("null") == "body");
  CHECK(field("{}") == "video_id");
  CHECK(field(R"({"video_id":""})") == "video_id");
  CHECK(field(R"({"video_id":42})") == "video_id");
  CHECK(field(R"({"video_id":"never-uploaded"})") == "video_id");
  CHECK(field(R"({"video_id":")" + vid + R"(","template_video_id":"nope"})") == "template_video_id");
  CHECK(field(R"({"video_id":")" + vid + R"(","config":[1]})") == "config");
  CHECK(field(R"({"video_id":")" + vid + R"(","config":"x"})") == "config");
  CHECK(field(R"({"video_id":")" + vid + R"(","colour":"red"})") == "colour");
  CHECK(field(R"({"video_id":")" + vid + R"(","webhook_url":"not a url"})") == "webhook_url");
  CHECK(field(R"({"video_id":")" + vid + R"(","webhook_url":"ftp://127.0.0.1/x"})") == "webhook_url");
  CHECK(field(R"({"video_id":")" + vid + R"(","config":{"a":"[fail:teleport]"}})") == "config");
  const auto r = f.call("POST", "/api/v1/jobs", R"({"video_id":")" + vid + R"(","webhook_url":"https://example.com/hook"})");
  CHECK(error_field(r) == "webhook_url");
  CHECK(body_of(r)["error"]["message"].as_string().find("loopback") != std::string::npos);
  // Loopback hosts are accepted, in each spelling.
  for (const char* url : {"http://127.0.0.1:9/h", "http://localhost/h", "https://[::1]:8443/h"})
    CHECK(f.call("POST", "/api/v1/jobs", R"({"video_id":")" + vid + R"(","webhook_url":")" + url + R"("})").status == 201);
  CHECK(f.svc.stats()["jobs_created"].as_int64() == 3);
}

TEST_CASE("style sandbox: garbage bodies on every POST are 4xx, never a crash") {
  fixture f;
  std::uint64_t x = 12345;
  for (int n = 0; n < 300; ++n) {
    std::string body;
    const std::size_t len = static_cast<std::size_t>(n % 64);
    for (std::size_t k = 0; k < len; ++k) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      body += static_cast<char>(x >> 56);
    }
    if (n % 3 == 0) body = R"({"video_id":)" + body;
    const auto a = f.call("POST", "/api/v1/jobs", body);
    CHECK(a.status == 400);
    const auto b = f.call("POST", "/api/v1/videos/upload", body, {{"Content-Type", "multipart/form-data; boundary=" + body.substr(0, 10)}});
    CHECK(b.status == 400);
    (void)body_of(a);
    (void)body_of(b);
  }
}

TEST_CASE("style sandbox: the six stages run in order on the sandbox clock, with timestamps") {
  fixture f;
  const std::string vid = f.upload();
  const std::string id = f.create_for(vid);
  std::vector<std::string> seen;
  int last_progress = -1;
  for (auto now = 0ms; now <= 3200ms; now += 10ms) {
    f.at(now);
    const auto j = f.get(id);
    std::string where{j.status.name()};
    if (j.current_stage) {
      where += '/';
      where += j.current_stage->name();
    }
    if (seen.empty() || seen.back() != where) seen.push_back(where);
    REQUIRE(j.progress_percent);
    CHECK(*j.progress_percent >= last_progress);
    last_progress = *j.progress_percent;
    if (j.status.is(style::job_status::processing)) {
      CHECK(*j.progress_percent < 100);
      CHECK(j.current_stage);
    } else {
      CHECK_FALSE(j.current_stage);
    }
  }
  const std::vector<std::string> expected{"queued",
                                          "processing/video_analysis",
                                          "processing/audio_analysis",
                                          "processing/motion_analysis",
                                          "processing/style_extraction",
                                          "processing/style_application",
                                          "processing/rendering",
                                          "completed"};
  CHECK(seen == expected);
  CHECK(last_progress == 100);

  fixture g;
  const std::string gid = g.create_for(g.upload());
  g.at(249ms);
  CHECK(g.get(gid).status.is(style::job_status::queued));
  g.at(250ms);
  auto j = g.get(gid);
  CHECK(j.status.is(style::job_status::processing));
  CHECK(text_of(j.started_at) == "2026-01-01T00:00:00.25Z");
  CHECK(text_of(j.updated_at) == "2026-01-01T00:00:00.25Z");
  CHECK_FALSE(j.completed_at);
  g.at(1625ms);  // half-way through the processing time
  CHECK(g.get(gid).progress_percent == 50);
  g.at(2999ms);
  CHECK(g.get(gid).status.is(style::job_status::processing));
  g.at(3000ms);
  j = g.get(gid);
  CHECK(j.status.is(style::job_status::completed));
  CHECK(text_of(j.completed_at) == "2026-01-01T00:00:03Z");
  CHECK(text_of(j.updated_at) == "2026-01-01T00:00:03Z");
  CHECK(text_of(j.created_at) == "2026-01-01T00:00:00Z");
}

TEST_CASE("style sandbox: a request at an earlier time never moves a job backwards") {
  fixture f;
  const std::string id = f.create_for(f.upload());
  f.at(3000ms);
  f.t.now = 100ms;  // a stale time in a request
  CHECK(f.get(id).status.is(style::job_status::completed));
}

TEST_CASE("style sandbox: the result is the JobDetailResponse; StyleJSON and the output once completed") {
  fixture f;
  const std::string vid = f.upload();
  const std::string id = f.create_for(vid);
  f.at(1000ms);
  auto before = f.result(id);
  CHECK(before.status.is(style::job_status::processing));
  const json::value raw = body_of(f.call("GET", "/api/v1/jobs/" + id + "/result"));
  for (const char* k : {"style_json", "output_video_url", "error", "processing_time_seconds"}) {
    CAPTURE(k);
    REQUIRE(raw["data"].find(k) != nullptr);
    CHECK(raw["data"][k].is_null());
  }
  CHECK(f.call("GET", "/files/" + id + "/output.mp4", {}, {}, false).status == 404);

  f.at(3000ms);
  auto r = f.call("GET", "/api/v1/jobs/" + id + "/result");
  auto d = json::read<style::envelope<style::job_detail_response>>(r.body, json::options{.error_on_unknown_keys = true});
  REQUIRE(d);
  CHECK(d->data.status.is(style::job_status::completed));
  CHECK(d->data.progress_percent == 100);
  CHECK(d->data.processing_time_seconds == doctest::Approx(2.75));
  CHECK_FALSE(d->data.error);  // written as null, which reads as an empty optional
  CHECK(body_of(r)["data"].find("error") != nullptr);
  REQUIRE(d->data.style_json);
  const json::value& s = *d->data.style_json;
  CHECK(s["version"].as_string() == "1.0");
  CHECK(s["source_video_id"].as_string() == vid);
  CHECK(s["color"]["palette"].size() == 5);
  CHECK(s["color"]["palette"].at(0).as_string().size() == 7);
  CHECK(s["motion"]["camera_movement"].is_string());
  CHECK(s["audio"]["tempo_bpm"].is_integer());
  // Deterministic: the same source gives the same StyleJSON.
  const std::string id2 = f.create_for(vid);
  f.at(6000ms);
  CHECK(f.result(id2).style_json == d->data.style_json);

  REQUIRE(d->data.output_video_url);
  const std::string prefix = "http://127.0.0.1:8080/style";
  REQUIRE(d->data.output_video_url->rfind(prefix, 0) == 0);
  const auto file = f.call("GET", d->data.output_video_url->substr(prefix.size()), {}, {}, false);
  CHECK(file.status == 200);
  CHECK(file.headers.get("Content-Type") == "video/mp4");
  CHECK(file.body.size() > 4000);
  CHECK(file.body.substr(4, 4) == "ftyp");
  CHECK(f.call("HEAD", d->data.output_video_url->substr(prefix.size()), {}, {}, false).status == 200);
}

TEST_CASE("style sandbox: [fail:STAGE] and [cancel:STAGE] end the job half-way through that stage") {
  fixture f;
  const std::string vid = f.upload();
  SUBCASE("a marker in config fails the job") {
    const std::string id = f.create(R"({"video_id":")" + vid + R"(","config":{"x":["[fail:style_extraction]"]}})");
    // style_extraction starts at 250 + 1350 = 1600 ms and lasts 500 ms.
    f.at(1849ms);
    auto j = f.get(id);
    CHECK(j.status.is(style::job_status::processing));
    CHECK(j.current_stage->is(style::job_stage::style_extraction));
    f.at(1850ms);
    auto d = f.result(id);
    CHECK(d.status.is(style::job_status::failed));
    CHECK_FALSE(d.current_stage);
    CHECK(d.progress_percent == 58);  // 1600 of 2750 ms
    CHECK(text_of(d.completed_at) == "2026-01-01T00:00:01.85Z");
    REQUIRE(d.error);
    CHECK((*d.error)["stage"].as_string() == "style_extraction");
    CHECK((*d.error)["code"].as_string() == "stage_failed");
    CHECK_FALSE((d.style_json && !d.style_json->is_null()));
    CHECK_FALSE((d.output_video_url));
    // The client's view of it: failed, with the service's message.
    const style::job_response polled = f.get(id);
    const auto view = style::describe(polled);
    CHECK(view.phase == mediajobs::api::job_phase::failed);
  }
  SUBCASE("a marker in the uploaded file name, cancel") {
    const std::string marked = f.upload("clip [cancel:video_analysis].mp4");
    const std::string id = f.create_for(marked);
    f.at(500ms);
    CHECK(f.get(id).status.is(style::job_status::cancelled));
  }
  SUBCASE("a marker in the template's file name") {
    const std::string tmpl = f.upload("t[fail:rendering].mp4");
    const std::string id = f.create(R"({"video_id":")" + vid + R"(","template_video_id":")" + tmpl + R"("})");
    f.at(2799ms);
    CHECK(f.get(id).current_stage->is(style::job_stage::rendering));
    f.at(2800ms);
    CHECK(f.get(id).status.is(style::job_status::failed));
  }
}

TEST_CASE("style sandbox: one signed webhook per terminal job, decodable by our webhook decoder") {
  fixture f;
  const std::string vid = f.upload();
  const std::string hooked = f.create(R"({"video_id":")" + vid + R"(","webhook_url":"http://127.0.0.1:9000/hook?x=1"})");
  const std::string failing =
      f.create(R"({"video_id":")" + vid + R"(","webhook_url":"http://localhost:9000/f","config":{"n":"[fail:audio_analysis]"}})");
  (void)f.create_for(vid);  // no webhook_url: nothing sent for it
  for (auto now = 0ms; now < 2000ms; now += 50ms) f.at(now);
  REQUIRE(f.hooks.size() == 1);  // the failed one
  for (auto now = 2000ms; now < 6000ms; now += 50ms) f.at(now);
  REQUIRE(f.hooks.size() == 2);
  CHECK(f.svc.stats()["webhooks_queued"].as_int64() == 2);
  CHECK(f.svc.stats()["jobs_live"].as_int64() == 0);

  const http::request& failed = f.hooks[0];
  const http::request& done = f.hooks[1];
  CHECK(done.method == "POST");
  CHECK(done.url == "http://127.0.0.1:9000/hook?x=1");
  CHECK(failed.url == "http://localhost:9000/f");
  CHECK(done.headers.get("Content-Type") == "application/json");

  auto ev = mediajobs::webhook::decode_style_event(done.body);
  REQUIRE(ev);
  CHECK(ev->enveloped);
  CHECK(ev->is_terminal());
  CHECK(ev->success == true);
  CHECK(ev->job.job_id == hooked);
  CHECK(ev->job.status.is(style::job_status::completed));
  CHECK(ev->job.output_video_url);
  CHECK(ev->job.style_json);

  auto fev = mediajobs::webhook::decode_style_event(failed.body);
  REQUIRE(fev);
  CHECK(fev->job.job_id == failing);
  CHECK(fev->job.status.is(style::job_status::failed));
  CHECK(fev->success == false);
  CHECK((*fev->job.error)["stage"].as_string() == "audio_analysis");

  if (mediajobs::webhook::signatures_supported) {
    CHECK(f.svc.webhook_secret().rfind("whsec_", 0) == 0);
    CHECK(done.headers.get("webhook-id") == "msg_" + hooked + "_completed");
    auto verified = mediajobs::webhook::parse_style(done.headers, done.body, f.svc.webhook_secret(), f.t.wall);
    REQUIRE_MESSAGE(verified, verified.error().message());
    CHECK(verified->job.job_id == hooked);
    // The default secret is the raw key "sandbox-webhook-secret".
    CHECK(mediajobs::webhook::verify("whsec_" + mediajobs::webhook::base64_encode("sandbox-webhook-secret"), done.headers,
                                     done.body, f.t.wall));
    CHECK_FALSE(mediajobs::webhook::verify("whsec_" + mediajobs::webhook::base64_encode("other"), done.headers, done.body,
                                           f.t.wall));
  }
}

TEST_CASE("style sandbox: the webhook secret can be set; empty sends unsigned webhooks") {
  CHECK(sandbox::style_service{}.webhook_secret() == "whsec_c2FuZGJveC13ZWJob29rLXNlY3JldA==");
  sandbox::style_service a{{}, "whsec_c2VjcmV0"};
  CHECK(a.webhook_secret() == "whsec_c2VjcmV0");
  a.set_webhook_secret("secret");
  CHECK(a.webhook_secret() == "whsec_c2VjcmV0");

  fixture f;
  f.svc.set_webhook_secret("");
  (void)f.create(R"({"video_id":")" + f.upload() + R"(","webhook_url":"http://127.0.0.1:1/h"})");
  f.at(5000ms);
  REQUIRE(f.hooks.size() == 1);
  CHECK_FALSE(f.hooks[0].headers.contains("webhook-signature"));
  CHECK(mediajobs::webhook::decode_style_event(f.hooks[0].body));
}

TEST_CASE("style sandbox: the list pages newest first, filters by status, and the client decodes it") {
  fixture f;
  const std::string vid = f.upload();
  std::vector<std::string> ids;
  for (int k = 0; k < 5; ++k) {
    f.at(duration{k * 1000});
    ids.push_back(f.create_for(vid));
  }
  f.at(4500ms);  // jobs created at 0 and 1 s are completed, the others are not
  std::vector<std::string> listed;
  for (int page = 1; page <= 3; ++page) {
    auto r = f.call("GET", "/api/v1/jobs?page=" + std::to_string(page) + "&page_size=2");
    REQUIRE(r.status == 200);
    auto l = json::read<style::envelope<style::job_list>>(r.body);
    REQUIRE(l);
    const auto slice = mediajobs::api::slice_of(std::move(l->data));
    CHECK(slice.items.size() == (page < 3 ? 2u : 1u));
    CHECK(slice.info.total == 5);
    CHECK(slice.info.total_pages == 3);
    CHECK(slice.info.has_more == (page < 3));
    for (const auto& j : slice.items) listed.push_back(j.job_id);
  }
  CHECK(listed == std::vector<std::string>{ids[4], ids[3], ids[2], ids[1], ids[0]});
  CHECK(json::read<style::envelope<style::job_list_page>>(f.call("GET", "/api/v1/jobs?page=4&page_size=2").body)->data.get_items().empty());

  auto done = json::read<style::envelope<style::job_list_page>>(f.call("GET", "/api/v1/jobs?status=completed").body);
  REQUIRE(done);
  REQUIRE(done->data.get_items().size() == 2);
  CHECK(done->data.get_items()[0].job_id == ids[1]);
  CHECK(done->data.total == 2);
  CHECK(done->data.page_size == 20);

  CHECK(error_field(f.call("GET", "/api/v1/jobs?page=0")) == "page");
  CHECK(error_field(f.call("GET", "/api/v1/jobs?page=x")) == "page");
  CHECK(error_field(f.call("GET", "/api/v1/jobs?page_size=101")) == "page_size");
  CHECK(error_field(f.call("GET", "/api/v1/jobs?page_size=-1")) == "page_size");
  CHECK(error_field(f.call("GET", "/api/v1/jobs?status=done")) == "status");
}

TEST_CASE("style sandbox: unknown-fields mode adds unknown keys and an unknown stage the schema still decodes") {
  fixture f;
  f.inject_unknown = true;
  const std::string id = f.create_for(f.upload());
  f.at(1000ms);
  auto r = f.call("GET", "/api/v1/jobs/" + id);
  auto j = json::read<style::envelope<style::job_response>>(r.body);
  REQUIRE(j);
  CHECK(j->data.status.is(style::job_status::processing));
  REQUIRE(j->data.current_stage);
  CHECK(j->data.current_stage->is_unknown());
  CHECK(j->data.current_stage->name() == "frame_interpolation");
  CHECK(j->data.extra.find("engine_region") != nullptr);
  CHECK(j->data.extra.find("x_sandbox") != nullptr);
  // Strict decoding sees them: they really are unknown to the schema.
  CHECK_FALSE(json::read<style::envelope<style::job_response>>(r.body, json::options{.error_on_unknown_keys = true}));
  CHECK(json::read<style::envelope<style::job_list>>(f.call("GET", "/api/v1/jobs").body));
  f.at(3000ms);
  auto d = json::read<style::envelope<style::job_detail_response>>(f.call("GET", "/api/v1/jobs/" + id + "/result").body);
  REQUIRE(d);
  CHECK(d->data.status.is(style::job_status::completed));
  CHECK(d->data.extra.find("engine_region") != nullptr);
}

TEST_CASE("style sandbox: jobs and uploads are bounded by max_jobs (429, nothing evicted)") {
  fixture f{sandbox::service_limits{.max_jobs = 2}};
  const std::string vid = f.upload();
  (void)f.create_for(vid);
  (void)f.create_for(vid);
  const auto r = f.call("POST", "/api/v1/jobs", R"({"video_id":")" + vid + R"("})");
  CHECK(r.status == 429);
  (void)error_field(r);
  (void)f.upload();
  CHECK(f.upload_raw("third.mp4", "x").status == 429);
  const json::value s = f.svc.stats();
  CHECK(s["jobs_created"].as_int64() == 2);
  CHECK(s["uploads"].as_int64() == 2);
  CHECK(s["jobs_by_idempotency_key"].is_object());
  CHECK(s["jobs_by_idempotency_key"].size() == 0);
}

namespace {

/// The service as the client's transport and timer: requests are answered inline, and a wait
/// moves the sandbox clock (so polling takes no real time).
struct direct_transport {
  fixture* f = nullptr;
  std::vector<std::string> targets{};

  void async_send(http::request req, std::stop_token, mediajobs::send_completion done) {
    auto u = http::parse_url(req.url);
    REQUIRE(u);
    constexpr std::string_view mount = "/style";
    REQUIRE(u->path.rfind(mount, 0) == 0);
    std::string target = u->path.substr(mount.size());
    if (!u->query.empty()) target += "?" + u->query;
    targets.push_back(req.method + " " + target);
    done(f->serve(req, target));
  }
  void async_wait(std::chrono::milliseconds d, std::stop_token, mediajobs::wait_completion done) {
    f->at(f->t.now + d);
    done(mediajobs::result<void>{});
  }
};

}  // namespace

TEST_CASE("style sandbox: the real style::client uploads, creates, waits and fetches the result") {
  fixture f;
  direct_transport tr{&f};
  mediajobs::api::client_options o;
  o.base_url = "http://127.0.0.1:8080/style";
  o.api_key = f.api_key;
  style::client<direct_transport> c{tr, o};

  style::upload_video_request up;
  up.filename = "source.mp4";
  up.data = std::string(4096, 'v');
  auto uploaded = mediajobs::sync_wait(c.upload_video(std::move(up)));
  REQUIRE_MESSAGE(uploaded, uploaded.error().message());
  CHECK(uploaded->size_bytes == 4096);

  style::job_create_request req;
  req.video_id = uploaded->video_id;
  auto detail = mediajobs::sync_wait(c.create_and_wait(std::move(req)));
  REQUIRE_MESSAGE(detail, detail.error().message());
  CHECK(detail->status.is(style::job_status::completed));
  CHECK(detail->style_json);
  CHECK(detail->output_video_url);

  style::job_create_request bad;
  bad.video_id = "missing";
  auto refused = mediajobs::sync_wait(c.create_job(std::move(bad)));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().http_status() == 400);
  CHECK(refused.error().service_message().find("video_id") != std::string_view::npos);

  style::list_query q;
  q.page_size = 1;
  auto page = mediajobs::sync_wait(c.list_jobs(q));
  REQUIRE(page);
  CHECK(style::list_items(*page).size() == 1);
  CHECK(tr.targets.front() == "POST /api/v1/videos/upload");
}
