// HTTP/1.1 serializer: exact bytes, header injection refused, and round trips through the parsers.
#include <doctest/doctest.h>

#include <mediajobs/http/message.hpp>
#include <mediajobs/http/parser.hpp>
#include <mediajobs/http/serializer.hpp>

#include "split_feed.hpp"

#include <string>

using namespace std::string_literals;
namespace http = mediajobs::http;
using mediajobs::error_kind;

namespace {
std::string bytes_of(const http::request& r) {
  std::string out;
  auto ok = http::serialize(r, out);
  REQUIRE_MESSAGE(ok.has_value(), ok.error().message());
  return out;
}
std::string bytes_of(const http::response& r, std::string_view method = {}) {
  std::string out;
  auto ok = http::serialize(r, out, method);
  REQUIRE_MESSAGE(ok.has_value(), ok.error().message());
  return out;
}
}  // namespace

TEST_CASE("headers: case-insensitive lookup, repeated names kept in order, set replaces all, remove counts") {
  http::headers h;
  h.add("Set-Cookie", "a=1");
  h.add("Content-Type", "text/plain");
  h.add("set-cookie", "b=2");
  CHECK(h.size() == 3);
  CHECK(h.get("SET-COOKIE") == "a=1");
  CHECK(h.get_all("Set-Cookie") == std::vector<std::string_view>{"a=1", "b=2"});
  CHECK(h.contains("content-type"));
  CHECK_FALSE(h.get("X-Missing").has_value());
  h.set("Set-Cookie", "c=3");
  CHECK(h.size() == 2);
  CHECK(h[0].name == "Set-Cookie");  // replaced in the place of the first
  CHECK(h[0].value == "c=3");
  h.set("X-New", "n");
  CHECK(h[2].name == "X-New");
  CHECK(h.remove("x-new") == 1);
  CHECK(h.remove("x-new") == 0);
  CHECK(h.size() == 2);
}

