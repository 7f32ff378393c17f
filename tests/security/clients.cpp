// Security of the three clients over mock_transport: the API key never leaks into anything handed
// out (errors, log lines, the request views of the logging hook), and CR/LF/NUL in path
// parameters, query values and header values never reach the transport raw.
#include <mediajobs/api/api.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/http/serializer.hpp>
#include <mediajobs/style/client.hpp>
#include <mediajobs/techforge/client.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/ugen/client.hpp>

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace api = mediajobs::api;
namespace http = mediajobs::http;
namespace ugen = mediajobs::ugen;
namespace style = mediajobs::style;
namespace techforge = mediajobs::techforge;
using mediajobs::error;
using mediajobs::error_kind;
using mediajobs::sync_wait;

namespace {

// Distinctive enough that no message or body contains it by chance.
constexpr std::string_view key = "mjk-Zq81-SECURITY-TEST-KEY-7f3c";

/// A client's world: the mock, a self-advancing timer, and every string the client handed out.
struct world {
  mediajobs::mock_transport mock;
  mediajobs::manual_timer timer;
  std::vector<std::string> handed_out;  // log lines, logged URLs and headers, error texts
  int attempts = 0;

  world() { timer.set_auto_advance(true); }

  api::client_options options(std::string base_url) {
    api::client_options o;
    o.base_url = std::move(base_url);
    o.api_key = std::string{key};
    o.on_attempt = [this](const api::attempt_log& a) {
      ++attempts;
      handed_out.push_back(a.line());
      handed_out.emplace_back(a.url);
      if (a.request_headers != nullptr)
        for (const auto& h : *a.request_headers) handed_out.push_back(h.name + ": " + h.value);
      if (a.failure != nullptr) add(*a.failure);
    };
    return o;
  }

  void add(const error& e) {
    handed_out.push_back(e.message());
    for (std::string_view s : {e.detail(), e.service_code(), e.service_message(), e.request_id(), e.json_path(),
                               e.field(), e.raw_body()})
      handed_out.emplace_back(s);
  }

  /// Every request the transport received carried the key in its auth header (so the checks
  /// below are not vacuous), and nothing handed out holds it.
  void check_no_leak(std::string_view auth_header) {
    const std::vector<http::request> requests = mock.requests();
    for (const auto& req : requests) {
      const auto sent = req.headers.get(auth_header);
      REQUIRE(sent);
      CHECK(*sent == key);
    }
    REQUIRE_FALSE(handed_out.empty());
    for (const auto& s : handed_out) {
      CAPTURE(s);
      CHECK(s.find(key) == std::string::npos);
    }
  }
};

/// The failures every client is driven through; each answer echoes the key back everywhere a
/// careless server (or proxy) might.
enum class failure { unauthorized, server_error, decode, transport, validation };

const std::string echoed_body = R"({"message":"API key )" + std::string{key} + R"( is not valid","code":")" +
                                std::string{key} + R"(","detail":")" + std::string{key} + R"("})";

http::response answer(int status, std::string body) {
  http::response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.add("Content-Type", "application/json");
  r.headers.add("X-Request-Id", std::string{key});
  return r;
}

void script(world& w, failure f) {
  w.mock.on_request([f](const http::request&) -> mediajobs::result<http::response> {
    switch (f) {
      case failure::unauthorized: return answer(401, echoed_body);
      case failure::server_error: return answer(500, echoed_body);
      case failure::decode: return answer(200, "{\"status\": " + std::string{key});  // not JSON
      case failure::transport:
        return mediajobs::unexpected<error>(error{error_kind::transport, "proxy refused " + std::string{key}});
      case failure::validation: break;
    }
    return answer(200, "{}");
  });
}

std::string name_of(failure f) {
  switch (f) {
    case failure::unauthorized: return "401";
    case failure::server_error: return "500";
    case failure::decode: return "decode error";
    case failure::transport: return "transport error";
    case failure::validation: return "validation";
  }
  return "?";
}

constexpr failure all_failures[] = {failure::unauthorized, failure::server_error, failure::decode, failure::transport,
                                    failure::validation};

/// A URL whose userinfo holds the key: refused by validation, which must not echo it.
const std::string url_with_key = "https://user:" + std::string{key} + "@cdn.example.com/p.jpg";

}  // namespace

TEST_CASE("the API key never appears in an error, a log line or a logged request: ugen") {
  for (const failure f : all_failures) {
    CAPTURE(name_of(f));
    world w;
    ugen::client<mediajobs::mock_transport, mediajobs::manual_timer> c{w.mock, w.timer, w.options({})};
    script(w, f);
    if (f == failure::validation) {
      ugen::create_job_request req;
      req.product_name = "Headphones";
      req.product_image_url = url_with_key;
      req.segment_count = 3;
      auto r = sync_wait(c.create_job(req));
      REQUIRE_FALSE(r);
      CHECK(r.error().kind() == error_kind::validation);
      w.add(r.error());
      CHECK(w.mock.request_count() == 0);
    } else {
      auto r = sync_wait(c.get_job("j-1"));
      REQUIRE_FALSE(r);
      w.add(r.error());
      auto l = sync_wait(c.list_jobs());
      REQUIRE_FALSE(l);
      w.add(l.error());
      CHECK(w.attempts >= 2);
    }
    w.check_no_leak("X-API-Key");
  }
}

