// Quick start: create a U-Gen video job and block until it is done (sync_wait), printing progress.
// Runs against the live service by default; the examples' CI runs it against the local sandbox.
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/mediajobs.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace mj = mediajobs;

int main() {
  // Like real code: the service URL and key come from the environment (unset URL: the live service).
  const char* base_url = std::getenv("MEDIAJOBS_BASE_URL");
  const char* api_key = std::getenv("MEDIAJOBS_API_KEY");
  if (api_key == nullptr) {
    std::fputs("set MEDIAJOBS_API_KEY (and MEDIAJOBS_BASE_URL for another host)\n", stderr);
    return 2;
  }

  mj::asio_transport http;  // owns an io_context and one I/O thread
  mj::api::client_options options;
  options.base_url = base_url != nullptr ? base_url : "";
  options.api_key = api_key;
  mj::ugen::client ugen{http, std::move(options)};  // the Asio transport is its own timer

  mj::ugen::create_job_request req;
  req.product_name = "Premium Wireless Headphones";
  req.product_image_url = "https://example.com/headphones.jpg";
  req.segment_count = 3;

  mj::ugen::wait_options progress;  // polls every 5 s (client_options::poll), 30 min deadline
  progress.on_progress = [](const mj::ugen::job& j) {
    const std::string stage{j.current_stage ? j.current_stage->name() : "-"};
    std::printf("%-10s %-10s %3.0f%%\n", std::string{j.status.name()}.c_str(), stage.c_str(),
                j.progress_percent.value_or(0));
  };

  // Lazy task -> run it here and wait. Errors are values: nothing throws.
  mj::api::wait_result<mj::ugen::job> done = mj::sync_wait(ugen.create_and_wait(std::move(req), std::move(progress)));
  if (!done) {
    std::fprintf(stderr, "failed: %s\n", done.error().message().c_str());  // never contains the key
    return 1;
  }
  std::printf("job %s completed\n", std::string{done->get_id()}.c_str());
  if (done->outputs && done->outputs->video_url) std::printf("video: %s\n", done->outputs->video_url->c_str());
  return 0;
}
