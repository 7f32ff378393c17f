// The usage example of sandbox/sandbox.hpp, compiled and run. The text between the BEGIN/END
// markers below must equal the header's (a test checks it), so the documented example cannot rot.
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/sandbox/sandbox.hpp>
#include <mediajobs/ugen/client.hpp>

#include <asio/io_context.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace example {

// BEGIN example
// Runs a task to its end: start it, then run the io_context (sandbox and client share it)
// until it completes. The client's own timeout bounds the wait.
template <class T>
T run(asio::io_context& io, mediajobs::task<T> t) {
  std::optional<T> out;
  mediajobs::start(std::move(t), [&out](T r) { out.emplace(std::move(r)); });
  while (!out) io.run_one();
  return std::move(*out);
}

mediajobs::result<mediajobs::ugen::job> make_a_video(asio::io_context& io) {
  mediajobs::sandbox::server sandbox{io, {.manual_clock = true}};  // 127.0.0.1, a free port
  if (!sandbox) return mediajobs::unexpected(sandbox.error());
  mediajobs::asio_transport http{io};
  mediajobs::ugen::client ugen{http, {.base_url = sandbox.url("ugen"),
                                      .api_key = "sandbox-key",       // server_options::api_key
                                      .retry = {.max_retries = 0}}};  // here a fault is a failure
  mediajobs::ugen::create_job_request req;
  req.product_name = "Premium Wireless Headphones";
  req.product_image_url = "https://example.com/headphones.jpg";
  req.segment_count = 3;
  auto created = run(io, ugen.create_job(std::move(req)));
  if (!created) return created;
  sandbox.advance(std::chrono::minutes(5));  // the whole pipeline at once, no waiting
  return run(io, ugen.get_job(std::string{created->get_id()}));
}
// END example

}  // namespace example

namespace {

/// The lines between the markers, with the header's "// " prefix removed.
std::string between_markers(const std::string& text, bool strip_comment) {
  std::istringstream in(text);
  std::string line, out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.find("BEGIN example") != std::string::npos) {
      inside = true;
      continue;
    }
    if (line.find("END example") != std::string::npos) break;
    if (!inside) continue;
    if (strip_comment) {
      if (line.starts_with("// ")) line = line.substr(3);
      else if (line == "//") line.clear();
    }
    out += line;
    out += '\n';
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "cannot open " << path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the sandbox.hpp example is the text compiled here") {
  const std::string header = read_file(std::string{MEDIAJOBS_SOURCE_DIR} + "/include/mediajobs/sandbox/sandbox.hpp");
  const std::string self = read_file(std::string{MEDIAJOBS_SOURCE_DIR} + "/tests/sandbox/example.cpp");
  const std::string documented = between_markers(header, true);
  REQUIRE(documented.size() > 200);
  CHECK(documented == between_markers(self, false));
}

TEST_CASE("the sandbox.hpp example runs against the sandbox") {
  asio::io_context io;
  auto r = example::make_a_video(io);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string{} : r.error().message()));
  CHECK_FALSE(r->get_id().empty());
  // Five minutes of sandbox time finish a 3-segment job (about 3 s at speed 1).
  CHECK(r->status.name() == "completed");
  CHECK(r->progress_percent.value_or(0) == doctest::Approx(100));
}
