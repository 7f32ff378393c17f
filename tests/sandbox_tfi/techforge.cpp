// The simulated TechForgeInnovate service (sandbox/techforge.hpp), driven without sockets:
// handle()/advance() called directly on a manual sandbox clock, every answer decoded with the
// client's own schema (techforge/schema.hpp), and the real techforge::client run end to end over
// a loopback transport that hands each request to the service.
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/sandbox/techforge.hpp>
#include <mediajobs/techforge/client.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using mediajobs::sandbox::duration;
namespace http = mediajobs::http;
namespace json = mediajobs::json;
namespace tfi = mediajobs::techforge;

constexpr std::string_view api_key = "sandbox-key";
constexpr std::string_view base_url = "http://127.0.0.1:8080/tfi";
constexpr std::string_view talking_template = "468ea7a0-66e1-4357-a760-236e54167f3e";
constexpr std::string_view image_prompt = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";

const std::string docs_example_body = R"({
  "template_id": "468ea7a0-66e1-4357-a760-236e54167f3e",
  "job_type": "ai_talking_video",
  "version": 2,
  "session_id": "fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c",
  "values": {
    "headline": "Launch in minutes",
    "voiceover": { "audio_url": "https://cdn.example.com/audio/launch.mp3" },
    "avatar": { "image_url": "https://cdn.example.com/images/avatar.png" }
  }
})";

/// One service on a manual clock, with the server's request-to-context step done by hand.
struct harness {
  mediajobs::sandbox::techforge_service service;
  duration now{};
  std::chrono::system_clock::time_point start_wall{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
  bool shape_202 = false;
  bool inject_unknown = false;
  std::string key{api_key};
  std::vector<http::request> webhooks;

  explicit harness(mediajobs::sandbox::service_limits limits = {}) : service(limits) {}

  mediajobs::sandbox::time_info time() const { return {now, start_wall + now}; }

  void advance(duration d) {
    now += d;
    service.advance(time(), webhooks);
  }

  /// `target` is the path below the mount prefix with an optional query.
  http::response send(http::request req) {
    std::string_view target = req.url;
    std::string_view query;
    if (const auto q = target.find('?'); q != std::string_view::npos) {
      query = target.substr(q + 1);
      target = target.substr(0, q);
    }
    mediajobs::sandbox::request_context ctx;
    ctx.request = &req;
    ctx.method = req.method;
    ctx.path = target;
    auto parsed = http::parse_query(query);
    REQUIRE(parsed);
    ctx.query = std::move(*parsed);
    ctx.time = time();
    ctx.base_url = std::string{base_url};
    ctx.api_key = key;
    ctx.inject_unknown = inject_unknown;
    ctx.tfi_202_shape = shape_202;
    service.advance(ctx.time, webhooks);  // as the server does before each request
    return service.handle(ctx);
  }

  http::response call(std::string method, std::string target, std::string body = {}, bool with_key = true) {
    http::request req;
    req.method = std::move(method);
    req.url = std::move(target);
    req.body = std::move(body);
    if (with_key) req.headers.add("x-api-key", std::string{api_key});
    if (!req.body.empty()) req.headers.add("Content-Type", "application/json");
    return send(std::move(req));
  }

  http::response create(std::string body) { return call("POST", "/jobs/v2", std::move(body)); }
  http::response poll(std::string_view uuid) { return call("GET", "/api/jobs-get?uuid=" + std::string{uuid}); }
};

template <class T>
T decode(const http::response& r) {
  auto v = json::read<T>(r.body);
  INFO(r.body);
  REQUIRE(v);
  return std::move(*v);
}

std::string created_id(const http::response& r) {
  REQUIRE(r.status == 201);
  return tfi::normalize(decode<tfi::create_response>(r)).job_id;
}

tfi::job polled(harness& h, std::string_view uuid) {
  const http::response r = h.poll(uuid);
  REQUIRE(r.status == 200);
  return tfi::job_of(decode<tfi::jobs_get_response>(r));
}

std::string status_of(const tfi::job& j) {
  const auto s = j.get_status();
  return s ? std::string{s->name()} : std::string{"<none>"};
}

/// A 4xx answer: JSON with a message and, for 400, the field it names.
std::string error_field(const http::response& r) {
  CHECK(r.headers.get("Content-Type") == std::optional<std::string_view>{"application/json"});
  auto v = json::read<json::value>(r.body);
  INFO(r.body);
  REQUIRE(v);
  CHECK(v->find("message") != nullptr);
  CHECK((*v)["message"].is_string());
  CHECK(!(*v)["message"].as_string().empty());
  return (*v)["field"].as_string();
}

std::string body_with(std::string_view job_type, std::string_view source_key, std::string_view source,
                      std::string_view values = R"({"headline":"Hi"})") {
  std::string b = R"({"job_type":")";
  b += job_type;
  b += R"(",")";
  b += source_key;
  b += R"(":")";
  b += source;
  b += R"(","version":2,"values":)";
  b += values;
  b += '}';
  return b;
}

