// Streaming bodies: the streaming_transport concept and body_sink, async_send_streaming over
// mock_transport (inline and deferred), and the response parser's body handler underneath.
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/http/parser.hpp>
#include <mediajobs/transport/adapters.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/transport/transport.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace mediajobs;

namespace {

http::request get(std::string url) {
  http::request r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

http::response answer(int status, std::string body) {
  http::response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.add("Content-Type", "video/mp4");
  return r;
}

// Records what a sink saw.
struct seen {
  int heads = 0;
  int head_status = 0;
  std::string content_type;
  std::vector<std::string> pieces;
  [[nodiscard]] std::string joined() const {
    std::string out;
    for (const auto& p : pieces) out += p;
    return out;
  }
};

body_sink recording_sink(seen& s) {
  return body_sink(
      [&s](int status, const http::headers& h) -> result<void> {
        ++s.heads;
        s.head_status = status;
        if (auto ct = h.get("Content-Type")) s.content_type = std::string(*ct);
        return {};
      },
      [&s](std::string_view piece) -> result<void> {
        s.pieces.emplace_back(piece);
        return {};
      });
}

task<result<http::response>> stream_via(mock_transport& t, http::request req, body_sink sink) {
  co_return co_await async_send_streaming(t, std::move(req), std::move(sink));
}

// A transport that only has async_send.
struct plain_transport {
  void async_send(http::request, std::stop_token, send_completion done) { done(answer(200, "x")); }
};

// A response parser fed `bytes` split every `step` bytes, with `h` as its body handler.
result<http::response> parse_with(http::body_handler* h, std::string_view bytes, std::size_t step,
                                  http::parser_limits limits = {}) {
  http::response_parser p(limits);
  p.set_body_handler(h);
  std::size_t at = 0;
  while (at < bytes.size() && !p.done()) {
    const std::size_t n = std::min(step, bytes.size() - at);
    auto used = p.feed(bytes.substr(at, n));
    if (!used) return unexpected(std::move(used.error()));
    at += *used;
    if (*used == 0) break;
  }
  if (!p.done()) {
    if (auto e = p.eof(); !e) return unexpected(std::move(e.error()));
  }
  if (!p.done()) return fail(error_kind::protocol, "test: not done");
  return p.take();
}

struct collecting_handler final : http::body_handler {
  bool stream_success = true;
  std::optional<error> refuse_after_bytes_error;
  std::size_t refuse_after = 0;
  int heads = 0;
  std::string body;
  std::size_t largest_piece = 0;

  result<bool> on_head(int status, const http::headers&) override {
    ++heads;
    return stream_success && status >= 200 && status < 300;
  }
  result<void> on_body(std::string_view piece) override {
    CHECK_FALSE(piece.empty());
    largest_piece = std::max(largest_piece, piece.size());
    body += piece;
    if (refuse_after_bytes_error && body.size() > refuse_after) return unexpected(*refuse_after_bytes_error);
    return {};
  }
};

}  // namespace

static_assert(streaming_transport<mock_transport>);
static_assert(transport<plain_transport> && !streaming_transport<plain_transport>);
static_assert(!streaming_transport<callback_transport>);

TEST_CASE("mock streams a 2xx body to the sink in pieces and completes with an empty body") {
  mock_transport mock;
  mock.set_stream_chunk_size(4);
  mock.expect(answer(200, "0123456789"));
  seen s;
  auto r = sync_wait(stream_via(mock, get("https://cdn.example/v.mp4"), recording_sink(s)));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.empty());
  CHECK(r->headers.get("Content-Type") == "video/mp4");
  CHECK(s.heads == 1);
  CHECK(s.head_status == 200);
  CHECK(s.content_type == "video/mp4");
  CHECK(s.pieces == std::vector<std::string>{"0123", "4567", "89"});
  CHECK(mock.requests().at(0).url == "https://cdn.example/v.mp4");
}

TEST_CASE("mock keeps a non-2xx body in the response and never calls the sink") {
  mock_transport mock;
  mock.expect(answer(404, R"({"message":"gone"})"));
  seen s;
  auto r = sync_wait(stream_via(mock, get("https://cdn.example/v.mp4"), recording_sink(s)));
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(r->body == R"({"message":"gone"})");
  CHECK(s.heads == 0);
  CHECK(s.pieces.empty());
}

TEST_CASE("a sink error ends the exchange with that error") {
  mock_transport mock;
  mock.set_stream_chunk_size(3);
  mock.expect(answer(200, "abcdefghij"));
  int calls = 0;
  body_sink sink([&calls](std::string_view) -> result<void> {
    if (++calls == 2) return fail(error_kind::limit_exceeded, "sink is full");
    return {};
  });
  auto r = sync_wait(stream_via(mock, get("https://cdn.example/v"), std::move(sink)));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::limit_exceeded);
  CHECK(r.error().detail() == "sink is full");
  CHECK(calls == 2);  // nothing after the refusal
}

