// `mediajobs sandbox` (the local server for all three APIs, until SIGINT/SIGTERM) and
// `mediajobs demo` (an in-process sandbox, a U-Gen, a Style and a TFI job run to completion with
// the real clients over real sockets, a webhook received and verified, a signed-URL download).
//
// Threads: the demo runs the io_context (sandbox server, webhook listener, client transport) on
// one thread of its own and drives the clients from the main thread with sync_wait; the server
// is only touched from the io thread (posted) once that thread runs.
#pragma once

#include "output.hpp"

#include <mediajobs/asio/config.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/mediajobs.hpp>
#include <mediajobs/sandbox/sandbox.hpp>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/write.hpp>

#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace mediajobs::cli {

struct sandbox_settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  double speed = 1.0;
  std::string api_key = "sandbox-key";
};

/// Serves until SIGINT or SIGTERM; the first stdout line is "listening on http://HOST:PORT".
inline int run_sandbox(const sandbox_settings& settings, const printer& out) {
  asio::io_context io;
  sandbox::server_options o;
  o.host = settings.host;
  o.port = settings.port;
  o.speed = settings.speed;
  o.api_key = settings.api_key;
  sandbox::server srv{io, std::move(o)};
  if (!srv) {
    out.fail_line("error: cannot listen on " + settings.host + ":" + std::to_string(settings.port) + ": " +
                  srv.error().message());
    return exit_transport;
  }
  // The signals are caught before anything is printed: whoever reads the first line may stop
  // us at once and must get a clean exit, not the default action of SIGTERM.
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](const asio::error_code&, int) {
    srv.stop();
    io.stop();
  });
  out.note("U-Gen:              " + srv.url("ugen"));
  out.note("Style engine:       " + srv.url("style"));
  out.note("TechForgeInnovate:  " + srv.url("tfi"));
  out.note(settings.api_key.empty() ? std::string{"authentication off"} : "API key required (as configured)");
  std::printf("listening on %s\n", srv.base_url().c_str());
  std::fflush(stdout);
  io.run();
  return exit_ok;
}

namespace detail {

/// A one-route HTTP listener for the demo's webhook: every request is kept, answered 200, closed.
class webhook_listener {
 public:
  explicit webhook_listener(asio::io_context& io) : acceptor_(io) {
    asio::error_code ec;
    const asio::ip::tcp::endpoint at{asio::ip::make_address("127.0.0.1", ec), 0};
    if (!ec) acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) port_ = acceptor_.local_endpoint(ec).port();
    ok_ = !ec;
  }
  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/style"; }
  void start() { accept(); }
  void close() {
    asio::error_code ec;
    acceptor_.close(ec);
  }
  /// The first request received, waiting at most `limit` for it.
  std::optional<http::request> wait(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, limit, [&] { return !received_.empty(); });
    if (received_.empty()) return std::nullopt;
    return received_.front();
  }

 private:
  struct connection : std::enable_shared_from_this<connection> {
    connection(asio::ip::tcp::socket s, webhook_listener* l) : socket(std::move(s)), owner(l) {}
    void read() {
      socket.async_read_some(asio::buffer(buf), [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
        if (ec) return;
        std::string_view in{self->buf.data(), n};
        while (!in.empty() && !self->parser.done()) {
          auto used = self->parser.feed(in);
          if (!used) return;  // malformed: drop the connection
          in.remove_prefix(*used);
          if (*used == 0) break;
        }
        if (!self->parser.done()) return self->read();
        self->owner->deliver(self->parser.take());
        http::response ok;
        ok.status = 200;
        ok.reason = "OK";
        ok.headers.add("Connection", "close");
        ok.keep_alive = false;
        if (auto w = http::serialize(ok, self->reply); !w) return;
        asio::async_write(self->socket, asio::buffer(self->reply),
                          [self](const asio::error_code&, std::size_t) {
                            asio::error_code ignored;
                            self->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
                            self->socket.close(ignored);
                          });
      });
    }
    asio::ip::tcp::socket socket;
    webhook_listener* owner;
    http::request_parser parser{http::parser_limits{.max_header_bytes = 64 * 1024, .max_body_bytes = 1 << 20}};
    std::array<char, 8192> buf{};
    std::string reply{};
  };

  void accept() {
    acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket s) {
      if (ec) return;  // closed
      std::make_shared<connection>(std::move(s), this)->read();
      accept();
    });
  }
  void deliver(http::request r) {
    std::lock_guard lock(mutex_);
    received_.push_back(std::move(r));
    cv_.notify_all();
  }

  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  bool ok_ = false;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<http::request> received_;
};

