// mediajobs::http parsers: incremental, sans-I/O HTTP/1.1 message parsers written from RFC 9112.
//   response_parser — client side: bytes from the server into an http::response;
//   request_parser  — server side (the sandbox): bytes from a client into an http::request.
//
// Usage: feed() any split of the bytes; it returns how many it consumed. It stops at the end of a
// message and leaves the rest unconsumed: those bytes belong to the next message on a keep-alive
// connection. When done(), take() the message (which also readies the parser for the next one).
// Call eof() when the peer closed: it completes a close-delimited response body, and reports an
// incomplete message as an error.
//
// Framing (RFC 9112 §6): Content-Length (repeated equal values accepted, `5, 5` too; differing
// values, non-digits or overflow are errors); Transfer-Encoding with chunked as the final coding
// (chunk extensions skipped, trailers kept apart in trailers()); both Transfer-Encoding and
// Content-Length is an error (request smuggling); chunked applied twice is an error; a
// Transfer-Encoding without a final chunked is an error in a request and means close-delimited in
// a response (RFC 9112 §6.3); Transfer-Encoding in an HTTP/1.0 message is an error. A response
// without either is close-delimited. 1xx interim responses are skipped, as many as the header-byte
// limit allows (101 is refused: we never ask to switch protocols); HEAD responses (tell the
// parser with set_request_method), 204 and 304 have no body. keep_alive is false for HTTP/1.0
// without `Connection: keep-alive`, for `Connection: close`, and for a close-delimited response.
//
// Leniency, decided and tested: a line may end with a bare LF instead of CRLF (RFC 9112 §2.2
// allows recipients to accept it) in the start line, header fields, chunk-size lines, after chunk
// data and in trailers; a bare CR anywhere is an error. Empty lines before the start line are
// skipped (§2.2). obs-fold (a field line starting with SP or HTAB) is replaced by one space
// (§5.2); whitespace between a field name and its colon is an error (§5.1). A request must carry
// exactly one Host header (HTTP/1.0: at most one) (§3.2).
//
// Errors: framing problems are error_kind::protocol with the byte offset (from the start of the
// message, 1xx responses included) of the offending byte; exceeding parser_limits is
// error_kind::limit_exceeded. After an error the parser stays failed until reset().
//
// Body handler (response side, optional): with set_body_handler(h), once the head of a final
// response is parsed the parser asks h->on_head(status, headers) whether to stream its body; if
// so, each decoded piece of the body goes to h->on_body(piece) as it is fed (pieces are slices of
// the fed buffers, never larger than one feed) and the response's body stays empty. A streamed
// body is not bounded by max_body_bytes (the handler bounds it; nothing is held). An error from
// the handler fails the parse with that very error (kind and detail kept).
//
// Performance: the header section is parsed in place from the fed buffer when it arrives whole,
// else from one reused internal buffer; the body is appended straight into the message. No
// allocation per byte.
//
// Thread-safety: one parser per connection; not for concurrent use.
#pragma once

#include <mediajobs/core/config.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/http/serializer.hpp>
#include <mediajobs/http/url.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace mediajobs::http {

/// Size limits of one message. Exceeding one is an error of kind limit_exceeded.
struct parser_limits {
  /// Start line and header fields, including every skipped 1xx response and the trailers.
  std::size_t max_header_bytes = 64 * 1024;
  /// Decoded body bytes.
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  /// One chunk-size line, extensions included.
  std::size_t max_chunk_line_bytes = 4096;
};

/// Receives a response body as it is parsed (response_parser::set_body_handler). Called inside
/// feed(), on the feeding thread.
class body_handler {
 public:
  /// The head of a final (non-1xx) response was parsed: true streams its body to on_body(),
  /// false keeps it in the response as usual; an error aborts the parse.
  virtual result<bool> on_head(int status, const http::headers& headers) = 0;
  /// The next piece of a streamed body (never empty); an error aborts the parse.
  virtual result<void> on_body(std::string_view piece) = 0;