TEST_CASE("the API key never appears in an error, a log line or a logged request: style") {
  for (const failure f : all_failures) {
    CAPTURE(name_of(f));
    world w;
    style::client<mediajobs::mock_transport, mediajobs::manual_timer> c{w.mock, w.timer,
                                                                        w.options("https://style.example/")};
    script(w, f);
    if (f == failure::validation) {
      style::job_create_request req;
      req.video_id = "vid_1";
      req.webhook_url = url_with_key;
      auto r = sync_wait(c.create_job(req));
      REQUIRE_FALSE(r);
      CHECK(r.error().kind() == error_kind::validation);
      w.add(r.error());
      CHECK(w.mock.request_count() == 0);
    } else {
      auto r = sync_wait(c.get_job("job_1"));
      REQUIRE_FALSE(r);
      w.add(r.error());
      auto d = sync_wait(c.get_result("job_1"));
      REQUIRE_FALSE(d);
      w.add(d.error());
      CHECK(w.attempts >= 2);
    }
    w.check_no_leak("X-API-Key");
  }
}

TEST_CASE("the API key never appears in an error, a log line or a logged request: techforge") {
  for (const failure f : all_failures) {
    CAPTURE(name_of(f));
    world w;
    techforge::client<mediajobs::mock_transport, mediajobs::manual_timer> c{w.mock, w.timer, w.options({})};
    script(w, f);
    if (f == failure::validation) {
      techforge::create_request req;
      req.job_type = techforge::job_type::video;
      req.template_id = "t-1";
      req.background_music = url_with_key;
      req.background_volume = 7.0;  // documented 0-1
      auto r = sync_wait(c.create_job(req));
      REQUIRE_FALSE(r);
      CHECK(r.error().kind() == error_kind::validation);
      w.add(r.error());
      CHECK(w.mock.request_count() == 0);
    } else {
      auto r = sync_wait(c.get_job("u-1"));
      REQUIRE_FALSE(r);
      w.add(r.error());
      auto s = sync_wait(c.signed_url("ai-talking-videos/p/outputs/v.mp4"));
      REQUIRE_FALSE(s);
      w.add(s.error());
      CHECK(w.attempts >= 2);
    }
    w.check_no_leak("x-api-key");
  }
}

// --- CR, LF and NUL ---------------------------------------------------------------------------

namespace {

const std::vector<std::string> hostile = {"a\r\nX-Injected: 1", std::string("nul\0byte", 8), "lf\nonly", "cr\ronly",
                                          "\r\n\r\nGET /smuggled HTTP/1.1"};

/// True when no byte of `s` is CR, LF or NUL.
bool clean(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

/// What a request looks like on the wire; every request a client hands to its transport must be
/// either refused by the serializer or free of raw CR/LF/NUL outside the framing.
void check_request_is_safe(const http::request& req) {
  CAPTURE(req.url);
  CHECK(clean(req.url));
  CHECK(clean(req.method));
  for (const auto& h : req.headers) {
    CAPTURE(h.name);
    CHECK(clean(h.name));
    CHECK(clean(h.value));
  }
  std::string bytes;
  REQUIRE(http::serialize(req, bytes));
  const std::size_t head_end = bytes.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  // In the head, CR and LF only ever come as the CRLF line ends, and there is no NUL.
  const std::string_view head{bytes.data(), head_end + 2};
  CHECK(head.find('\0') == std::string_view::npos);
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r') CHECK(head[i + 1] == '\n');
    if (head[i] == '\n') CHECK((i > 0 && head[i - 1] == '\r'));
  }
  CHECK(head.find("\nX-Injected") == std::string_view::npos);
  CHECK(head.find("\nGET /smuggled") == std::string_view::npos);
}

}  // namespace

TEST_CASE("CR, LF and NUL in a path parameter are percent-encoded, never sent raw") {
  for (const auto& id : hostile) {
    CAPTURE(id);
    world w;
    w.mock.on_request([](const http::request&) -> mediajobs::result<http::response> { return answer(404, "{}"); });
    ugen::client<mediajobs::mock_transport, mediajobs::manual_timer> u{w.mock, w.timer, w.options({})};
    style::client<mediajobs::mock_transport, mediajobs::manual_timer> s{w.mock, w.timer,
                                                                        w.options("https://style.example")};
    techforge::client<mediajobs::mock_transport, mediajobs::manual_timer> t{w.mock, w.timer, w.options({})};
    (void)sync_wait(u.get_job(id));
    (void)sync_wait(u.cancel_job(id));
    (void)sync_wait(s.get_result(id));
    (void)sync_wait(t.mapping_fields(id));
    REQUIRE(w.mock.request_count() == 4);
    for (std::size_t i = 0; i < w.mock.request_count(); ++i) {
      const auto req = w.mock.requests().at(i);
      check_request_is_safe(req);
      // The raw value is one encoded path segment: CR, LF and NUL as %0D, %0A, %00.
      const bool has_escape = req.url.find("%0D") != std::string::npos || req.url.find("%0A") != std::string::npos ||
                              req.url.find("%00") != std::string::npos;
      CHECK(has_escape);
    }
  }
}

