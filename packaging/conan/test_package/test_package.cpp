// Conan test_package: proves the package's headers, target and dependencies are usable by making
// one call through mock_transport.
#include <mediajobs/mediajobs.hpp>

#include <cstdio>

namespace {
mediajobs::task<mediajobs::result<mediajobs::http::response>> get(mediajobs::mock_transport& t) {
  mediajobs::http::request req;
  req.url = "https://api.u-gen.ai/api/v1/jobs/j-1";
  co_return co_await mediajobs::async_send(t, std::move(req));
}
}  // namespace

int main() {
  mediajobs::mock_transport mock;
  mediajobs::http::response canned;
  canned.status = 200;
  canned.body = R"({"id":"j-1","status":"completed"})";
  mock.expect(canned);
  auto r = mediajobs::sync_wait(get(mock));
  if (!r || r->status != 200 || mock.requests().size() != 1) {
    std::puts("mediajobs test_package: the mock call failed");
    return 1;
  }
  std::printf("mediajobs test_package ok: %s\n", mediajobs::version_string);
  return 0;
}
