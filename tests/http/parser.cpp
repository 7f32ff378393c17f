// HTTP/1.1 parser corpus, written from RFC 9112. Every input goes through parse_every_way():
// whole, byte by byte and split at every point, which must all agree.
#include <doctest/doctest.h>

#include <mediajobs/http/parser.hpp>

#include "split_feed.hpp"

#include <cstdint>
#include <string>

using namespace std::string_literals;
using http_test::kind_of;
using http_test::parse_request;
using http_test::parse_response;
namespace http = mediajobs::http;
using mediajobs::error_kind;

// ---------------------------------------------------------------------------------------------
// Responses: framing
// ---------------------------------------------------------------------------------------------

TEST_CASE("response with Content-Length parses status, reason, headers and body") {
  const auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
  REQUIRE(o.error.empty());
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "200 OK ka=1 [Content-Type: application/json][Content-Length: 7] body={\"a\":1} trailers=");
  CHECK_FALSE(o.pending);
}

TEST_CASE("parsed response exposes typed fields and case-insensitive header lookup") {
  http::response_parser p;
  const std::string bytes = "HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\nX-Request-Id: r-1\r\n\r\nabc";
  auto r = p.feed(bytes);
  REQUIRE(r);
  CHECK(*r == bytes.size());
  REQUIRE(p.done());
  const http::response res = p.take();
  CHECK(res.status == 404);
  CHECK(res.reason == "Not Found");
  CHECK(res.body == "abc");
  CHECK(res.keep_alive);
  CHECK(res.headers.get("X-REQUEST-ID") == "r-1");
  CHECK_FALSE(p.done());
}

TEST_CASE("response with Content-Length 0 is complete at the end of the headers") {
  const auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(o.messages.size() == 1);
  CHECK_FALSE(o.pending);
}

TEST_CASE("empty reason phrase and a missing last space are accepted") {
  auto o = parse_response("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0].rfind("200  ka=1", 0) == 0);
  o = parse_response("HTTP/1.1 204\r\n\r\n");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0].rfind("204  ka=1", 0) == 0);
}

TEST_CASE("repeated equal Content-Length values are accepted, in one line or several") {
  auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello");
  REQUIRE(o.error.empty());
  CHECK(o.messages.at(0).find("body=hello") != std::string::npos);
  o = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
  REQUIRE(o.error.empty());
  CHECK(o.messages.size() == 1);
}

TEST_CASE("differing Content-Length values are a protocol error") {
  auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
  CHECK(kind_of(o) == "protocol");
  CHECK(o.error.find("conflicting Content-Length") != std::string::npos);
  o = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!");
  CHECK(kind_of(o) == "protocol");
}

TEST_CASE("non-digit, signed, empty and overflowing Content-Length are protocol errors") {
  for (const char* v : {"abc", "-1", "+5", "5a", "0x10", "", "5,", "1 2", "99999999999999999999999"}) {
    CAPTURE(v);
    const auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Length: "s + v + "\r\n\r\n");
    CHECK(kind_of(o) == "protocol");
  }
}

TEST_CASE("Content-Length above the body limit is limit_exceeded before any body byte") {
  http::parser_limits lim;
  lim.max_body_bytes = 10;
  const auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", false, "GET", lim);
  CHECK(kind_of(o) == "limit_exceeded");
  const auto ok = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", false, "GET", lim);
  CHECK(ok.error.empty());
  CHECK(ok.messages.size() == 1);
}

TEST_CASE("response without length is close-delimited: ended by eof, never reusable") {
  const auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until close", true);
  REQUIRE(o.error.empty());
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "200 OK ka=0 [Content-Type: text/plain] body=all of this until close trailers=");
  // Without eof the message is still pending.
  const auto pending = parse_response("HTTP/1.1 200 OK\r\n\r\nsome", false);
  CHECK(pending.messages.empty());
  CHECK(pending.pending);
}