 protected:
  body_handler() = default;
  body_handler(const body_handler&) = default;
  body_handler& operator=(const body_handler&) = default;
  ~body_handler() = default;  // not owned through this interface
};

namespace detail {

/// The shared state machine of request_parser and response_parser.
class message_parser {
 public:
  enum class role : std::uint8_t { request, response };

  message_parser(role r, parser_limits limits) : role_(r), limits_(limits) {}

  [[nodiscard]] result<std::size_t> feed(std::string_view in) {
    if (state_ == state::failed) return fail(err_);
    if (eof_ && !in.empty()) return fail_at(error_kind::protocol, "data fed after eof()", consumed_);
    const std::size_t base = consumed_;
    std::size_t pos = 0;
    while (pos < in.size() && state_ != state::done) {
      const std::size_t at = base + pos;  // offset of in[pos] in the message
      switch (state_) {
        case state::start: {
          // RFC 9112 §2.2: empty lines before the start line are ignored (they count as header bytes).
          while (pos < in.size() && (in[pos] == '\r' || in[pos] == '\n')) ++pos;
          if (base + pos > limits_.max_header_bytes)
            return fail_at(error_kind::limit_exceeded, "header section exceeds the header byte limit",
                           limits_.max_header_bytes);
          if (pos < in.size()) {
            started_ = true;
            header_bytes_used_ = base + pos;
            section_base_ = base + pos;
            state_ = state::head;
          }
          break;
        }
        case state::head:
        case state::trailers: {
          auto r = feed_section(in.substr(pos));
          if (!r) return fail(std::move(r.error()));
          pos += *r;
          break;
        }
        case state::body_length: {
          const std::size_t n = std::min(in.size() - pos, remaining_);
          if (auto ok = take_body(in.substr(pos, n)); !ok) return fail_with(std::move(ok.error()));
          pos += n;
          remaining_ -= n;
          if (remaining_ == 0) state_ = state::done;
          break;
        }
        case state::body_close: {
          const std::size_t n = in.size() - pos;
          if (!streaming_ && n > limits_.max_body_bytes - body_.size())  // offset: the first byte over the limit
            return fail_at(error_kind::limit_exceeded, "body exceeds the body byte limit",
                           at + (limits_.max_body_bytes - body_.size()));
          if (auto ok = take_body(in.substr(pos, n)); !ok) return fail_with(std::move(ok.error()));
          pos += n;
          break;
        }
        case state::chunk_data: {
          const std::size_t n = std::min(in.size() - pos, remaining_);
          if (auto ok = take_body(in.substr(pos, n)); !ok) return fail_with(std::move(ok.error()));
          pos += n;
          remaining_ -= n;
          if (remaining_ == 0) state_ = state::chunk_data_cr;
          break;
        }
        case state::chunk_data_cr:
        case state::chunk_data_lf: {
          const char c = in[pos];
          if (c == '\n') {
            ++pos;
            begin_chunk_line();
          } else if (c == '\r' && state_ == state::chunk_data_cr) {
            ++pos;
            state_ = state::chunk_data_lf;
          } else {
            return fail_at(error_kind::protocol, "expected CRLF after chunk data", at);
          }
          break;
        }
        case state::chunk_size:
        case state::chunk_digits:
        case state::chunk_ws:
        case state::chunk_ext:
        case state::chunk_lf: {
          auto r = feed_chunk_line(in, pos, base);
          if (!r) return fail(std::move(r.error()));
          break;
        }
        case state::done:
        case state::failed:
          break;
      }
    }
    consumed_ = base + pos;
    return pos;
  }

