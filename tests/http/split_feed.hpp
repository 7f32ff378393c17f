// Test helper: feed the same bytes to a parser whole, byte by byte, and split in two at every
// point, and check that every way gives the same messages and the same error (kind, offset, text).
#pragma once

#include <doctest/doctest.h>

#include <mediajobs/http/parser.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace http_test {

namespace http = mediajobs::http;

/// What a run produced, in a comparable text form.
struct outcome {
  std::vector<std::string> messages;  // canonical form of each complete message
  std::string error;                  // "" or "<kind>@<offset>: <detail>"
  bool pending = false;               // a message was started but not finished (no eof)
  bool operator==(const outcome&) const = default;
};

inline std::string canon_headers(const http::headers& hs) {
  std::string s;
  for (const auto& h : hs) s += "[" + h.name + ": " + h.value + "]";
  return s;
}
inline std::string canon(const http::response& r, const http::headers& trailers) {
  return std::to_string(r.status) + " " + r.reason + " ka=" + (r.keep_alive ? "1" : "0") + " " +
         canon_headers(r.headers) + " body=" + r.body + " trailers=" + canon_headers(trailers);
}
inline std::string canon(const http::request& r, const http::headers& trailers) {
  return r.method + " " + r.url + " ka=" + (r.keep_alive ? "1" : "0") + " " + canon_headers(r.headers) +
         " body=" + r.body + " trailers=" + canon_headers(trailers);
}
inline std::string canon_error(const mediajobs::error& e) {
  return std::string(mediajobs::to_string(e.kind())) + "@" +
         (e.byte_offset() ? std::to_string(*e.byte_offset()) : std::string("-")) + ": " + std::string(e.detail());
}

inline void prime(http::response_parser& p, std::string_view method) { p.set_request_method(method); }
inline void prime(http::request_parser&, std::string_view) {}

/// Feeds `pieces` in order; takes every complete message; then eof() if asked (and if a message
/// was started, or `eof_always`).
template <class Parser>
outcome run_pieces(const std::vector<std::string_view>& pieces, bool send_eof, std::string_view method,
                   http::parser_limits limits, bool eof_always = false) {
  outcome out;
  Parser p(limits);
  prime(p, method);
  for (std::string_view data : pieces) {
    while (!data.empty()) {
      auto r = p.feed(data);
      if (!r) {
        out.error = canon_error(r.error());
        return out;
      }
      data.remove_prefix(*r);
      if (p.done()) {
        const http::headers trailers = p.trailers();
        out.messages.push_back(canon(p.take(), trailers));
        prime(p, method);
      } else if (!data.empty()) {
        out.error = "feed consumed less than given without finishing a message";
        return out;
      }
    }
  }
  if (send_eof && (p.started() || eof_always)) {
    auto r = p.eof();
    if (!r) {
      out.error = canon_error(r.error());
      return out;
    }
    if (p.done()) {
      const http::headers trailers = p.trailers();
      out.messages.push_back(canon(p.take(), trailers));
    }
  }
  out.pending = p.started();
  return out;
}

/// Runs `bytes` whole, byte by byte and split at every point (every `stride`-th point for long
/// inputs); CHECKs that all runs agree and returns the whole-buffer outcome.
template <class Parser>
outcome parse_every_way(std::string_view bytes, bool send_eof = false, std::string_view method = "GET",
                        http::parser_limits limits = {}) {
  const outcome whole = run_pieces<Parser>({bytes}, send_eof, method, limits);
  std::vector<std::string_view> bytewise;
  for (std::size_t i = 0; i < bytes.size(); ++i) bytewise.push_back(bytes.substr(i, 1));
  const outcome by_byte = run_pieces<Parser>(bytewise, send_eof, method, limits);
  CHECK_MESSAGE(by_byte == whole, "byte by byte differs: ", by_byte.error, " vs ", whole.error);
  const std::size_t stride = bytes.size() > 4096 ? bytes.size() / 512 : 1;
  for (std::size_t i = 1; i < bytes.size(); i += stride) {
    const outcome split = run_pieces<Parser>({bytes.substr(0, i), bytes.substr(i)}, send_eof, method, limits);
    if (!(split == whole)) {
      CHECK_MESSAGE(split == whole, "split at ", i, " differs: ", split.error, " vs ", whole.error);
      break;  // one report per input is enough
    }
  }
  return whole;
}

inline outcome parse_response(std::string_view bytes, bool send_eof = false, std::string_view method = "GET",
                              http::parser_limits limits = {}) {
  return parse_every_way<http::response_parser>(bytes, send_eof, method, limits);
}
inline outcome parse_request(std::string_view bytes, bool send_eof = false, http::parser_limits limits = {}) {
  return parse_every_way<http::request_parser>(bytes, send_eof, "GET", limits);
}

/// The error kind of an outcome ("protocol", "limit_exceeded"), or "" when none.
inline std::string kind_of(const outcome& o) { return o.error.substr(0, o.error.find('@')); }

}  // namespace http_test