TEST_CASE("a head refusal aborts before any piece") {
  mock_transport mock;
  mock.expect(answer(200, "abc"));
  int pieces = 0;
  body_sink sink([](int, const http::headers&) -> result<void> { return fail(error_kind::validation, "no thanks"); },
                 [&pieces](std::string_view) -> result<void> {
                   ++pieces;
                   return {};
                 });
  auto r = sync_wait(stream_via(mock, get("https://cdn.example/v"), std::move(sink)));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::validation);
  CHECK(pieces == 0);
}

TEST_CASE("deferred mock streams at completion; a stop while waiting cancels without a sink call") {
  mock_transport mock;
  mock.set_deferred(true);
  mock.expect(answer(200, "hello"));
  SUBCASE("completed") {
    seen s;
    std::optional<result<http::response>> got;
    mock.async_send_streaming(get("https://cdn.example/a"), {}, recording_sink(s),
                              [&got](result<http::response> r) { got = std::move(r); });
    CHECK_FALSE(got);
    CHECK(s.pieces.empty());
    REQUIRE(mock.complete_next());
    REQUIRE(got);
    REQUIRE(*got);
    CHECK(s.joined() == "hello");
  }
  SUBCASE("stopped") {
    seen s;
    std::stop_source stop;
    std::optional<result<http::response>> got;
    mock.async_send_streaming(get("https://cdn.example/a"), stop.get_token(), recording_sink(s),
                              [&got](result<http::response> r) { got = std::move(r); });
    stop.request_stop();
    REQUIRE(got);
    REQUIRE_FALSE(*got);
    CHECK(got->error().kind() == error_kind::cancelled);
    CHECK(s.heads == 0);
    CHECK(s.pieces.empty());
  }
}

TEST_CASE("async_send_streaming never starts when the stop was requested before") {
  mock_transport mock;
  mock.expect(answer(200, "x"));
  std::stop_source stop;
  stop.request_stop();
  seen s;
  auto r = sync_wait(stream_via(mock, get("https://cdn.example/a"), recording_sink(s)), stop.get_token());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::cancelled);
  CHECK(mock.request_count() == 0);
  CHECK(s.pieces.empty());
}

TEST_CASE("parser body handler: a chunked body split at every byte streams the same bytes") {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n";
  for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{7}, wire.size()}) {
    CAPTURE(step);
    collecting_handler h;
    auto r = parse_with(&h, wire, step);
    REQUIRE(r);
    CHECK(r->body.empty());
    CHECK(h.body == "hello, world");
    CHECK(h.heads == 1);
    CHECK(h.largest_piece <= step);
  }
}

TEST_CASE("parser body handler: Content-Length and close-delimited bodies stream; limits do not apply") {
  http::parser_limits tight;
  tight.max_body_bytes = 4;
  SUBCASE("Content-Length") {
    collecting_handler h;
    auto r = parse_with(&h, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 3, tight);
    REQUIRE(r);
    CHECK(h.body == "0123456789");
    CHECK(r->keep_alive);
  }
  SUBCASE("close-delimited") {
    collecting_handler h;
    auto r = parse_with(&h, "HTTP/1.1 200 OK\r\n\r\n0123456789", 4, tight);
    REQUIRE(r);
    CHECK(h.body == "0123456789");
    CHECK_FALSE(r->keep_alive);
  }
  SUBCASE("not streamed: the limit holds as before") {
    collecting_handler h;
    h.stream_success = false;
    auto r = parse_with(&h, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 3, tight);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::limit_exceeded);
    CHECK(h.body.empty());
  }
}

TEST_CASE("parser body handler: a declined body is kept; 1xx heads are not shown; a handler error fails the parse") {
  SUBCASE("declined") {
    collecting_handler h;
    auto r = parse_with(&h, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope", 5);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body == "nope");
    CHECK(h.heads == 1);
    CHECK(h.body.empty());
  }
  SUBCASE("error") {
    collecting_handler h;
    h.refuse_after_bytes_error = error{error_kind::limit_exceeded, "too big"};
    h.refuse_after = 3;
    http::response_parser p;
    p.set_body_handler(&h);
    auto used = p.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
    REQUIRE_FALSE(used);
    CHECK(used.error().kind() == error_kind::limit_exceeded);
    CHECK(used.error().detail() == "too big");
    CHECK(p.failed());
  }
  SUBCASE("take() clears the handler") {
    collecting_handler h;
    http::response_parser p;
    p.set_body_handler(&h);
    REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab"));
    REQUIRE(p.done());
    CHECK(p.take().body.empty());
    REQUIRE(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\ncd"));
    REQUIRE(p.done());
    CHECK(p.take().body == "cd");
    CHECK(h.body == "ab");
  }
}