  [[nodiscard]] result<void> eof() {
    if (state_ == state::failed) return fail(err_);
    eof_ = true;
    switch (state_) {
      case state::done:
        return {};
      case state::body_close:
        state_ = state::done;
        return {};
      case state::start:
        return fail_at(error_kind::protocol,
                       role_ == role::response ? "incomplete message: connection closed before the response began"
                                               : "incomplete message: connection closed before the request began",
                       consumed_);
      case state::head:
        return fail_at(error_kind::protocol, "incomplete message: connection closed in the header section", consumed_);
      case state::body_length:
        return fail_at(error_kind::protocol,
                       "incomplete message: connection closed " + std::to_string(remaining_) +
                           " bytes before the end of the Content-Length body",
                       consumed_);
      default:
        return fail_at(error_kind::protocol, "incomplete message: connection closed in the chunked body", consumed_);
    }
  }

  [[nodiscard]] bool done() const noexcept { return state_ == state::done; }
  [[nodiscard]] bool failed() const noexcept { return state_ == state::failed; }
  /// True once a byte of the message (other than leading empty lines) arrived.
  [[nodiscard]] bool started() const noexcept { return started_; }
  [[nodiscard]] const http::headers& trailers() const noexcept { return trailers_; }
  [[nodiscard]] const parser_limits& limits() const noexcept { return limits_; }

  void reset() noexcept {
    state_ = state::start;
    started_ = false;
    eof_ = false;
    http10_ = false;
    keep_alive_ = true;
    streaming_ = false;
    status_ = 0;
    consumed_ = 0;
    header_bytes_used_ = 0;
    section_base_ = 0;
    line_start_ = 0;
    scan_pos_ = 0;
    remaining_ = 0;
    chunk_size_ = 0;
    chunk_line_len_ = 0;
    head_buf_.clear();
    method_.clear();
    target_.clear();
    reason_.clear();
    headers_.clear();
    trailers_.clear();
    body_.clear();
    err_ = error{};
  }

 protected:
  enum class state : std::uint8_t {
    start,          // skipping empty lines before the start line
    head,           // in the start line / header fields
    body_length,    // remaining_ bytes of a Content-Length body
    body_close,     // close-delimited body, until eof()
    chunk_size,     // at the first hex digit of a chunk-size line
    chunk_digits,   // in the hex digits
    chunk_ws,       // BWS after the digits
    chunk_ext,      // in chunk extensions (skipped)
    chunk_lf,       // after the CR of a chunk-size line
    chunk_data,     // remaining_ bytes of chunk data
    chunk_data_cr,  // expecting CRLF after chunk data
    chunk_data_lf,  // expecting the LF of that CRLF
    trailers,       // trailer section after the last chunk
    done,
    failed,
  };

  unexpected<error> fail_at(error_kind kind, std::string detail, std::size_t offset) {
    err_ = error{kind, std::move(detail)}.at_byte(offset);
    state_ = state::failed;
    return unexpected<error>(err_);
  }

  unexpected<error> fail_with(error e) {
    err_ = std::move(e);
    state_ = state::failed;
    return unexpected<error>(err_);
  }

  /// Body bytes: to the handler when streaming, else into the message.
  result<void> take_body(std::string_view piece) {
    if (!streaming_) {
      body_.append(piece.data(), piece.size());
      return {};
    }
    if (piece.empty()) return {};
    return handler_->on_body(piece);
  }

  void begin_chunk_line() noexcept {
    state_ = state::chunk_size;
    chunk_size_ = 0;
    chunk_line_len_ = 0;
  }