std::string signed_url_for(harness& h, const std::string& storage_path) {
  const http::response r = h.call("GET", "/storage/generate-signed-path?path=" + http::encode_query_value(storage_path));
  REQUIRE(r.status == 200);
  return decode<tfi::signed_path>(r).signed_url;
}

/// The target below the mount prefix of an absolute sandbox URL.
std::string target_of(std::string_view url) {
  REQUIRE(url.substr(0, base_url.size()) == base_url);
  return std::string{url.substr(base_url.size())};
}

std::string completed_output(harness& h, std::string body) {
  const std::string id = created_id(h.create(std::move(body)));
  h.advance(2s);
  const tfi::job j = polled(h, id);
  REQUIRE(status_of(j) == "COMPLETED");
  REQUIRE(j.output_path);
  return *j.output_path;
}

}  // namespace

TEST_CASE("create answers 201 with the documented record, which the client schema decodes") {
  harness h;
  const http::response r = h.create(docs_example_body);
  REQUIRE(r.status == 201);
  const auto answer = decode<tfi::create_response>(r);
  REQUIRE(answer.index() == 0);  // the {message, job} form
  const auto& created = std::get<tfi::create_response_201>(answer);
  CHECK(created.message == "Job update accepted and processing.");
  const tfi::job& j = created.job;
  CHECK(j.uuid.has_value());
  CHECK(j.user_id == "c95a2ab1-7c10-4a03-9d25-55f905d2b6f0");
  CHECK(j.template_id == std::string{talking_template});
  CHECK(status_of(j) == "QUEUED");
  REQUIRE(j.job_type);
  CHECK(j.job_type->is(tfi::job_type::ai_talking_video));
  CHECK(j.credit_used == tfi::credit_amount{std::string{"0"}});
  REQUIRE(j.input);  // the full request body, verbatim
  CHECK(*j.input == *json::read<json::value>(docs_example_body));
  REQUIRE(j.values);
  const auto& values = std::get<tfi::values_map>(*j.values);
  CHECK(std::get<std::string>(values.at("headline")) == "Launch in minutes");
  CHECK(std::get<tfi::audio_asset>(values.at("voiceover")).audio_url == "https://cdn.example.com/audio/launch.mp3");
  CHECK(!j.output_path);
  CHECK(j.extra.empty());

  const tfi::created_job n = tfi::normalize(answer);
  CHECK(n.job_id == *j.uuid);
  CHECK(n.status.is(tfi::job_status::queued));
}

TEST_CASE("create answers 202 {jobId, status} in the tfi_202_shape mode, and the job polls") {
  harness h;
  h.shape_202 = true;
  const http::response r = h.create(docs_example_body);
  REQUIRE(r.status == 202);
  const auto answer = decode<tfi::create_response>(r);
  REQUIRE(answer.index() == 1);
  CHECK(std::get<tfi::create_response_202>(answer).status == "queued");
  const tfi::created_job n = tfi::normalize(answer);
  CHECK(n.status.is(tfi::job_status::queued));
  CHECK(status_of(polled(h, n.job_id)) == "QUEUED");
}

