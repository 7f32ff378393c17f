// api::engine, endpoint descriptors, pager and poll_job on a made-up service, independent of
// the three real clients: query and path building, envelopes, success statuses, headers,
// validation by ADL, deferred completion, replaced retry policy, pagination end rules.
#include <mediajobs/api/api.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace api = mediajobs::api;
using mediajobs::error_kind;
using mediajobs::open_enum;
using mediajobs::result;
using mediajobs::sync_wait;

namespace demo {

enum class color { red, dark_blue };

struct thing {
  std::string id;
  std::optional<int> size;
};

struct search_query {
  std::optional<std::string> text;
  std::optional<std::vector<std::string>> tags;
  std::optional<bool> archived;
  std::optional<double> min_score;
  std::optional<color> shade;
  std::optional<open_enum<color>> tint;
  int limit = 10;
};

struct make_thing {
  std::string name;
};

/// Found by ADL from the engine.
inline result<void> validate(const make_thing& m) {
  if (m.name.empty()) return mediajobs::fail(mediajobs::validation_error("name", "name is required"));
  return {};
}

inline constexpr api::endpoint<api::no_body, search_query, std::vector<thing>> search{.method = "GET",
                                                                                    .path = "/v1/things"};
inline constexpr api::endpoint<api::no_body, api::no_query, thing> get{
    .method = "GET", .path = "/v1/things/{thingId}/parts/{partId}", .wrap = api::envelope::data};
inline constexpr api::endpoint<make_thing, api::no_query, thing> create{
    .method = "POST", .path = "/v1/things", .safety = api::retry_safety::not_idempotent, .success = {201}};
inline constexpr api::endpoint<api::no_body, api::no_query, api::no_content> touch{
    .method = "PUT", .path = "/v1/things/{thingId}/touch", .success = {200, 204}};

inline constexpr api::service_profile profile{.name = "Demo", .default_base_url = "http://127.0.0.1:8080",
                                              .auth_header = "X-Demo-Key"};

}  // namespace demo

namespace {

mediajobs::http::response respond(int status, std::string body) {
  mediajobs::http::response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

struct fixture {
  mediajobs::mock_transport mock;
  mediajobs::manual_timer timer;
  fixture() { timer.set_auto_advance(true); }
  api::engine<mediajobs::mock_transport, mediajobs::manual_timer> make(api::client_options o = {}) {
    if (o.api_key.empty()) o.api_key = "demo-key";
    return {mock, timer, std::move(o), demo::profile};
  }
};

}  // namespace

TEST_CASE("engine: the query is built from the reflected struct") {
  fixture f;
  auto e = f.make();
  demo::search_query q;
  q.text = "a&b c/d";
  q.tags = std::vector<std::string>{"x", "y z"};
  q.archived = false;
  q.min_score = 0.5;
  q.shade = demo::color::dark_blue;
  q.tint = open_enum<demo::color>{"ultra violet"};
  f.mock.expect(respond(200, R"([{"id":"t1"}])"));
  auto r = sync_wait(e.call(demo::search, {}, {}, q));
  REQUIRE(r);
  CHECK(r->at(0).id == "t1");
  CHECK(f.mock.requests().at(0).url ==
        "http://127.0.0.1:8080/v1/things?text=a%26b%20c%2Fd&tags=x&tags=y%20z&archived=false&min_score=0.5"
        "&shade=dark_blue&tint=ultra%20violet&limit=10");
  f.mock.expect(respond(200, "[]"));
  REQUIRE(sync_wait(e.call(demo::search)));
  CHECK(f.mock.requests().at(1).url == "http://127.0.0.1:8080/v1/things?limit=10");
}

TEST_CASE("engine: path parameters are encoded; a missing or empty one is a validation error") {
  fixture f;
  auto e = f.make();
  f.mock.expect(respond(200, R"({"data":{"id":"p"}})"));
  REQUIRE(sync_wait(e.call(demo::get, {"a b", ".."})));
  CHECK(f.mock.requests().at(0).url == "http://127.0.0.1:8080/v1/things/a%20b/parts/%2E%2E");
  auto missing = sync_wait(e.call(demo::get, {"a"}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind() == error_kind::validation);
  CHECK(missing.error().field() == "partId");
  auto empty = sync_wait(e.call(demo::get, {"", "b"}));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().field() == "thingId");
  CHECK(f.mock.request_count() == 1);
}

TEST_CASE("engine: an enveloped endpoint accepts both forms and reports errors inside data") {
  fixture f;
  auto e = f.make();
  f.mock.expect(respond(200, R"({"success":true,"data":{"id":"p1","size":3},"message":"ok"})"));
  f.mock.expect(respond(200, R"({"id":"p2"})"));
  f.mock.expect(respond(200, R"({"success":true,"data":{"size":"big"}})"));
  auto a = sync_wait(e.call(demo::get, {"t", "p"}));
  REQUIRE(a);
  CHECK(a->id == "p1");
  CHECK(a->size == 3);
  auto b = sync_wait(e.call(demo::get, {"t", "p"}));
  REQUIRE(b);
  CHECK(b->id == "p2");
  auto c = sync_wait(e.call(demo::get, {"t", "p"}));
  REQUIRE_FALSE(c);
  CHECK(c.error().kind() == error_kind::decode);
  CHECK(c.error().json_path().substr(0, 6) == "$.data");
  CHECK(c.error().raw_body() == R"({"success":true,"data":{"size":"big"}})");
}

TEST_CASE("engine: only the descriptor's success statuses succeed") {
  fixture f;
  auto e = f.make();
  f.mock.expect(respond(204, ""));
  REQUIRE(sync_wait(e.call(demo::touch, {"t"})));
  f.mock.expect(respond(200, "not even json"));  // no_content ignores the body
  REQUIRE(sync_wait(e.call(demo::touch, {"t"})));
  f.mock.expect(respond(200, R"({"id":"t"})"));  // create expects 201
  auto r = sync_wait(e.call(demo::create, {}, demo::make_thing{"n"}));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::protocol);
  CHECK(r.error().http_status() == 200);
  CHECK(f.mock.request_count() == 3);
}

