// mediajobs_soak — the fault-injection soak (issues 7 and 10): many jobs across the three
// services through the real clients and asio_transport, against one in-process sandbox with
// every fault mode on at once, then an audit of what the sandbox holds.
//
//   mediajobs_soak [--jobs N] [--concurrency C] [--seed S] [--deadline SECONDS]
//                  [--faults low|moderate] [--quiet] [--inject-duplicate]
//
// (--inject-duplicate is the audit's self-check: each Style job creates one extra job that the
// soak forgets, and the run must report a DUPLICATE; ctest soak.detects_duplicate.)
//
// What one job is: U-Gen create_and_wait with our own idempotency key; Style upload, create,
// wait, get_result; TechForgeInnovate create, wait. At most C of them are in flight on one
// io_context thread. A job ends in success or in a typed error of an expected kind. Like a real
// application, a job whose wait (or result fetch) failed on a fault polls again (at most
// max_resumes times), and a U-Gen create whose answer was lost is sent again with the SAME
// idempotency key; a Style/TFI create whose answer was lost is NOT repeated (no idempotency key
// there): it is an expected error, and the audit counts it as possibly processed.
//
// The audit (faults off): the stats' per-key counts (any key > 1 is a DUPLICATE), jobs created
// per service bracketed by what the clients know (known ids <= created <= known + lost creates),
// and every job id a client was given is fetched back and must exist, in the state the client
// saw. Exit 0 only when there is no duplicate, everything is accounted for, every outcome is of
// an expected kind and every fault mode fired. A global deadline ends the run (non-zero, listing
// what is pending) so that it can never hang.
//
// Thread-safety: a single-threaded program (one io_context, run here).
#include <mediajobs/asio/config.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/sandbox/sandbox.hpp>
#include <mediajobs/style/client.hpp>
#include <mediajobs/techforge/client.hpp>
#include <mediajobs/ugen/client.hpp>

#include <asio/io_context.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

namespace sb = mediajobs::sandbox;
namespace api = mediajobs::api;
namespace ugen = mediajobs::ugen;
namespace style = mediajobs::style;
namespace tfi = mediajobs::techforge;
using mediajobs::asio_transport;
using mediajobs::error_kind;
using mediajobs::result;
using mediajobs::task;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// --- command line ---------------------------------------------------------------------------

struct options {
  std::size_t jobs = 1000;
  std::size_t concurrency = 64;
  std::uint64_t seed = 1;
  std::chrono::seconds deadline{300};
  std::string faults = "moderate";
  bool quiet = false;
  /// Self-check of the audit: every Style job sends one extra create whose job the soak
  /// forgets, so the run must report a DUPLICATE (ctest soak.detects_duplicate).
  bool inject_duplicate = false;
};

void usage(std::FILE* out) {
  std::fputs(
      "usage: mediajobs_soak [--jobs N] [--concurrency C] [--seed S] [--deadline SECONDS]\n"
      "                      [--faults low|moderate] [--quiet] [--inject-duplicate]\n"
      "Runs N jobs (default 1000) across U-Gen, Style and TechForgeInnovate against an in-process\n"
      "sandbox with every fault mode on, at most C (default 64) in flight, then audits the sandbox.\n"
      "Exit 0 only without duplicates, with everything accounted for, before the deadline (300 s).\n"
      "--inject-duplicate: self-check; each Style job creates one job too many, the run must FAIL.\n",
      out);
}

template <class Int>
bool parse_number(std::string_view text, Int& out) {
  Int v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return false;
  out = v;
  return true;
}