  /// Runs the chunk-size line machine over in[pos...]; no buffering needed.
  result<void> feed_chunk_line(std::string_view in, std::size_t& pos, std::size_t base) {
    while (pos < in.size()) {
      const char c = in[pos];
      const std::size_t at = base + pos;
      if (++chunk_line_len_ > limits_.max_chunk_line_bytes)
        return fail_at(error_kind::limit_exceeded, "chunk-size line exceeds the chunk line limit", at);
      switch (state_) {
        case state::chunk_size:
        case state::chunk_digits: {
          const int h = hex_value(c);
          if (h >= 0) {
            if (chunk_size_ > (UINT64_MAX >> 4)) return fail_at(error_kind::protocol, "chunk size overflows", at);
            chunk_size_ = (chunk_size_ << 4) | static_cast<std::uint64_t>(h);
            state_ = state::chunk_digits;
            ++pos;
            continue;
          }
          if (state_ == state::chunk_size)
            return fail_at(error_kind::protocol, "bad chunk size: expected a hex digit, got " + describe_byte(c), at);
          if (c == ' ' || c == '\t') {
            state_ = state::chunk_ws;
          } else if (c == ';') {
            state_ = state::chunk_ext;
          } else if (c == '\r') {
            state_ = state::chunk_lf;
          } else if (c == '\n') {
            ++pos;
            return end_chunk_line(base + pos);
          } else {
            return fail_at(error_kind::protocol, "bad chunk size: unexpected " + describe_byte(c), at);
          }
          ++pos;
          continue;
        }
        case state::chunk_ws:
          if (c == ' ' || c == '\t') {
          } else if (c == ';') {
            state_ = state::chunk_ext;
          } else if (c == '\r') {
            state_ = state::chunk_lf;
          } else if (c == '\n') {
            ++pos;
            return end_chunk_line(base + pos);
          } else {
            return fail_at(error_kind::protocol, "bad chunk size: unexpected " + describe_byte(c), at);
          }
          ++pos;
          continue;
        case state::chunk_ext: {
          // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): ignored, but no controls.
          const auto u = static_cast<unsigned char>(c);
          if (c == '\r') {
            state_ = state::chunk_lf;
          } else if (c == '\n') {
            ++pos;
            return end_chunk_line(base + pos);
          } else if ((u < 0x20 && c != '\t') || u == 0x7F) {
            return fail_at(error_kind::protocol, "control byte in chunk extension", at);
          }
          ++pos;
          continue;
        }
        case state::chunk_lf:
          if (c != '\n') return fail_at(error_kind::protocol, "bare CR in chunk-size line", at);
          ++pos;
          return end_chunk_line(base + pos);
        default:
          return {};
      }
    }
    return {};
  }

  result<void> end_chunk_line(std::size_t at) {
    if (chunk_size_ == 0) {
      state_ = state::trailers;
      section_base_ = at;
      return {};
    }
    if (!streaming_ && chunk_size_ > limits_.max_body_bytes - body_.size())
      return fail_at(error_kind::limit_exceeded, "chunked body exceeds the body byte limit", at);
    remaining_ = static_cast<std::size_t>(chunk_size_);
    state_ = state::chunk_data;
    return {};
  }

  /// Finds the end of a header or trailer section (the byte after its empty line) in `buf`,
  /// resuming from line_start_/scan_pos_. npos when not there yet.
  std::size_t scan_section(std::string_view buf) noexcept {
    while (scan_pos_ < buf.size()) {
      const void* hit = std::memchr(buf.data() + scan_pos_, '\n', buf.size() - scan_pos_);
      if (hit == nullptr) {
        scan_pos_ = buf.size();
        return std::string_view::npos;
      }
      const auto lf = static_cast<std::size_t>(static_cast<const char*>(hit) - buf.data());
      const bool empty_line = lf == line_start_ || (lf == line_start_ + 1 && buf[line_start_] == '\r');
      line_start_ = scan_pos_ = lf + 1;
      if (empty_line) return lf + 1;
    }
    return std::string_view::npos;
  }

