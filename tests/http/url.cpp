// URL parsing, joining with a base path prefix, percent-encoding and query building.
#include <doctest/doctest.h>

#include <mediajobs/http/url.hpp>

#include <string>

namespace http = mediajobs::http;
using mediajobs::error_kind;

TEST_CASE("url parses scheme, host, default and explicit ports, path and query") {
  auto u = http::url::parse("https://API.Example.com/v1/jobs?limit=5&x=a%20b");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.example.com");
  CHECK(u->port == 443);
  CHECK(u->path == "/v1/jobs");
  CHECK(u->query == "limit=5&x=a%20b");
  CHECK(u->target() == "/v1/jobs?limit=5&x=a%20b");
  CHECK(u->authority() == "api.example.com");

  u = http::url::parse("HTTP://localhost:8080");
  REQUIRE(u);
  CHECK(u->scheme == "http");
  CHECK(u->port == 8080);
  CHECK(u->path.empty());
  CHECK(u->target() == "/");
  CHECK(u->authority() == "localhost:8080");
  CHECK(u->to_string() == "http://localhost:8080");

  u = http::url::parse("http://h:80/");
  REQUIRE(u);
  CHECK(u->authority() == "h");  // default port left out of Host
  u = http::url::parse("https://h:/x");
  REQUIRE(u);
  CHECK(u->port == 443);  // RFC 3986: an empty port is the default
}

TEST_CASE("url parses IPv6 literals with and without port") {
  auto u = http::url::parse("http://[::1]:8080/p");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 8080);
  CHECK(u->is_ipv6());
  CHECK(u->authority() == "[::1]:8080");
  CHECK(u->to_string() == "http://[::1]:8080/p");
  u = http::url::parse("https://[2001:DB8::A]/");
  REQUIRE(u);
  CHECK(u->host == "2001:db8::a");
  CHECK(u->port == 443);
  CHECK(u->authority() == "[2001:db8::a]");
  u = http::url::parse("http://[::ffff:127.0.0.1]/");
  REQUIRE(u);
  CHECK(u->host == "::ffff:127.0.0.1");
}

TEST_CASE("url drops the fragment") {
  auto u = http::url::parse("https://h/a?b=1#frag?x");
  REQUIRE(u);
  CHECK(u->path == "/a");
  CHECK(u->query == "b=1");
  u = http::url::parse("https://h/a#f");
  REQUIRE(u);
  CHECK(u->query.empty());
}