/// nullopt (after printing why) when the command line is wrong.
std::optional<options> parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&]() -> std::optional<std::string_view> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string_view{argv[++i]};
    };
    bool ok = true;
    if (arg == "--quiet") {
      o.quiet = true;
    } else if (arg == "--inject-duplicate") {
      o.inject_duplicate = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout);
      std::exit(0);
    } else if (arg == "--jobs") {
      const auto v = value();
      ok = v && parse_number(*v, o.jobs) && o.jobs > 0;
    } else if (arg == "--concurrency") {
      const auto v = value();
      ok = v && parse_number(*v, o.concurrency) && o.concurrency > 0;
    } else if (arg == "--seed") {
      const auto v = value();
      ok = v && parse_number(*v, o.seed);
    } else if (arg == "--deadline") {
      const auto v = value();
      std::int64_t s = 0;
      ok = v && parse_number(*v, s) && s > 0;
      o.deadline = std::chrono::seconds{s};
    } else if (arg == "--faults") {
      const auto v = value();
      ok = v && (*v == "low" || *v == "moderate");
      if (ok) o.faults = std::string{*v};
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "mediajobs_soak: bad or incomplete option %.*s\n", static_cast<int>(arg.size()), arg.data());
      usage(stderr);
      return std::nullopt;
    }
  }
  return o;
}

/// Every mode on at once. Periods are distinct primes so that the modes rarely coincide on one
/// request and each fires at its own rate (the server counts requests over the whole server).
sb::fault_options fault_profile(std::string_view level) {
  sb::fault_options f;
  const bool low = level == "low";
  f.rate_limit_every = low ? 31 : 11;
  f.retry_after_seconds = 0;  // Retry-After: 0 -> retried at once
  f.unavailable_every = low ? 37 : 13;
  f.drop_every = low ? 41 : 17;
  f.truncate_every = low ? 43 : 19;
  f.garbage_every = low ? 47 : 23;
  f.latency_ms = low ? 1 : 2;
  f.unknown_fields = true;
  f.tfi_202_shape = true;
  return f;
}

// --- memory ---------------------------------------------------------------------------------

/// Peak resident set size in KiB (getrusage: ru_maxrss is KiB on Linux).
long peak_rss_kib() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return -1;
  return u.ru_maxrss;
}

/// Current resident set size in KiB (VmRSS of /proc/self/status, the figure ru_maxrss is the
/// high-water mark of), or the peak where that is unavailable.
long current_rss_kib() {
  long kib = -1;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr)
      if (std::strncmp(line, "VmRSS:", 6) == 0 && std::sscanf(line + 6, "%ld", &kib) == 1) break;
    std::fclose(f);
  }
  return kib >= 0 ? kib : peak_rss_kib();
}

// --- the jobs -------------------------------------------------------------------------------

enum class service_id : std::uint8_t { ugen, style, tfi };
constexpr std::array<std::string_view, 3> service_names{"ugen", "style", "tfi"};
std::string_view name_of(service_id s) { return service_names[static_cast<std::size_t>(s)]; }

/// One job as the soak follows it.
struct job_record {
  std::size_t index = 0;
  service_id service = service_id::ugen;
  bool expect_failure = false;   ///< carries the service's failure-injection marker
  std::size_t tenant = 0;        ///< U-Gen: which API key (tenant) it is created under
  std::string key{};             ///< U-Gen: our idempotency key
  std::string job_id{};          ///< set once a create (or a poll) told the client the id
  std::string stage = "queued";  ///< where it is (while running) or where it ended
  bool running = false;
  bool done = false;
  bool ok = false;
  bool create_maybe_processed = false;  ///< Style/TFI: a create failed after it may have been acted on
  error_kind kind = error_kind::none;   ///< the final error's kind when !ok
  std::string message{};                ///< the final error's message when !ok
  int resumes = 0;                      ///< waits/creates repeated after a fault
  std::string final_status{};           ///< the status the client saw last
};

using ugen_client = ugen::client<asio_transport>;
using style_client = style::client<asio_transport>;
using tfi_client = tfi::client<asio_transport>;

/// A wait (or result fetch) failing with one of these is the fault injection at work: the job
/// itself is fine, so we poll again. Anything else is final.
bool resumable(error_kind k) {
  return k == error_kind::transport || k == error_kind::timeout || k == error_kind::decode ||
         k == error_kind::http_status || k == error_kind::rate_limited;
}

/// The kinds a soak job may legitimately end with (job_failed only for jobs we told to fail).
bool expected_final(const job_record& j) {
  if (j.ok) return !j.expect_failure;
  if (j.kind == error_kind::job_failed) return j.expect_failure;
  return resumable(j.kind);
}