TEST_CASE("CR, LF and NUL in a query value are percent-encoded, never sent raw") {
  for (const auto& v : hostile) {
    CAPTURE(v);
    world w;
    w.mock.on_request([](const http::request&) -> mediajobs::result<http::response> { return answer(404, "{}"); });
    techforge::client<mediajobs::mock_transport, mediajobs::manual_timer> t{w.mock, w.timer, w.options({})};
    (void)sync_wait(t.signed_url(v));
    REQUIRE(w.mock.request_count() == 1);
    const auto req = w.mock.requests().at(0);
    check_request_is_safe(req);
    const auto q = req.url.find('?');
    REQUIRE(q != std::string::npos);
    auto pairs = http::parse_query(std::string_view{req.url}.substr(q + 1));
    REQUIRE(pairs);
    bool found = false;
    for (const auto& [name, value] : *pairs) found = found || value == v;
    CHECK(found);  // the server decodes exactly the value given
  }
}

TEST_CASE("CR, LF and NUL in a header value are refused before the transport sees them") {
  for (const auto& v : hostile) {
    CAPTURE(v);
    SUBCASE("an idempotency key (a member of the U-Gen JSON body) is escaped") {
      world w;
      w.mock.on_request([](const http::request&) -> mediajobs::result<http::response> {
        return answer(201, R"({"id":"j-1","status":"pending"})");
      });
      ugen::client<mediajobs::mock_transport, mediajobs::manual_timer> u{w.mock, w.timer, w.options({})};
      ugen::create_job_request req;
      req.product_name = "Headphones";
      req.product_image_url = "https://example.com/h.jpg";
      req.segment_count = 3;
      req.idempotency_key = v;
      REQUIRE(sync_wait(u.create_job(req)));
      REQUIRE(w.mock.request_count() == 1);
      const auto sent = w.mock.requests().at(0);
      check_request_is_safe(sent);
      CHECK(clean(sent.body));
      auto back = mediajobs::json::read<ugen::create_job_request>(sent.body);
      REQUIRE(back);
      CHECK(back->idempotency_key == v);
    }
    SUBCASE("the User-Agent and the API key of the options") {
      for (int which = 0; which < 2; ++which) {
        CAPTURE(which);
        world w;
        w.mock.on_request([](const http::request&) -> mediajobs::result<http::response> {
          return answer(200, R"({"id":"j-1","status":"pending"})");
        });
        auto o = w.options({});
        if (which == 0) o.user_agent = v;
        else o.api_key = v;
        ugen::client<mediajobs::mock_transport, mediajobs::manual_timer> u{w.mock, w.timer, o};
        auto r = sync_wait(u.get_job("j-1"));
        for (std::size_t i = 0; i < w.mock.request_count(); ++i) check_request_is_safe(w.mock.requests().at(i));
        REQUIRE_FALSE(r);
        CHECK(r.error().kind() == error_kind::validation);
        CHECK(w.mock.request_count() == 0);
      }
    }
  }
}

TEST_CASE("the serializer refuses CR, LF and NUL in header names and values, the method and the target") {
  for (const auto& v : hostile) {
    CAPTURE(v);
    http::request req;
    req.url = "https://api.example.com/v1/jobs";
    std::string out;
    SUBCASE("header value") {
      req.headers.add("X-Custom", v);
      CHECK_FALSE(http::serialize(req, out));
    }
    SUBCASE("header name") {
      req.headers.add(v, "1");
      CHECK_FALSE(http::serialize(req, out));
    }
    SUBCASE("method") {
      req.method = v;
      CHECK_FALSE(http::serialize(req, out));
    }
    SUBCASE("absolute URL") {
      req.url += v;
      CHECK_FALSE(http::serialize(req, out));
    }
    SUBCASE("origin-form target") {
      req.url = "/v1/" + v;
      req.headers.add("Host", "api.example.com");
      CHECK_FALSE(http::serialize(req, out));
    }
    SUBCASE("response reason and header value (the sandbox side)") {
      http::response res;
      res.status = 200;
      res.reason = v;
      CHECK_FALSE(http::serialize(res, out));
      res.reason.clear();
      res.headers.add("Location", v);
      CHECK_FALSE(http::serialize(res, out));
    }
    CHECK(out.empty());  // nothing partial was written
  }
}
