// Create a U-Gen job and follow it to completion over the default Asio transport.
// Usage: UGEN_API_KEY=... ugen_create_and_wait   (talks to the live service)
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/mediajobs.hpp>

#include <cstdio>
#include <cstdlib>
#include <utility>

int main() {
  const char* key = std::getenv("UGEN_API_KEY");
  if (key == nullptr) {
    std::puts("set UGEN_API_KEY");
    return 2;
  }
  mediajobs::asio_transport http;  // owns an io_context and one thread
  mediajobs::api::client_options options;
  options.api_key = key;
  mediajobs::ugen::client ugen(http, std::move(options));

  mediajobs::ugen::create_job_request req;
  req.product_name = "Premium Wireless Headphones";
  req.product_image_url = "https://example.com/headphones.jpg";
  req.segment_count = 3;
  mediajobs::ugen::wait_options progress;
  progress.on_progress = [](const mediajobs::ugen::job& j) {
    std::printf("%s %.0f%%\n", std::string{j.status.name()}.c_str(), j.progress_percent.value_or(0));
  };
  auto done = mediajobs::sync_wait(ugen.create_and_wait(std::move(req), std::move(progress)));
  if (!done) {
    std::printf("%s\n", done.error().message().c_str());
    return 1;
  }
  std::printf("completed: %s\n", std::string{done->get_id()}.c_str());
  return 0;
}
