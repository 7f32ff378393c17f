// The P2300 front-end (mediajobs/execution.hpp): as_sender(task) completes with set_value(U) for a result<U>,
// set_error(mediajobs::error) or set_stopped(). A hand-written receiver; with stdexec use its algorithms.
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/execution.hpp>
#include <mediajobs/mediajobs.hpp>

#include <cstdio>
#include <cstdlib>
#include <semaphore>
#include <stop_token>
#include <string>
#include <utility>

namespace mj = mediajobs;
namespace style = mediajobs::style;

// Upload a clip, restyle it, wait for the result: one task composed with co_await (see style/client.hpp).
mj::task<mj::result<style::job_detail>> restyle(style::client<mj::asio_transport>& client, std::string clip) {
  style::upload_video_request upload{.filename = "clip.mp4", .data = std::move(clip)};
  mj::result<style::upload_result> uploaded = co_await client.upload_video(std::move(upload));
  if (!uploaded) co_return mj::unexpected(std::move(uploaded).error());
  style::job_create_request req{.video_id = uploaded->video_id};
  co_return co_await client.create_and_wait(std::move(req));  // wait_result -> result
}

struct receiver {  // what a sender completes into; its environment offers a stop token
  using receiver_concept = mj::exec::receiver_t;
  struct env {  // queried by as_sender: the task's stop token
    std::stop_token stop;
    std::stop_token query(mj::exec::get_stop_token_t) const noexcept { return stop; }
  };
  std::binary_semaphore* done;
  std::stop_token stop;
  int* status;  // 0 once a value arrived
  void set_value(style::job_detail d) && noexcept {
    std::printf("job %s %s: %s\n", d.job_id.c_str(), std::string{d.status.name()}.c_str(),
                d.output_video_url.value_or("(no url)").c_str());
    *status = 0, done->release();
  }
  void set_error(mj::error e) && noexcept { std::fprintf(stderr, "%s\n", e.message().c_str()), done->release(); }
  void set_stopped() && noexcept { std::fputs("stopped\n", stderr), done->release(); }
  [[nodiscard]] env get_env() const noexcept { return {stop}; }
};

int main() {
  // Like real code: URL and key from the environment. The Style engine has no public default host.
  const char* base_url = std::getenv("MEDIAJOBS_BASE_URL");
  const char* api_key = std::getenv("MEDIAJOBS_API_KEY");
  if (base_url == nullptr || api_key == nullptr) return std::fputs("set MEDIAJOBS_BASE_URL, _API_KEY\n", stderr), 2;
  mj::asio_transport http;  // owns an io_context and one I/O thread: completions arrive there
  style::client client{http, {.base_url = base_url, .api_key = api_key}};
  std::stop_source stop;  // stop.request_stop() from any thread would end in set_stopped()
  std::binary_semaphore done{0};
  int status = 1;
  auto sender = mj::as_sender(restyle(client, std::string(64 * 1024, 'v')));  // nothing runs yet
  auto op = std::move(sender).connect(receiver{&done, stop.get_token(), &status});
  op.start();  // runs until the first I/O; the receiver is completed on the I/O thread
  done.acquire();
  return status;
}