/// Shared by every job coroutine. Outlives them all (see main()).
struct soak_state {
  options opts;
  std::vector<job_record> jobs;
  std::vector<std::unique_ptr<ugen_client>> ugen;  // one per tenant, all on one transport
  std::unique_ptr<style_client> style;
  std::unique_ptr<tfi_client> tfi;
  std::chrono::milliseconds poll_interval{25};
  std::chrono::milliseconds wait_deadline{60000};
  int max_resumes = 6;
  std::uint64_t attempts = 0, retried_attempts = 0;
};

template <class Error>
void finish_failed(job_record& j, const Error& e) {
  j.ok = false;
  j.kind = e.kind();
  j.message = e.message();
}

task<void> run_ugen(soak_state& s, job_record& j) {
  ugen_client& client = *s.ugen[j.tenant];
  ugen::create_job_request req;
  req.product_name = "Soak headphones " + std::to_string(j.index);
  if (j.expect_failure) req.product_name += " [fail:assembly:always]";
  req.product_image_url = "https://example.com/soak.jpg";
  req.segment_count = 1;
  req.idempotency_key = j.key;
  for (;;) {
    ugen::wait_options wo;
    wo.interval = s.poll_interval;
    wo.deadline = s.wait_deadline;
    std::optional<api::wait_result<ugen::job>> r;
    if (j.job_id.empty()) {
      // Same key on every try: a create whose answer was lost is replayed, never duplicated.
      j.stage = "create_and_wait";
      ugen::create_job_request copy = req;
      task<api::wait_result<ugen::job>> t = client.create_and_wait(std::move(copy), std::move(wo));
      r.emplace(co_await std::move(t));
    } else {
      j.stage = "wait";
      std::string id = j.job_id;
      task<api::wait_result<ugen::job>> t = client.wait(std::move(id), std::move(wo));
      r.emplace(co_await std::move(t));
    }
    if (r->last_snapshot) {
      if (j.job_id.empty()) j.job_id = std::string{r->last_snapshot->get_id()};
      j.final_status = std::string{r->last_snapshot->status.name()};
    }
    if (*r) {
      j.job_id = std::string{(*r)->get_id()};
      j.final_status = std::string{(*r)->status.name()};
      j.ok = true;
      co_return;
    }
    if (!resumable(r->error().kind()) || j.resumes >= s.max_resumes) {
      finish_failed(j, r->error());
      co_return;
    }
    ++j.resumes;
  }
}

/// Style and TFI: wait for a created job, polling again after a fault.
template <class Client, class Job>
task<result<Job>> wait_resuming(soak_state& s, Client& client, job_record& j) {
  for (;;) {
    api::wait_options<Job> wo;
    wo.interval = s.poll_interval;
    wo.deadline = s.wait_deadline;
    std::string id = j.job_id;
    task<api::wait_result<Job>> t = client.wait(std::move(id), std::move(wo));
    api::wait_result<Job> r = co_await std::move(t);
    if (r.last_snapshot) {
      if constexpr (std::is_same_v<Job, tfi::job>) {
        if (const auto st = r.last_snapshot->get_status()) j.final_status = std::string{st->name()};
      } else {
        j.final_status = std::string{r.last_snapshot->status.name()};
      }
    }
    if (r || !resumable(r.error().kind()) || j.resumes >= s.max_resumes) co_return std::move(r);
    ++j.resumes;
  }
}

