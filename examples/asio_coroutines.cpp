// Asio coroutines: an asio::awaitable awaits mediajobs operations through the completion-token
// front-end, asio_async(task, asio::use_awaitable). Here: a TechForgeInnovate talking-video job,
// then a signed download URL for its output, all on one io_context thread.
#include <mediajobs/asio/async.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/mediajobs.hpp>

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>

namespace mj = mediajobs;
namespace tfi = mediajobs::techforge;

asio::awaitable<int> talking_video(tfi::client<mj::asio_transport>& client) {
  tfi::create_request req;
  req.job_type = tfi::job_type::ai_talking_video;
  req.template_id = "468ea7a0-66e1-4357-a760-236e54167f3e";
  req.version = 2;
  req.values = tfi::values_map{{"headline", std::string{"Launch in minutes"}}};
  // Tasks go into named variables before co_await (GCC 12 mishandles temporaries there).
  mj::task<mj::api::wait_result<tfi::job>> create = client.create_and_wait(std::move(req));
  mj::api::wait_result<tfi::job> done = co_await mj::asio_async(std::move(create), asio::use_awaitable);
  if (!done) {
    std::fprintf(stderr, "job failed: %s\n", done.error().message().c_str());
    co_return 1;
  }
  std::printf("job %s completed\n", std::string{done->get_id()}.c_str());
  if (!done->output_path) co_return 0;  // some job types answer with a URL instead
  mj::task<mj::result<tfi::signed_path>> sign = client.signed_url(*done->output_path);
  mj::result<tfi::signed_path> link = co_await mj::asio_async(std::move(sign), asio::use_awaitable);
  if (!link) {
    std::fprintf(stderr, "signing failed: %s\n", link.error().message().c_str());
    co_return 1;
  }
  std::printf("download: %s\n", link->signed_url.c_str());
  co_return 0;
}

int main() {
  // Like real code: the service URL and key come from the environment (unset URL: the live service).
  const char* base_url = std::getenv("MEDIAJOBS_BASE_URL");
  const char* api_key = std::getenv("MEDIAJOBS_API_KEY");
  if (api_key == nullptr) return std::fputs("set MEDIAJOBS_API_KEY\n", stderr), 2;

  asio::io_context io;
  mj::asio_transport http{io};
  tfi::client client{http, {.base_url = base_url != nullptr ? base_url : "", .api_key = api_key}};
  int status = 1;
  asio::co_spawn(io, talking_video(client), [&status](const std::exception_ptr& e, int s) { status = e ? 1 : s; });
  io.run();  // returns when the coroutine has finished and nothing is left to do
  return status;
}