TEST_CASE("engine: headers, method, body, timeout and overrides") {
  fixture f;
  api::client_options o;
  o.api_key = "k-1";
  o.user_agent = "game/2.0";
  o.auth_header = "Authorization-Key";
  o.timeout = 1500ms;
  o.base_url = "http://127.0.0.1:9/prefix";
  auto e = f.make(o);
  f.mock.expect(respond(201, R"({"id":"t9"})"));
  REQUIRE(sync_wait(e.call(demo::create, {}, demo::make_thing{"widget"})));
  const auto req = f.mock.requests().at(0);
  CHECK(req.method == "POST");
  CHECK(req.url == "http://127.0.0.1:9/prefix/v1/things");
  CHECK(req.body == R"({"name":"widget"})");
  CHECK(req.timeout == 1500ms);
  CHECK(req.headers.get("Authorization-Key") == "k-1");
  CHECK_FALSE(req.headers.contains("X-Demo-Key"));
  CHECK(req.headers.get("User-Agent") == "game/2.0");
  CHECK(req.headers.get("Content-Type") == "application/json");
}

TEST_CASE("engine: no auth header without a key; a 401 then says so") {
  fixture f;
  api::engine<mediajobs::mock_transport, mediajobs::manual_timer> e{f.mock, f.timer, {}, demo::profile};
  f.mock.expect(respond(401, ""));
  auto r = sync_wait(e.call(demo::touch, {"t"}));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::unauthorized);
  CHECK(r.error().detail() == "invalid or missing API key");
  CHECK_FALSE(f.mock.requests().at(0).headers.contains("X-Demo-Key"));
}

TEST_CASE("engine: validate() found by ADL runs first") {
  fixture f;
  auto e = f.make();
  auto r = sync_wait(e.call(demo::create, {}, demo::make_thing{""}));
  REQUIRE_FALSE(r);
  CHECK(r.error().field() == "name");
  CHECK(f.mock.request_count() == 0);
}

TEST_CASE("engine: an invalid base URL is an error, nothing sent") {
  fixture f;
  api::client_options o;
  o.base_url = "ftp://nope";
  auto e = f.make(o);
  auto r = sync_wait(e.call(demo::touch, {"t"}));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::protocol);
  CHECK(f.mock.request_count() == 0);
}

TEST_CASE("engine: deferred completion resumes the call later") {
  fixture f;
  auto e = f.make();
  f.mock.set_deferred(true);
  f.mock.expect(respond(503, ""));
  f.mock.expect(respond(200, R"({"data":{"id":"late"}})"));
  std::optional<result<demo::thing>> out;
  mediajobs::start(e.call(demo::get, {"t", "p"}), [&](result<demo::thing> r) { out.emplace(std::move(r)); });
  CHECK_FALSE(out);
  CHECK(f.mock.complete_next());  // 503 -> backoff (auto-advanced) -> second attempt waits
  CHECK_FALSE(out);
  CHECK(f.mock.complete_next());
  REQUIRE(out);
  REQUIRE(*out);
  CHECK((*out)->id == "late");
}

