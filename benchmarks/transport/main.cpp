// bench_transport: mediajobs::asio_transport against libcurl (easy handle, reused), Boost.Beast
// (synchronous, one kept-alive socket) and wrk, all against the same local one-thread Asio server
// (server.hpp), in one run; prints requests/s and ratios.
//
// The servers run in a forked child process, so the client figures (RSS, heap allocations
// counted by the replaced global operator new below) are the client's alone.
//
//   bench_transport [--quick]
//
// Cases:
//   1. sequential keep-alive GETs on one connection: mediajobs vs curl vs Beast (target >= 1.3x curl)
//   2. 32 concurrent keep-alive connections, one client thread: mediajobs vs wrk -t1 -c32 (target >= 0.8x)
//   3. 10,000 polls in flight on one thread, the server holding each answer: client peak RSS per
//      in-flight request next to the server's (target <= 4 KiB above it), and heap allocations
//      per steady-state request (sequential case; target <= 3)
#include "server.hpp"

#include <mediajobs/asio/transport.hpp>

#include <asio/io_context.hpp>

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>
#include <thread>

#if MJ_BENCH_HAVE_CURL
#include <curl/curl.h>
#endif

// Heap allocations so far (alloc_count.cpp replaces the global operator new to count them; in a
// TU of its own so that the compiler cannot pair the replaced new/delete with malloc/free).
std::size_t mj_bench_allocations() noexcept;

#if MJ_BENCH_HAVE_BEAST
double beast_sequential(std::uint16_t port, int n);  // beast_peer.cpp: requests/s
#endif

namespace {

using clock_type = std::chrono::steady_clock;
using mediajobs::asio_transport;
namespace http = mediajobs::http;

long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t len = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, len, field) == 0) return std::strtol(line.c_str() + len, nullptr, 10);
  return -1;
}
void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";  // Linux: resets VmHWM to the current RSS
}
void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}
double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// --- the server child process ----------------------------------------------------------------
struct server_ports {
  std::uint16_t fast = 0;
  std::uint16_t delayed = 0;
};
struct server_child {
  pid_t pid = -1;
  int to_child = -1;
  int from_child = -1;
  server_ports ports;

  /// Asks the child for its RSS baseline and peak (KiB) since the last ask.
  std::pair<long, long> memory() {
    char c = 'm';
    if (write(to_child, &c, 1) != 1) return {-1, -1};
    long v[2] = {-1, -1};
    if (read(from_child, v, sizeof v) != static_cast<ssize_t>(sizeof v)) return {-1, -1};
    return {v[0], v[1]};
  }
  void reset_memory() {
    char c = 'r';
    if (write(to_child, &c, 1) != 1) return;
    char ack = 0;
    (void)read(from_child, &ack, 1);
  }
  ~server_child() {
    if (pid > 0) {
      close(to_child);
      close(from_child);
      waitpid(pid, nullptr, 0);
    }
  }
};

constexpr std::chrono::milliseconds poll_delay{2000};

server_child fork_servers() {
  int down[2];
  int up[2];
  if (pipe(down) != 0 || pipe(up) != 0) std::abort();
  server_child c;
  c.pid = fork();
  if (c.pid == 0) {
    close(down[1]);
    close(up[0]);
    raise_fd_limit();
    asio::io_context io(1);
    mj_bench::http_server fast(io, std::chrono::milliseconds{0});
    mj_bench::http_server delayed(io, poll_delay);
    const server_ports ports{fast.port(), delayed.port()};
    if (write(up[1], &ports, sizeof ports) != static_cast<ssize_t>(sizeof ports)) _exit(1);
    std::atomic<long> baseline{status_kib("VmRSS:")};
    // Control: 'r' resets the peak, 'm' reports {baseline, peak}; EOF ends the server.
    std::thread control([&] {
      char cmd = 0;
      while (read(down[0], &cmd, 1) == 1) {
        if (cmd == 'r') {
          reset_peak_rss();
          baseline = status_kib("VmRSS:");
          char ack = 'k';
          if (write(up[1], &ack, 1) != 1) break;
        } else {
          long v[2] = {baseline.load(), status_kib("VmHWM:")};
          if (write(up[1], v, sizeof v) != static_cast<ssize_t>(sizeof v)) break;
        }
      }
      io.stop();
    });
    auto guard = asio::make_work_guard(io);
    io.run();
    control.join();
    _exit(0);
  }
  close(down[0]);
  close(up[1]);
  c.to_child = down[1];
  c.from_child = up[0];
  if (read(c.from_child, &c.ports, sizeof c.ports) != static_cast<ssize_t>(sizeof c.ports)) std::abort();
  return c;
}

