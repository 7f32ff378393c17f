// mediajobs::sandbox service interface — what the server (sandbox/server.hpp) asks of each of the
// three simulated services (sandbox/ugen.hpp, sandbox/style.hpp, sandbox/techforge.hpp).
//
// A service is a pure state machine: no sockets, no threads, no clock of its own. The server
// hands it one request at a time with the sandbox time, and calls advance() as time passes; the
// service answers with a response and, from advance(), the webhooks it wants POSTed. That keeps
// every behaviour testable without I/O (tests call handle()/advance() directly with a manual time)
// and deterministic under the manual clock.
//
// Sandbox time is milliseconds since the server started, on the sandbox clock: real time times
// the speed factor, or a manual clock advanced by the test. Durations inside services are stated
// for speed 1 (e.g. a 3-segment U-Gen job takes about 3 s).
//
// Thread-safety: none. The server calls a service from one strand only.
#pragma once

#include <mediajobs/http/message.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mediajobs::sandbox {

/// Sandbox time since the server started.
using duration = std::chrono::milliseconds;

/// "Now", in both forms a service needs.
struct time_info {
  duration now{};                                  ///< sandbox time since start: drives pipelines
  std::chrono::system_clock::time_point wall{};    ///< wall time for timestamps (start wall + now)
};

/// One request as a service sees it. Authentication is the service's (each has its own header
/// and error body); fault injection and routing are the server's.
struct request_context {
  const http::request* request = nullptr;          ///< never null when handle() is called
  std::string_view method{};                       ///< request->method
  std::string_view path{};                         ///< below the mount prefix, without the query, as received
  std::vector<std::pair<std::string, std::string>> query{};  ///< percent-decoded, in order
  time_info time{};
  /// "http://127.0.0.1:PORT" plus the mount prefix ("/ugen"...; empty at the root): the base for
  /// URLs the service hands out (output files, signed paths), so clients can fetch them here.
  std::string base_url{};
  /// The configured API key; empty: authentication is off.
  std::string_view api_key{};
  /// Fault injection: add unknown fields and unknown enum values to the job objects answered.
  bool inject_unknown = false;
  /// Fault injection (TechForgeInnovate): answer a create with the 202 `{jobId, status}` shape.
  bool tfi_202_shape = false;

  /// The first query value named `name`, if any.
  [[nodiscard]] const std::string* query_value(std::string_view name) const noexcept {
    for (const auto& [k, v] : query)
      if (k == name) return &v;
    return nullptr;
  }
};

/// Resource bounds every service honours (the server passes its own options' values).
struct service_limits {
  std::size_t max_jobs = 10000;  ///< creates beyond it answer 429 (nothing is evicted silently)
};

/// One simulated service.
class service {
 public:
  service() = default;
  service(const service&) = delete;
  service& operator=(const service&) = delete;
  virtual ~service() = default;

  /// "ugen", "style" or "tfi": the mount prefix without its slash and the key in the stats.
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;

  /// Answers one request. Must not throw for any input: a bad request is a 4xx response.
  [[nodiscard]] virtual http::response handle(const request_context& ctx) = 0;

  /// Moves every job forward to `t` (never backwards), appending any webhook to deliver
  /// (method POST, absolute url, headers, body) to `webhooks`. The server calls it before each
  /// handle() and on a timer, so pipelines move even when nobody polls.
  virtual void advance(const time_info& t, std::vector<http::request>& webhooks) = 0;

  /// Counters for the stats endpoint, at least:
  /// `{"jobs_created": N, "jobs_by_idempotency_key": {"key": N, ...}, "jobs_live": N}`.
  [[nodiscard]] virtual json::value stats() const = 0;
};

/// A JSON response with `Content-Type: application/json`.
[[nodiscard]] inline http::response json_response(int status, std::string body) {
  http::response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

/// A JSON response from any reflected aggregate or json::value. A value that cannot be written
/// (a NaN, say) is a sandbox bug: answered as 500 with the reason, never a crash.
template <class T>
[[nodiscard]] http::response json_response(int status, const T& v) {
  std::string body;
  if (auto ok = json::write(v, body); !ok) {
    json::value e = json::value::object_t{};
    e["error"] = "sandbox could not encode its response";
    e["detail"] = std::string{ok.error().message()};
    body.clear();
    (void)json::write(e, body);
    return json_response(500, std::move(body));
  }
  return json_response(status, std::move(body));
}

}  // namespace mediajobs::sandbox
