// api::download_to_file over mock_transport (streaming) and over a transport without streaming
// (the buffered fallback): file contents, max_bytes, error statuses, redaction of the signed
// URL's query, overwrite, stop; and a client's one-line download().
#include <mediajobs/api/download.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/ugen/client.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>

using namespace std::chrono_literals;
namespace api = mediajobs::api;
namespace http = mediajobs::http;
namespace fs = std::filesystem;
using mediajobs::error_kind;
using mediajobs::mock_transport;
using mediajobs::result;
using mediajobs::sync_wait;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    static std::atomic<int> n{0};
    path = fs::temp_directory_path() /
           ("mediajobs-download-" + std::to_string(::getpid()) + "-" + std::to_string(n.fetch_add(1)));
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

std::string read_file(const fs::path& p) {
  std::string out;
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return "<missing>";
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

void write_file(const fs::path& p, const std::string& text) {
  std::FILE* f = std::fopen(p.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

http::response answer(int status, std::string body, bool with_length = true) {
  http::response r;
  r.status = status;
  r.headers.add("Content-Type", status < 300 ? "video/mp4" : "application/json");
  if (with_length) r.headers.add("Content-Length", std::to_string(body.size()));
  r.body = std::move(body);
  return r;
}

// A transport with async_send only: download_to_file takes the buffered path.
struct buffered_only {
  mock_transport* inner;
  int sends = 0;
  void async_send(http::request req, std::stop_token stop, mediajobs::send_completion done) {
    ++sends;
    inner->async_send(std::move(req), std::move(stop), std::move(done));
  }
};
static_assert(mediajobs::transport<buffered_only> && !mediajobs::streaming_transport<buffered_only>);

template <class Transport>
result<api::download_info> download(Transport& t, std::string url, const fs::path& to, api::download_options o) {
  return sync_wait(api::download_to_file(t, std::move(url), to, std::move(o)));
}

const std::string signed_url = "https://cdn.example/out/v.mp4?Expires=1&Signature=AbCsecretXyZ";

}  // namespace

TEST_CASE("download_to_file streams the body to the target through a .part file") {
  mock_transport mock;
  mock.set_stream_chunk_size(5);
  mock.expect(answer(200, "0123456789abcdefghijklmnopqrstuvwxyz"));
  temp_dir dir;
  auto r = download(mock, signed_url, dir.path / "v.mp4", {.max_bytes = 100, .timeout = 1234ms});
  REQUIRE(r);
  CHECK(r->bytes == 36);
  CHECK(r->status == 200);
  CHECK(r->content_type == "video/mp4");
  CHECK(read_file(dir.path / "v.mp4") == "0123456789abcdefghijklmnopqrstuvwxyz");
  CHECK_FALSE(fs::exists(dir.path / "v.mp4.part"));
  const auto sent = mock.requests().at(0);
  CHECK(sent.method == "GET");
  CHECK(sent.url == signed_url);
  CHECK(sent.timeout == 1234ms);
}

TEST_CASE("download_to_file: an empty 2xx body makes an empty file") {
  mock_transport mock;
  mock.expect(answer(200, ""));
  temp_dir dir;
  auto r = download(mock, "https://cdn.example/e", dir.path / "e.bin", {.max_bytes = 1});
  REQUIRE(r);
  CHECK(r->bytes == 0);
  CHECK(fs::exists(dir.path / "e.bin"));
  CHECK(fs::file_size(dir.path / "e.bin") == 0);
}

TEST_CASE("download_to_file refuses an unset max_bytes and sends nothing") {
  mock_transport mock;
  temp_dir dir;
  auto r = download(mock, "https://cdn.example/v", dir.path / "v", {});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::validation);
  CHECK(mock.request_count() == 0);
  CHECK(dir.empty());
}

TEST_CASE("download_to_file: max_bytes by Content-Length and mid-stream leaves nothing on disk") {
  temp_dir dir;
  mock_transport mock;
  mock.set_stream_chunk_size(4);
  SUBCASE("declared length over the limit: nothing is written at all") {
    mock.expect(answer(200, std::string(11, 'x')));
  }
  SUBCASE("no declared length: fails when the body passes the limit") {
    mock.expect(answer(200, std::string(11, 'x'), false));
  }
  SUBCASE("a lying Content-Length does not help") {
    auto a = answer(200, std::string(11, 'x'), false);
    a.headers.add("Content-Length", "3");
    mock.expect(std::move(a));
  }
  auto r = download(mock, "https://cdn.example/v", dir.path / "v", {.max_bytes = 10});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::limit_exceeded);
  CHECK(dir.empty());
}

TEST_CASE("download_to_file: exactly max_bytes is accepted") {
  mock_transport mock;
  mock.set_stream_chunk_size(3);
  mock.expect(answer(200, std::string(10, 'y'), false));
  temp_dir dir;
  auto r = download(mock, "https://cdn.example/v", dir.path / "v", {.max_bytes = 10});
  REQUIRE(r);
  CHECK(read_file(dir.path / "v") == std::string(10, 'y'));
}