task<void> run_style(soak_state& s, job_record& j) {
  style_client& client = *s.style;
  j.stage = "upload";
  style::upload_video_request up;
  up.filename = "soak-" + std::to_string(j.index) + (j.expect_failure ? "-[fail:rendering].mp4" : ".mp4");
  up.data = std::string(2048, 'v');
  task<result<style::upload_result>> upload = client.upload_video(std::move(up));
  result<style::upload_result> uploaded = co_await std::move(upload);
  if (!uploaded) co_return finish_failed(j, uploaded.error());

  j.stage = "create";
  style::job_create_request req;
  req.video_id = uploaded->video_id;
  task<result<style::job_response>> create = client.create_job(std::move(req));
  result<style::job_response> created = co_await std::move(create);
  if (!created) {
    // No idempotency key: not repeated. 429 and 503 are refused before the service acts.
    const error_kind k = created.error().kind();
    j.create_maybe_processed = k != error_kind::rate_limited && k != error_kind::http_status;
    co_return finish_failed(j, created.error());
  }
  j.job_id = created->job_id;
  if (s.opts.inject_duplicate) {
    style::job_create_request again;
    again.video_id = uploaded->video_id;
    task<result<style::job_response>> extra = client.create_job(std::move(again));
    (void)co_await std::move(extra);
  }

  j.stage = "wait";
  task<result<style::job_response>> waiting = wait_resuming<style_client, style::job_response>(s, client, j);
  result<style::job_response> done = co_await std::move(waiting);
  if (!done) co_return finish_failed(j, done.error());

  j.stage = "result";
  for (;;) {
    std::string id = j.job_id;
    task<result<style::job_detail_response>> fetch = client.get_result(std::move(id));
    result<style::job_detail_response> detail = co_await std::move(fetch);
    if (detail) {
      j.final_status = std::string{detail->status.name()};
      j.ok = detail->output_video_url.has_value();
      if (!j.ok) {
        j.kind = error_kind::protocol;
        j.message = "completed job's result has no output_video_url";
      }
      co_return;
    }
    if (!resumable(detail.error().kind()) || j.resumes >= s.max_resumes) co_return finish_failed(j, detail.error());
    ++j.resumes;
  }
}

task<void> run_tfi(soak_state& s, job_record& j) {
  tfi_client& client = *s.tfi;
  j.stage = "create";
  tfi::create_request req;
  req.job_type = tfi::job_type::ai_talking_video;
  req.template_id = "468ea7a0-66e1-4357-a760-236e54167f3e";  // seeded in the sandbox
  req.version = 2;
  req.values = tfi::values_map{{"headline", std::string{j.expect_failure ? "Soak [fail]" : "Soak"}}};
  task<result<tfi::created_job>> create = client.create_job(std::move(req));
  result<tfi::created_job> created = co_await std::move(create);
  if (!created) {
    const error_kind k = created.error().kind();
    j.create_maybe_processed = k != error_kind::rate_limited && k != error_kind::http_status;
    co_return finish_failed(j, created.error());
  }
  j.job_id = created->job_id;

  j.stage = "wait";
  task<result<tfi::job>> waiting = wait_resuming<tfi_client, tfi::job>(s, client, j);
  result<tfi::job> done = co_await std::move(waiting);
  if (!done) co_return finish_failed(j, done.error());
  j.ok = true;
}

task<void> run_job(soak_state& s, job_record& j) {
  j.running = true;
  switch (j.service) {
    case service_id::ugen: {
      task<void> t = run_ugen(s, j);
      co_await std::move(t);
      break;
    }
    case service_id::style: {
      task<void> t = run_style(s, j);
      co_await std::move(t);
      break;
    }
    case service_id::tfi: {
      task<void> t = run_tfi(s, j);
      co_await std::move(t);
      break;
    }
  }
  if (j.ok) j.stage = "done";
  j.running = false;
  j.done = true;
}

/// What the audit found: ids confirmed in the sandbox, and what is wrong.
struct audit_tally {
  std::size_t accounted = 0;
  std::vector<std::string> problems{};
};

/// Fetches a job the client holds an id for (faults off) and checks that the sandbox has it,
/// and in the terminal state the client saw when the client saw one.
task<void> audit_job(soak_state& s, job_record& j, audit_tally& tally) {
  std::string id = j.job_id;
  std::optional<std::string> status;
  std::string why;
  if (j.service == service_id::ugen) {
    task<result<ugen::job>> t = s.ugen[j.tenant]->get_job(std::move(id));
    result<ugen::job> r = co_await std::move(t);
    if (r)
      status = std::string{r->status.name()};
    else
      why = r.error().message();
  } else if (j.service == service_id::style) {
    task<result<style::job_response>> t = s.style->get_job(std::move(id));
    result<style::job_response> r = co_await std::move(t);
    if (r)
      status = std::string{r->status.name()};
    else
      why = r.error().message();
  } else {
    task<result<tfi::job>> t = s.tfi->get_job(std::move(id));
    result<tfi::job> r = co_await std::move(t);
    if (r) {
      const auto st = r->get_status();
      status = st ? std::string{st->name()} : std::string{};
    } else {
      why = r.error().message();
    }
  }
  const std::string who = "job " + std::to_string(j.index) + " (" + std::string{name_of(j.service)} + ", id " + j.job_id + ")";
  if (!status) {
    tally.problems.push_back(who + " is not in the sandbox: " + why);
    co_return;
  }
  if ((j.ok || j.kind == error_kind::job_failed) && *status != j.final_status) {
    tally.problems.push_back(who + ": the client saw " + j.final_status + ", the sandbox says " + *status);
    co_return;
  }
  ++tally.accounted;
}