  /// Accumulates a header or trailer section; parses it once complete. Returns bytes consumed.
  result<std::size_t> feed_section(std::string_view in) {
    const std::size_t budget =
        limits_.max_header_bytes > header_bytes_used_ ? limits_.max_header_bytes - header_bytes_used_ : 0;
    const std::size_t old = head_buf_.size();
    std::string_view buf;
    std::size_t end = std::string_view::npos;
    if (old == 0) {
      // Fast path: the section may be whole in the fed buffer; parse it in place.
      buf = in.substr(0, std::min(in.size(), budget));
      end = scan_section(buf);
    } else {
      // Append in windows so that a large feed (headers' tail + a big body) copies at most one
      // window of body bytes before the end of the section is seen.
      const std::size_t limit = std::min(in.size(), budget - old);
      std::size_t taken = 0;
      do {
        const std::size_t n = std::min(limit - taken, std::size_t{4096});
        head_buf_.append(in.data() + taken, n);
        taken += n;
        end = scan_section(head_buf_);
      } while (end == std::string_view::npos && taken < limit);
      buf = head_buf_;
    }
    if (end == std::string_view::npos) {
      if (buf.size() >= budget)
        return fail_at(error_kind::limit_exceeded,
                       state_ == state::trailers ? "trailer section exceeds the header byte limit"
                                                 : "header section exceeds the header byte limit",
                       section_base_ + budget);
      if (old == 0) head_buf_.assign(buf.data(), buf.size());
      return in.size();
    }
    auto ok = state_ == state::head ? parse_head(buf.substr(0, end)) : parse_trailers(buf.substr(0, end));
    header_bytes_used_ += end;
    head_buf_.clear();
    line_start_ = scan_pos_ = 0;
    if (!ok) return fail(std::move(ok.error()));
    return end - old;
  }

  /// Parses field lines from `pos` to the empty line of `block`, into `out`.
  result<void> parse_fields(std::string_view block, std::size_t pos, http::headers& out) {
    const std::size_t first_field = out.size();
    for (;;) {
      const std::size_t lf = block.find('\n', pos);  // present: the block ends with an empty line
      std::size_t line_end = lf;
      if (line_end > pos && block[line_end - 1] == '\r') --line_end;
      const std::string_view line = block.substr(pos, line_end - pos);
      if (line.empty()) return {};
      const std::size_t at = section_base_ + pos;
      if (line.front() == ' ' || line.front() == '\t') {
        // obs-fold (RFC 9112 §5.2): replaced by one SP. Not allowed before the first field.
        if (out.size() == first_field)
          return fail_at(error_kind::protocol, "whitespace before the first header field", at);
        const std::string_view more = trim_ows(line);
        if (auto bad = find_bad_value_byte(more); bad != std::string_view::npos)
          return fail_at(error_kind::protocol, "invalid byte in header value", at + bad);
        auto& last = *(out.end() - 1);
        if (!more.empty()) {
          if (!last.value.empty()) last.value += ' ';
          last.value += more;
        }
      } else {
        std::size_t colon = 0;
        while (colon < line.size() && is_tchar(line[colon])) ++colon;
        if (colon == line.size())
          return fail_at(error_kind::protocol, "header line without ':'", at);
        if (line[colon] != ':') {
          if (line[colon] == ' ' || line[colon] == '\t')
            return fail_at(error_kind::protocol, "whitespace between header name and ':'", at + colon);
          return fail_at(error_kind::protocol, "invalid byte " + describe_byte(line[colon]) + " in header name",
                         at + colon);
        }
        if (colon == 0) return fail_at(error_kind::protocol, "empty header name", at);
        const std::string_view value = trim_ows(line.substr(colon + 1));
        if (auto bad = find_bad_value_byte(value); bad != std::string_view::npos)
          return fail_at(error_kind::protocol, "invalid byte in header value",
                         at + static_cast<std::size_t>(value.data() - line.data()) + bad);
        out.add(std::string(line.substr(0, colon)), std::string(value));
      }
      pos = lf + 1;
    }
  }

