// asio_transport's streaming bodies and api::download_to_file over real sockets on 127.0.0.1:
// Content-Length and chunked bodies, bounded pieces for a 32 MiB body, sink errors, stop
// mid-body, max_bytes up front and mid-stream, error statuses, keep-alive after a stream.
#include "support.hpp"

#include <mediajobs/api/download.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/core/task.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using mediajobs::asio_transport;
using mediajobs::body_sink;
using mediajobs::error_kind;
using mediajobs::result;
namespace http = mediajobs::http;
namespace api = mediajobs::api;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t mib = 1024 * 1024;

// The deterministic test body: byte i of it.
char pattern_at(std::uint64_t i) {
  return static_cast<char>((i * 2654435761u >> 7) ^ (i >> 13) ^ (i & 0xFF));
}

// FNV-1a 64, fed incrementally.
struct fnv {
  std::uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
  }
};

std::uint64_t pattern_checksum(std::uint64_t size) {
  fnv f;
  char block[4096];
  for (std::uint64_t at = 0; at < size;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof block, size - at));
    for (std::size_t i = 0; i < n; ++i) block[i] = pattern_at(at + i);
    f.add(std::string_view(block, n));
    at += n;
  }
  return f.h;
}

std::uint64_t file_checksum(const fs::path& p, std::uint64_t& size) {
  fnv f;
  size = 0;
  std::FILE* file = std::fopen(p.c_str(), "rb");
  REQUIRE(file != nullptr);
  char block[65536];
  std::size_t n = 0;
  while ((n = std::fread(block, 1, sizeof block, file)) > 0) {
    f.add(std::string_view(block, n));
    size += n;
  }
  std::fclose(file);
  return f.h;
}

// Sends `size` pattern bytes from `from`, in 64 KiB writes; as chunks when `chunked`.
void send_pattern(mj_test::peer& p, std::uint64_t from, std::uint64_t size, bool chunked) {
  std::string block;
  for (std::uint64_t at = from; at < from + size;) {
    // Uneven chunk sizes, so that chunk boundaries fall anywhere in the reads.
    const std::uint64_t want = chunked ? 1 + (at * 7919) % 70000 : 65536;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, from + size - at));
    block.clear();
    if (chunked) {
      char hex[20];
      block.append(hex, static_cast<std::size_t>(std::snprintf(hex, sizeof hex, "%zx\r\n", n)));
    }
    for (std::size_t i = 0; i < n; ++i) block += pattern_at(at + i);
    if (chunked) block += "\r\n";
    asio::error_code ec;
    p.write(block, ec);
    if (ec) return;  // the client went away (a limit or a stop)
    at += n;
  }
  if (chunked) p.send("0\r\n\r\n");
}

// A server answering every request with a pattern body of `size` bytes.
mj_test::scripted_server::script pattern_server(std::uint64_t size, bool chunked) {
  return [size, chunked](mj_test::peer& p) {
    while (p.read_request()) {
      std::string head = "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n";
      head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: " + std::to_string(size) + "\r\n\r\n";
      p.send(head);
      send_pattern(p, 0, size, chunked);
    }
  };
}

http::request get(std::string url, std::chrono::milliseconds timeout = 60000ms) {
  http::request r;
  r.method = "GET";
  r.url = std::move(url);
  r.timeout = timeout;
  return r;
}

// What a sink saw (written on the transport's thread; read after the completion).
struct stream_stats {
  std::size_t pieces = 0;
  std::size_t largest = 0;
  std::uint64_t bytes = 0;
  fnv sum;
};

body_sink counting_sink(stream_stats& s) {
  return [&s](std::string_view piece) -> result<void> {
    ++s.pieces;
    s.largest = std::max(s.largest, piece.size());
    s.bytes += piece.size();
    s.sum.add(piece);
    return {};
  };
}

result<http::response> fetch_streaming(asio_transport& t, http::request req, body_sink sink, std::stop_token stop = {}) {
  mj_test::response_outcome out;
  t.async_send_streaming(std::move(req), std::move(stop), std::move(sink),
                         [&out](result<http::response> r) { out.set(std::move(r)); });
  return std::move(out.get(60s));
}

