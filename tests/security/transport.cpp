// Security of asio_transport against hostile servers on 127.0.0.1: TLS verification is on by
// default and says why it refused a certificate; a server that streams without end (header
// section, header line, chunk-size line, body in each framing) runs into the limits with
// limit_exceeded, never a hang or unbounded memory. Reuses the raw scripted servers and the
// run-time test PKI of tests/asio/support.hpp.
#include "asio/support.hpp"

#include <mediajobs/asio/transport.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

using namespace std::chrono_literals;
using mediajobs::asio_transport;
using mediajobs::error_kind;
using mediajobs::result;
namespace http = mediajobs::http;

namespace {

http::request get(std::string url) {
  http::request r;
  r.method = "GET";
  r.url = std::move(url);
  r.timeout = 20s;  // a safety net only: every case below must end long before
  return r;
}

result<http::response> fetch(asio_transport& t, http::request req) {
  mj_test::response_outcome out;
  t.async_send(std::move(req), {}, [&out](result<http::response> r) { out.set(std::move(r)); });
  return std::move(out.get(30s));
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

// --- TLS ----------------------------------------------------------------------------------------

TEST_CASE("TLS: verification of the peer and its host name is on by default") {
  const mediajobs::tls_options defaults{};
  CHECK_FALSE(defaults.danger_disable_verification_for_local_testing_only);
  CHECK(defaults.use_system_ca_store);
  CHECK_FALSE(asio_transport::options{}.tls.danger_disable_verification_for_local_testing_only);
}

#if MEDIAJOBS_WITH_OPENSSL

namespace {

struct self_signed {
  std::string cert;
  std::string key;
};

/// A leaf certificate for mediajobs.test and 127.0.0.1 that signs itself (no CA anyone trusts).
const self_signed& self_signed_leaf() {
  static const self_signed s = [] {
    auto key = mj_test::detail::make_key();
    auto cert = mj_test::detail::make_cert(key.get(), "mediajobs.test", nullptr, nullptr,
                                           "DNS:mediajobs.test,IP:127.0.0.1", 7);
    return self_signed{mj_test::detail::pem(cert.get()), mj_test::detail::pem(key.get())};
  }();
  return s;
}

const mj_test::test_pki& pki() {
  static const mj_test::test_pki p = mj_test::make_test_pki("DNS:mediajobs.test,IP:127.0.0.1");
  return p;
}

/// Default TLS settings, plus the test CA (the system store knows neither test CA).
asio_transport::options client_trusting_test_ca() {
  asio_transport::options o;
  o.resolve_overrides = {{"mediajobs.test", "127.0.0.1"}, {"wrong.test", "127.0.0.1"}};
  o.tls.ca_pem = pki().ca_cert;
  return o;
}

}  // namespace

TEST_CASE("TLS: an untrusted self-signed certificate is refused, and the error says why") {
  mj_test::tls_server server(self_signed_leaf().cert, self_signed_leaf().key, mj_test::http_ok("{}"));
  asio_transport t(client_trusting_test_ca());
  auto r = fetch(t, get(server.url("mediajobs.test", "/v1/jobs")));
  REQUIRE_FALSE(r);
  const std::string m = r.error().message();
  CAPTURE(m);
  CHECK(r.error().kind() == error_kind::transport);
  CHECK(contains(m, "TLS handshake with mediajobs.test"));
  CHECK(contains(m, "self"));  // OpenSSL: "self-signed certificate" / "self signed certificate"
  CHECK(contains(m, "certificate"));
  CHECK(server.handshakes() == 0);
}

TEST_CASE("TLS: a certificate for another host name is refused, and the error says why") {
  mj_test::tls_server server(pki().leaf_cert, pki().leaf_key, mj_test::http_ok("{}"));
  asio_transport t(client_trusting_test_ca());
  // The control: the same server and client agree under the certificate's own name.
  REQUIRE(fetch(t, get(server.url("mediajobs.test"))));
  auto r = fetch(t, get(server.url("wrong.test")));
  REQUIRE_FALSE(r);
  const std::string m = r.error().message();
  CAPTURE(m);
  CHECK(r.error().kind() == error_kind::transport);
  CHECK(contains(m, "TLS handshake with wrong.test"));
  CHECK(contains(m, "hostname mismatch"));
  CHECK(r.error().request_not_sent());
  CHECK(server.handshakes() == 1);  // only the control's
}

TEST_CASE("TLS: a certificate without the IP literal asked for is refused, and the error says why") {
  static const mj_test::test_pki dns_only = mj_test::make_test_pki("DNS:mediajobs.test");
  mj_test::tls_server server(dns_only.leaf_cert, dns_only.leaf_key, mj_test::http_ok("{}"));
  auto o = client_trusting_test_ca();
  o.tls.ca_pem = dns_only.ca_cert;
  asio_transport t(o);
  REQUIRE(fetch(t, get(server.url("mediajobs.test"))));  // the control: the name in the certificate
  auto r = fetch(t, get(server.url("127.0.0.1")));       // the same server, by an address it lacks
  REQUIRE_FALSE(r);
  const std::string m = r.error().message();
  CAPTURE(m);
  CHECK(contains(m, "IP address mismatch"));
}

#endif  // MEDIAJOBS_WITH_OPENSSL

// --- a server that never stops sending ----------------------------------------------------------

namespace {

/// After the request, writes `head` once and then `unit` again and again until the client goes
/// away; counts what it managed to write.
struct endless_server {
  std::atomic<std::size_t> written{0};
  mj_test::latch_flag client_gone;  // set when a write failed: the client closed the connection
  mj_test::scripted_server server;

  endless_server(std::string head, std::string unit)
      : server([this, head = std::move(head), unit = std::move(unit)](mj_test::peer& p) {
          if (!p.read_request()) return;
          asio::error_code ec;
          p.write(head, ec);
          while (!ec) {
            p.write(unit, ec);
            if (!ec) written += unit.size();
          }
          client_gone.set();
        }) {}
};

constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t body_limit = 1024 * 1024;

asio_transport::options limited() {
  asio_transport::options o;
  o.limits.max_header_bytes = header_limit;
  o.limits.max_body_bytes = body_limit;
  o.limits.max_chunk_line_bytes = 1024;
  return o;
}

void check_refused_with_limit(endless_server& s) {
  asio_transport t(limited());
  const auto t0 = std::chrono::steady_clock::now();
  auto r = fetch(t, get(s.server.url("/v1/jobs")));
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(r);
  CAPTURE(r.error().message());
  CHECK(r.error().kind() == error_kind::limit_exceeded);
  CHECK(took < 15s);  // ended by the limit, not by the 20 s request timeout
  // The client closed the connection (the server's writes fail; a bounded wait, not a sleep).
  // What the server wrote until then is bounded by the limit plus the loopback socket buffers.
  CHECK(s.client_gone.wait(10s));
  CHECK(s.written.load() < body_limit + 64 * 1024 * 1024);
}

}  // namespace

TEST_CASE("a server streaming header fields forever runs into the header limit") {
  endless_server s("HTTP/1.1 200 OK\r\n", "X-Padding: " + std::string(1000, 'a') + "\r\n");
  check_refused_with_limit(s);
}

TEST_CASE("a server streaming one header line forever runs into the header limit") {
  endless_server s("HTTP/1.1 200 OK\r\nX-Endless: ", std::string(4096, 'a'));
  check_refused_with_limit(s);
}

TEST_CASE("a server streaming a close-delimited body forever runs into the body limit") {
  endless_server s("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[", std::string(64 * 1024, '1'));
  check_refused_with_limit(s);
}

TEST_CASE("a server streaming chunks forever runs into the body limit") {
  endless_server s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                   "10000\r\n" + std::string(0x10000, 'x') + "\r\n");
  check_refused_with_limit(s);
}

TEST_CASE("a server streaming one chunk-size line forever runs into the chunk line limit") {
  endless_server s("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=", std::string(4096, 'e'));
  check_refused_with_limit(s);
}

TEST_CASE("a server streaming 1xx interim responses forever runs into the header limit") {
  endless_server s("", "HTTP/1.1 100 Continue\r\n\r\n");
  check_refused_with_limit(s);
}

TEST_CASE("a Content-Length beyond the body limit is refused before the body is read") {
  endless_server s("HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n", std::string(64 * 1024, 'x'));
  check_refused_with_limit(s);
}