TEST_CASE("request serializes with origin-form target, Host first, headers as given, Content-Length") {
  http::request r;
  r.method = "POST";
  r.url = "https://api.example.com/v1/jobs?limit=5";
  r.headers.add("Authorization", "Bearer sk");
  r.headers.add("Content-Type", "application/json");
  r.body = R"({"a":1})";
  CHECK(bytes_of(r) ==
        "POST /v1/jobs?limit=5 HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer sk\r\n"
        "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
}

TEST_CASE("request: GET without body has no Content-Length; POST/PUT/PATCH with an empty body have 0") {
  http::request r;
  r.url = "http://127.0.0.1:8080";
  CHECK(bytes_of(r) == "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
  for (const char* m : {"POST", "PUT", "PATCH"}) {
    r.method = m;
    CHECK(bytes_of(r) == std::string(m) + " / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 0\r\n\r\n");
  }
  r.method = "DELETE";
  CHECK(bytes_of(r) == "DELETE / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
}

TEST_CASE("request: Host keeps a non-default port and brackets IPv6; a given Host is kept") {
  http::request r;
  r.url = "http://[::1]:9000/x";
  CHECK(bytes_of(r).find("Host: [::1]:9000\r\n") != std::string::npos);
  r.url = "https://example.com:443/x";
  CHECK(bytes_of(r).find("Host: example.com\r\n") != std::string::npos);
  r.headers.add("Host", "override.test");
  CHECK(bytes_of(r) == "GET /x HTTP/1.1\r\nHost: override.test\r\n\r\n");
}

TEST_CASE("request: a matching Content-Length is kept, a wrong one refused; Transfer-Encoding refused") {
  http::request r;
  r.method = "POST";
  r.url = "http://h/";
  r.body = "abc";
  r.headers.add("Content-Length", "3");
  CHECK(bytes_of(r) == "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
  r.headers.set("Content-Length", "4");
  std::string out;
  auto bad = http::serialize(r, out);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == error_kind::validation);
  CHECK(out.empty());
  r.headers.remove("Content-Length");
  r.headers.add("Transfer-Encoding", "chunked");
  CHECK_FALSE(http::serialize(r, out));
}

TEST_CASE("header injection is refused with a validation error naming the header") {
  const std::string bad_values[] = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b"s, "a\x01"};
  for (const auto& v : bad_values) {
    CAPTURE(v);
    http::request r;
    r.url = "http://h/";
    r.headers.add("X-Custom", v);
    std::string out = "kept";
    auto res = http::serialize(r, out);
    REQUIRE_FALSE(res);
    CHECK(res.error().kind() == error_kind::validation);
    CHECK(res.error().field() == "X-Custom");
    CHECK(out == "kept");  // nothing appended
  }
  for (const std::string& name : {"X Bad"s, "X:Y"s, "X\r\nY"s, ""s, "X\0"s}) {
    http::request r;
    r.url = "http://h/";
    r.headers.add(name, "v");
    std::string out;
    auto res = http::serialize(r, out);
    REQUIRE_FALSE(res);
    CHECK(res.error().kind() == error_kind::validation);
  }
  http::request r;
  r.url = "http://h/";
  r.method = "GET /evil HTTP/1.1\r\nX:";
  std::string out;
  CHECK(http::serialize(r, out).error().field() == "method");
  r.method = "GET";
  r.url = "http://h/a b";
  CHECK_FALSE(http::serialize(r, out));
  r.url = "/a\r\nb";
  r.headers.add("Host", "h");
  CHECK_FALSE(http::serialize(r, out));
  CHECK(out.empty());
}

TEST_CASE("response serializes status line, reason default, Content-Length and Connection: close") {
  http::response r;
  r.status = 201;
  r.headers.add("Content-Type", "application/json");
  r.body = "{}";
  CHECK(bytes_of(r) == "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  r.reason = "Made";
  r.keep_alive = false;
  CHECK(bytes_of(r) == "HTTP/1.1 201 Made\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
  http::response nc;
  nc.status = 204;
  CHECK(bytes_of(nc) == "HTTP/1.1 204 No Content\r\n\r\n");
  nc.body = "x";
  std::string out;
  CHECK_FALSE(http::serialize(nc, out));
}

TEST_CASE("response to HEAD carries the Content-Length but not the body") {
  http::response r;
  r.status = 200;
  r.body = "hello";
  CHECK(bytes_of(r, "HEAD") == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
}

TEST_CASE("response reason with CR or LF is refused") {
  http::response r;
  r.status = 200;
  r.reason = "OK\r\nSet-Cookie: x";
  std::string out;
  auto res = http::serialize(r, out);
  REQUIRE_FALSE(res);
  CHECK(res.error().field() == "reason");
  CHECK(out.empty());
}

TEST_CASE("serializer appends to the output buffer") {
  http::request r;
  r.url = "http://h/a";
  std::string out;
  REQUIRE(http::serialize(r, out));
  REQUIRE(http::serialize(r, out));
  CHECK(out == "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST_CASE("request round trip: serialize then parse back with request_parser, at every split") {
  http::request r;
  r.method = "POST";
  r.url = "http://127.0.0.1:8080/v1/jobs/a%2Fb?x=1";
  r.headers.add("Content-Type", "application/json");
  r.headers.add("X-Repeated", "1");
  r.headers.add("X-Repeated", "2");
  r.body = R"({"prompt":"a\r\nb"})";
  const auto o = http_test::parse_request(bytes_of(r));
  REQUIRE(o.error.empty());
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] ==
        "POST /v1/jobs/a%2Fb?x=1 ka=1 [Host: 127.0.0.1:8080][Content-Type: application/json][X-Repeated: 1]"
        "[X-Repeated: 2][Content-Length: 19] body={\"prompt\":\"a\\r\\nb\"} trailers=");

  http::request_parser p;
  const std::string bytes = bytes_of(r);
  REQUIRE(p.feed(bytes).value() == bytes.size());
  const http::request back = p.take();
  CHECK(back.method == r.method);
  CHECK(back.body == r.body);
  CHECK(back.headers.get_all("x-repeated").size() == 2);
  // The parsed (origin-form) request serializes again to the same bytes.
  CHECK(bytes_of(back) == bytes);
}

TEST_CASE("response round trip: Content-Length, chunked, close and HEAD") {
  http::response r;
  r.status = 200;
  r.headers.add("Content-Type", "text/plain");
  r.body = std::string(1000, 'z') + "\r\n0\r\n\r\n";
  SUBCASE("content-length") {
    const auto o = http_test::parse_response(bytes_of(r));
    REQUIRE(o.messages.size() == 1);
    CHECK(o.messages[0] == "200 OK ka=1 [Content-Type: text/plain][Content-Length: 1007] body=" + r.body + " trailers=");
  }
  SUBCASE("chunked") {
    std::string out;
    REQUIRE(http::serialize_chunked(r, out, 300));
    CHECK(out.find("\r\n12c\r\n") != std::string::npos);  // 300 = 0x12c
    const auto o = http_test::parse_response(out);
    REQUIRE(o.messages.size() == 1);
    CHECK(o.messages[0] == "200 OK ka=1 [Content-Type: text/plain][Transfer-Encoding: chunked] body=" + r.body + " trailers=");
  }
  SUBCASE("connection close") {
    r.keep_alive = false;
    const auto o = http_test::parse_response(bytes_of(r));
    REQUIRE(o.messages.size() == 1);
    CHECK(o.messages[0].find("ka=0") != std::string::npos);
  }
  SUBCASE("head") {
    const auto o = http_test::parse_response(bytes_of(r, "HEAD"), false, "HEAD");
    REQUIRE(o.messages.size() == 1);
    CHECK(o.messages[0] == "200 OK ka=1 [Content-Type: text/plain][Content-Length: 1007] body= trailers=");
  }
}

TEST_CASE("reason phrases of common statuses") {
  CHECK(http::reason_phrase(200) == "OK");
  CHECK(http::reason_phrase(429) == "Too Many Requests");
  CHECK(http::reason_phrase(799).empty());
}