TEST_CASE("close-delimited body is bounded by the body limit") {
  http::parser_limits lim;
  lim.max_body_bytes = 4;
  const auto o = parse_response("HTTP/1.1 200 OK\r\n\r\n12345", true, "GET", lim);
  CHECK(kind_of(o) == "limit_exceeded");
  CHECK(o.error.rfind("limit_exceeded@23:", 0) == 0);  // 19 header bytes + the 5th body byte
}

TEST_CASE("HEAD response has no body even with a Content-Length") {
  const std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n";
  const auto o = parse_response(bytes, false, "HEAD");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0].find("body= ") != std::string::npos);
  // The same bytes answering a GET wait for the body.
  const auto get = parse_response(bytes, false, "GET");
  CHECK(get.messages.empty());
  CHECK(get.pending);
}

TEST_CASE("204 and 304 responses have no body") {
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    CAPTURE(status);
    const std::string one = "HTTP/1.1 "s + status + "\r\nContent-Length: 10\r\n\r\n";
    const auto o = parse_response(one + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    REQUIRE(o.error.empty());
    REQUIRE(o.messages.size() == 2);  // the next response follows at once
    CHECK(o.messages[1].find("body=ok") != std::string::npos);
  }
}

TEST_CASE("any number of 1xx interim responses are skipped") {
  std::string bytes;
  for (int i = 0; i < 50; ++i) bytes += "HTTP/1.1 100 Continue\r\n\r\n";
  bytes += "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
  bytes += "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}";
  const auto o = parse_response(bytes);
  REQUIRE(o.error.empty());
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "201 Created ka=1 [Content-Length: 2] body={} trailers=");
}

TEST_CASE("1xx responses are bounded by the total header bytes, not by their count") {
  http::parser_limits lim;
  lim.max_header_bytes = 200;
  std::string bytes;
  for (int i = 0; i < 10; ++i) bytes += "HTTP/1.1 100 Continue\r\n\r\n";  // 25 bytes each
  bytes += "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  const auto o = parse_response(bytes, false, "GET", lim);
  CHECK(kind_of(o) == "limit_exceeded");
  lim.max_header_bytes = 1000;
  CHECK(parse_response(bytes, false, "GET", lim).messages.size() == 1);
}

TEST_CASE("101 Switching Protocols is refused: no upgrade is ever requested") {
  const auto o = parse_response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
  CHECK(kind_of(o) == "protocol");
}

TEST_CASE("keep_alive: HTTP/1.1 by default, Connection: close, HTTP/1.0 with and without keep-alive") {
  auto ka = [](const std::string& head) {
    const auto o = parse_response(head + "Content-Length: 0\r\n\r\n");
    REQUIRE(o.messages.size() == 1);
    return o.messages[0].find("ka=1") != std::string::npos;
  };
  CHECK(ka("HTTP/1.1 200 OK\r\n"));
  CHECK_FALSE(ka("HTTP/1.1 200 OK\r\nConnection: close\r\n"));
  CHECK_FALSE(ka("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\n"));
  CHECK_FALSE(ka("HTTP/1.0 200 OK\r\n"));
  CHECK(ka("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"));
  CHECK_FALSE(ka("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\n"));
}

TEST_CASE("bytes after a response are not consumed: they belong to the next one") {
  http::response_parser p;
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none";
  const std::string second = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n";
  const std::string both = first + second;
  auto r = p.feed(both);
  REQUIRE(r);
  CHECK(*r == first.size());
  REQUIRE(p.done());
  CHECK(p.feed(std::string_view(both).substr(*r)).value() == 0);  // done: nothing more until take()
  CHECK(p.take().body == "one");
  r = p.feed(std::string_view(both).substr(first.size()));
  REQUIRE(r);
  CHECK(*r == second.size());
  REQUIRE(p.done());
  CHECK(p.take().body == "two");
  // A pipelined run through the split helper gives both messages too.
  CHECK(parse_response(both).messages.size() == 2);
}

