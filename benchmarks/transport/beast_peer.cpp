// The Boost.Beast peer of bench_transport: synchronous keep-alive GETs on one socket (Beast's
// idiomatic client loop), in its own translation unit so Boost.Asio and standalone Asio never meet.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <string>

double beast_sequential(std::uint16_t port, int n) {
  namespace beast = boost::beast;
  namespace bhttp = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return -1;
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  const std::string host = "127.0.0.1:" + std::to_string(port);
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point t0;
  for (int i = -100; i < n; ++i) {
    if (i == 0) t0 = std::chrono::steady_clock::now();
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/v1/jobs/job_7f3a9c", 11};
    req.set(bhttp::field::host, host);
    bhttp::write(socket, req, ec);
    if (ec) return -1;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res, ec);
    if (ec) return -1;
  }
  return n / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
