// Shared by the sandbox_ugen tests: a ugen_service on a manual sandbox time, called directly
// (no sockets), with helpers to build create bodies and read answers with the client's schema.
#pragma once

#include <mediajobs/sandbox/ugen.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sandbox_ugen_test {

using mediajobs::json::value;
namespace sb = mediajobs::sandbox;
namespace ugen = mediajobs::ugen;

inline constexpr std::string_view base = "http://127.0.0.1:9/ugen";
inline constexpr std::string_view image = "https://example.com/h.jpg";

struct sim {
  sb::ugen_service svc;
  sb::duration now{};
  std::vector<mediajobs::http::request> hooks;
  std::string configured_key = "sandbox-key";
  bool inject = false;

  explicit sim(sb::service_limits limits = {}) : svc(limits) {}

  mediajobs::http::response call(std::string_view method, std::string_view target, std::string body = {},
                                 std::optional<std::string> key = std::string{"sandbox-key"}) {
    mediajobs::http::request req;
    req.method = std::string{method};
    req.url = std::string{target};
    req.body = std::move(body);
    if (key) req.headers.add("X-API-Key", *key);
    return dispatch(req, req.url);
  }

  /// What the server does: split the target (below the mount prefix) into path and query.
  mediajobs::http::response dispatch(const mediajobs::http::request& req, std::string_view t) {
    sb::request_context ctx;
    ctx.request = &req;
    ctx.method = req.method;
    const auto q = t.find('?');
    ctx.path = t.substr(0, q);
    if (q != std::string_view::npos) {
      std::string_view rest = t.substr(q + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        ctx.query.emplace_back(std::string{pair.substr(0, eq)},
                               eq == std::string_view::npos ? std::string{} : std::string{pair.substr(eq + 1)});
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      }
    }
    ctx.time = info();
    ctx.base_url = std::string{base};
    ctx.api_key = configured_key;
    ctx.inject_unknown = inject;
    return svc.handle(ctx);
  }

  [[nodiscard]] sb::time_info info() const {
    return {now, std::chrono::system_clock::time_point{std::chrono::hours{24 * 365 * 56}} + now};
  }
  void advance_to(sb::duration t) {
    now = t;
    svc.advance(info(), hooks);
  }
  void advance_by(sb::duration d) { advance_to(now + d); }

  /// Creates a job; REQUIREs success and returns its id.
  std::string create(std::string body) {
    auto r = call("POST", "/api/v1/jobs", std::move(body));
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return std::string{job(r).get_id()};
  }
  ugen::job get(const std::string& id) {
    auto r = call("GET", "/api/v1/jobs/" + id);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    return job(r);
  }
  value get_value(const std::string& id) { return parse(call("GET", "/api/v1/jobs/" + id).body); }

  static ugen::job job(const mediajobs::http::response& r) {
    auto j = mediajobs::json::read<ugen::job>(r.body);
    REQUIRE_MESSAGE(j, r.body);
    return *j;
  }
  static value parse(std::string_view body) {
    auto v = mediajobs::json::read<value>(body);
    REQUIRE_MESSAGE(v, body);
    return *v;
  }
};

inline std::string body_with(std::string_view extra, int segments = 3, std::string_view name = "Headphones") {
  std::string b = R"({"product_name":")" + std::string{name} + R"(","product_image_url":")" + std::string{image} +
                  R"(","segment_count":)" + std::to_string(segments);
  if (!extra.empty()) b += "," + std::string{extra};
  return b + "}";
}

inline std::string field_of(const mediajobs::http::response& r) {
  auto v = mediajobs::json::read<value>(r.body);
  REQUIRE_MESSAGE(v, r.body);
  return (*v)["field"].as_string();
}

inline std::string stage_of(const ugen::job& j) { return j.current_stage ? std::string{j.current_stage->name()} : "<none>"; }

}  // namespace sandbox_ugen_test