  [[nodiscard]] static std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }
  [[nodiscard]] static std::size_t find_bad_value_byte(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!is_field_value_char(s[i])) return i;
    return std::string_view::npos;
  }

  /// "HTTP/1.x" → sets http10_; anything else is an error.
  result<void> parse_version(std::string_view v, std::size_t at) {
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' || !is_digit(v[7]))
      return fail_at(error_kind::protocol, "malformed HTTP version", at);
    if (v[5] != '1') return fail_at(error_kind::protocol, "unsupported HTTP version (only HTTP/1.x)", at);
    http10_ = v[7] == '0';
    return {};
  }

  result<void> parse_head(std::string_view block) {
    const std::size_t lf = block.find('\n');
    std::size_t line_end = lf;
    if (line_end > 0 && block[line_end - 1] == '\r') --line_end;
    const std::string_view line = block.substr(0, line_end);
    const std::size_t at = section_base_;
    if (role_ == role::response) {
      // status-line = HTTP-version SP status-code SP [ reason-phrase ]  (a missing last SP is tolerated)
      if (line.size() < 12 || line[8] != ' ')
        return fail_at(error_kind::protocol, "malformed status line", at);
      if (auto ok = parse_version(line.substr(0, 8), at); !ok) return ok;
      if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) || line[9] == '0')
        return fail_at(error_kind::protocol, "malformed status code", at + 9);
      if (line.size() > 12 && line[12] != ' ') return fail_at(error_kind::protocol, "malformed status code", at + 12);
      status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
      const std::string_view reason = line.size() > 13 ? line.substr(13) : std::string_view{};
      if (auto bad = find_bad_value_byte(reason); bad != std::string_view::npos)
        return fail_at(error_kind::protocol, "invalid byte in reason phrase", at + 13 + bad);
      reason_.assign(reason.data(), reason.size());
    } else {
      // request-line = method SP request-target SP HTTP-version
      const std::size_t sp1 = line.find(' ');
      if (sp1 == std::string_view::npos) return fail_at(error_kind::protocol, "malformed request line", at);
      const std::string_view method = line.substr(0, sp1);
      if (!is_token(method)) return fail_at(error_kind::protocol, "malformed method", at);
      const std::size_t sp2 = line.find(' ', sp1 + 1);
      if (sp2 == std::string_view::npos || sp2 == sp1 + 1)
        return fail_at(error_kind::protocol, "malformed request line", at + sp1);
      const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      for (std::size_t i = 0; i < target.size(); ++i) {
        const auto u = static_cast<unsigned char>(target[i]);
        if (u <= 0x20 || u >= 0x7F)
          return fail_at(error_kind::protocol, "invalid byte in request target", at + sp1 + 1 + i);
      }
      if (auto ok = parse_version(line.substr(sp2 + 1), at + sp2 + 1); !ok) return ok;
      method_.assign(method.data(), method.size());
      target_.assign(target.data(), target.size());
    }
    headers_.reserve(16);  // one allocation for typical responses instead of five growth steps
    if (auto ok = parse_fields(block, lf + 1, headers_); !ok) return ok;
    return decide_framing(block.size());
  }

  result<void> parse_trailers(std::string_view block) {
    if (auto ok = parse_fields(block, 0, trailers_); !ok) return ok;
    state_ = state::done;
    return {};
  }

  /// RFC 9112 §6.3: how the body is delimited, from the parsed header fields.
  result<void> decide_framing(std::size_t head_size) {
    const std::size_t at = section_base_;
    bool cl_seen = false, te_seen = false, chunked = false, chunked_last = false;
    bool conn_close = false, conn_keep_alive = false;
    std::size_t host_count = 0;
    std::uint64_t length = 0;
    for (const auto& h : headers_) {
      const std::string_view name = h.name;
      if (iequals(name, "content-length")) {
        std::string_view rest = h.value;
        for (;;) {
          const std::size_t comma = rest.find(',');
          const std::string_view item = trim_ows(rest.substr(0, comma));
          if (item.empty()) return fail_at(error_kind::protocol, "empty Content-Length value", at);
          std::uint64_t n = 0;
          for (const char c : item) {
            if (!is_digit(c)) return fail_at(error_kind::protocol, "Content-Length is not a number", at);
            if (n > (UINT64_MAX - 9) / 10) return fail_at(error_kind::protocol, "Content-Length overflows", at);
            n = n * 10 + static_cast<std::uint64_t>(c - '0');
          }
          if (cl_seen && n != length)
            return fail_at(error_kind::protocol, "conflicting Content-Length values", at);
          cl_seen = true;
          length = n;
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      } else if (iequals(name, "transfer-encoding")) {
        te_seen = true;
        std::string_view rest = h.value;
        for (;;) {
          const std::size_t comma = rest.find(',');
          std::string_view item = rest.substr(0, comma);
          item = trim_ows(item.substr(0, item.find(';')));  // transfer parameters are ignored
          if (!item.empty()) {
            if (chunked && iequals(item, "chunked"))
              return fail_at(error_kind::protocol, "chunked transfer coding applied twice", at);
            if (iequals(item, "chunked")) {
              chunked = chunked_last = true;
            } else {
              chunked_last = false;
            }
          }
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      } else if (iequals(name, "host")) {
        ++host_count;
      } else if (iequals(name, "connection")) {
        std::string_view rest = h.value;
        for (;;) {
          const std::size_t comma = rest.find(',');
          const std::string_view item = trim_ows(rest.substr(0, comma));
          if (iequals(item, "close")) conn_close = true;
          if (iequals(item, "keep-alive")) conn_keep_alive = true;
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      }
    }
    keep_alive_ = !conn_close && (!http10_ || conn_keep_alive);

    if (role_ == role::response && status_ < 200) {
      // 1xx: interim, no body; skip it and parse the next response in the same header budget.
      if (status_ == 101)
        return fail_at(error_kind::protocol, "unexpected 101 Switching Protocols (no upgrade was requested)", at);
      section_base_ += head_size;
      headers_.clear();
      reason_.clear();
      return {};
    }
    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; no request has two.
    if (role_ == role::request && (host_count > 1 || (host_count == 0 && !http10_)))
      return fail_at(error_kind::protocol, host_count > 1 ? "more than one Host header" : "missing Host header", at);
    if (te_seen && cl_seen)
      return fail_at(error_kind::protocol, "both Transfer-Encoding and Content-Length (request smuggling shape)", at);
    if (te_seen && http10_)
      return fail_at(error_kind::protocol, "Transfer-Encoding in an HTTP/1.0 message", at);

    const std::size_t body_at = section_base_ + head_size;
    if (role_ == role::response && handler_ != nullptr) {
      auto stream = handler_->on_head(status_, headers_);
      if (!stream) return fail_with(std::move(stream.error()));
      streaming_ = *stream;
    }
    if (role_ == role::response &&
        (head_request_ || status_ == 204 || status_ == 304 || (connect_request_ && status_ < 300))) {
      state_ = state::done;
      return {};
    }
    if (te_seen) {
      if (chunked_last) {
        begin_chunk_line();
        return {};
      }
      if (role_ == role::request)
        return fail_at(error_kind::protocol, "Transfer-Encoding without chunked as the final coding", at);
      // RFC 9112 §6.3 (4): a response whose final coding is not chunked is close-delimited.
      keep_alive_ = false;
      state_ = state::body_close;
      return {};
    }
    if (cl_seen) {
      if (!streaming_ && length > limits_.max_body_bytes)
        return fail_at(error_kind::limit_exceeded, "Content-Length exceeds the body byte limit", body_at);
      remaining_ = static_cast<std::size_t>(length);
      // One allocation for the usual body; beyond 1 MiB the body grows as bytes arrive, so that a
      // peer announcing a large Content-Length and sending nothing cannot make us hold it.
      if (!streaming_) body_.reserve(std::min<std::size_t>(remaining_, std::size_t{1} << 20));
      state_ = remaining_ == 0 ? state::done : state::body_length;
      return {};
    }
    if (role_ == role::request) {
      state_ = state::done;
      return {};
    }
    keep_alive_ = false;
    state_ = state::body_close;
    return {};
  }

  role role_;
  parser_limits limits_;
  state state_ = state::start;
  bool started_ = false;
  bool eof_ = false;
  bool http10_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;     // response side: the request was HEAD
  bool connect_request_ = false;  // response side: the request was CONNECT
  bool streaming_ = false;        // this message's body goes to handler_
  body_handler* handler_ = nullptr;  // response side: set_body_handler
  int status_ = 0;
  std::size_t consumed_ = 0;           // bytes of this message consumed so far
  std::size_t header_bytes_used_ = 0;  // header bytes of this message so far (1xx, trailers too)
  std::size_t section_base_ = 0;       // message offset where the current section starts
  std::size_t line_start_ = 0;         // scan_section resume state
  std::size_t scan_pos_ = 0;
  std::size_t remaining_ = 0;  // bytes left in a Content-Length body or a chunk
  std::uint64_t chunk_size_ = 0;
  std::size_t chunk_line_len_ = 0;
  std::string head_buf_;  // a header section split across feeds; capacity reused
  std::string method_;
  std::string target_;
  std::string reason_;
  http::headers headers_;
  http::headers trailers_;
  std::string body_;
  error err_;
};

}  // namespace detail

/// Parses responses (client side). See the file comment for the framing rules.
class response_parser : private detail::message_parser {
 public:
  explicit response_parser(parser_limits limits = {}) : message_parser(role::response, limits) {}

  /// The method of the request this response answers (HEAD: no body; CONNECT: no body on 2xx).
  /// Applies to the next response; take() and reset() set it back to GET.
  void set_request_method(std::string_view method) noexcept {
    head_request_ = method == "HEAD";
    connect_request_ = method == "CONNECT";
  }

  /// Streams the bodies the handler accepts to it (see the file comment); null: none. Applies
  /// from the next response head parsed; take() and reset() clear it. `h` must outlive its use.
  void set_body_handler(body_handler* h) noexcept { handler_ = h; }
  /// True when the current response's body goes to the body handler.
  [[nodiscard]] bool streaming() const noexcept { return streaming_; }

  /// Consumes bytes up to the end of the current response; returns how many were consumed.
  /// Once done(), returns 0 until take().
  using message_parser::feed;
  /// The peer closed the connection: ends a close-delimited body; an incomplete message is an error.
  using message_parser::eof;
  using message_parser::done;
  using message_parser::failed;
  using message_parser::started;
  /// Trailer fields of the last chunked response (valid until take() or reset()).
  using message_parser::trailers;
  using message_parser::limits;

  /// The parsed response (precondition: done()); readies the parser for the next one.
  [[nodiscard]] response take() {
    response r;
    r.status = status_;
    r.reason = std::move(reason_);
    r.headers = std::move(headers_);
    r.body = std::move(body_);
    r.keep_alive = keep_alive_;
    reset();
    return r;
  }

  /// Forgets any partial message and error; ready for a new response to a GET.
  void reset() noexcept {
    message_parser::reset();
    head_request_ = false;
    connect_request_ = false;
    handler_ = nullptr;
  }
};

/// Parses requests (server side: the sandbox). request::url receives the request-target as sent
/// (origin-form "/path?query"); request::keep_alive says whether the connection may be reused.
class request_parser : private detail::message_parser {
 public:
  explicit request_parser(parser_limits limits = {}) : message_parser(role::request, limits) {}

  using message_parser::feed;
  using message_parser::eof;
  using message_parser::done;
  using message_parser::failed;
  using message_parser::started;
  using message_parser::trailers;
  using message_parser::limits;

  /// The parsed request (precondition: done()); readies the parser for the next one.
  [[nodiscard]] request take() {
    request r;
    r.method = std::move(method_);
    r.url = std::move(target_);
    r.headers = std::move(headers_);
    r.body = std::move(body_);
    r.keep_alive = keep_alive_;
    r.timeout = std::chrono::milliseconds{0};
    message_parser::reset();
    return r;
  }

  void reset() noexcept { message_parser::reset(); }
};

}  // namespace mediajobs::http