/// A temporary file path for a download (the file itself is created by the download).
[[nodiscard]] inline std::string temp_path(const char* stem) {
  char name[64];
  std::snprintf(name, sizeof name, "/tmp/mediajobs-demo-%s-XXXXXX", stem);
  const int fd = ::mkstemp(name);
  if (fd >= 0) ::close(fd);
  return name;
}

[[nodiscard]] inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <class Job>
api::wait_options<Job> progress_options(progress& bar, api::job_view (*describe)(const Job&)) {
  api::wait_options<Job> w;
  w.interval = std::chrono::milliseconds{50};
  w.deadline = std::chrono::seconds{60};
  w.on_progress = [&bar, describe](const Job& j) {
    api::job_view v = describe(j);
    std::optional<double> pct = v.progress;
    if (v.phase == api::job_phase::succeeded) pct = 100.0;
    bar.update(v.status, v.stage, pct);
  };
  return w;
}

}  // namespace detail

/// The secret the sandbox's Style engine signs webhooks with, in the `whsec_` form verify() takes.
[[nodiscard]] inline std::string demo_webhook_secret() {
  return "whsec_" + webhook::base64_encode(sandbox::style_service::default_webhook_secret);
}

inline int run_demo(const printer& out) {
  using clock = std::chrono::steady_clock;
  const auto demo_start = clock::now();
  // Speed 3: the three jobs (about 3 s, 3 s and 2 s of sandbox time) take about 3 s in all.
  constexpr double speed = 3.0;
  const std::string key = "demo-key";

  asio::io_context io;
  sandbox::server_options so;
  so.port = 0;
  so.speed = speed;
  so.api_key = key;
  sandbox::server srv{io, std::move(so)};
  if (!srv) return out.report(srv.error());
  detail::webhook_listener hooks{io};
  if (!hooks.ok()) return out.report(error{error_kind::transport, "demo: cannot open the webhook listener"});
  hooks.start();
  out.note("sandbox listening on " + srv.base_url() + " (speed " + std::to_string(static_cast<int>(speed)) + "x)");
  const std::string ugen_url = srv.url("ugen"), style_url = srv.url("style"), tfi_url = srv.url("tfi");

  auto work = asio::make_work_guard(io);
  std::thread io_thread{[&io] { io.run(); }};

  json::value summary = json::value::object_t{};
  int rc = exit_ok;
  {
    asio_transport http{io};
    api::client_options base;
    base.api_key = key;
    base.poll.interval = std::chrono::milliseconds{50};

    // --- U-Gen: create, follow every stage, fetch the final video ---------------------------
    {
      api::client_options o = base;
      o.base_url = ugen_url;
      ugen::client c{http, std::move(o)};
      ugen::create_job_request req;
      req.product_name = "Demo Wireless Headphones";
      req.product_image_url = ugen_url + "/files/demo/headphones.jpg";
      req.segment_count = 3;
      out.note("U-Gen: creating a 3-segment job");
      const auto t0 = clock::now();
      progress bar{out.quiet()};
      auto done = sync_wait(c.create_and_wait(std::move(req), detail::progress_options<ugen::job>(bar, &ugen::describe)));
      bar.finish();
      json::value& s = summary["ugen"];
      if (!done) {
        rc = out.report(done.error());
      } else {
        s["job_id"] = std::string{done->get_id()};
        s["status"] = std::string{done->status.name()};
        s["seconds"] = detail::seconds_since(t0);
        std::string video = done->outputs && done->outputs->video_url ? *done->outputs->video_url
                                                                       : done->output_url.value_or("");
        if (!video.empty()) {
          const std::string path = detail::temp_path("ugen");
          api::download_options d;
          d.max_bytes = 64u << 20;
          d.overwrite = true;
          auto got = sync_wait(c.download(video, path, d));
          std::remove(path.c_str());
          if (got) s["bytes_fetched"] = got->bytes;
          else rc = out.report(got.error());
        }
      }
    }

    // --- Style engine: upload, create with a webhook, wait, read the result and the webhook --
    if (rc == exit_ok) {
      api::client_options o = base;
      o.base_url = style_url;
      style::client c{http, std::move(o)};
      style::upload_video_request up;
      up.filename = "demo-source.mp4";
      up.data.assign(64 * 1024, '\0');
      for (std::size_t i = 0; i < up.data.size(); ++i) up.data[i] = static_cast<char>((i * 131u + 7u) & 0xffu);
      const auto t0 = clock::now();
      out.note("Style engine: uploading a 64 KiB video");
      auto uploaded = sync_wait(c.upload_video(std::move(up)));
      json::value& s = summary["style"];
      if (!uploaded) {
        rc = out.report(uploaded.error());
      } else {
        style::job_create_request req;
        req.video_id = uploaded->video_id;
        req.webhook_url = hooks.url();
        progress bar{out.quiet()};
        auto done = sync_wait(
            c.create_and_wait(std::move(req), detail::progress_options<style::job_response>(bar, &style::describe)));
        bar.finish();
        if (!done) {
          rc = out.report(done.error());
        } else {
          s["video_id"] = uploaded->video_id;
          s["job_id"] = done->job_id;
          s["status"] = std::string{done->status.name()};
          s["seconds"] = detail::seconds_since(t0);
          if (done->output_video_url) s["output_video_url"] = *done->output_video_url;
          auto hook = hooks.wait(std::chrono::seconds{15});
          if (!hook) {
            rc = out.report(error{error_kind::timeout, "demo: the Style webhook did not arrive"});
          } else {
            const bool signed_hook = hook->headers.contains(webhook::header_signature);
            auto ev = signed_hook ? webhook::parse_style(hook->headers, hook->body, demo_webhook_secret())
                                  : webhook::decode_style_event(hook->body);
            if (!ev) {
              rc = out.report(ev.error());
            } else {
              s["webhook_received"] = true;
              s["webhook_signature"] = signed_hook ? "verified" : "unsigned";
              s["webhook_status"] = std::string{ev->job.status.name()};
              s["webhook_job_id"] = ev->job.job_id;
            }
          }
        }
      }
    }

    // --- TechForgeInnovate: a talking-video job, then its output through a signed URL ---------
    const auto run_tfi = [&]() -> int {
      api::client_options o = base;
      o.base_url = tfi_url;
      techforge::client c{http, std::move(o)};
      const auto t0 = clock::now();
      json::value& s = summary["tfi"];
      auto projects = sync_wait(c.active_projects());
      if (!projects) return out.report(projects.error());
      techforge::create_request req;
      req.job_type = techforge::job_type::ai_talking_video;
      for (const auto& p : *projects) {
        if (p.job_type && p.job_type->is(techforge::job_type::ai_talking_video)) {
          req.project_id = std::string{p.get_id()};
          break;
        }
      }
      if (!req.project_id && !projects->empty()) req.project_id = std::string{projects->front().get_id()};
      techforge::values_map values;
      if (req.project_id) {
        auto fields = sync_wait(c.mapping_fields(*req.project_id));
        if (fields) {
          for (const auto& f : *fields) {
            const std::string k = f.key.value_or(f.name.value_or(""));
            if (k.empty()) continue;
            const std::string type = f.type.value_or("text");
            if (type.find("image") != std::string::npos)
              values[k] = techforge::image_asset{.image_url = tfi_url + "/files/demo/presenter.jpg", .extra = {}};
            else if (type.find("audio") != std::string::npos)
              values[k] = techforge::audio_asset{.audio_url = tfi_url + "/files/demo/voice.mp3", .effects = {}, .extra = {}};
            else
              values[k] = std::string{"Hello from the mediajobs demo"};
          }
        }
      }
      req.values = std::move(values);
      out.note("TechForgeInnovate: creating an ai_talking_video job");
      progress bar{out.quiet()};
      auto done = sync_wait(c.create_and_wait(std::move(req), detail::progress_options<techforge::job>(bar, &techforge::describe)));
      bar.finish();
      if (!done) {
        rc = out.report(done.error());
      } else {
        s["job_id"] = std::string{done->get_id()};
        s["status"] = std::string{done->get_status() ? done->get_status()->name() : std::string_view{}};
        s["seconds"] = detail::seconds_since(t0);
        if (done->output_path) {
          s["output_path"] = *done->output_path;
          auto link = sync_wait(c.signed_url(*done->output_path));
          if (!link) {
            rc = out.report(link.error());
          } else {
            const std::string path = detail::temp_path("tfi");
            api::download_options d;
            d.max_bytes = 64u << 20;
            d.overwrite = true;
            auto got = sync_wait(c.download(link->signed_url, path, d));
            std::remove(path.c_str());
            if (got) s["bytes_fetched"] = got->bytes;
            else rc = out.report(got.error());
          }
        } else {
          rc = out.report(error{error_kind::protocol, "demo: the TFI job carries no output_path to sign"});
        }
      }
      return rc;
    };
    if (rc == exit_ok) rc = run_tfi();
  }  // the transport is destroyed here, while the io thread still runs its handlers

  asio::post(io, [&] {
    hooks.close();
    srv.stop();
    io.stop();
  });
  work.reset();
  io_thread.join();
  summary["total_seconds"] = detail::seconds_since(demo_start);
  if (rc != exit_ok) return rc;

  if (out.json()) {
    out.result(summary);
  } else {
    std::string text = "\nmediajobs demo: all three jobs completed\n";
    char line[256];
    const auto& u = summary["ugen"];
    std::snprintf(line, sizeof line, "  U-Gen              job %s  %s in %.1f s, %llu bytes fetched\n",
                  u["job_id"].as_string().c_str(), u["status"].as_string().c_str(), u["seconds"].as_double(),
                  static_cast<unsigned long long>(u["bytes_fetched"].as_uint64()));
    text += line;
    const auto& st = summary["style"];
    std::snprintf(line, sizeof line, "  Style engine       job %s  %s in %.1f s, webhook received (%s, %s)\n",
                  st["job_id"].as_string().c_str(), st["status"].as_string().c_str(), st["seconds"].as_double(),
                  st["webhook_signature"].as_string().c_str(), st["webhook_status"].as_string().c_str());
    text += line;
    const auto& t = summary["tfi"];
    std::snprintf(line, sizeof line, "  TechForgeInnovate  job %s  %s in %.1f s, %llu bytes fetched via signed URL\n",
                  t["job_id"].as_string().c_str(), t["status"].as_string().c_str(), t["seconds"].as_double(),
                  static_cast<unsigned long long>(t["bytes_fetched"].as_uint64()));
    text += line;
    std::snprintf(line, sizeof line, "  total %.1f s\n", summary["total_seconds"].as_double());
    text += line;
    std::fputs(text.c_str(), stdout);
  }
  return exit_ok;
}

}  // namespace mediajobs::cli
