// Shared helpers of the client tests: a mock transport + manual timer fixture with a secret API
// key, a logging hook that records every line, and the example-block extraction used to check
// that each client header's usage example is the code compiled by its test.
#pragma once

#include <mediajobs/api/api.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

inline constexpr const char* secret = "sk-test-SECRET-42";

inline mediajobs::http::response respond(int status, std::string body, mediajobs::http::headers h = {}) {
  mediajobs::http::response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(h);
  if (!r.body.empty() && !r.headers.contains("Content-Type")) r.headers.add("Content-Type", "application/json");
  return r;
}

struct fixture {
  mediajobs::mock_transport mock;
  mediajobs::manual_timer timer;
  std::vector<std::string> log;  // one line per attempt, with the headers shown
  std::uint64_t random_value = 0x0123456789abcdefULL;

  fixture() { timer.set_auto_advance(true); }

  mediajobs::api::client_options options(std::string base_url = {}) {
    mediajobs::api::client_options o;
    o.base_url = std::move(base_url);
    o.api_key = secret;
    o.retry.random = [this] { return random_value; };
    o.on_attempt = [this](const mediajobs::api::attempt_log& a) {
      std::string line = a.line();
      if (a.request_headers != nullptr)
        for (const auto& h : *a.request_headers) line += " | " + h.name + ": " + h.value;
      log.push_back(std::move(line));
    };
    return o;
  }

  [[nodiscard]] mediajobs::http::request request(std::size_t i) const { return mock.requests().at(i); }
  [[nodiscard]] std::string header(std::size_t i, std::string_view name) const {
    const mediajobs::http::request r = request(i);
    const auto v = r.headers.get(name);
    return v ? std::string{*v} : std::string{"<absent>"};
  }
};

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

/// The lines between "// BEGIN example" and "// END example"; `commented`: strip the "// ".
inline std::string example_block(const std::string& text, bool commented) {
  std::istringstream in(text);
  std::string line;
  std::string out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "// BEGIN example") {
      inside = true;
      continue;
    }
    if (line == "// END example") break;
    if (!inside) continue;
    if (commented) {
      if (line.rfind("// ", 0) == 0)
        line.erase(0, 3);
      else if (line == "//")
        line.clear();
      else
        return "<not a comment line: " + line + ">";
    }
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace test_support