// A fresh directory per test, removed at the end.
struct temp_dir {
  fs::path path;
  temp_dir() {
    static std::atomic<int> n{0};
    path = fs::temp_directory_path() /
           ("mediajobs-asio-stream-" + std::to_string(::getpid()) + "-" + std::to_string(n.fetch_add(1)));
    fs::create_directories(path);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  [[nodiscard]] bool empty() const { return fs::directory_iterator(path) == fs::directory_iterator(); }
};

result<api::download_info> download(asio_transport& t, std::string url, const fs::path& to, api::download_options o) {
  return mediajobs::sync_wait(api::download_to_file(t, std::move(url), to, std::move(o)));
}

}  // namespace

TEST_CASE("a 32 MiB Content-Length body streams in bounded pieces with the exact bytes; the connection is reused") {
  constexpr std::uint64_t size = 32 * mib;
  mj_test::scripted_server server(pattern_server(size, false));
  asio_transport t;
  stream_stats s;
  auto r = fetch_streaming(t, get(server.url("/v.mp4")), counting_sink(s));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.empty());
  CHECK(s.bytes == size);
  CHECK(s.sum.h == pattern_checksum(size));
  CHECK(s.largest <= 64 * 1024);
  CHECK(s.pieces >= size / (64 * 1024));

  stream_stats again;
  auto r2 = fetch_streaming(t, get(server.url("/v.mp4")), counting_sink(again));
  REQUIRE(r2);
  CHECK(again.bytes == size);
  CHECK(t.connections_opened() == 1);
}

TEST_CASE("a chunked body streams with the exact bytes, larger than the transport's body limit") {
  constexpr std::uint64_t size = 3 * mib + 12345;
  mj_test::scripted_server server(pattern_server(size, true));
  asio_transport::options o;
  o.limits.max_body_bytes = 1 * mib;  // applies to buffered bodies only
  asio_transport t(o);
  stream_stats s;
  auto r = fetch_streaming(t, get(server.url("/c")), counting_sink(s));
  REQUIRE(r);
  CHECK(r->body.empty());
  CHECK(s.bytes == size);
  CHECK(s.sum.h == pattern_checksum(size));
  CHECK(s.largest <= 64 * 1024);

  // The same body without streaming is refused by that limit: the limit still holds there.
  mj_test::response_outcome out;
  t.async_send(get(server.url("/c")), {}, [&out](result<http::response> x) { out.set(std::move(x)); });
  REQUIRE_FALSE(out.get());
  CHECK(out.get().error().kind() == error_kind::limit_exceeded);
}

TEST_CASE("a sink error aborts the exchange with that error and closes the connection") {
  mj_test::latch_flag closed;
  mj_test::scripted_server server([&](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n");
    send_pattern(p, 0, 100000, false);
    p.wait_for_close();
    closed.set();
  });
  asio_transport t;
  int calls = 0;
  auto r = fetch_streaming(t, get(server.url("/v")), [&calls](std::string_view) -> result<void> {
    ++calls;
    return mediajobs::fail(error_kind::validation, "disk full (test)");
  });
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::validation);
  CHECK(r.error().detail() == "disk full (test)");
  CHECK(calls == 1);
  CHECK(closed.wait());
}

TEST_CASE("an error status is not streamed: its body stays in the response") {
  mj_test::scripted_server server([](mj_test::peer& p) {
    while (p.read_request())
      p.send("HTTP/1.1 404 Not Found\r\nContent-Length: 22\r\n\r\n{\"message\":\"no video\"}");
  });
  asio_transport t;
  stream_stats s;
  auto r = fetch_streaming(t, get(server.url("/missing")), counting_sink(s));
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(r->body == R"({"message":"no video"})");
  CHECK(s.pieces == 0);
}

