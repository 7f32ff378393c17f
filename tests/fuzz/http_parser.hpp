// The body of the HTTP parser fuzz targets (response_parser, request_parser).
//
// Input: byte 0 chooses the mode (bits 0-1: the request method a response answers — GET, HEAD,
// CONNECT, POST; bit 2: small limits; bit 3: call eof() at the end), byte 1 the largest piece
// (1..64 bytes); bytes 0-1 also seed the piece sizes. The rest is the stream.
//
// Invariants:
//   - feed() never consumes more than it was given, and consumes everything unless a message
//     ended (the rest belongs to the next message);
//   - fed whole and fed in pieces, the stream gives the same messages and the same error (kind,
//     byte offset and detail);
//   - errors are of kind protocol or limit_exceeded (never anything else);
//   - the first message parsed, serialized again by http/serializer.hpp (when it accepts it),
//     parses back to the same status or method and target, header fields and body.
//
// Thread-safety: stateless (libFuzzer calls it from one thread).
#pragma once

#include "fuzz_support.hpp"

#include <mediajobs/http/parser.hpp>
#include <mediajobs/http/serializer.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace mediajobs_fuzz {

namespace http = mediajobs::http;

template <class Message>
struct parse_outcome {
  std::vector<std::string> canon;  // comparable text of each complete message
  std::vector<Message> messages;
  std::string error;  // "" or "<kind>@<offset>: <detail>"
  bool pending = false;
};

inline std::string canon_headers(const http::headers& hs) {
  std::string s;
  for (const auto& h : hs) {
    s += h.name;
    s += '\0';
    s += h.value;
    s += '\n';
  }
  return s;
}
inline std::string canon_of(const http::response& r, const http::headers& trailers) {
  return std::to_string(r.status) + "|" + r.reason + "|" + (r.keep_alive ? "1" : "0") + "|" + canon_headers(r.headers) +
         "|" + r.body + "|" + canon_headers(trailers);
}
inline std::string canon_of(const http::request& r, const http::headers& trailers) {
  return r.method + "|" + r.url + "|" + (r.keep_alive ? "1" : "0") + "|" + canon_headers(r.headers) + "|" + r.body +
         "|" + canon_headers(trailers);
}
inline std::string canon_error(const mediajobs::error& e) {
  MEDIAJOBS_FUZZ_CHECK(e.kind() == mediajobs::error_kind::protocol || e.kind() == mediajobs::error_kind::limit_exceeded);
  return std::string(mediajobs::to_string(e.kind())) + "@" +
         (e.byte_offset() ? std::to_string(*e.byte_offset()) : std::string("-")) + ": " + std::string(e.detail());
}

inline void prime(http::response_parser& p, std::string_view method) { p.set_request_method(method); }
inline void prime(http::request_parser&, std::string_view) {}

template <class Parser, class Message>
parse_outcome<Message> run(const std::vector<std::string_view>& pieces, bool send_eof, std::string_view method,
                           const http::parser_limits& limits) {
  parse_outcome<Message> out;
  Parser p(limits);
  prime(p, method);
  const auto take = [&] {
    out.canon.push_back(canon_of(static_cast<const Message&>(out.messages.emplace_back(p.take())), p.trailers()));
    prime(p, method);
  };
  for (std::string_view data : pieces) {
    while (!data.empty()) {
      auto r = p.feed(data);
      if (!r) {
        out.error = canon_error(r.error());
        return out;
      }
      MEDIAJOBS_FUZZ_CHECK(*r <= data.size());
      MEDIAJOBS_FUZZ_CHECK(*r == data.size() || p.done());
      data.remove_prefix(*r);
      if (p.done()) take();
    }
  }
  if (send_eof) {
    if (auto r = p.eof(); !r) {
      out.error = canon_error(r.error());
      return out;
    }
    if (p.done()) take();
  }
  out.pending = p.started();
  return out;
}

/// Serializes `m` again (framing headers dropped, the serializer frames it itself) and parses it.
inline void check_round_trip(http::response m, std::string_view method) {
  m.headers.remove("Content-Length");
  m.headers.remove("Transfer-Encoding");
  std::string bytes;
  if (!http::serialize(m, bytes, method)) return;
  http::response_parser p;
  p.set_request_method(method);
  auto r = p.feed(bytes);
  MEDIAJOBS_FUZZ_CHECK(r.has_value() && *r == bytes.size() && p.done());
  http::response back = p.take();
  MEDIAJOBS_FUZZ_CHECK(back.status == m.status);
  MEDIAJOBS_FUZZ_CHECK(m.reason.empty() || back.reason == m.reason);
  MEDIAJOBS_FUZZ_CHECK(back.body == m.body);
  back.headers.remove("Content-Length");
  back.headers.remove("Connection");
  m.headers.remove("Connection");
  MEDIAJOBS_FUZZ_CHECK(back.headers == m.headers);
}

inline void check_round_trip(http::request m, std::string_view) {
  if (m.url.empty() || m.url.front() != '/') return;  // the serializer takes origin-form only with Host
  m.headers.remove("Content-Length");
  m.headers.remove("Transfer-Encoding");
  std::string bytes;
  if (!http::serialize(m, bytes)) return;
  http::request_parser p;
  auto r = p.feed(bytes);
  MEDIAJOBS_FUZZ_CHECK(r.has_value() && *r == bytes.size() && p.done());
  http::request back = p.take();
  MEDIAJOBS_FUZZ_CHECK(back.method == m.method);
  MEDIAJOBS_FUZZ_CHECK(back.url == m.url);
  MEDIAJOBS_FUZZ_CHECK(back.body == m.body);
  back.headers.remove("Content-Length");
  MEDIAJOBS_FUZZ_CHECK(back.headers == m.headers);
}

template <class Parser, class Message>
int fuzz_parser(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  const std::size_t max_piece = 1u + data[1] % 64u;
  const auto seed = static_cast<std::uint32_t>(data[0] | data[1] << 8) * 2654435761u;
  const std::string_view stream{reinterpret_cast<const char*>(data + 2), size - 2};

  static constexpr std::string_view methods[] = {"GET", "HEAD", "CONNECT", "POST"};
  const std::string_view method = methods[mode & 3u];
  http::parser_limits limits;
  limits.max_body_bytes = 1 << 20;  // keeps Content-Length reservations small while fuzzing
  if ((mode & 4u) != 0) {
    limits.max_header_bytes = 256;
    limits.max_body_bytes = 512;
    limits.max_chunk_line_bytes = 32;
  }
  const bool send_eof = (mode & 8u) != 0;

  const auto whole = run<Parser, Message>({stream}, send_eof, method, limits);
  const auto cut = run<Parser, Message>(split(stream, seed, max_piece), send_eof, method, limits);
  if (whole.canon != cut.canon || whole.error != cut.error || whole.pending != cut.pending) {
    std::fprintf(stderr, "whole: %zu messages, error '%s'\npieces: %zu messages, error '%s'\n", whole.canon.size(),
                 whole.error.c_str(), cut.canon.size(), cut.error.c_str());
    std::fprintf(stderr, "fuzz invariant violated: fed whole and in pieces, the stream parses differently\n");
    std::abort();
  }
  if (!whole.messages.empty()) check_round_trip(whole.messages.front(), method);
  return 0;
}

}  // namespace mediajobs_fuzz
