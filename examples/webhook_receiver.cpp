// A webhook receiver: Asio acceptor + our http::request_parser + Standard Webhooks verification. To run
// alone it creates a Style job whose webhook_url points at itself; exits once that job's event is verified.
#include <mediajobs/asio/async.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/mediajobs.hpp>
#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace mj = mediajobs;
using asio::ip::tcp;

asio::awaitable<int> run(mj::style::client<mj::asio_transport>& style, tcp::acceptor& acceptor, std::string secret) {
  auto upload = style.upload_video({.filename = "clip.mp4", .data = std::string(4096, 'v')});  // tasks: named
  mj::result<mj::style::upload_result> video = co_await mj::asio_async(std::move(upload), asio::use_awaitable);
  if (!video) co_return std::fprintf(stderr, "upload: %s\n", video.error().message().c_str()), 1;
  const std::string hook = "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/hooks/style";
  auto create = style.create_job({.video_id = video->video_id, .webhook_url = hook});
  mj::result<mj::style::job> job = co_await mj::asio_async(std::move(create), asio::use_awaitable);
  if (!job) co_return std::fprintf(stderr, "create: %s\n", job.error().message().c_str()), 1;
  for (char buf[16 * 1024];;) {  // one request per connection
    tcp::socket sock = co_await acceptor.async_accept(asio::use_awaitable);
    mj::http::request_parser parser;  // bounded by the default parser_limits
    std::error_code ec;
    while (!ec && !parser.done()) {
      const std::size_t n =
          co_await sock.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && !parser.feed({buf, n})) ec = asio::error::invalid_argument;  // not HTTP, or too large
    }
    if (ec) continue;  // not a request: wait for the next
    const mj::http::request req = parser.take();  // verify, then decode:
    mj::result<mj::webhook::style_event> event = mj::webhook::parse_style(req.headers, req.body, secret);
    std::string out;  // 200, or 400 so that the sender retries
    (void)mj::http::serialize(mj::http::response{.status = event ? 200 : 400, .keep_alive = false}, out);
    co_await asio::async_write(sock, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
    if (!event) std::fprintf(stderr, "rejected: %s\n", event.error().message().c_str());  // forged, replayed...
    if (!event || event->job.job_id != job->job_id) continue;
    std::printf("verified webhook: job %s %s\n", job->job_id.c_str(), std::string{event->job.status.name()}.c_str());
    co_return event->job.status.is(mj::style::job_status::completed) ? 0 : 1;
  }
}

int main() {
  // Like real code: URL, key and webhook secret from the environment (the Style engine has no public host).
  const char *base_url = std::getenv("MEDIAJOBS_BASE_URL"), *key = std::getenv("MEDIAJOBS_API_KEY"),
             *secret = std::getenv("MEDIAJOBS_WEBHOOK_SECRET");
  if (!base_url || !key || !secret) return std::fputs("set MEDIAJOBS_BASE_URL, _API_KEY, _WEBHOOK_SECRET\n", stderr), 2;
  asio::io_context io;  // one thread runs the client and the receiver
  mj::asio_transport http{io};
  mj::style::client style{http, {.base_url = base_url, .api_key = key}};
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};  // a free port
  int status = 1;
  asio::co_spawn(io, run(style, acceptor, secret), [&status](std::exception_ptr, int r) { status = r; });
  io.run();  // until run() has finished
  return status;
}