TEST_CASE("a stop requested mid-body ends the stream with cancelled") {
  mj_test::scripted_server server([](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
    send_pattern(p, 0, 5000, false);
    p.wait_for_close();  // the rest never comes: only the stop can end the exchange
  });
  asio_transport t;
  std::stop_source stop;
  std::uint64_t got = 0;
  auto r = fetch_streaming(
      t, get(server.url("/v")),
      [&](std::string_view piece) -> result<void> {
        got += piece.size();
        stop.request_stop();
        return {};
      },
      stop.get_token());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::cancelled);
  CHECK(got > 0);
}

TEST_CASE("download_to_file: 32 MiB to a file with the exact bytes") {
  constexpr std::uint64_t size = 32 * mib;
  mj_test::scripted_server server(pattern_server(size, false));
  asio_transport t;
  temp_dir dir;
  const fs::path target = dir.path / "video.mp4";
  auto r = download(t, server.url("/v.mp4?sig=abc"), target, {.max_bytes = 64 * mib, .timeout = 60000ms});
  REQUIRE(r);
  CHECK(r->bytes == size);
  CHECK(r->status == 200);
  CHECK(r->content_type == "video/mp4");
  std::uint64_t on_disk = 0;
  CHECK(file_checksum(target, on_disk) == pattern_checksum(size));
  CHECK(on_disk == size);
  CHECK_FALSE(fs::exists(dir.path / "video.mp4.part"));
}

TEST_CASE("download_to_file: max_bytes is enforced by Content-Length and mid-stream, leaving no file") {
  asio_transport t;
  temp_dir dir;
  const fs::path target = dir.path / "big.bin";
  SUBCASE("Content-Length") {
    mj_test::scripted_server server(pattern_server(2 * mib, false));
    auto r = download(t, server.url("/big"), target, {.max_bytes = 1 * mib});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::limit_exceeded);
  }
  SUBCASE("chunked") {
    mj_test::scripted_server server(pattern_server(2 * mib, true));
    auto r = download(t, server.url("/big"), target, {.max_bytes = 1 * mib});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::limit_exceeded);
  }
  CHECK(dir.empty());
}

TEST_CASE("download_to_file: a 404 is not_found, nothing is written, and the signature is never shown") {
  mj_test::scripted_server server([](mj_test::peer& p) {
    while (p.read_request()) {
      const std::string body = R"({"message":"no such object","key":"v.mp4?X-Signature=s3cr3t-sig"})";
      p.send("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body);
    }
  });
  asio_transport t;
  temp_dir dir;
  auto r = download(t, server.url("/v.mp4?X-Signature=s3cr3t-sig"), dir.path / "v.mp4", {.max_bytes = mib});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::not_found);
  CHECK(r.error().http_status() == 404);
  CHECK(r.error().message().find("s3cr3t") == std::string::npos);
  CHECK(std::string(r.error().raw_body()).find("s3cr3t") == std::string::npos);
  CHECK(dir.empty());
}

TEST_CASE("download_to_file: a stop mid-body ends with cancelled and leaves no file") {
  mj_test::scripted_server server([](mj_test::peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
    send_pattern(p, 0, 5000, false);
    p.wait_for_close();
  });
  temp_dir dir;
  const fs::path target = dir.path / "v.mp4";
  asio::io_context io;  // driven by this thread, one handler at a time: no sleeping, no race
  asio_transport t(io);
  std::stop_source stop;
  mj_test::outcome<result<api::download_info>> out;
  mediajobs::start(api::download_to_file(t, server.url("/v.mp4"), target, {.max_bytes = mib, .stop = stop.get_token()}),
                   [&out](result<api::download_info> r) { out.set(std::move(r)); });
  // The .part file appears with the head of the response: the body has begun.
  while (!fs::exists(dir.path / "v.mp4.part") && !out.ready()) io.run_one();
  REQUIRE_FALSE(out.ready());
  stop.request_stop();
  while (!out.ready()) io.run_one();
  auto& r = out.get();
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::cancelled);
  CHECK(dir.empty());
}