// --- the driver -----------------------------------------------------------------------------

/// Runs make(i) for i in [0, count) with at most `concurrency` in flight, on this thread, until
/// all finished or `deadline`. On the deadline: calls on_deadline() (to report what is pending),
/// requests a stop, lets the tasks end (bounded: 5 s), and returns false. `progress(finished)`
/// after each completion.
template <class Make, class Progress, class OnDeadline>
bool drive(asio::io_context& io, std::size_t count, std::size_t concurrency, steady::time_point deadline,
           Make make, Progress progress, OnDeadline on_deadline) {
  std::size_t next = 0, in_flight = 0, finished = 0;
  std::stop_source stop;
  while (finished < count) {
    while (in_flight < concurrency && next < count && !stop.stop_requested()) {
      ++in_flight;
      mediajobs::start(
          make(next++),
          [&] {
            --in_flight;
            ++finished;
            progress(finished);
          },
          stop.get_token());
    }
    if (finished == count) break;
    if (steady::now() >= deadline) {
      if (!stop.stop_requested()) {
        on_deadline();
        stop.request_stop();
        deadline = steady::now() + 5s;  // time for the cancelled tasks to unwind
        continue;
      }
      return false;
    }
    if (io.stopped()) io.restart();
    io.run_one_for(50ms);
    if (stop.stop_requested() && in_flight == 0) return false;
  }
  return !stop.stop_requested();
}