TEST_CASE("the overview's v6 talking-video body (values as [] and project_id) is accepted") {
  harness h;
  const std::string body = R"({"image_url":"https://cdn.example.com/image.png","audio_url":"https://cdn.example.com/audio.mp3",
    "is_clone_required":false,"language":"en","version":6,"job_type":"ai_talking_video",
    "project_id":"468ea7a0-66e1-4357-a760-236e54167f3e","output_size":400,"crop":true,"dynamic_scale":1,
    "iteration_count":10,"expand_ratio":0.5,"values":[]})";
  const http::response r = h.create(body);
  REQUIRE(r.status == 201);
  const tfi::created_job n = tfi::normalize(decode<tfi::create_response>(r));
  REQUIRE(n.job);
  CHECK(n.job->template_id == std::string{talking_template});  // the resolved source id
  CHECK((*n.job->input)["output_size"] == json::value{400});
}

TEST_CASE("jobs-get moves QUEUED -> PROCESSING -> COMPLETED on the sandbox clock") {
  harness h;
  const std::string id = created_id(h.create(docs_example_body));
  CHECK(status_of(polled(h, id)) == "QUEUED");
  h.advance(499ms);
  CHECK(status_of(polled(h, id)) == "QUEUED");
  h.advance(1ms);
  CHECK(status_of(polled(h, id)) == "PROCESSING");
  CHECK(h.service.stats()["jobs_live"].as_int64() == 1);
  h.advance(1499ms);
  const tfi::job before = polled(h, id);
  CHECK(status_of(before) == "PROCESSING");
  CHECK(!before.output_path);
  h.advance(1ms);  // advance() alone finishes it: nobody needs to poll
  CHECK(h.service.stats()["jobs_live"].as_int64() == 0);
  const tfi::job done = polled(h, id);
  CHECK(status_of(done) == "COMPLETED");
  CHECK(done.output_path == "ai-talking-videos/" + std::string{talking_template} + "/outputs/" + id + ".mp4");
  CHECK(done.credits_used() == 10.0);
  CHECK(!done.error);
  CHECK(tfi::describe(done).phase == mediajobs::api::job_phase::succeeded);
}

TEST_CASE("a value containing [fail] ends FAILED with an error the client surfaces") {
  harness h;
  const std::string id = created_id(h.create(
      body_with("ai_talking_video", "template_id", talking_template, R"({"headline":"ok","avatar":{"image_url":"x[fail]"}})")));
  h.advance(1s);
  CHECK(status_of(polled(h, id)) == "PROCESSING");
  h.advance(1s);
  const tfi::job j = polled(h, id);
  CHECK(status_of(j) == "FAILED");
  CHECK(!j.output_path);
  const auto view = tfi::describe(j);
  CHECK(view.phase == mediajobs::api::job_phase::failed);
  CHECK(view.failure_message.find("values.avatar.image_url contains [fail]") != std::string::npos);
  CHECK(h.service.stats()["jobs_failed"].as_int64() == 1);
}

TEST_CASE("template_id is resolved before project_id; unknown ids are 400 naming the field") {
  harness h;
  SUBCASE("unknown template") {
    const http::response r = h.create(body_with("video", "template_id", "00000000-0000-4000-8000-000000000000"));
    CHECK(r.status == 400);
    CHECK(error_field(r) == "template_id");
  }
  SUBCASE("unknown project") {
    const http::response r = h.create(body_with("video", "project_id", "nope"));
    CHECK(r.status == 400);
    CHECK(error_field(r) == "project_id");
  }
  SUBCASE("a known template wins over an unknown project") {
    const std::string body = R"({"job_type":"video","template_id":"2b7d4c1e-9f3a-4d6b-8e2f-5a1c3b9d7e60","project_id":"nope"})";
    const http::response r = h.create(body);
    REQUIRE(r.status == 201);
    CHECK(tfi::normalize(decode<tfi::create_response>(r)).job->template_id == "2b7d4c1e-9f3a-4d6b-8e2f-5a1c3b9d7e60");
  }
  SUBCASE("an unknown template is not rescued by a known project") {
    const std::string body = R"({"job_type":"video","template_id":"nope","project_id":"2b7d4c1e-9f3a-4d6b-8e2f-5a1c3b9d7e60"})";
    const http::response r = h.create(body);
    CHECK(r.status == 400);
    CHECK(error_field(r) == "template_id");
  }
  SUBCASE("neither") {
    const http::response r = h.create(R"({"job_type":"video","values":{}})");
    CHECK(r.status == 400);
    CHECK(error_field(r) == "template_id");
  }
  SUBCASE("ai_image_generation takes an image prompt id as project_id") {
    const http::response r = h.create(body_with("ai_image_generation", "project_id", image_prompt, R"({"prompt":"a lamp"})"));
    CHECK(r.status == 201);
  }
}