TEST_CASE("download_to_file: a 404 is not_found with the service message, nothing written, signature redacted") {
  mock_transport mock;
  mock.expect(answer(404, R"({"message":"expired link","url":"/out/v.mp4?Expires=1&Signature=AbCsecretXyZ"})"));
  temp_dir dir;
  auto r = download(mock, signed_url, dir.path / "v.mp4", {.max_bytes = 100});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::not_found);
  CHECK(r.error().service_message() == "expired link");
  CHECK(r.error().message().find("AbCsecretXyZ") == std::string::npos);
  CHECK(std::string(r.error().raw_body()).find("AbCsecretXyZ") == std::string::npos);
  CHECK(std::string(r.error().raw_body()).find("[redacted]") != std::string::npos);
  CHECK(dir.empty());
}

TEST_CASE("download_to_file: a transport error is passed on without the query string") {
  mock_transport mock;
  mock.fail_next(error_kind::transport, "cannot fetch " + signed_url);
  temp_dir dir;
  auto r = download(mock, signed_url, dir.path / "v.mp4", {.max_bytes = 100});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::transport);
  CHECK(r.error().message().find("AbCsecretXyZ") == std::string::npos);
  CHECK(r.error().message().find("https://cdn.example/out/v.mp4?") != std::string::npos);
  CHECK(dir.empty());
}

TEST_CASE("download_to_file keeps an existing target unless overwrite is set") {
  mock_transport mock;
  temp_dir dir;
  const fs::path target = dir.path / "v.mp4";
  write_file(target, "old");
  SUBCASE("kept") {
    auto r = download(mock, "https://cdn.example/v", target, {.max_bytes = 100});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::validation);
    CHECK(mock.request_count() == 0);
    CHECK(read_file(target) == "old");
  }
  SUBCASE("replaced") {
    mock.expect(answer(200, "new body"));
    auto r = download(mock, "https://cdn.example/v", target, {.max_bytes = 100, .overwrite = true});
    REQUIRE(r);
    CHECK(read_file(target) == "new body");
  }
  SUBCASE("a failed replacement keeps the old file") {
    mock.expect(answer(500, "{}"));
    auto r = download(mock, "https://cdn.example/v", target, {.max_bytes = 100, .overwrite = true});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::http_status);
    CHECK(read_file(target) == "old");
    CHECK_FALSE(fs::exists(dir.path / "v.mp4.part"));
  }
}

TEST_CASE("download_to_file: a stop ends it with cancelled and no file") {
  mock_transport mock;
  mock.set_deferred(true);
  mock.expect(answer(200, "body"));
  temp_dir dir;
  std::stop_source stop;
  std::optional<result<api::download_info>> got;
  mediajobs::start(api::download_to_file(mock, "https://cdn.example/v", dir.path / "v", {.max_bytes = 100, .stop = stop.get_token()}),
                   [&got](result<api::download_info> r) { got = std::move(r); });
  CHECK_FALSE(got);
  stop.request_stop();
  REQUIRE(got);
  REQUIRE_FALSE(*got);
  CHECK(got->error().kind() == error_kind::cancelled);
  CHECK(dir.empty());
}

TEST_CASE("download_to_file over a transport without streaming: buffered, still bounded") {
  mock_transport mock;
  buffered_only plain{&mock};
  temp_dir dir;
  SUBCASE("success") {
    mock.expect(answer(200, "buffered bytes"));
    auto r = download(plain, signed_url, dir.path / "v.mp4", {.max_bytes = 100});
    REQUIRE(r);
    CHECK(r->bytes == 14);
    CHECK(read_file(dir.path / "v.mp4") == "buffered bytes");
    CHECK(plain.sends == 1);
  }
  SUBCASE("over max_bytes") {
    mock.expect(answer(200, std::string(50, 'z'), false));
    auto r = download(plain, signed_url, dir.path / "v.mp4", {.max_bytes = 49});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::limit_exceeded);
    CHECK(dir.empty());
  }
  SUBCASE("error status") {
    mock.expect(answer(403, R"({"message":"denied"})"));
    auto r = download(plain, signed_url, dir.path / "v.mp4", {.max_bytes = 100});
    REQUIRE_FALSE(r);
    CHECK(r.error().kind() == error_kind::unauthorized);
    CHECK(dir.empty());
  }
}

TEST_CASE("a client's download() sends no API key") {
  mock_transport mock;
  mock.expect(answer(200, "video"));
  mediajobs::manual_timer timer;
  mediajobs::ugen::client<mock_transport, mediajobs::manual_timer> ugen(mock, timer, {.api_key = "sk-top-secret"});
  temp_dir dir;
  auto r = sync_wait(ugen.download("https://cdn.example/out.mp4?sig=1", dir.path / "out.mp4", {.max_bytes = 100}));
  REQUIRE(r);
  CHECK(read_file(dir.path / "out.mp4") == "video");
  const auto requests = mock.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].headers.size() > 0);
  for (const auto& h : requests[0].headers) CHECK(h.value.find("sk-top-secret") == std::string::npos);
}

TEST_CASE("download_to_file reports a file it cannot create as an io error") {
  // The file is created only when the first byte of a 2xx body arrives (no empty file for a 404).
  mock_transport mock;
  temp_dir dir;
  mock.expect(answer(200, "abc"));
  auto r = download(mock, "https://cdn.example/v", dir.path / "no-such-dir" / "v.mp4", {.max_bytes = 100});
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::io);
  CHECK(r.error().detail().find("cannot create") != std::string_view::npos);
  CHECK(mock.request_count() == 1);
  CHECK(dir.empty());
}