std::int64_t int_at(const mediajobs::json::value& v, std::string_view a, std::string_view b = {}) {
  const mediajobs::json::value* p = v.find(a);
  if (p != nullptr && !b.empty()) p = p->find(b);
  return p != nullptr && p->is_integer() ? p->as_int64() : -1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<options> parsed = parse_options(argc, argv);
  if (!parsed) return 2;
  const options opts = *parsed;
  const auto t0 = steady::now();
  const auto deadline = t0 + opts.deadline;
  std::printf("mediajobs_soak --jobs %zu --concurrency %zu --seed %llu --deadline %lld --faults %s\n", opts.jobs,
              opts.concurrency, static_cast<unsigned long long>(opts.seed),
              static_cast<long long>(opts.deadline.count()), opts.faults.c_str());

  // Every job task has ended before anything here is destroyed: drive() returns only then, and
  // when it cannot (a deadline with tasks still in flight) we leave with _Exit, never unwinding
  // state a late completion could touch. Destruction order: clients, transports, sandbox, io.
  asio::io_context io;
  // Auth off: the sandbox's U-Gen credits (1000 per tenant, 10 a segment) allow 100 jobs per API
  // key, and with auth off the key only names the tenant, so U-Gen jobs are spread over tenants.
  sb::server sandbox{io, {.api_key = "", .speed = 50.0, .faults = fault_profile(opts.faults)}};
  if (!sandbox) {
    std::fprintf(stderr, "mediajobs_soak: the sandbox did not start: %s\n", sandbox.error().message().c_str());
    return 1;
  }
  // One transport per service; the pool keeps as many idle connections as jobs may be in flight.
  mediajobs::asio_transport_options topts;
  topts.max_idle_per_origin = opts.concurrency;
  topts.connect_timeout = 10s;
  asio_transport ugen_http{io, topts}, style_http{io, topts}, tfi_http{io, topts};

  soak_state s;
  s.opts = opts;
  std::mt19937_64 rng{opts.seed};

  const auto client_options = [&](std::string service, std::string key) {
    api::client_options c;
    c.base_url = sandbox.url(service);
    c.api_key = std::move(key);
    c.timeout = 20s;
    c.retry.max_retries = 4;
    c.retry.base_delay = 20ms;
    c.retry.max_delay = 500ms;
    // Jitter from the seed, so a run can be repeated (the fault schedule is the server's count).
    auto jitter = std::make_shared<std::mt19937_64>(rng());
    c.retry.random = [jitter] { return (*jitter)(); };
    c.on_attempt = [&s](const api::attempt_log& a) {
      ++s.attempts;
      if (a.attempt > 1) ++s.retried_attempts;
    };
    return c;
  };

  // The jobs: services dealt round-robin from a seeded shuffle, ~5% told to fail.
  s.jobs.resize(opts.jobs);
  std::size_t ugen_count = 0;
  constexpr std::size_t jobs_per_tenant = 50;
  std::array<service_id, 3> deal{service_id::ugen, service_id::style, service_id::tfi};
  std::shuffle(deal.begin(), deal.end(), rng);
  for (std::size_t i = 0; i < opts.jobs; ++i) {
    job_record& j = s.jobs[i];
    j.index = i;
    j.service = deal[i % 3];
    j.expect_failure = rng() % 20 == 0;
    if (j.service == service_id::ugen) {
      j.tenant = ugen_count++ / jobs_per_tenant;
      j.key = "soak-" + std::to_string(opts.seed) + "-" + std::to_string(i);
    }
  }
  for (std::size_t t = 0; t * jobs_per_tenant < std::max<std::size_t>(ugen_count, 1); ++t)
    s.ugen.push_back(std::make_unique<ugen_client>(ugen_http, client_options("ugen", "soak-tenant-" + std::to_string(t))));
  s.style = std::make_unique<style_client>(style_http, client_options("style", "soak"));
  s.tfi = std::make_unique<tfi_client>(tfi_http, client_options("tfi", "soak"));

  // --- the run ---
  long rss_start = current_rss_kib(), rss_25 = -1, rss_100 = -1;
  std::size_t next_report = opts.jobs / 10;
  // At the deadline, before the stop: the jobs in flight (where each is) and how many never started.
  const auto report_pending = [&] {
    const double at = std::chrono::duration<double>(steady::now() - t0).count();
    std::size_t running = 0, waiting = 0;
    for (const auto& j : s.jobs) {
      running += j.running ? 1 : 0;
      waiting += !j.running && !j.done ? 1 : 0;
    }
    std::printf("DEADLINE after %.1f s: %zu jobs in flight, %zu not started; in flight:\n", at, running, waiting);
    std::size_t shown = 0;
    for (const auto& j : s.jobs) {
      if (!j.running) continue;
      if (++shown > 64) {
        std::printf("  ... and %zu more\n", running - 64);
        break;
      }
      std::printf("  job %zu %s stage=%s id=%s resumes=%d\n", j.index, std::string{name_of(j.service)}.c_str(),
                  j.stage.c_str(), j.job_id.empty() ? "-" : j.job_id.c_str(), j.resumes);
    }
    std::fflush(stdout);
  };
  const bool finished = drive(
      io, opts.jobs, opts.concurrency, deadline, [&](std::size_t i) { return run_job(s, s.jobs[i]); },
      [&](std::size_t n) {
        if (rss_25 < 0 && n * 4 >= opts.jobs) rss_25 = current_rss_kib();
        if (n == opts.jobs) rss_100 = current_rss_kib();
        if (!opts.quiet && next_report > 0 && n >= next_report) {
          next_report += opts.jobs / 10;
          std::size_t ok = 0;
          for (const auto& j : s.jobs) ok += j.ok ? 1 : 0;
          std::printf("  %zu/%zu jobs done (%zu ok) after %.1f s\n", n, opts.jobs, ok,
                      std::chrono::duration<double>(steady::now() - t0).count());
          std::fflush(stdout);
        }
      },
      report_pending);
  const double run_seconds = std::chrono::duration<double>(steady::now() - t0).count();

  if (!finished) {  // what was pending is printed by report_pending
    std::fflush(stdout);
    std::_Exit(1);
  }

  // --- the audit (faults off, so that what we read is what the sandbox holds) ---
  const mediajobs::json::value stats = sandbox.stats();
  sandbox.set_faults({});
  int problems = 0;
  const auto problem = [&](const std::string& what) {
    ++problems;
    if (problems <= 40) std::printf("PROBLEM: %s\n", what.c_str());
  };

  // Outcomes by service and kind.
  std::map<std::string, std::map<std::string, std::size_t>> outcomes;
  std::array<std::size_t, 3> ok_by{}, failed_by{}, known_ids{}, maybe_processed{};
  std::size_t resumed_jobs = 0;
  std::size_t unexpected = 0;
  for (const auto& j : s.jobs) {
    const auto si = static_cast<std::size_t>(j.service);
    (j.ok ? ok_by : failed_by)[si]++;
    outcomes[std::string{name_of(j.service)}]
            [j.ok ? std::string{"ok"} : std::string{mediajobs::to_string(j.kind)} + "@" + j.stage]++;
    if (!j.job_id.empty()) ++known_ids[si];
    if (j.create_maybe_processed) ++maybe_processed[si];
    if (j.resumes > 0) ++resumed_jobs;
    if (!expected_final(j)) {
      ++unexpected;
      problem("job " + std::to_string(j.index) + " (" + std::string{name_of(j.service)} +
              (j.expect_failure ? ", told to fail" : "") + ") ended " +
              (j.ok ? std::string{"ok"} : j.message) + " at " + j.stage);
    }
  }

  // Duplicates: every U-Gen idempotency key at most once, and only our keys.
  std::size_t duplicates = 0;
  std::set<std::string> our_keys;
  for (const auto& j : s.jobs)
    if (!j.key.empty()) our_keys.insert(j.key);
  std::set<std::string> keys_seen;
  if (const auto* by_key = stats.find("ugen") ? stats["ugen"].find("jobs_by_idempotency_key") : nullptr;
      by_key != nullptr && by_key->is_object()) {
    for (const auto& [key, n] : by_key->as_object()) {
      keys_seen.insert(key);
      if (!n.is_integer() || n.as_int64() != 1) {
        ++duplicates;
        problem("DUPLICATE: idempotency key " + key + " has " + (n.is_integer() ? std::to_string(n.as_int64()) : "?") +
                " jobs");
      }
      if (our_keys.count(key) == 0) problem("U-Gen holds a job under a key the soak never sent: " + key);
    }
  } else {
    problem("the sandbox stats have no ugen.jobs_by_idempotency_key");
  }
  for (const auto& j : s.jobs)
    if (j.service == service_id::ugen && !j.job_id.empty() && keys_seen.count(j.key) == 0)
      problem("U-Gen job " + j.job_id + " (key " + j.key + ") is not counted under its key");
  // Style and TFI have no key: what the sandbox created must be bracketed by what the clients
  // know and the creates whose answer was lost. More is a duplicate; fewer, a phantom id.
  std::array<std::int64_t, 3> created{};
  for (std::size_t si = 0; si < 3; ++si) {
    created[si] = int_at(stats, service_names[si], "jobs_created");
    const auto known = static_cast<std::int64_t>(known_ids[si]);
    const auto lost = static_cast<std::int64_t>(maybe_processed[si]);
    if (created[si] < known)
      problem(std::string{service_names[si]} + ": the sandbox created " + std::to_string(created[si]) +
              " jobs but the clients hold " + std::to_string(known) + " ids");
    if (si != 0 && created[si] > known + lost) {
      duplicates += static_cast<std::size_t>(created[si] - known - lost);
      problem("DUPLICATE: " + std::string{service_names[si]} + " created " + std::to_string(created[si]) +
              " jobs for " + std::to_string(known) + " known ids and " + std::to_string(lost) + " lost creates");
    }
  }
  if (created[0] != static_cast<std::int64_t>(keys_seen.size()))
    problem("ugen: jobs_created " + std::to_string(created[0]) + " != keys " + std::to_string(keys_seen.size()));

  // Every mode fired (else this run did not test it).
  const mediajobs::json::value* injected = stats.find("faults_injected");
  constexpr std::array<std::string_view, 5> modes{"rate_limited", "unavailable", "dropped", "truncated", "garbage"};
  for (const auto m : modes)
    if (int_at(stats, "faults_injected", m) <= 0) problem("fault mode " + std::string{m} + " never fired");

  // Every id a client holds exists in the sandbox, in the state the client saw last.
  std::set<std::string> distinct;
  std::vector<std::size_t> to_check;
  for (const auto& j : s.jobs) {
    if (j.job_id.empty()) continue;
    if (!distinct.insert(std::string{name_of(j.service)} + ":" + j.job_id).second)
      problem("two jobs hold the same id " + j.job_id);
    to_check.push_back(j.index);
  }
  audit_tally tally;
  const auto check_one = [&](std::size_t i) { return audit_job(s, s.jobs[to_check[i]], tally); };
  const bool checked = drive(io, to_check.size(), opts.concurrency, deadline, check_one, [](std::size_t) {},
                             [] { std::printf("DEADLINE during the audit\n"); });
  if (!checked) problem("the audit did not finish before the deadline");
  for (const auto& p : tally.problems) problem(p);
  const std::size_t accounted = tally.accounted;
  if (accounted != to_check.size())
    problem(std::to_string(to_check.size() - accounted) + " client-held job ids are not accounted for");

  // --- the summary ---
  const double wall = std::chrono::duration<double>(steady::now() - t0).count();
  std::size_t ok_total = ok_by[0] + ok_by[1] + ok_by[2];
  std::printf("\n== soak summary ==\n");
  std::printf("jobs: %zu  ok: %zu  failed: %zu  (expected failures told to fail: %zu)\n", opts.jobs, ok_total,
              opts.jobs - ok_total,
              static_cast<std::size_t>(std::count_if(s.jobs.begin(), s.jobs.end(),
                                                     [](const job_record& j) { return j.expect_failure; })));
  for (const auto& [svc, kinds] : outcomes) {
    std::printf("  %-5s", svc.c_str());
    for (const auto& [k, n] : kinds) std::printf("  %s=%zu", k.c_str(), n);
    std::printf("\n");
  }
  std::printf("jobs that polled again or replayed their create after a fault: %zu\n", resumed_jobs);
  std::printf("client attempts: %llu (of which retries: %llu)\n", static_cast<unsigned long long>(s.attempts),
              static_cast<unsigned long long>(s.retried_attempts));
  std::printf("sandbox jobs created: ugen=%lld style=%lld tfi=%lld; ids held by clients: ugen=%zu style=%zu tfi=%zu;"
              " creates lost (no key): style=%zu tfi=%zu\n",
              static_cast<long long>(created[0]), static_cast<long long>(created[1]),
              static_cast<long long>(created[2]), known_ids[0], known_ids[1], known_ids[2], maybe_processed[1],
              maybe_processed[2]);
  std::printf("sandbox requests: %lld; faults injected:", static_cast<long long>(int_at(stats, "requests")));
  if (injected != nullptr)
    for (const auto m : modes) std::printf(" %.*s=%lld", static_cast<int>(m.size()), m.data(),
                                           static_cast<long long>(int_at(*injected, m)));
  std::printf(" (+ latency, unknown fields/enum values, TFI 202 shape on every response)\n");
  std::printf("connections: total=%lld rejected=%lld\n", static_cast<long long>(int_at(stats, "connections", "total")),
              static_cast<long long>(int_at(stats, "connections", "rejected")));
  std::printf("accounted: %zu/%zu client-held ids found in the sandbox\n", accounted, to_check.size());
  std::printf("duplicates = %zu\n", duplicates);
  std::printf("unexpected outcomes = %zu\n", unexpected);
  std::printf("wall time: %.2f s (jobs %.2f s, audit %.2f s)\n", wall, run_seconds, wall - run_seconds);
  std::printf("RSS: start %ld KiB, at 25%% %ld KiB, at 100%% %ld KiB, peak %ld KiB\n", rss_start, rss_25, rss_100,
              peak_rss_kib());
  const bool pass = problems == 0 && duplicates == 0;
  std::printf("%s\n", pass ? "PASS" : "FAIL");
  if (!checked) {  // audit tasks may still be in flight: see the comment at the io_context
    std::fflush(stdout);
    std::_Exit(1);
  }
  return pass ? 0 : 1;
}