TEST_CASE("create refuses what the docs refuse, naming the field") {
  harness h;
  struct bad_case {
    std::string body;
    std::string field;
  };
  const std::string t{talking_template};
  const std::vector<bad_case> cases{
      {R"({"template_id":")" + t + R"("})", "job_type"},
      {R"({"job_type":"hologram","template_id":")" + t + R"("})", "job_type"},
      {R"({"job_type":42,"template_id":")" + t + R"("})", "job_type"},
      {R"({"job_type":"video","template_id":")" + t + R"(","version":2.5})", "version"},
      {R"({"job_type":"video","template_id":")" + t + R"(","version":"2"})", "version"},
      {R"({"job_type":"video","template_id":")" + t + R"(","background_volume":1.5})", "background_volume"},
      {R"({"job_type":"video","template_id":")" + t + R"(","background_start":-1})", "background_start"},
      {R"({"job_type":"video","template_id":")" + t + R"(","session_id":7})", "session_id"},
      {R"({"job_type":"video","template_id":")" + t + R"(","values":"headline"})", "values"},
      {R"({"job_type":"video","template_id":5})", "template_id"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    const http::response r = h.create(c.body);
    CHECK(r.status == 400);
    CHECK(error_field(r) == c.field);
  }
  SUBCASE("a values entry that is neither a string nor an asset object names its key") {
    const http::response r = h.create(body_with("video", "template_id", t, R"({"headline":12})"));
    CHECK(r.status == 400);
    CHECK(error_field(r).rfind("values", 0) == 0);
  }
  CHECK(h.service.stats()["jobs_created"].as_int64() == 0);
}

TEST_CASE("garbage bodies are 400 JSON naming the body, never a crash") {
  harness h;
  const std::vector<std::string> bodies{
      "",       "not json", "{",          "[1,2]",  "null",  "\"text\"", "42",  "{\"job_type\":\"video\",}",
      "{}{}",   "\xff\xfe", std::string(100000, '['), std::string("{\"a\":\"\x00\"}", 9),
      "{\"job_type\":\"video\",\"template_id\":\"468ea7a0-66e1-4357-a760-236e54167f3e\",\"version\":1e999}"};
  for (const auto& b : bodies) {
    CAPTURE(b.substr(0, 40));
    const http::response r = h.create(b);
    CHECK(r.status == 400);
    const std::string field = error_field(r);
    CHECK(!field.empty());
  }
  CHECK(h.service.stats()["jobs_created"].as_int64() == 0);
}

TEST_CASE("every truncation and every one-byte corruption of a valid body answers 201 or 400 JSON") {
  harness h;
  std::size_t created = 0;
  const auto check = [&](const std::string& body) {
    const http::response r = h.create(body);
    if (r.status == 201) {
      ++created;
      return;
    }
    CAPTURE(body);
    CHECK(r.status == 400);
    CHECK(json::read<json::value>(r.body).has_value());
  };
  for (std::size_t n = 0; n < docs_example_body.size(); ++n) check(docs_example_body.substr(0, n));
  CHECK(created == 0);  // no proper prefix of an object is a JSON object
  for (std::size_t i = 0; i < docs_example_body.size(); ++i) {
    for (const char c : {'\0', '"', '}', '[', '\xc3', 'x', '1'}) {
      std::string b = docs_example_body;
      b[i] = c;
      check(b);
    }
  }
  CHECK(created > 0);  // corruptions inside free text still create jobs
  CHECK(h.service.stats()["jobs_created"].as_int64() == static_cast<std::int64_t>(created));
}

TEST_CASE("x-api-key is required on every API route, in any header case; auth can be off") {
  harness h;
  const std::vector<std::pair<std::string, std::string>> routes{
      {"POST", "/jobs/v2"},
      {"GET", "/api/jobs-get?uuid=x"},
      {"GET", "/storage/generate-signed-path?path=x"},
      {"GET", "/api/provider/projects/active"},
      {"GET", "/api/provider/projects/468ea7a0-66e1-4357-a760-236e54167f3e/mapping-fields"}};
  for (const auto& route : routes) {
    // Not a structured binding: Clang 14 cannot capture one in CAPTURE's lambda.
    const std::string& method = route.first;
    const std::string& target = route.second;
    CAPTURE(target);
    const http::response missing = h.call(method, target, "{}", false);
    CHECK(missing.status == 401);
    error_field(missing);
    CHECK(missing.body.find(api_key) == std::string::npos);
    http::request wrong;
    wrong.method = method;
    wrong.url = target;
    wrong.headers.add("x-api-key", "sandbox-kez");
    CHECK(h.send(wrong).status == 401);
  }
  http::request upper;
  upper.url = "/api/provider/projects/active";
  upper.headers.add("X-API-KEY", std::string{api_key});
  CHECK(h.send(upper).status == 200);

  h.key.clear();  // authentication off
  CHECK(h.call("GET", "/api/provider/projects/active", {}, false).status == 200);
}

TEST_CASE("unknown routes are 404, wrong methods 405 with Allow, unknown or missing job ids 404/400") {
  harness h;
  const http::response unknown = h.call("GET", "/jobs/v3");
  CHECK(unknown.status == 404);
  error_field(unknown);
  CHECK(h.call("GET", "/").status == 404);
  CHECK(h.call("GET", "/api/provider/projects/a/b/mapping-fields").status == 404);

  const http::response get_create = h.call("GET", "/jobs/v2");
  CHECK(get_create.status == 405);
  CHECK(get_create.headers.get("Allow") == std::optional<std::string_view>{"POST"});
  error_field(get_create);
  CHECK(h.call("DELETE", "/api/jobs-get?uuid=x").status == 405);
  CHECK(h.call("POST", "/api/provider/projects/active", "{}").status == 405);
  CHECK(h.call("PUT", "/storage/generate-signed-path?path=x").status == 405);
  CHECK(h.call("POST", "/storage/objects/x?expires=1&signature=y").status == 405);

  const http::response no_job = h.poll("00000000-0000-4000-8000-000000000000");
  CHECK(no_job.status == 404);
  error_field(no_job);
  const http::response no_id = h.call("GET", "/api/jobs-get");
  CHECK(no_id.status == 400);
  CHECK(error_field(no_id) == "uuid");
  CHECK(h.poll("").status == 400);
}

TEST_CASE("seeded projects: active list and mapping fields decode with the client schema") {
  harness h;
  const http::response r = h.call("GET", "/api/provider/projects/active");
  REQUIRE(r.status == 200);
  const auto project_list = decode<tfi::project_list>(r);
  const auto& projects = tfi::list_items(project_list);
  REQUIRE(projects.size() == 7);
  std::vector<tfi::job_type> types;
  bool has_docs_template = false;
  for (const auto& p : projects) {
    CAPTURE(p.get_id());
    REQUIRE(p.job_type);
    REQUIRE(p.job_type->known());
    types.push_back(*p.job_type->known());
    has_docs_template = has_docs_template || p.get_id() == talking_template;
    CHECK(p.name.has_value());
    const http::response m = h.call("GET", "/api/provider/projects/" + std::string{p.get_id()} + "/mapping-fields");
    REQUIRE(m.status == 200);
    const auto field_list = decode<tfi::mapping_field_list>(m);
    const auto& fields = tfi::list_items(field_list);
    CHECK(!fields.empty());
    for (const auto& f : fields) {
      CHECK(f.key.has_value());
      CHECK(f.type.has_value());
    }
  }
  CHECK(has_docs_template);
  std::sort(types.begin(), types.end());
  CHECK(std::unique(types.begin(), types.end()) == types.end());  // one project per documented job type

  const http::response talking = h.call("GET", "/api/provider/projects/468ea7a0-66e1-4357-a760-236e54167f3e/mapping-fields");
  const auto talking_list = decode<tfi::mapping_field_list>(talking);
  const auto& fields = tfi::list_items(talking_list);
  REQUIRE(fields.size() == 3);
  CHECK(fields[0].key == "headline");
  CHECK(fields[1].type == "audio");
  CHECK(fields[2].type == "image");

  const http::response missing = h.call("GET", "/api/provider/projects/nope/mapping-fields");
  CHECK(missing.status == 404);
  CHECK(error_field(missing) == "projectId");
}

TEST_CASE("signed paths: valid, tampered, expired and unknown") {
  harness h;
  const std::string id = created_id(h.create(docs_example_body));
  const std::string path = "ai-talking-videos/" + std::string{talking_template} + "/outputs/" + id + ".mp4";

  // The output does not exist before the job completes.
  const http::response early = h.call("GET", "/storage/generate-signed-path?path=" + path);
  CHECK(early.status == 404);
  error_field(early);
  h.advance(2s);

  const http::response r = h.call("GET", "/storage/generate-signed-path?path=" + http::encode_query_value(path));
  REQUIRE(r.status == 200);
  const auto link = decode<tfi::signed_path>(r);
  REQUIRE(link.expires_at);
  CHECK(*link.expires_at == std::chrono::time_point_cast<std::chrono::microseconds>(h.start_wall + h.now + 15min));
  CHECK(link.signed_url.rfind(std::string{base_url} + "/storage/objects/" + path + "?expires=", 0) == 0);
  const std::string target = target_of(link.signed_url);

  SUBCASE("valid: the bytes, keyless, with the type of the extension") {
    const http::response file = h.call("GET", target, {}, false);
    REQUIRE(file.status == 200);
    CHECK(file.headers.get("Content-Type") == std::optional<std::string_view>{"video/mp4"});
    CHECK(file.body.substr(4, 4) == "ftyp");
    CHECK(file.body.find(id) != std::string::npos);
    CHECK(h.service.stats()["downloads"].as_int64() == 1);
  }
  SUBCASE("a leading slash in the path is the same key") {
    CHECK(h.call("GET", "/storage/generate-signed-path?path=%2F" + http::encode_query_value(path)).status == 200);
  }
  SUBCASE("tampered signature") {
    std::string bad = target;
    bad.back() = bad.back() == '0' ? '1' : '0';
    const http::response file = h.call("GET", bad, {}, false);
    CHECK(file.status == 403);
    error_field(file);
  }
  SUBCASE("tampered expiry") {
    const auto at = target.find("expires=") + 8;
    std::string bad = target;
    bad.insert(at, "9");
    CHECK(h.call("GET", bad, {}, false).status == 403);
  }
  SUBCASE("missing signature") {
    CHECK(h.call("GET", target.substr(0, target.find('?')), {}, false).status == 403);
  }
  SUBCASE("a valid signature for another object") {
    const std::string other = completed_output(h, body_with("video", "template_id", "2b7d4c1e-9f3a-4d6b-8e2f-5a1c3b9d7e60"));
    std::string swapped = target;
    swapped.replace(swapped.find(path), path.size(), other);
    CHECK(h.call("GET", swapped, {}, false).status == 403);
  }
  SUBCASE("valid until the expiry, 403 after it") {
    h.advance(15min);
    CHECK(h.call("GET", target, {}, false).status == 200);
    h.advance(1ms);
    const http::response file = h.call("GET", target, {}, false);
    CHECK(file.status == 403);
    CHECK(file.body.find("expired") != std::string::npos);
    // A fresh link works again.
    CHECK(h.call("GET", target_of(signed_url_for(h, path)), {}, false).status == 200);
  }
  SUBCASE("unknown object") {
    CHECK(h.call("GET", "/storage/objects/nope.mp4?expires=1&signature=00", {}, false).status == 404);
    const http::response gen = h.call("GET", "/storage/generate-signed-path?path=nope.mp4");
    CHECK(gen.status == 404);
    const http::response none = h.call("GET", "/storage/generate-signed-path");
    CHECK(none.status == 400);
    CHECK(error_field(none) == "path");
  }
  CHECK(h.service.stats()["signed_urls"].as_int64() >= 1);
}

TEST_CASE("each job type's output is served with its content type") {
  harness h;
  struct kind {
    std::string_view type, project, content_type, magic;
  };
  const std::vector<kind> kinds{
      {"tts", "9c3e5f7a-1b2d-4e6f-8a0b-c1d2e3f4a5b6", "audio/mpeg", "ID3"},
      {"image", "5e8a1f2b-3c4d-4a5e-9f60-718293a4b5c6", "image/png", "\x89PNG"},
      {"ai_image_generation", image_prompt, "image/png", "\x89PNG"},
      {"pdf", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "application/pdf", "%PDF-"},
      {"photo_qc", "d41c2b3a-8e7f-4c6d-a5b4-c3d2e1f0a9b8", "application/json", "{"},
      {"video", "2b7d4c1e-9f3a-4d6b-8e2f-5a1c3b9d7e60", "video/mp4", std::string_view{"\0\0\0\x18", 4}},
  };
  for (const auto& k : kinds) {
    CAPTURE(k.type);
    const std::string path = completed_output(h, body_with(k.type, "template_id", k.project));
    const http::response file = h.call("GET", target_of(signed_url_for(h, path)), {}, false);
    REQUIRE(file.status == 200);
    CHECK(file.headers.get("Content-Type") == std::optional<std::string_view>{k.content_type});
    CHECK(file.body.substr(0, k.magic.size()) == k.magic);
    if (k.content_type == "application/json") CHECK(json::read<json::value>(file.body).has_value());
  }
}

TEST_CASE("unknown-fields mode: unknown keys and an unknown open-enum value, still decoded") {
  harness h;
  h.inject_unknown = true;
  const http::response r = h.create(docs_example_body);
  REQUIRE(r.status == 201);
  const auto created = std::get<tfi::create_response_201>(decode<tfi::create_response>(r));
  CHECK(created.extra.find("queue_position") != nullptr);
  CHECK(created.job.extra.find("render_node") != nullptr);
  REQUIRE(created.job.status);
  CHECK(created.job.status->is_unknown());
  CHECK(created.job.status->name() == "UPSCALING");
  CHECK(status_of(created.job) == "QUEUED");  // job_status still rules

  h.advance(2s);
  const tfi::job j = polled(h, *created.job.uuid);
  CHECK(status_of(j) == "COMPLETED");
  CHECK(j.extra.find("queue") != nullptr);
  CHECK(tfi::describe(j).phase == mediajobs::api::job_phase::succeeded);

  h.shape_202 = true;
  const http::response r202 = h.create(docs_example_body);
  REQUIRE(r202.status == 202);
  const auto a = decode<tfi::create_response>(r202);
  REQUIRE(a.index() == 1);
  CHECK(std::get<tfi::create_response_202>(a).extra.find("estimated_seconds") != nullptr);

  h.inject_unknown = false;
  CHECK(polled(h, *created.job.uuid).extra.empty());
}

TEST_CASE("job ids are deterministic version-4 uuids, unique per service") {
  harness a;
  harness b;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const std::string x = created_id(a.create(docs_example_body));
    CHECK(x == created_id(b.create(docs_example_body)));
    REQUIRE(x.size() == 36);
    CHECK(x[8] == '-');
    CHECK(x[14] == '4');
    CHECK(std::string_view{"89ab"}.find(x[19]) != std::string_view::npos);
    ids.push_back(x);
  }
  std::sort(ids.begin(), ids.end());
  CHECK(std::unique(ids.begin(), ids.end()) == ids.end());
}

