// Unit-testing your own code with mock_transport: no server, no network, no sleeping.
// "Your code" is cancel_pending(); the test scripts the service's answers and checks what was sent.
// Plain checks and an exit code (use your own test framework the same way). Needs no URL or key.
#include <mediajobs/mediajobs.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mj = mediajobs;

// --- your code: cancels every pending U-Gen job; generic over the transport (Asio in production) ---
template <class Transport, class Timer>
mj::task<mj::result<int>> cancel_pending(mj::ugen::client<Transport, Timer>& ugen) {
  mj::ugen::list_jobs_query query;
  query.status = mj::ugen::job_status::pending;
  mj::result<mj::ugen::job_list> page = co_await ugen.list_jobs(std::move(query));
  if (!page) co_return mj::unexpected(std::move(page).error());
  int cancelled = 0;
  for (const mj::ugen::job& job : mj::ugen::list_items(*page)) {
    std::string id{job.get_id()};  // a named argument: see the GCC 12 note in the README
    mj::result<std::optional<mj::ugen::job>> r = co_await ugen.cancel_job(std::move(id));
    if (!r) co_return mj::unexpected(std::move(r).error());
    ++cancelled;
  }
  co_return cancelled;
}

int failures = 0;  // --- the test ---
void check(bool ok, const char* what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
  failures += ok ? 0 : 1;
}
mj::http::response json(int status, std::string body) { return {.status = status, .body = std::move(body)}; }

int main() {
  mj::mock_transport mock;  // answers from a script, inline, on this thread
  mj::manual_timer timer;   // virtual time: with auto-advance, retry backoff completes at once
  timer.set_auto_advance(true);
  mj::ugen::client ugen{mock, timer, {.api_key = "test-key"}};

  mock.expect(json(200, R"({"jobs":[{"id":"j-1","status":"pending"},{"id":"j-2","status":"pending"}]})"));
  mock.expect(json(503, R"({"error":"busy"})"));  // the first cancel is retried by the client...
  mock.expect(json(200, R"({"id":"j-1","status":"cancelled"})"));
  mock.expect(json(204, ""));                      // ...and an empty answer is fine too
  mj::result<int> n = mj::sync_wait(cancel_pending(ugen));
  check(n.has_value() && *n == 2, "both pending jobs cancelled");
  const std::vector<mj::http::request> sent = mock.requests();
  check(sent.size() == 4, "one list, one retried cancel, one cancel");
  check(sent.size() == 4 && sent[0].url == "https://api.u-gen.ai/api/v1/jobs?status=pending", "list asks for pending");
  check(sent.size() == 4 && sent[2].method == "DELETE" && sent[2].url.ends_with("/jobs/j-1"), "retry of j-1");
  check(sent.size() == 4 && sent[3].url.ends_with("/jobs/j-2"), "then j-2");
  check(sent.size() == 4 && sent[3].headers.get("X-API-Key") == "test-key", "the key is sent");
  mock.expect(json(401, R"({"error":"invalid api key"})"));  // errors are values you can test too
  mj::result<int> denied = mj::sync_wait(cancel_pending(ugen));
  check(!denied && denied.error().kind() == mj::error_kind::unauthorized, "401 is error_kind::unauthorized");
  return failures == 0 ? 0 : 1;
}