TEST_CASE("engine: a replaced retry policy decides") {
  fixture f;
  api::client_options o;
  std::vector<int> seen;
  o.retry.decide = [&](const api::retry_context& c) {
    seen.push_back(c.http_status);
    api::retry_decision d;
    d.retry = c.http_status == 409 && c.retries_done == 0;  // an odd rule, to see it is used
    d.delay = 42ms;
    return d;
  };
  auto e = f.make(o);
  f.mock.expect(respond(409, ""));
  f.mock.expect(respond(503, ""));
  auto r = sync_wait(e.call(demo::touch, {"t"}));
  REQUIRE_FALSE(r);
  CHECK(r.error().http_status() == 503);
  CHECK(seen == std::vector<int>{409, 503});
  CHECK(f.timer.requested() == std::vector<std::chrono::milliseconds>{42ms});
}

TEST_CASE("pager: end rules — total, has_more, empty first page") {
  std::vector<api::page_slice<int>> script;
  std::vector<int> asked;
  const auto make = [&](int page_size) {
    return api::pager<int>{[&](int page, std::stop_token) -> mediajobs::task<result<api::page_slice<int>>> {
                             asked.push_back(page);
                             api::page_slice<int> s = script.at(asked.size() - 1);
                             co_return s;
                           },
                           1, page_size};
  };
  SUBCASE("total items reached") {
    api::page_slice<int> a;
    a.items = {1, 2};
    a.info.total = 3;
    api::page_slice<int> b;
    b.items = {3};
    b.info.total = 3;
    script = {a, b};
    auto n = sync_wait(api::for_each(make(2), [](int) {}));
    REQUIRE(n);
    CHECK(*n == 3);
    CHECK(asked == std::vector<int>{1, 2});
  }
  SUBCASE("has_more false on a full page") {
    api::page_slice<int> a;
    a.items = {1, 2};
    a.info.has_more = false;
    script = {a};
    auto n = sync_wait(api::for_each(make(2), [](int) {}));
    REQUIRE(n);
    CHECK(*n == 2);
    CHECK(asked.size() == 1);
  }
  SUBCASE("an empty first page") {
    script = {api::page_slice<int>{}};
    auto p = make(20);
    auto first = sync_wait(p.next());
    REQUIRE(first);
    CHECK_FALSE(*first);
    CHECK(p.done());
    auto again = sync_wait(p.next());
    REQUIRE(again);
    CHECK_FALSE(*again);
    CHECK(asked.size() == 1);
  }
  SUBCASE("full pages without metadata continue until a short one") {
    api::page_slice<int> full;
    full.items = {1, 2};
    api::page_slice<int> empty;
    script = {full, full, empty};
    auto n = sync_wait(api::for_each(make(2), [](int) {}));
    REQUIRE(n);
    CHECK(*n == 4);
    CHECK(asked == std::vector<int>{1, 2, 3});
  }
}

TEST_CASE("poll_job: deadline shorter than the interval polls at start and at the deadline") {
  mediajobs::manual_timer timer;
  timer.set_auto_advance(true);
  int polls = 0;
  auto fetch = [&](std::stop_token) -> mediajobs::task<result<int>> {
    ++polls;
    co_return 7;
  };
  auto describe = [](const int&) {
    api::job_view v;
    v.phase = api::job_phase::running;
    v.status = "running";
    return v;
  };
  api::wait_options<int> o;
  o.deadline = 3s;
  auto r = sync_wait(api::poll_job<int>(timer, fetch, describe, o, api::poll_policy{}));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::deadline_exceeded);
  CHECK(r.last_snapshot == 7);
  CHECK(polls == 2);
  CHECK(timer.requested() == std::vector<std::chrono::milliseconds>{3000ms});
}

TEST_CASE("engine: the logging hook never sees the key, even inside the URL") {
  fixture f;
  api::client_options o;
  o.api_key = "k-SECRET-1";
  o.base_url = "http://127.0.0.1:9/tenant/k-SECRET-1";
  std::vector<std::string> lines;
  o.on_attempt = [&](const api::attempt_log& a) {
    std::string line = a.line();
    for (const auto& h : *a.request_headers) line += " | " + h.name + ": " + h.value;
    lines.push_back(std::move(line));
  };
  auto e = f.make(o);
  f.mock.fail_next(api::not_sent_error("refused by k-SECRET-1"));
  f.mock.expect(respond(204, ""));
  REQUIRE(sync_wait(e.call(demo::touch, {"t"})));
  REQUIRE(lines.size() == 2);
  for (const auto& l : lines) {
    CAPTURE(l);
    CHECK(l.find("k-SECRET-1") == std::string::npos);
    CHECK(l.find("X-Demo-Key: [redacted]") != std::string::npos);
    CHECK(l.find("http://127.0.0.1:9/tenant/[redacted]/v1/things/t/touch") != std::string::npos);
  }
  CHECK(lines[0].find("refused by [redacted]; request not sent") != std::string::npos);
  CHECK(f.mock.requests().at(1).headers.get("X-Demo-Key") == "k-SECRET-1");
}
