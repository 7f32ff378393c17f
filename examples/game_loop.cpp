// A game loop: no threads, no blocking. The transport runs on the game's io_context, which the
// loop poll()s once per frame; start() runs the job and calls back (inside poll) when it is done.
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/mediajobs.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace mj = mediajobs;

int main() {
  // Like real code: the service URL and key come from the environment (unset URL: the live service).
  const char* base_url = std::getenv("MEDIAJOBS_BASE_URL");
  const char* api_key = std::getenv("MEDIAJOBS_API_KEY");
  if (api_key == nullptr) return std::fputs("set MEDIAJOBS_API_KEY\n", stderr), 2;

  asio::io_context io;         // the game's own; nobody else runs it
  mj::asio_transport http{io};  // sockets and timers on `io`
  mj::ugen::client ugen{http, {.base_url = base_url != nullptr ? base_url : "", .api_key = api_key}};

  mj::ugen::create_job_request req;
  req.product_name = "Premium Wireless Headphones";
  req.product_image_url = "https://example.com/headphones.jpg";
  req.segment_count = 3;

  std::string hud = "submitting";  // what the game shows; updated from inside io.poll()
  mj::ugen::wait_options progress;
  progress.on_progress = [&hud](const mj::ugen::job& j) {
    hud = std::string{j.status.name()} + " " + std::to_string(static_cast<int>(j.progress_percent.value_or(0))) + "%";
  };
  std::optional<mj::api::wait_result<mj::ugen::job>> outcome;
  mj::start(ugen.create_and_wait(std::move(req), std::move(progress)),
            [&outcome](mj::api::wait_result<mj::ugen::job> r) { outcome.emplace(std::move(r)); });

  std::string shown;
  for (long frame = 0; !outcome; ++frame) {
    io.restart();  // poll() leaves the io_context stopped when it ran out of ready work
    io.poll();     // runs whatever is ready: network I/O, timers, our callbacks; never blocks
    if (hud != shown) std::printf("frame %5ld  job: %s\n", frame, (shown = hud).c_str());  // "render"
    std::this_thread::sleep_for(std::chrono::milliseconds{16});  // stands in for the rest of the frame
  }
  if (!*outcome) {
    std::fprintf(stderr, "failed: %s\n", outcome->error().message().c_str());
    return 1;
  }
  std::printf("job %s completed: %s\n", std::string{(*outcome)->get_id()}.c_str(), hud.c_str());
  return 0;
}