std::string url_of(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port) + "/v1/jobs/job_7f3a9c"; }

http::request poll_request(const std::string& url, std::chrono::milliseconds timeout) {
  http::request r;
  r.method = "GET";
  r.url = url;
  r.timeout = timeout;
  return r;
}

// --- 1. sequential ---------------------------------------------------------------------------
struct sequential_result {
  double rps = 0;
  double allocations_per_request = 0;
  int failures = 0;
};

sequential_result mediajobs_sequential(std::uint16_t port, int n) {
  asio::io_context io(1);
  asio_transport t(io);
  const std::string url = url_of(port);
  sequential_result out;
  int left = n + 100;  // 100 warm-up requests
  std::size_t alloc_start = 0;
  clock_type::time_point t0;
  struct chain {
    asio_transport* t;
    const std::string* url;
    int* left;
    int* failures;
    std::size_t* alloc_start;
    clock_type::time_point* t0;
    int n;
    void next() {
      if (*left == n) {
        *alloc_start = mj_bench_allocations();
        *t0 = clock_type::now();
      }
      if ((*left)-- == 0) return;
      t->async_send(poll_request(*url, std::chrono::milliseconds{10000}), {},
                    [self = this](mediajobs::result<http::response> r) {
                      if (!r || r->body.empty()) ++*self->failures;
                      self->next();
                    });
    }
  };
  chain c{&t, &url, &left, &out.failures, &alloc_start, &t0, n};
  c.next();
  io.run();
  const double s = seconds_since(t0);
  out.allocations_per_request = static_cast<double>(mj_bench_allocations() - alloc_start) / n;
  out.rps = n / s;
  return out;
}

#if MJ_BENCH_HAVE_CURL
std::size_t curl_sink(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}
double curl_sequential(std::uint16_t port, int n, int& failures) {
  CURL* h = curl_easy_init();
  const std::string url = url_of(port);
  std::string body;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, curl_sink);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  clock_type::time_point t0;
  for (int i = -100; i < n; ++i) {
    if (i == 0) t0 = clock_type::now();
    body.clear();
    if (curl_easy_perform(h) != CURLE_OK || body.empty()) ++failures;
  }
  const double s = seconds_since(t0);
  curl_easy_cleanup(h);
  return n / s;
}
#endif

// --- 2. 32 concurrent connections ------------------------------------------------------------
double mediajobs_concurrent(std::uint16_t port, int connections, std::chrono::milliseconds duration, int& failures) {
  asio::io_context io(1);
  asio_transport::options o;
  o.max_idle_per_origin = static_cast<std::size_t>(connections);
  asio_transport t(io, o);
  const std::string url = url_of(port);
  std::size_t done = 0;
  bool counting = false;
  const auto t0 = clock_type::now();
  const auto warm_until = t0 + std::chrono::milliseconds{300};
  const auto stop_at = warm_until + duration;
  clock_type::time_point count_start;
  struct chain {
    asio_transport* t;
    const std::string* url;
    std::size_t* done;
    bool* counting;
    int* failures;
    clock_type::time_point warm_until, stop_at;
    clock_type::time_point* count_start;
    void next() {
      t->async_send(poll_request(*url, std::chrono::milliseconds{10000}), {},
                    [self = this](mediajobs::result<http::response> r) {
                      if (!r) ++*self->failures;
                      const auto now = clock_type::now();
                      if (now >= self->stop_at) return;
                      if (now >= self->warm_until) {
                        if (!*self->counting) {
                          *self->counting = true;
                          *self->count_start = now;
                        } else {
                          ++*self->done;
                        }
                      }
                      self->next();
                    });
    }
  };
  chain c{&t, &url, &done, &counting, &failures, warm_until, stop_at, &count_start};
  for (int i = 0; i < connections; ++i) c.next();
  io.run();
  return static_cast<double>(done) / std::chrono::duration<double>(stop_at - count_start).count();
}

double wrk_rps(std::uint16_t port, int connections, int seconds) {
  if (std::system("command -v wrk >/dev/null 2>&1") != 0) return -1;
  const std::string cmd = "wrk -t1 -c" + std::to_string(connections) + " -d" + std::to_string(seconds) + "s " + url_of(port) +
                          " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char line[512];
  double rps = -1;
  while (std::fgets(line, sizeof line, p))
    if (std::strncmp(line, "Requests/sec:", 13) == 0) rps = std::strtod(line + 13, nullptr);
  pclose(p);
  return rps;
}