TEST_CASE("HTTP versions other than 1.x are refused, malformed status lines too") {
  for (const char* line : {"HTTP/2.0 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 Low", "HTTP/1.1  200 OK",
                           "http/1.1 200 OK", "HTTP/1.1 abc OK", "HTTP/11 200 OK", "ICY 200 OK", "HTTP/1.1 200\tOK"}) {
    CAPTURE(line);
    const auto o = parse_response(std::string(line) + "\r\nContent-Length: 0\r\n\r\n");
    CHECK(kind_of(o) == "protocol");
  }
}

// ---------------------------------------------------------------------------------------------
// Chunked
// ---------------------------------------------------------------------------------------------

TEST_CASE("chunked body split at every byte parses the same") {
  const auto o = parse_response(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n"
      "1;name=value;quoted=\"a b\"\r\n,\r\n"
      "0006 \t; ext\r\n world\r\n"
      "A\r\n0123456789\r\n"
      "0\r\n\r\n");
  REQUIRE(o.error.empty());
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "200 OK ka=1 [Transfer-Encoding: chunked] body=hello, world0123456789 trailers=");
}

TEST_CASE("chunked trailers are parsed and kept apart from the headers") {
  const auto o = parse_response(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\nX-Checksum: 42\r\nX-Other:  v \r\n\r\n");
  REQUIRE(o.error.empty());
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "200 OK ka=1 [Transfer-Encoding: chunked] body=abc trailers=[X-Checksum: 42][X-Other: v]");
}

TEST_CASE("chunk sizes: uppercase and lowercase hex, leading zeros") {
  const auto o = parse_response(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0000000000000000000000001\r\na\r\n0123456789abcdeF\r\n");
  // The last chunk announced (~81 PB) must hit the body limit, not overflow.
  CHECK(kind_of(o) == "limit_exceeded");
  const auto ok = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00001\r\na\r\nB\r\n0123456789A\r\n000\r\n\r\n");
  REQUIRE(ok.error.empty());
  CHECK(ok.messages.at(0).find("body=a0123456789A ") != std::string::npos);
}

TEST_CASE("bad chunk sizes are protocol errors: negative, non-hex, empty, 0x, overflow") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* line : {"-5", "g", "", ";ext", "0x10", " 5", "5 5", "+5", "10000000000000000", "fffffffffffffffff"}) {
    CAPTURE(line);
    const auto o = parse_response(head + line + "\r\nhello\r\n0\r\n\r\n");
    CHECK(kind_of(o) == "protocol");
  }
}

TEST_CASE("chunk data must be followed by CRLF") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  auto o = parse_response(head + "3\r\nabcd\r\n0\r\n\r\n");
  CHECK(kind_of(o) == "protocol");
  CHECK(o.error.find("after chunk data") != std::string::npos);
  CHECK(o.error.rfind("protocol@53:", 0) == 0);  // the 'd'
  o = parse_response(head + "3\r\nabc\rX0\r\n\r\n");
  CHECK(kind_of(o) == "protocol");
}

TEST_CASE("chunked body is bounded by the body limit across chunks") {
  http::parser_limits lim;
  lim.max_body_bytes = 8;
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  CHECK(parse_response(head + "4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n", false, "GET", lim).error.empty());
  CHECK(kind_of(parse_response(head + "4\r\nabcd\r\n5\r\nefghi\r\n0\r\n\r\n", false, "GET", lim)) == "limit_exceeded");
}

TEST_CASE("chunk-size line and trailers are bounded") {
  http::parser_limits lim;
  lim.max_chunk_line_bytes = 32;
  lim.max_header_bytes = 128;
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";  // 47 bytes
  const auto long_ext = parse_response(head + "1;" + std::string(40, 'x') + "\r\na\r\n0\r\n\r\n", false, "GET", lim);
  CHECK(kind_of(long_ext) == "limit_exceeded");
  const auto long_trailer = parse_response(head + "0\r\nX: " + std::string(100, 'y') + "\r\n\r\n", false, "GET", lim);
  CHECK(kind_of(long_trailer) == "limit_exceeded");
}