TEST_CASE("url refuses garbage with a protocol error naming the problem") {
  struct bad_case {
    const char* text;
    const char* says;
  };
  const bad_case cases[] = {
      {"", "missing scheme"},
      {"example.com/x", "missing scheme"},
      {"ftp://h/", "unsupported scheme"},
      {"https://", "missing host"},
      {"https:///path", "missing host"},
      {"https://:8080/", "missing host"},
      {"https://user:secret@h/", "userinfo"},
      {"https://h:0/", "bad port"},
      {"https://h:65536/", "bad port"},
      {"https://h:123456/", "bad port"},
      {"https://h:8x/", "bad port"},
      {"https://[::1/", "unterminated IPv6"},
      {"https://[zz::1]/", "IPv6"},
      {"https://[1.2.3.4]/", "IPv6 literal without ':'"},
      {"https://[::1]x/", "after IPv6"},
      {"https://[fe80::1%25eth0]/", "IPv6"},
      {"https://h st/", "in host"},
      {"https://h/a b", "in path"},
      {"https://h/a\r\nb", "in path"},
      {"https://h/%zz", "in path"},
      {"https://h/%4", "in path"},
      {"https://h/?q=a b", "in query"},
      {"https://h/\xc3\xa9", "in path"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto u = http::url::parse(c.text);
    REQUIRE_FALSE(u);
    CHECK(u.error().kind() == error_kind::protocol);
    CHECK(u.error().detail().find(c.says) != std::string_view::npos);
    CHECK(u.error().byte_offset().has_value());
  }
}

TEST_CASE("url error never repeats a password") {
  auto u = http::url::parse("https://user:hunter2@h/");
  REQUIRE_FALSE(u);
  CHECK(u.error().message().find("hunter2") == std::string::npos);
}

TEST_CASE("join keeps the base path prefix and never doubles a slash") {
  auto j = [](const char* base, const char* ep) {
    auto r = http::join(std::string_view{base}, std::string_view{ep});
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    return *r;
  };
  CHECK(j("https://gw.example/ugen", "/v1/jobs") == "https://gw.example/ugen/v1/jobs");
  CHECK(j("https://gw.example/ugen/", "/v1/jobs") == "https://gw.example/ugen/v1/jobs");
  CHECK(j("https://gw.example/ugen/", "v1/jobs") == "https://gw.example/ugen/v1/jobs");
  CHECK(j("https://gw.example/ugen//", "//v1/jobs") == "https://gw.example/ugen/v1/jobs");
  CHECK(j("https://api.example", "/v1/jobs") == "https://api.example/v1/jobs");
  CHECK(j("https://api.example/", "/v1/jobs") == "https://api.example/v1/jobs");
  CHECK(j("https://api.example", "") == "https://api.example/");
  CHECK(j("https://gw.example/ugen", "") == "https://gw.example/ugen");
  CHECK(j("http://[::1]:8080/p", "/jobs/a%2Fb?x=1") == "http://[::1]:8080/p/jobs/a%2Fb?x=1");
  CHECK(j("https://gw.example/ugen?key=1", "/v1/jobs?limit=2") == "https://gw.example/ugen/v1/jobs?key=1&limit=2");
  CHECK(j("https://gw.example/ugen/", "/v1/jobs/") == "https://gw.example/ugen/v1/jobs/");

  auto base = http::url::parse("https://gw.example/ugen/");
  REQUIRE(base);
  auto u = http::join(*base, "/v1/jobs/" + http::encode_path_segment("a/b c"));
  REQUIRE(u);
  CHECK(u->path == "/ugen/v1/jobs/a%2Fb%20c");
  CHECK(u->target() == "/ugen/v1/jobs/a%2Fb%20c");
}

TEST_CASE("join refuses an unencoded endpoint") {
  auto base = http::url::parse("https://h/");
  REQUIRE(base);
  for (const char* ep : {"/v1/jobs/a b", "/v1/#frag", "/v1?x=a b", "/v1/%g0"}) {
    CAPTURE(ep);
    auto u = http::join(*base, ep);
    REQUIRE_FALSE(u);
    CHECK(u.error().kind() == error_kind::protocol);
  }
  CHECK_FALSE(http::join(std::string_view{"nope"}, std::string_view{"/x"}));
}

TEST_CASE("path segment encoding keeps a job id inside one segment") {
  CHECK(http::encode_path_segment("job_123-abc.~") == "job_123-abc.~");
  CHECK(http::encode_path_segment("a/b") == "a%2Fb");
  CHECK(http::encode_path_segment("a b") == "a%20b");
  CHECK(http::encode_path_segment("?#%&=+") == "%3F%23%25%26%3D%2B");
  CHECK(http::encode_path_segment("caf\xc3\xa9") == "caf%C3%A9");
  CHECK(http::encode_path_segment(std::string_view("\0\r\n", 3)) == "%00%0D%0A");
  CHECK(http::encode_path_segment("..") == "%2E%2E");  // never a dot-segment
  CHECK(http::encode_path_segment(".") == "%2E");
  CHECK(http::encode_path_segment("a..b") == "a..b");
  CHECK(http::encode_path_segment("").empty());
}

TEST_CASE("query value encoding: space is %20, reserved bytes escaped, unreserved kept") {
  CHECK(http::encode_query_value("x y") == "x%20y");
  CHECK(http::encode_query_value("a&b=c+d") == "a%26b%3Dc%2Bd");
  CHECK(http::encode_query_value("AZaz09-._~") == "AZaz09-._~");
}

TEST_CASE("percent_decode and parse_query undo the encoding") {
  CHECK(http::percent_decode("a%2Fb%20c").value() == "a/b c");
  CHECK(http::percent_decode("a+b").value() == "a+b");
  CHECK(http::percent_decode("a+b", true).value() == "a b");
  CHECK_FALSE(http::percent_decode("%2"));
  CHECK_FALSE(http::percent_decode("%zz"));
  auto q = http::parse_query("a=1&b=x%20y&&flag&c=");
  REQUIRE(q);
  REQUIRE(q->size() == 4);
  CHECK((*q)[0] == std::pair<std::string, std::string>{"a", "1"});
  CHECK((*q)[1] == std::pair<std::string, std::string>{"b", "x y"});
  CHECK((*q)[2] == std::pair<std::string, std::string>{"flag", ""});
  CHECK((*q)[3] == std::pair<std::string, std::string>{"c", ""});
  auto bad = http::parse_query("a=1&b=%x");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().byte_offset() == 6u);
}

TEST_CASE("query_builder builds ?a=1&b=x%20y with typed values") {
  http::query_builder q;
  CHECK(q.empty());
  CHECK(q.str().empty());
  q.add("a", 1).add("b", "x y").add("flag", true).add("neg", -5).add("f", 0.5).add("big", 1e300);
  CHECK(q.query() == "a=1&b=x%20y&flag=true&neg=-5&f=0.5&big=1e%2B300");
  CHECK(q.str() == "?a=1&b=x%20y&flag=true&neg=-5&f=0.5&big=1e%2B300");
  std::string target = "/v1/jobs";
  http::query_builder{}.add("k", std::string("v")).append_to(target);
  CHECK(target == "/v1/jobs?k=v");
  http::query_builder{}.add("k2", "w").append_to(target);
  CHECK(target == "/v1/jobs?k=v&k2=w");
  http::query_builder{}.append_to(target);
  CHECK(target == "/v1/jobs?k=v&k2=w");
  CHECK(http::query_builder{}.add("a key", "v&w").str() == "?a%20key=v%26w");
}