TEST_CASE("creates beyond limits.max_jobs answer 429; stats count jobs and links") {
  harness h{mediajobs::sandbox::service_limits{.max_jobs = 2}};
  CHECK(h.create(docs_example_body).status == 201);
  CHECK(h.create(docs_example_body).status == 201);
  const http::response full = h.create(docs_example_body);
  CHECK(full.status == 429);
  error_field(full);

  const json::value s = h.service.stats();
  CHECK(s["jobs_created"].as_int64() == 2);
  CHECK(s["jobs_live"].as_int64() == 2);
  REQUIRE(s["jobs_by_idempotency_key"].is_object());
  CHECK(s["jobs_by_idempotency_key"].size() == 0);
  CHECK(s["signed_urls"].as_int64() == 0);
  h.advance(2s);
  CHECK(h.service.stats()["jobs_live"].as_int64() == 0);
  CHECK(h.service.stats()["jobs_completed"].as_int64() == 2);
  CHECK(h.webhooks.empty());  // TFI documents no webhook
}

// --- the real client, end to end -------------------------------------------------------------

namespace {

/// A transport that hands each request to the harness (no socket), and a timer on its clock.
struct loopback {
  harness* h;
  void async_send(http::request req, std::stop_token, mediajobs::send_completion done) {
    auto u = http::url::parse(req.url);
    if (!u) {
      done(mediajobs::fail(mediajobs::error_kind::transport, "bad url"));
      return;
    }
    const std::string prefix = "/tfi";
    REQUIRE(u->path.rfind(prefix, 0) == 0);
    req.url = u->path.substr(prefix.size()) + (u->query.empty() ? "" : "?" + u->query);
    done(h->send(std::move(req)));
  }
  void async_wait(std::chrono::milliseconds d, std::stop_token, mediajobs::wait_completion done) {
    h->advance(d);
    done(mediajobs::result<void>{});
  }
  [[nodiscard]] std::chrono::milliseconds now() const { return h->now; }
};

mediajobs::api::client_options loopback_options() {
  mediajobs::api::client_options o;
  o.base_url = std::string{base_url};
  o.api_key = std::string{api_key};
  o.poll.interval = 250ms;
  return o;
}

tfi::create_request example_request() {
  tfi::create_request req;
  req.job_type = tfi::job_type::ai_talking_video;
  req.template_id = std::string{talking_template};
  req.version = 2;
  req.values = tfi::values_map{{"headline", std::string{"Launch in minutes"}}};
  return req;
}

}  // namespace

