// TLS settings of mediajobs::asio_transport, and (when built with MEDIAJOBS_WITH_OPENSSL) the
// set-up of the client asio::ssl::context they describe.
//
// Defaults are the safe ones: the peer's certificate chain is verified against the system CA
// store, and its name against the host of the URL (DNS name or IP literal); SNI is sent for DNS
// names. Extra trust anchors may be added (a CA file or PEM text, e.g. a company proxy's CA or a
// test CA). Turning verification off exists for local experiments only and is named so that it
// stands out in a code review.
//
// Thread-safety: tls_options is a plain value. make_client_tls_context() is reentrant; the
// context it returns is shared read-only by the connections of one transport.
#pragma once

#include <mediajobs/asio/config.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>

#include <memory>
#include <string>

#if MEDIAJOBS_WITH_OPENSSL
#include <asio/ssl.hpp>
#endif

namespace mediajobs {

/// How https connections are secured.
struct tls_options {
  /// Trust the platform's CA store (OpenSSL's default verify paths).
  bool use_system_ca_store = true;
  /// An extra PEM file of trusted CA certificates; empty for none.
  std::string ca_file;
  /// Extra trusted CA certificates as PEM text; empty for none.
  std::string ca_pem;
  /// Accept ANY certificate for ANY host name. Only for a local test server: with this set an
  /// attacker on the path can read and change all traffic, API keys included.
  bool danger_disable_verification_for_local_testing_only = false;
};

/// True when this build can speak https.
inline constexpr bool tls_available =
#if MEDIAJOBS_WITH_OPENSSL
    true;
#else
    false;
#endif

#if MEDIAJOBS_WITH_OPENSSL
namespace detail {

/// A client TLS context configured from `opts`; an error of kind `transport` names the setting
/// that failed (an unreadable CA file, PEM text that is not a certificate).
[[nodiscard]] inline result<std::unique_ptr<asio::ssl::context>> make_client_tls_context(const tls_options& opts) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  asio::error_code ec;
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                   ec);
  if (ec) return fail(error_kind::transport, "TLS set-up: cannot set protocol options: " + ec.message());
  if (opts.danger_disable_verification_for_local_testing_only) {
    ctx->set_verify_mode(asio::ssl::verify_none, ec);
    if (ec) return fail(error_kind::transport, "TLS set-up: " + ec.message());
    return ctx;
  }
  ctx->set_verify_mode(asio::ssl::verify_peer, ec);
  if (ec) return fail(error_kind::transport, "TLS set-up: cannot enable peer verification: " + ec.message());
  if (opts.use_system_ca_store) {
    ctx->set_default_verify_paths(ec);
    if (ec) return fail(error_kind::transport, "TLS set-up: cannot load the system CA store: " + ec.message());
  }
  if (!opts.ca_file.empty()) {
    ctx->load_verify_file(opts.ca_file, ec);
    if (ec) return fail(error_kind::transport, "TLS set-up: cannot load CA file " + opts.ca_file + ": " + ec.message());
  }
  if (!opts.ca_pem.empty()) {
    ctx->add_certificate_authority(asio::buffer(opts.ca_pem), ec);
    if (ec) return fail(error_kind::transport, "TLS set-up: cannot add the CA certificate: " + ec.message());
  }
  return ctx;
}

}  // namespace detail
#endif

}  // namespace mediajobs
