// The `mediajobs` command-line tool, run as a child process: `mediajobs sandbox --port 0 --speed
// 50` is started once and every client subcommand runs against it over 127.0.0.1; exit codes,
// --json documents (decoded with the library's schemas), the progress display, usage errors, and
// that the API key never shows in any output. Every wait on a child is bounded (poll() with a
// deadline; the child is killed when it runs out); nothing sleeps.
#include <doctest/doctest.h>

#ifndef MEDIAJOBS_CLI_PATH

TEST_CASE("the mediajobs tool is not built in this configuration (MEDIAJOBS_BUILD_TOOLS=OFF)" * doctest::skip()) {}

#else

#include <mediajobs/core/version.hpp>
#include <mediajobs/http/parser.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/style/schema.hpp>
#include <mediajobs/techforge/schema.hpp>
#include <mediajobs/ugen/schema.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr const char* cli_path = MEDIAJOBS_CLI_PATH;
// The sandbox's key: every run passes it (env or flag); no output may ever contain it.
constexpr std::string_view test_key = "sk-cli-test-5ec2e7a91b";

/// A child process with its stdout and stderr on pipes.
class child {
 public:
  /// `stderr_tty`: the child's stderr is a pseudo-terminal (read through its master side).
  child(const std::vector<std::string>& args, const std::vector<std::string>& env_extra, bool stderr_tty = false) {
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return;
    if (stderr_tty) {
      err_pipe[0] = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (err_pipe[0] < 0 || ::grantpt(err_pipe[0]) != 0 || ::unlockpt(err_pipe[0]) != 0) return;
      err_pipe[1] = ::open(::ptsname(err_pipe[0]), O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (err_pipe[1] < 0) return;
    } else if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
      return;
    }
    std::vector<std::string> argv_s;
    argv_s.emplace_back(cli_path);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The environment without any MEDIAJOBS_* of the caller's, plus the test's own.
    std::vector<std::string> env_s;
    for (char** e = environ; *e != nullptr; ++e)
      if (std::string_view{*e}.rfind("MEDIAJOBS_", 0) != 0) env_s.emplace_back(*e);
    env_s.insert(env_s.end(), env_extra.begin(), env_extra.end());
    std::vector<char*> envp;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    const int rc = ::posix_spawn(&pid_, cli_path, &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    if (rc != 0) pid_ = -1;
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  ~child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
  }

  [[nodiscard]] bool started() const noexcept { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  /// Reads what is available until `stop()` says so, both pipes closed, or the deadline.
  template <class Stop>
  bool pump(clock_type::time_point deadline, Stop stop) {
    while (!stop()) {
      pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
      if (out_fd_ < 0 && err_fd_ < 0) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
      if (left <= 0) return false;
      const int n = ::poll(fds, 2, static_cast<int>(left));
      if (n < 0) return false;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        char buf[8192];
        const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
        if (got > 0) {
          (i == 0 ? out : err).append(buf, static_cast<std::size_t>(got));
        } else {
          ::close(fds[i].fd);
          (i == 0 ? out_fd_ : err_fd_) = -1;
        }
      }
    }
    return true;
  }

  /// The first line of stdout, waiting at most `limit`.
  std::optional<std::string> first_line(std::chrono::milliseconds limit) {
    pump(clock_type::now() + limit, [&] { return out.find('\n') != std::string::npos || (out_fd_ < 0 && err_fd_ < 0); });
    const auto nl = out.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    return out.substr(0, nl);
  }

  /// Drains the pipes until the child closes them, then reaps it: its exit code, or -1 when it
  /// did not finish within `limit` (it is then killed) or died of a signal.
  int finish(std::chrono::milliseconds limit) {
    const bool closed = pump(clock_type::now() + limit, [] { return false; });
    if (!closed) {
      timed_out = true;
      ::kill(pid_, SIGKILL);
    }
    int st = 0;
    ::waitpid(pid_, &st, 0);
    reaped_ = true;
    if (closed && WIFEXITED(st)) return WEXITSTATUS(st);
    return -1;
  }

  std::string out;
  std::string err;
  bool timed_out = false;

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool reaped_ = false;
};

bool contains_text(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

/// Runs the tool to its end (at most `limit`), with MEDIAJOBS_API_KEY set to the test key.
run_result run(const std::vector<std::string>& args, std::chrono::milliseconds limit = 60s,
               std::vector<std::string> env = {"MEDIAJOBS_API_KEY=" + std::string{test_key}}) {
  child c{args, env};
  REQUIRE_MESSAGE(c.started(), "cannot start " << cli_path);
  run_result r;
  r.code = c.finish(limit);
  r.out = std::move(c.out);
  r.err = std::move(c.err);
  // A sanitizer report in the child fails the test even when the exit code looks expected.
  CHECK_MESSAGE(!contains_text(r.err, "Sanitizer"), r.err);
  CHECK_MESSAGE(!contains_text(r.err, "runtime error:"), r.err);
  // The key must never be echoed, whatever happened.
  CHECK_MESSAGE(r.out.find(test_key) == std::string::npos, "API key on stdout: " << r.out);
  CHECK_MESSAGE(r.err.find(test_key) == std::string::npos, "API key on stderr: " << r.err);
  return r;
}

/// The shared sandbox child (speed 50), started on first use, killed at exit.
struct sandbox_child {
  std::unique_ptr<child> proc;
  std::string base;  // http://127.0.0.1:PORT

  static sandbox_child& shared() {
    static sandbox_child s = start("50");
    return s;
  }
  /// At speed 1 a 20-segment U-Gen job runs 13 s: certainly still running while a test acts on it
  /// (at speed 50 it would end in 0.3 s).
  static sandbox_child& shared_slow() {
    static sandbox_child s = start("1");
    return s;
  }
  static sandbox_child start(const std::string& speed) {
    sandbox_child s;
    s.proc = std::make_unique<child>(std::vector<std::string>{"sandbox", "--port", "0", "--speed", speed, "--api-key",
                                                              std::string{test_key}},
                                     std::vector<std::string>{});
    REQUIRE(s.proc->started());
    const auto line = s.proc->first_line(20s);
    REQUIRE_MESSAGE(line.has_value(), "the sandbox printed no first line; stderr: " << s.proc->err);
    constexpr std::string_view prefix = "listening on ";
    REQUIRE(line->rfind(prefix, 0) == 0);
    s.base = line->substr(prefix.size());
    return s;
  }
  [[nodiscard]] std::string url(std::string_view service) const { return base + "/" + std::string{service}; }
};

template <class T>
T decode(const std::string& text) {
  auto r = mediajobs::json::read<T>(text);
  REQUIRE_MESSAGE(r.has_value(), "does not decode: " << (r ? std::string{} : r.error().message()) << "\n" << text);
  return std::move(*r);
}

/// One request to a sandbox control endpoint over a plain socket (no auth there); the JSON answer.
mediajobs::json::value sandbox_control(const std::string& base, std::string_view method, std::string_view path,
                                       std::string_view body = {}) {
  const auto colon = base.rfind(':');
  const int port = std::atoi(base.c_str() + colon + 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  std::string req = std::string{method} + " " + std::string{path} + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty())
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  mediajobs::http::response_parser p;
  char buf[8192];
  ssize_t n = 0;
  pollfd pfd{fd, POLLIN, 0};
  while (!p.done() && ::poll(&pfd, 1, 10000) == 1 && (n = ::read(fd, buf, sizeof buf)) > 0) {
    auto used = p.feed(std::string_view{buf, static_cast<std::size_t>(n)});
    REQUIRE(used.has_value());
  }
  if (!p.done()) (void)p.eof();
  ::close(fd);
  REQUIRE(p.done());
  mediajobs::http::response r = p.take();
  CHECK_MESSAGE(r.status == 200, method << " " << path << " -> " << r.status << " " << r.body);
  return decode<mediajobs::json::value>(r.body);
}

mediajobs::json::value sandbox_stats(const std::string& base) { return sandbox_control(base, "GET", "/_sandbox/stats"); }

/// A TCP port on 127.0.0.1 that nobody listens on (bound, then closed).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

}  // namespace

// --- without a server ---------------------------------------------------------------------------

TEST_CASE("--version prints the library version and exits 0") {
  const auto r = run({"--version"});
  CHECK(r.code == 0);
  CHECK(r.out == std::string{"mediajobs "} + mediajobs::version_string + "\n");
}

TEST_CASE("--help lists every command and COMMAND --help shows that command's options") {
  const auto all = run({"--help"});
  CHECK(all.code == 0);
  for (const char* c : {"demo", "sandbox", "ugen create", "ugen retry", "ugen suggest", "style upload", "style result",
                        "tfi create", "tfi signed-url", "tfi mapping-fields", "--base-url", "--max-retries"})
    CHECK_MESSAGE(contains(all.out, c), c);
  const auto create = run({"ugen", "create", "--help"});
  CHECK(create.code == 0);
  CHECK(contains(create.out, "usage: mediajobs ugen create"));
  CHECK(contains(create.out, "--product-image-url"));
  CHECK(contains(create.out, "--set FIELD=VALUE"));
  const auto tfi = run({"tfi", "create", "--help"});
  CHECK(contains(tfi.out, "--version N"));  // the command's own --version, not the global flag
  const auto group = run({"style", "--help"});
  CHECK(group.code == 0);
  CHECK(contains(group.out, "style upload"));
  CHECK(!contains(group.out, "ugen create"));
}

TEST_CASE("usage errors exit 2 with one line and a hint") {
  SUBCASE("unknown option, with the closest one suggested") {
    const auto r = run({"ugen", "list", "--stauts", "completed"});
    CHECK(r.code == 2);
    CHECK(r.err == "mediajobs: usage error: unknown option '--stauts' for 'ugen list' (did you mean --status?) "
                   "(see 'mediajobs ugen list --help')\n");
    CHECK(r.out.empty());
  }
  SUBCASE("unknown command") {
    const auto r = run({"ugen", "lst"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown command 'ugen lst' (did you mean ugen list?)"));
  }
  SUBCASE("missing argument") {
    const auto r = run({"ugen", "get"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "'ugen get' needs JOB_ID"));
  }
  SUBCASE("option without its value") {
    const auto r = run({"ugen", "list", "--page"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "option --page needs a value (N)"));
  }
  SUBCASE("bad number") {
    const auto r = run({"--base-url", "http://127.0.0.1:9", "ugen", "list", "--page", "two"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "--page needs an integer (got 'two')"));
  }
  SUBCASE("no command") {
    const auto r = run({});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "missing command"));
  }
  SUBCASE("the Style engine needs --base-url") {
    const auto r = run({"style", "get", "job-1"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "the Style engine has no documented live URL: --base-url"));
  }
}

TEST_CASE("a closed port is a transport error: exit 4, one line") {
  const std::string base = "http://127.0.0.1:" + std::to_string(closed_port()) + "/ugen";
  const auto r = run({"--base-url", base, "--max-retries", "0", "ugen", "get", "job-1"});
  CHECK(r.code == 4);
  CHECK(contains(r.err, "mediajobs: error: transport error"));
  CHECK(r.err.find('\n') == r.err.size() - 1);  // exactly one line
  CHECK(r.out.empty());
}

// --- against the sandbox --------------------------------------------------------------------

TEST_CASE("ugen create --json, then get --json: the job decodes, --set reached nested fields") {
  const auto& sb = sandbox_child::shared();
  const auto created = run({"--base-url", sb.url("ugen"), "--json", "ugen", "create", "--product-name", "Headphones",
                            "--product-image-url", "https://example.com/h.jpg", "--segment-count", "2", "--set",
                            "voice_settings.speed=1.1", "--set", "voice_settings.voice=calm", "--set",
                            "script_tone=enthusiastic", "--set", "key_selling_points=[\"light\",\"loud\"]"});
  REQUIRE(created.code == 0);
  const auto job = decode<mediajobs::ugen::job>(created.out);
  const std::string id{job.get_id()};
  REQUIRE(!id.empty());
  CHECK(job.segment_count == 2);

  const auto got = run({"--base-url", sb.url("ugen"), "--json", "ugen", "get", id});
  REQUIRE(got.code == 0);
  const auto again = decode<mediajobs::ugen::job>(got.out);
  CHECK(again.get_id() == id);
  const auto* voice = again.extra.find("voice_settings");
  REQUIRE(voice != nullptr);
  CHECK((*voice)["speed"].as_double() == doctest::Approx(1.1));
  CHECK((*voice)["voice"].as_string() == "calm");
  const auto* tone = again.extra.find("script_tone");
  REQUIRE(tone != nullptr);
  CHECK(tone->as_string() == "enthusiastic");

  {  // without --json: readable key: value lines
    const auto human = run({"--base-url", sb.url("ugen"), "ugen", "get", id});
    CHECK(human.code == 0);
    CHECK(contains(human.out, "id: " + id + "\n"));
    CHECK(contains(human.out, "voice_settings.speed: 1.1\n"));
  }
}

TEST_CASE("ugen create --wait follows the job to completed: progress lines on stderr, the job on stdout") {
  const auto& sb = sandbox_child::shared();
  const auto r = run({"--base-url", sb.url("ugen"), "--poll-interval", "0.02", "--json", "ugen", "create",
                      "--product-name", "Speaker", "--product-image-url", "https://example.com/s.jpg", "--segment-count",
                      "3", "--wait"});
  REQUIRE(r.code == 0);
  const auto job = decode<mediajobs::ugen::job>(r.out);
  CHECK(job.status.is(mediajobs::ugen::job_status::completed));
  REQUIRE(job.outputs.has_value());
  CHECK(job.outputs->video_url.has_value());
  // stderr is a pipe, not a terminal: plain lines, the last one at 100 %.
  CHECK(contains(r.err, "progress: "));
  CHECK(contains(r.err, "progress: 100% status=completed"));
  CHECK(!contains(r.err, "\r"));
  const std::string id{job.get_id()};

  {  // keyframes and videos of the completed job
    const auto kf = run({"--base-url", sb.url("ugen"), "--json", "ugen", "keyframes", id});
    REQUIRE(kf.code == 0);
    CHECK(decode<std::vector<mediajobs::ugen::keyframe>>(kf.out).size() >= 3);
    const auto vids = run({"--base-url", sb.url("ugen"), "--json", "ugen", "videos", id});
    REQUIRE(vids.code == 0);
    CHECK(decode<std::vector<mediajobs::ugen::video_segment>>(vids.out).size() >= 3);
  }
  {  // wait on a finished job answers at once
    const auto w = run({"--base-url", sb.url("ugen"), "--json", "ugen", "wait", id});
    CHECK(w.code == 0);
    CHECK(decode<mediajobs::ugen::job>(w.out).status.is(mediajobs::ugen::job_status::completed));
  }
  {  // --quiet: no progress, only the result
    const auto q = run({"--base-url", sb.url("ugen"), "--quiet", "--poll-interval", "0.02", "ugen", "create",
                        "--product-name", "Quiet", "--product-image-url", "https://example.com/q.jpg",
                        "--segment-count", "1", "--wait"});
    CHECK(q.code == 0);
    CHECK(q.err.empty());
    CHECK(contains(q.out, "status: completed"));
  }
}

TEST_CASE("--wait on a terminal draws a redrawn progress bar on stderr") {
  const auto& sb = sandbox_child::shared();
  child c{{"--base-url", sb.url("ugen"), "--poll-interval", "0.02", "--json", "ugen", "create", "--product-name", "Tty",
           "--product-image-url", "https://example.com/t.jpg", "--segment-count", "2", "--wait"},
          {"MEDIAJOBS_API_KEY=" + std::string{test_key}},
          true};
  REQUIRE(c.started());
  CHECK(c.finish(60s) == 0);
  CHECK(contains(c.err, "\r\x1b[2K["));              // redrawn in place
  CHECK(contains(c.err, "##############################] 100% assembly (completed)"));
  CHECK(!contains(c.err, "progress: "));             // not the plain lines
  CHECK(decode<mediajobs::ugen::job>(c.out).status.is(mediajobs::ugen::job_status::completed));
}

TEST_CASE("a job that fails while waited exits 3 with the final job; retry --from restarts it") {
  const auto& sb = sandbox_child::shared();
  const auto r = run({"--base-url", sb.url("ugen"), "--poll-interval", "0.02", "--json", "ugen", "create",
                      "--product-name", "Doomed [fail:generation]", "--product-image-url", "https://example.com/d.jpg",
                      "--segment-count", "2", "--wait"});
  CHECK(r.code == 3);
  const auto job = decode<mediajobs::ugen::job>(r.out);
  CHECK(job.status.is(mediajobs::ugen::job_status::failed));
  CHECK(contains(r.err, "job_failed error: job ended with status failed"));
  const std::string id{job.get_id()};

  const auto retried = run({"--base-url", sb.url("ugen"), "--json", "ugen", "retry", id, "--from", "generation"});
  REQUIRE(retried.code == 0);
  CHECK(!decode<mediajobs::ugen::job>(retried.out).status.is(mediajobs::ugen::job_status::failed));
  // The injected failure fires the first time only: the retried job completes.
  const auto waited = run({"--base-url", sb.url("ugen"), "--poll-interval", "0.02", "--json", "ugen", "wait", id});
  CHECK(waited.code == 0);
  CHECK(decode<mediajobs::ugen::job>(waited.out).status.is(mediajobs::ugen::job_status::completed));
}

TEST_CASE("pause, resume and cancel a running U-Gen job") {
  const auto& slow = sandbox_child::shared_slow();
  const auto created = run({"--base-url", slow.url("ugen"), "--json", "ugen", "create", "--product-name", "Long",
                            "--product-image-url", "https://example.com/l.jpg", "--segment-count", "20"});
  REQUIRE(created.code == 0);
  const std::string id{decode<mediajobs::ugen::job>(created.out).get_id()};
  const auto paused = run({"--base-url", slow.url("ugen"), "--json", "ugen", "pause", id});
  CHECK(paused.code == 0);
  const auto resumed = run({"--base-url", slow.url("ugen"), "--json", "ugen", "resume", id});
  CHECK(resumed.code == 0);
  const auto cancelled = run({"--base-url", slow.url("ugen"), "--json", "ugen", "cancel", id});
  REQUIRE(cancelled.code == 0);
  CHECK(decode<mediajobs::ugen::job>(cancelled.out).status.is(mediajobs::ugen::job_status::cancelled));
  const auto w = run({"--base-url", slow.url("ugen"), "ugen", "wait", id});
  CHECK(w.code == 3);  // a cancelled job counts as ended without success
  CHECK(contains(w.err, "status cancelled"));
}

TEST_CASE("timeouts exit 4: a slow answer, and a wait past --timeout") {
  const auto& slow = sandbox_child::shared_slow();
  {  // every answer 1.5 s late; a 0.3 s request timeout
    (void)sandbox_control(slow.base, "PUT", "/_sandbox/faults", R"({"latency_ms":1500})");
    const auto r = run({"--base-url", slow.url("ugen"), "--timeout", "0.3", "--max-retries", "0", "ugen", "list"});
    (void)sandbox_control(slow.base, "PUT", "/_sandbox/faults", R"({"latency_ms":0})");
    CHECK(r.code == 4);
    CHECK(contains(r.err, "mediajobs: error: timeout error"));
  }
  {  // a 13 s job waited for at most 1 s
    const auto r = run({"--base-url", slow.url("ugen"), "--timeout", "1", "--poll-interval", "0.1", "--json", "ugen",
                        "create", "--product-name", "Slow", "--product-image-url", "https://example.com/s.jpg",
                        "--segment-count", "20", "--wait"});
    CHECK(r.code == 4);
    CHECK(contains(r.err, "deadline_exceeded error"));
  }
}

TEST_CASE("ugen list: one page, a status filter, and --all") {
  const auto& sb = sandbox_child::shared();
  for (int i = 0; i < 3; ++i) {
    const auto c = run({"--base-url", sb.url("ugen"), "--quiet", "ugen", "create", "--product-name",
                        "Listed " + std::to_string(i), "--product-image-url", "https://example.com/x.jpg",
                        "--segment-count", "1"});
    REQUIRE(c.code == 0);
  }
  const auto page = run({"--base-url", sb.url("ugen"), "--json", "ugen", "list", "--page-size", "2"});
  REQUIRE(page.code == 0);
  const auto first = decode<mediajobs::ugen::job_list>(page.out);
  CHECK(mediajobs::ugen::list_items(first).size() == 2);

  const auto all = run({"--base-url", sb.url("ugen"), "--json", "ugen", "list", "--all", "--page-size", "2"});
  REQUIRE(all.code == 0);
  const auto jobs = decode<std::vector<mediajobs::ugen::job>>(all.out);
  CHECK(jobs.size() >= 3);

  const auto filtered = run({"--base-url", sb.url("ugen"), "--json", "ugen", "list", "--all", "--status", "completed"});
  REQUIRE(filtered.code == 0);
  const auto completed = decode<std::vector<mediajobs::ugen::job>>(filtered.out);
  CHECK(!completed.empty());  // the jobs the earlier cases waited for
  for (const auto& j : completed) CHECK(j.status.is(mediajobs::ugen::job_status::completed));

  const auto human = run({"--base-url", sb.url("ugen"), "ugen", "list", "--page-size", "2"});
  CHECK(human.code == 0);
  CHECK(contains(human.out, "status="));
  CHECK(contains(human.out, "total: "));
}

TEST_CASE("ugen suggest answers the suggestions") {
  const auto& sb = sandbox_child::shared();
  const auto r = run({"--base-url", sb.url("ugen"), "--json", "ugen", "suggest", "--product-name", "Headphones",
                      "--product-image-url", "https://example.com/h.jpg"});
  REQUIRE(r.code == 0);
  const auto s = decode<mediajobs::ugen::suggest_fields_response>(r.out);
  CHECK((s.key_selling_points || s.cta_text || s.custom_script || s.environment_description));
}

TEST_CASE("validation errors exit 2 and send nothing") {
  const auto& sb = sandbox_child::shared();
  const auto before = sandbox_stats(sb.base)["ugen"]["jobs_created"].as_int64();
  SUBCASE("segment_count out of range") {
    const auto r = run({"--base-url", sb.url("ugen"), "ugen", "create", "--product-name", "X", "--product-image-url",
                        "https://example.com/x.jpg", "--segment-count", "0"});
    CHECK(r.code == 2);
    CHECK(r.err == "mediajobs: error: validation error at segment_count: segment_count must be at least 1 (got 0)\n");
  }
  {  // an unknown --set field
    const auto r = run({"--base-url", sb.url("ugen"), "ugen", "create", "--product-name", "X", "--product-image-url",
                        "https://example.com/x.jpg", "--segment-count", "1", "--set", "segment_colour=red"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown field 'segment_colour'"));
  }
  SUBCASE("a --set value of the wrong type") {
    const auto r = run({"--base-url", sb.url("ugen"), "ugen", "create", "--product-name", "X", "--product-image-url",
                        "https://example.com/x.jpg", "--segment-count", "1", "--set", "segment_duration=long"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "at segment_duration"));
  }
  SUBCASE("a documented rule: Veo fixes segment_duration at 8") {
    const auto r = run({"--base-url", sb.url("ugen"), "ugen", "create", "--product-name", "X", "--product-image-url",
                        "https://example.com/x.jpg", "--segment-count", "1", "--set", "segment_duration=5"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "segment_duration"));
  }
  SUBCASE("a missing required flag") {
    const auto r = run({"--base-url", sb.url("ugen"), "ugen", "create", "--product-name", "X", "--segment-count", "1"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "missing --product-image-url"));
  }
  CHECK(sandbox_stats(sb.base)["ugen"]["jobs_created"].as_int64() == before);
}

TEST_CASE("HTTP errors exit 1 with the status, never the key") {
  const auto& sb = sandbox_child::shared();
  SUBCASE("unknown job id: 404") {
    const auto r = run({"--base-url", sb.url("ugen"), "ugen", "get", "no-such-job"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "HTTP 404"));
    CHECK(r.out.empty());
  }
  SUBCASE("wrong API key: 401, and neither key is shown") {
    const std::string wrong = "sk-wrong-key-0d4f19";
    const auto r = run({"--base-url", sb.url("ugen"), "--api-key", wrong, "ugen", "get", "job-1"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "HTTP 401"));
    CHECK(!contains(r.err, wrong));
    CHECK(!contains(r.out, wrong));
  }
  SUBCASE("the key from --api-key works like the environment's") {
    const auto r = run({"--base-url", sb.url("ugen"), "--api-key", std::string{test_key}, "--json", "ugen", "list"}, 60s,
                       {});
    CHECK(r.code == 0);
  }
  SUBCASE("MEDIAJOBS_BASE_URL is the default base URL") {
    const auto r = run({"--json", "ugen", "list"}, 60s,
                       {"MEDIAJOBS_API_KEY=" + std::string{test_key}, "MEDIAJOBS_BASE_URL=" + sb.url("ugen")});
    CHECK(r.code == 0);
  }
}

TEST_CASE("style: upload a file, create --wait, get, result, list") {
  const auto& sb = sandbox_child::shared();
  char path[] = "/tmp/mediajobs-cli-test-XXXXXX.mp4";
  const int fd = ::mkstemps(path, 4);
  REQUIRE(fd >= 0);
  const std::string bytes(4096, 'v');
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
  const auto up = run({"--base-url", sb.url("style"), "--json", "style", "upload", path});
  ::unlink(path);
  REQUIRE(up.code == 0);
  const auto uploaded = decode<mediajobs::style::upload_result>(up.out);
  REQUIRE(!uploaded.video_id.empty());

  const auto done = run({"--base-url", sb.url("style"), "--poll-interval", "0.02", "--json", "style", "create",
                         "--video-id", uploaded.video_id, "--set", "config.intensity=0.5", "--wait"});
  REQUIRE(done.code == 0);
  const auto job = decode<mediajobs::style::job_response>(done.out);
  CHECK(job.status.is(mediajobs::style::job_status::completed));
  CHECK(contains(done.err, "progress: 100% status=completed"));

  const auto got = run({"--base-url", sb.url("style"), "--json", "style", "get", job.job_id});
  REQUIRE(got.code == 0);
  CHECK(decode<mediajobs::style::job_response>(got.out).job_id == job.job_id);
  const auto res = run({"--base-url", sb.url("style"), "--json", "style", "result", job.job_id});
  REQUIRE(res.code == 0);
  const auto detail = decode<mediajobs::style::job_detail_response>(res.out);
  CHECK(detail.output_video_url.has_value());
  CHECK(detail.style_json.has_value());
  const auto list = run({"--base-url", sb.url("style"), "--json", "style", "list", "--all"});
  REQUIRE(list.code == 0);
  CHECK(!decode<std::vector<mediajobs::style::job_response>>(list.out).empty());
  const auto w = run({"--base-url", sb.url("style"), "--json", "style", "wait", job.job_id});
  CHECK(w.code == 0);

  {  // a missing file is a usage error
    const auto r = run({"--base-url", sb.url("style"), "style", "upload", "/nonexistent/video.mp4"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "cannot read '/nonexistent/video.mp4'"));
  }
  {  // an unknown video id: HTTP error
    const auto r = run({"--base-url", sb.url("style"), "style", "create", "--video-id", "no-such-video"});
    CHECK(r.code == 1);
  }
  {  // an unknown --set field
    const auto r = run({"--base-url", sb.url("style"), "style", "create", "--video-id", "v", "--set", "colour=1"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown field 'colour'"));
  }
}

TEST_CASE("tfi: projects, mapping fields, create --wait with values, get, signed-url") {
  const auto& sb = sandbox_child::shared();
  const auto projects = run({"--base-url", sb.url("tfi"), "--json", "tfi", "projects"});
  REQUIRE(projects.code == 0);
  const auto list = decode<std::vector<mediajobs::techforge::project>>(projects.out);
  REQUIRE(!list.empty());
  std::string project;
  for (const auto& p : list)
    if (p.job_type && p.job_type->is(mediajobs::techforge::job_type::ai_talking_video)) project = std::string{p.get_id()};
  REQUIRE(!project.empty());
  const auto fields = run({"--base-url", sb.url("tfi"), "--json", "tfi", "mapping-fields", project});
  REQUIRE(fields.code == 0);
  CHECK(!decode<std::vector<mediajobs::techforge::mapping_field>>(fields.out).empty());

  const auto done = run({"--base-url", sb.url("tfi"), "--poll-interval", "0.02", "--json", "tfi", "create",
                         "--job-type", "ai_talking_video", "--template-id", project, "--version", "2", "--value",
                         "headline=Launch day", "--value", "avatar=@{\"image_url\":\"https://example.com/a.jpg\"}",
                         "--wait"});
  REQUIRE(done.code == 0);
  const auto job = decode<mediajobs::techforge::job>(done.out);
  REQUIRE(job.get_status().has_value());
  CHECK(job.get_status()->is(mediajobs::techforge::job_status::completed));
  REQUIRE(job.values.has_value());
  const auto& values = std::get<mediajobs::techforge::values_map>(*job.values);
  CHECK(std::get<std::string>(values.at("headline")) == "Launch day");
  CHECK(std::get<mediajobs::techforge::image_asset>(values.at("avatar")).image_url == "https://example.com/a.jpg");
  REQUIRE(job.output_path.has_value());

  const auto got = run({"--base-url", sb.url("tfi"), "--json", "tfi", "get", std::string{job.get_id()}});
  REQUIRE(got.code == 0);
  CHECK(decode<mediajobs::techforge::job>(got.out).get_id() == job.get_id());
  const auto signed_url = run({"--base-url", sb.url("tfi"), "--json", "tfi", "signed-url", *job.output_path});
  REQUIRE(signed_url.code == 0);
  CHECK(contains(decode<mediajobs::techforge::signed_path>(signed_url.out).signed_url, sb.base));
  const auto w = run({"--base-url", sb.url("tfi"), "--json", "tfi", "wait", std::string{job.get_id()}});
  CHECK(w.code == 0);

  {  // an unknown job type is refused before sending
    const auto r = run({"--base-url", sb.url("tfi"), "tfi", "create", "--job-type", "hologram", "--project-id", project});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown job_type \"hologram\""));
  }
  {  // --value KEY=@JSON must be JSON
    const auto r = run({"--base-url", sb.url("tfi"), "tfi", "create", "--job-type", "video", "--project-id", project,
                        "--value", "bg=@{oops"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "--value bg=@JSON: not valid JSON"));
  }
  {  // a job whose values ask for a failure: exit 3, the job's own error shown
    const auto r = run({"--base-url", sb.url("tfi"), "--poll-interval", "0.02", "--json", "tfi", "create", "--job-type",
                        "ai_talking_video", "--template-id", project, "--value", "headline=[fail]", "--wait"});
    CHECK(r.code == 3);
    CHECK(contains(r.err, "render failed"));
    CHECK(decode<mediajobs::techforge::job>(r.out).get_status()->is(mediajobs::techforge::job_status::failed));
  }
  {  // an unknown signed path: 404
    const auto r = run({"--base-url", sb.url("tfi"), "tfi", "signed-url", "no/such/file.mp4"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "HTTP 404"));
  }
}

TEST_CASE("mediajobs sandbox prints its URL first and exits 0 on SIGTERM") {
  child c{{"sandbox", "--port", "0", "--speed", "2"}, {}};
  REQUIRE(c.started());
  const auto line = c.first_line(20s);
  REQUIRE(line.has_value());
  CHECK(line->rfind("listening on http://127.0.0.1:", 0) == 0);
  ::kill(c.pid(), SIGTERM);
  CHECK(c.finish(20s) == 0);
  CHECK(contains(c.err, "/ugen"));
  CHECK(contains(c.err, "/style"));
  CHECK(contains(c.err, "/tfi"));
}

TEST_CASE("mediajobs demo runs the three jobs to completion and exits 0") {
  const auto r = run({"demo"}, 120s);
  CHECK(r.code == 0);
  CHECK(contains(r.out, "all three jobs completed"));
  CHECK(contains(r.out, "webhook received (verified, completed)"));
  CHECK(contains(r.out, "bytes fetched via signed URL"));
  CHECK(contains(r.err, "stage=generation"));  // the U-Gen progress went through the stages
}

#endif  // MEDIAJOBS_CLI_PATH