TEST_CASE("techforge::client against the service: create_and_wait, sign, download, in both create shapes") {
  harness h;
  loopback net{&h};
  tfi::client<loopback> client(net, loopback_options());
  for (const bool shape_202 : {false, true}) {
    CAPTURE(shape_202);
    h.shape_202 = shape_202;
    const duration started = h.now;
    auto done = mediajobs::sync_wait(client.create_and_wait(example_request()));
    REQUIRE(done);
    CHECK(status_of(*done) == "COMPLETED");
    CHECK(h.now - started >= 2s);
    CHECK(h.now - started < 3s);
    REQUIRE(done->output_path);
    auto link = mediajobs::sync_wait(client.signed_url(*done->output_path));
    REQUIRE(link);
    const http::response file = h.call("GET", target_of(link->signed_url), {}, false);
    CHECK(file.status == 200);
    CHECK(file.body.find(done->get_id()) != std::string::npos);
  }

  auto projects = mediajobs::sync_wait(client.active_projects());
  REQUIRE(projects);
  CHECK(projects->size() == 7);
  auto fields = mediajobs::sync_wait(client.mapping_fields(std::string{talking_template}));
  REQUIRE(fields);
  CHECK(fields->size() == 3);
  auto missing = mediajobs::sync_wait(client.mapping_fields("nope"));
  REQUIRE(!missing);
  CHECK(missing.error().kind() == mediajobs::error_kind::not_found);
}

TEST_CASE("techforge::client: a [fail] job is job_failed with the service's message; a bad template is a 400") {
  harness h;
  loopback net{&h};
  tfi::client<loopback> client(net, loopback_options());
  tfi::create_request req = example_request();
  req.values = tfi::values_map{{"headline", std::string{"please [fail]"}}};
  auto failed = mediajobs::sync_wait(client.create_and_wait(std::move(req)));
  REQUIRE(!failed);
  CHECK(failed.error().kind() == mediajobs::error_kind::job_failed);
  CHECK(failed.error().service_message().find("values.headline contains [fail]") != std::string_view::npos);

  tfi::create_request bad = example_request();
  bad.template_id = "00000000-0000-4000-8000-000000000000";
  auto refused = mediajobs::sync_wait(client.create_job(std::move(bad)));
  REQUIRE(!refused);
  CHECK(refused.error().http_status() == 400);
  CHECK(refused.error().service_message().find("template_id") != std::string_view::npos);

  auto no_job = mediajobs::sync_wait(client.get_job("00000000-0000-4000-8000-000000000000"));
  REQUIRE(!no_job);
  CHECK(no_job.error().kind() == mediajobs::error_kind::not_found);
}
