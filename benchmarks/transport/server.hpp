// The benchmark's HTTP server: one thread, standalone Asio, HTTP/1.1 keep-alive, answers every
// GET with the same small JSON job body. With a delay, each answer is held that long (the
// "10,000 polls in flight" case). Not a general server: requests are assumed to carry no body.
// Thread-safety: everything runs on the one thread that runs its io_context.
#pragma once

#include <mediajobs/asio/config.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace mj_bench {

inline const std::string& job_response() {
  static const std::string body =
      R"({"id":"job_7f3a9c","status":"processing","progress":42,"created_at":"2026-11-23T14:00:00Z"})";
  static const std::string r = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
  return r;
}

class http_server {
 public:
  http_server(asio::io_context& io, std::chrono::milliseconds delay) : acceptor_(io), delay_(delay) {
    const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    asio::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor_.bind(ep, ec);
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    port_ = acceptor_.local_endpoint(ec).port();
    accept();
  }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  struct session : std::enable_shared_from_this<session> {
    session(asio::ip::tcp::socket s, std::chrono::milliseconds d) : socket(std::move(s)), timer(socket.get_executor()), delay(d) {}
    asio::ip::tcp::socket socket;
    asio::steady_timer timer;
    std::chrono::milliseconds delay;
    std::array<char, 4096> buf{};
    std::size_t used = 0;
    std::string out;

    void read() {
      socket.async_read_some(asio::buffer(buf.data() + used, buf.size() - used),
                             [self = shared_from_this()](const asio::error_code& e, std::size_t n) { self->on_read(e, n); });
    }
    void on_read(const asio::error_code& e, std::size_t n) {
      if (e) return;
      used += n;
      std::size_t requests = 0;
      std::size_t start = 0;
      for (;;) {
        const std::string_view view(buf.data() + start, used - start);
        const auto end = view.find("\r\n\r\n");
        if (end == std::string_view::npos) break;
        ++requests;
        start += end + 4;
      }
      if (start > 0) {
        std::memmove(buf.data(), buf.data() + start, used - start);
        used -= start;
      }
      if (used == buf.size()) return;  // a request larger than we serve: drop the connection
      if (requests == 0) return read();
      out.clear();
      for (std::size_t i = 0; i < requests; ++i) out += job_response();
      if (delay.count() > 0) {
        timer.expires_after(delay);
        timer.async_wait([self = shared_from_this()](const asio::error_code&) { self->write(); });
      } else {
        write();
      }
    }
    void write() {
      asio::async_write(socket, asio::buffer(out), [self = shared_from_this()](const asio::error_code& e, std::size_t) {
        if (!e) self->read();
      });
    }
  };

  void accept() {
    acceptor_.async_accept([this](const asio::error_code& e, asio::ip::tcp::socket s) {
      if (!e) {
        asio::error_code ignored;
        s.set_option(asio::ip::tcp::no_delay(true), ignored);
        std::make_shared<session>(std::move(s), delay_)->read();
      }
      accept();
    });
  }

  asio::ip::tcp::acceptor acceptor_;
  std::chrono::milliseconds delay_;
  std::uint16_t port_ = 0;
};

}  // namespace mj_bench