// --- 3. 10,000 polls in flight ---------------------------------------------------------------
struct inflight_result {
  double client_kib_per_request = 0;
  double server_kib_per_request = 0;
  double seconds = 0;
  int failures = 0;
};

inflight_result mediajobs_inflight(server_child& servers, int n) {
  asio::io_context io(1);
  asio_transport::options o;
  o.connect_timeout = std::chrono::milliseconds{60000};
  asio_transport t(io, o);
  const std::string url = url_of(servers.ports.delayed);
  inflight_result out;
  servers.reset_memory();
  reset_peak_rss();
  const long before = status_kib("VmRSS:");
  const auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i)
    t.async_send(poll_request(url, std::chrono::milliseconds{120000}), {}, [&out](mediajobs::result<http::response> r) {
      if (!r) {
        if (out.failures++ == 0) std::fprintf(stderr, "first failure: %s\n", r.error().message().c_str());
      }
    });
  io.run();
  out.seconds = seconds_since(t0);
  const long peak = status_kib("VmHWM:");
  out.client_kib_per_request = static_cast<double>(peak - before) / n;
  const auto [server_before, server_peak] = servers.memory();
  out.server_kib_per_request = static_cast<double>(server_peak - server_before) / n;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  raise_fd_limit();
  server_child servers = fork_servers();  // before any thread exists
#if MJ_BENCH_HAVE_CURL
  curl_global_init(CURL_GLOBAL_DEFAULT);
#endif
  const int n = quick ? 2000 : 20000;

  std::printf("mediajobs transport benchmark (server: one-thread Asio, 127.0.0.1, %zu-byte response)\n\n",
              mj_bench::job_response().size());

  std::printf("1. sequential keep-alive GETs, one connection, %d requests\n", n);
  const auto mj = mediajobs_sequential(servers.ports.fast, n);
  std::printf("   mediajobs asio_transport  %10.0f req/s   (%d failures)\n", mj.rps, mj.failures);
#if MJ_BENCH_HAVE_CURL
  int curl_failures = 0;
  const double curl = curl_sequential(servers.ports.fast, n, curl_failures);
  std::printf("   libcurl easy (reused)     %10.0f req/s   (%d failures)   mediajobs/curl  = %.2fx (target >= 1.3x)\n",
              curl, curl_failures, mj.rps / curl);
#else
  std::printf("   libcurl                   not built (apt-get install libcurl4-openssl-dev)\n");
#endif
#if MJ_BENCH_HAVE_BEAST
  const double beast = beast_sequential(servers.ports.fast, n);
  std::printf("   Boost.Beast (sync)        %10.0f req/s                   mediajobs/beast = %.2fx\n", beast, mj.rps / beast);
#else
  std::printf("   Boost.Beast               not built (apt-get install libboost-dev)\n");
#endif

  const int conns = 32;
  const int secs = quick ? 1 : 3;
  std::printf("\n2. %d concurrent keep-alive connections, one client thread, %d s\n", conns, secs);
  int conc_failures = 0;
  const double mjc = mediajobs_concurrent(servers.ports.fast, conns, std::chrono::seconds(secs), conc_failures);
  std::printf("   mediajobs asio_transport  %10.0f req/s   (%d failures)\n", mjc, conc_failures);
  const double wrk = wrk_rps(servers.ports.fast, conns, secs);
  if (wrk > 0)
    std::printf("   wrk -t1 -c%d               %10.0f req/s                   mediajobs/wrk   = %.2fx (target >= 0.8x)\n",
                conns, wrk, mjc / wrk);
  else
    std::printf("   wrk                       not installed (apt-get install wrk)\n");

  const int inflight = quick ? 2000 : 10000;
  std::printf("\n3. %d polls in flight on one thread (server holds each answer %lld ms)\n", inflight,
              static_cast<long long>(poll_delay.count()));
  const auto fl = mediajobs_inflight(servers, inflight);
  std::printf("   all answered in %.2f s, %d failures\n", fl.seconds, fl.failures);
  std::printf("   client peak RSS per in-flight request  %6.2f KiB\n", fl.client_kib_per_request);
  std::printf("   server peak RSS per in-flight request  %6.2f KiB   client - server = %.2f KiB (target <= 4)\n",
              fl.server_kib_per_request, fl.client_kib_per_request - fl.server_kib_per_request);
  std::printf("   heap allocations per steady-state request (case 1): %.2f (target <= 3)\n", mj.allocations_per_request);
  return 0;
}