TEST_CASE("control bytes in chunk extensions are refused") {
  const auto o = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\x01\r\nx\r\n0\r\n\r\n");
  CHECK(kind_of(o) == "protocol");
}

TEST_CASE("Transfer-Encoding coding names are case-insensitive and may span lines") {
  auto o = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\nz\r\n0\r\n\r\n");
  CHECK(o.messages.size() == 1);
  // gzip then chunked: framed as chunked, the coding stays visible to the caller.
  o = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0].find("body=z ") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Smuggling shapes and framing conflicts
// ---------------------------------------------------------------------------------------------

TEST_CASE("Transfer-Encoding together with Content-Length is refused (both orders, both sides)") {
  const std::string resp1 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  const std::string resp2 = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n";
  CHECK(kind_of(parse_response(resp1)) == "protocol");
  CHECK(kind_of(parse_response(resp2)) == "protocol");
  const auto req = parse_request("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  CHECK(kind_of(req) == "protocol");
  CHECK(req.error.find("smuggling") != std::string::npos);
}

TEST_CASE("chunked applied twice is refused") {
  CHECK(kind_of(parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n")) == "protocol");
  CHECK(kind_of(parse_request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")) ==
        "protocol");
}

TEST_CASE("Transfer-Encoding: chunked, identity is refused in a request and close-delimited in a response") {
  CHECK(kind_of(parse_request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")) ==
        "protocol");
  CHECK(kind_of(parse_request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n")) == "protocol");
  // RFC 9112 §6.3 (4): chunked is not final → the body runs to the close, raw.
  const auto o = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", true);
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "200 OK ka=0 [Transfer-Encoding: chunked, identity] body=0\r\n\r\n trailers=");
}

TEST_CASE("empty Transfer-Encoding is refused in a request") {
  CHECK(kind_of(parse_request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n")) == "protocol");
}

TEST_CASE("Transfer-Encoding in an HTTP/1.0 message is faulty framing") {
  CHECK(kind_of(parse_response("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")) == "protocol");
  CHECK(kind_of(parse_request("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")) == "protocol");
}

TEST_CASE("whitespace between header name and colon is refused") {
  const auto o = parse_response("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello");
  CHECK(kind_of(o) == "protocol");
  CHECK(o.error.rfind("protocol@31:", 0) == 0);  // the space after the name
  CHECK(kind_of(parse_request("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n")) == "protocol");
}

TEST_CASE("invalid header names and values are refused") {
  for (const std::string& line : {"Bad Name: x"s, "(x): y"s, ": empty name"s, "no colon"s, "X: a\x01"s, "X: a\x7f"s,
                                 "X: a\0b"s, "X: a\rb"s}) {
    CAPTURE(line);
    CHECK(kind_of(parse_response("HTTP/1.1 200 OK\r\n" + line + "\r\nContent-Length: 0\r\n\r\n")) == "protocol");
  }
  // obs-text (bytes >= 0x80) is allowed in values.
  CHECK(parse_response("HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n").error.empty());
}

TEST_CASE("obs-fold is replaced by one space; a fold before the first field is refused") {
  const auto o = parse_response("HTTP/1.1 200 OK\r\nX-Long: first\r\n   second\r\n\tthird \r\nContent-Length: 0\r\n\r\n");
  REQUIRE(o.error.empty());
  CHECK(o.messages.at(0) == "200 OK ka=1 [X-Long: first second third][Content-Length: 0] body= trailers=");
  CHECK(kind_of(parse_response("HTTP/1.1 200 OK\r\n X: y\r\nContent-Length: 0\r\n\r\n")) == "protocol");
  CHECK(kind_of(parse_request("GET / HTTP/1.1\r\n Host: y\r\n\r\n")) == "protocol");
}

TEST_CASE("bare LF line endings are tolerated; a bare CR is refused") {
  // Decision (RFC 9112 §2.2 MAY): LF alone ends a line everywhere a line ends.
  const auto o = parse_response("HTTP/1.1 200 OK\nContent-Length: 2\n\nok");
  REQUIRE(o.error.empty());
  CHECK(o.messages.at(0) == "200 OK ka=1 [Content-Length: 2] body=ok trailers=");
  const auto chunked = parse_response("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\nT: 1\n\n");
  REQUIRE(chunked.error.empty());
  CHECK(chunked.messages.at(0) == "200 OK ka=1 [Transfer-Encoding: chunked] body=ok trailers=[T: 1]");
  const auto mixed = parse_request("GET / HTTP/1.1\r\nHost: a\n\r\n");
  CHECK(mixed.messages.size() == 1);

  CHECK(kind_of(parse_response("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n")) == "protocol");
  CHECK(kind_of(parse_response("HTTP/1.1 200 OK\r\nX: a\rContent-Length: 0\r\n\r\n")) == "protocol");
  CHECK(kind_of(parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\rok\r\n0\r\n\r\n")) == "protocol");
  CHECK(kind_of(parse_response("HTTP/1.1 200 OK\r\n\rContent-Length: 0\r\n\r\n")) == "protocol");
}

TEST_CASE("empty lines before the start line are skipped") {
  const auto o = parse_request("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "GET / ka=1 [Host: a] body= trailers=");
}

// ---------------------------------------------------------------------------------------------
// Limits and incomplete messages
// ---------------------------------------------------------------------------------------------

TEST_CASE("header section is bounded by the header byte limit (default 64 KiB)") {
  const std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\nContent-Length: 0\r\n\r\n";
  auto o = parse_response(big);
  CHECK(kind_of(o) == "limit_exceeded");
  CHECK(o.error.rfind("limit_exceeded@65536:", 0) == 0);
  http::parser_limits lim;
  lim.max_header_bytes = 128 * 1024;
  CHECK(parse_response(big, false, "GET", lim).messages.size() == 1);
  // Exactly at the limit is fine; one byte over is not.
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  lim.max_header_bytes = head.size();
  CHECK(parse_response(head, false, "GET", lim).messages.size() == 1);
  lim.max_header_bytes = head.size() - 1;
  CHECK(kind_of(parse_response(head, false, "GET", lim)) == "limit_exceeded");
  // Endless empty lines before a start line are bounded too.
  lim.max_header_bytes = 64;
  CHECK(kind_of(parse_request(std::string(100, '\n'), false, lim)) == "limit_exceeded");
}

TEST_CASE("eof before the end of a message is an incomplete-message protocol error") {
  const char* cases[] = {
      "HTTP/1.1 200 OK\r\nContent-Len",                                            // mid-headers
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",                        // short body
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",              // in chunk data
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",       // before last chunk
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",                // in trailers
      "HTTP/1.1 100 Continue\r\n\r\n",                                             // only an interim
  };
  for (const char* c : cases) {
    CAPTURE(c);
    const auto o = parse_response(c, true);
    CHECK(kind_of(o) == "protocol");
    CHECK(o.error.find("incomplete message") != std::string::npos);
    CHECK(o.messages.empty());
  }
}

TEST_CASE("eof before any byte is reported, and started() tells it apart from a cut message") {
  http::response_parser p;
  CHECK_FALSE(p.started());
  auto r = p.eof();
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::protocol);
  CHECK(r.error().detail().find("before the response began") != std::string_view::npos);

  http::response_parser q;
  REQUIRE(q.feed("HTTP/1.1 2"));
  CHECK(q.started());
}

TEST_CASE("after an error the parser stays failed until reset") {
  http::response_parser p;
  auto r = p.feed("HTTP/9.9 200 OK\r\n\r\n");
  REQUIRE_FALSE(r);
  CHECK(p.failed());
  auto again = p.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  REQUIRE_FALSE(again);
  CHECK(again.error() == r.error());
  p.reset();
  REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  CHECK(p.done());
}

TEST_CASE("eof after a complete Content-Length response is fine; feeding after eof is not") {
  http::response_parser p;
  REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));
  CHECK(p.eof().has_value());
  CHECK(p.done());
  http::response_parser q;
  REQUIRE(q.feed("HTTP/1.1 200 OK\r\n\r\nabc"));
  REQUIRE(q.eof());
  CHECK_FALSE(q.feed("more").has_value());
}

TEST_CASE("error offsets point at the offending byte, counted from the message start") {
  auto o = parse_response("HTTP/1.1 200 OK\r\nX: ok\r\nY: b\x01\r\n\r\n");
  CHECK(o.error.rfind("protocol@28:", 0) == 0);
  // 1xx bytes count: the same bad line after a 25-byte interim response.
  o = parse_response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX: ok\r\nY: b\x01\r\n\r\n");
  CHECK(o.error.rfind("protocol@53:", 0) == 0);
  // Chunk-size error: the 'g' at offset 47.
  o = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\ng\r\n");
  CHECK(o.error.rfind("protocol@47:", 0) == 0);
}

TEST_CASE("HEAD is remembered for one response only") {
  http::response_parser p;
  p.set_request_method("HEAD");
  REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
  REQUIRE(p.done());
  (void)p.take();
  REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
  CHECK_FALSE(p.done());  // now waiting for the 5 body bytes of a GET
  REQUIRE(p.feed("hello"));
  CHECK(p.take().body == "hello");
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

TEST_CASE("request line, headers and Content-Length body") {
  const auto o = parse_request("POST /v1/jobs?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 4\r\n\r\n{\"\"}");
  REQUIRE(o.error.empty());
  CHECK(o.messages.at(0) == "POST /v1/jobs?x=1 ka=1 [Host: 127.0.0.1:8080][Content-Length: 4] body={\"\"} trailers=");
}

TEST_CASE("request without Content-Length or Transfer-Encoding has no body") {
  const auto o = parse_request("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  REQUIRE(o.messages.size() == 2);
  CHECK(o.messages[0] == "GET /a ka=1 [Host: h] body= trailers=");
  CHECK(o.messages[1] == "GET /b ka=0 [Host: h][Connection: close] body= trailers=");
}

TEST_CASE("chunked request body with extensions and trailers") {
  const auto o = parse_request(
      "PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;a=b\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n");
  REQUIRE(o.error.empty());
  CHECK(o.messages.at(0) ==
        "PUT /up ka=1 [Host: h][Transfer-Encoding: chunked] body=Wikipedia in\r\n\r\nchunks. trailers=[Expires: never]");
}

TEST_CASE("HTTP/1.0 request is not kept alive unless asked") {
  CHECK(parse_request("GET / HTTP/1.0\r\n\r\n").messages.at(0).find("ka=0") != std::string::npos);
  CHECK(parse_request("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").messages.at(0).find("ka=1") != std::string::npos);
}

TEST_CASE("malformed request lines are refused") {
  for (const char* line : {"GET /", "GET  / HTTP/1.1", "GET / HTTP/1.1 ", "G(T / HTTP/1.1", "GET / HTTP/2", "GET /a b HTTP/1.1",
                           " GET / HTTP/1.1", "GET /\x7f HTTP/1.1", "GET / HTTP/1.1x", "/ HTTP/1.1"}) {
    CAPTURE(line);
    CHECK(kind_of(parse_request(std::string(line) + "\r\nHost: a\r\n\r\n")) == "protocol");
  }
}

TEST_CASE("incomplete request at eof is an error; a clean close between requests is not") {
  const auto o = parse_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab", true);
  CHECK(kind_of(o) == "protocol");
  const auto clean = parse_request("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true);
  CHECK(clean.error.empty());
  CHECK(clean.messages.size() == 1);
  CHECK_FALSE(clean.pending);
}

// ---------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------

TEST_CASE("a header split from a large body in one feed: body intact, next response untouched") {
  const std::string body(20000, 'b');
  const std::string first = "HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 20000\r\n\r\n" + body;
  const std::string second = "HTTP/1.1 204 No Content\r\n\r\n";
  const std::string all = first + second;
  for (std::size_t cut : {std::size_t{1}, std::size_t{20}, std::size_t{44}, std::size_t{47}}) {
    CAPTURE(cut);
    http::response_parser p;
    REQUIRE(p.feed(std::string_view(all).substr(0, cut)).value() == cut);
    auto r = p.feed(std::string_view(all).substr(cut));
    REQUIRE(r);
    CHECK(*r == first.size() - cut);
    REQUIRE(p.done());
    CHECK(p.take().body == body);
    REQUIRE(p.feed(std::string_view(all).substr(first.size())).value() == second.size());
    CHECK(p.take().status == 204);
  }
}

TEST_CASE("mutated messages: every way of feeding agrees, and nothing is accepted silently broken") {
  const std::string seeds[] = {
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n2\r\n!!\r\n0\r\nT: v\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
  };
  const char alphabet[] = {'\r', '\n', ' ', ':', ';', '0', '5', 'a', 'F', '\t', '\0', '\x7f', 'H', ','};
  std::uint32_t rng = 12345;
  const auto next = [&rng] {
    rng = rng * 1664525u + 1013904223u;
    return rng >> 8;
  };
  int errors = 0, successes = 0;
  for (const auto& seed : seeds) {
    for (int i = 0; i < 60; ++i) {
      std::string m = seed;
      const int edits = 1 + static_cast<int>(next() % 3);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = next() % m.size();
        switch (next() % 3) {
          case 0: m[at] = alphabet[next() % sizeof alphabet]; break;
          case 1: m.erase(at, 1); break;
          default: m.insert(at, 1, alphabet[next() % sizeof alphabet]); break;
        }
      }
      CAPTURE(m);
      const auto o = parse_response(m, true);
      if (o.error.empty())
        ++successes;
      else
        ++errors;
      // Every complete message holds a 3-digit status; a failure names a kind.
      for (const auto& msg : o.messages) CHECK(msg.size() > 3);
      if (!o.error.empty()) CHECK((kind_of(o) == "protocol" || kind_of(o) == "limit_exceeded"));
    }
  }
  CHECK(errors > 0);
  CHECK(successes > 0);
}

TEST_CASE("empty chunked body and trailers read before take()") {
  auto o = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "200 OK ka=1 [Transfer-Encoding: chunked] body= trailers=");

  http::response_parser p;
  REQUIRE(p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nDigest: abc\r\n\r\n"));
  REQUIRE(p.done());
  CHECK(p.trailers().get("digest") == "abc");
  const auto res = p.take();
  CHECK_FALSE(res.headers.contains("Digest"));  // trailers are not merged into the headers
  CHECK(p.trailers().empty());
}

TEST_CASE("HTTP/1.0 response with Content-Length is read by length and not reused") {
  const auto o = parse_response("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "200 OK ka=0 [Content-Length: 2] body=hi trailers=");
}

TEST_CASE("feeding nothing is a no-op") {
  http::response_parser p;
  CHECK(p.feed({}).value() == 0);
  CHECK_FALSE(p.started());
  REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  CHECK(p.done());
}

TEST_CASE("an HTTP/1.1 request needs exactly one Host; HTTP/1.0 at most one") {
  auto o = parse_request("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n");
  CHECK(kind_of(o) == "protocol");
  CHECK(o.error.find("missing Host") != std::string::npos);
  o = parse_request("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n");
  CHECK(o.error.find("more than one Host") != std::string::npos);
  CHECK(parse_request("GET / HTTP/1.0\r\n\r\n").error.empty());
  CHECK(kind_of(parse_request("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n")) == "protocol");
}
