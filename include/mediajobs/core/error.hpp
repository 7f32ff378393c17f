// mediajobs::error: what went wrong, where, and what the service said about it.
//
// An error is a value (no exceptions needed). It is 16 bytes and cheap to move: the kind and the
// HTTP status are inline; everything else (texts, location, retry hint) lives in one heap block
// that exists only when there is something to say. Copying deep-copies that block.
//
// An error never holds a secret: the layers that build errors (api/, transport) never put an API
// key or an Authorization header into one. Raw response bodies may be kept for decode failures.
//
// Thread-safety: like std::string — distinct objects may be used from different threads; one
// object must not be modified concurrently.
#pragma once

#include <mediajobs/core/config.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mediajobs {

/// What kind of failure this is. Stable: new kinds are only ever added at the end.
enum class error_kind : std::uint8_t {
  none,               ///< a default-constructed error; never returned by the library
  transport,          ///< connection refused/reset/dropped, DNS failure, TLS failure
  timeout,            ///< the request (or connect) timeout elapsed
  cancelled,          ///< a stop was requested
  http_status,        ///< the service answered with a non-success status
  rate_limited,       ///< 429 (or Retry-After beyond what the retry policy accepts)
  decode,             ///< a body (JSON) could not be decoded into the expected type
  validation,         ///< a request failed a documented rule before it was sent
  job_failed,         ///< the job reached a failed terminal state (wait/poll)
  deadline_exceeded,  ///< a wait or poll ran past the caller's deadline
  protocol,           ///< malformed HTTP framing, bad URL, or an impossible response
  limit_exceeded,     ///< a configured size limit was hit (header or body bytes, depth)
  unauthorized,       ///< 401/403: invalid or missing API key (the key is never shown)
  not_found,          ///< 404: the job, video or storage path does not exist
  conflict,           ///< 409: e.g. an idempotency key reused with different parameters
  io,                 ///< a local file could not be created, written or renamed (downloads)
};

/// The lowercase name of a kind, as used in error::message() ("decode", "http_status", ...).
[[nodiscard]] constexpr std::string_view to_string(error_kind k) noexcept {
  switch (k) {
    case error_kind::none: return "none";
    case error_kind::transport: return "transport";
    case error_kind::timeout: return "timeout";
    case error_kind::cancelled: return "cancelled";
    case error_kind::http_status: return "http_status";
    case error_kind::rate_limited: return "rate_limited";
    case error_kind::decode: return "decode";
    case error_kind::validation: return "validation";
    case error_kind::job_failed: return "job_failed";
    case error_kind::deadline_exceeded: return "deadline_exceeded";
    case error_kind::protocol: return "protocol";
    case error_kind::limit_exceeded: return "limit_exceeded";
    case error_kind::unauthorized: return "unauthorized";
    case error_kind::not_found: return "not_found";
    case error_kind::conflict: return "conflict";
    case error_kind::io: return "io";
  }
  return "unknown";
}

class error {
 public:
  error() noexcept = default;

  /// An error of `kind` with our own description of it (`detail`), e.g.
  /// `error{error_kind::timeout, "no response within 30000 ms"}`.
  explicit error(error_kind kind, std::string detail = {}) : kind_(kind) {
    if (!detail.empty()) ext().detail = std::move(detail);
  }

  error(const error& other) : kind_(other.kind_), not_sent_(other.not_sent_), status_(other.status_) {
    if (other.ext_) ext_ = std::make_unique<extra>(*other.ext_);
  }
  error& operator=(const error& other) {
    if (this != &other) {
      kind_ = other.kind_;
      not_sent_ = other.not_sent_;
      status_ = other.status_;
      ext_ = other.ext_ ? std::make_unique<extra>(*other.ext_) : nullptr;
    }
    return *this;
  }
  error(error&&) noexcept = default;
  error& operator=(error&&) noexcept = default;
  ~error() = default;

  // --- what ---------------------------------------------------------------------------------
  [[nodiscard]] error_kind kind() const noexcept { return kind_; }
  /// True when the transport knows that no byte of the request reached the network (DNS,
  /// connect or TLS handshake failed; https not built in). Only then may a request that is not
  /// idempotent be repeated without risking a second job. Transports set it with mark_not_sent().
  [[nodiscard]] bool request_not_sent() const noexcept { return not_sent_; }
  /// HTTP status of the response that caused this error; 0 when there was none.
  [[nodiscard]] int http_status() const noexcept { return status_; }
  /// Our own description of the failure ("expected string, got number").
  [[nodiscard]] std::string_view detail() const noexcept { return ext_ ? ext_->detail : std::string_view{}; }
  /// The service's own error code and message, when its error body carried them.
  [[nodiscard]] std::string_view service_code() const noexcept { return ext_ ? ext_->service_code : std::string_view{}; }
  [[nodiscard]] std::string_view service_message() const noexcept {
    return ext_ ? ext_->service_message : std::string_view{};
  }
  /// The request id the service returned in a response header, for support tickets.
  [[nodiscard]] std::string_view request_id() const noexcept { return ext_ ? ext_->request_id : std::string_view{}; }
  /// How long the service asked us to wait (Retry-After), when it said.
  [[nodiscard]] std::optional<std::chrono::milliseconds> retry_after() const noexcept {
    return ext_ ? ext_->retry_after : std::nullopt;
  }

  // --- where --------------------------------------------------------------------------------
  /// JSON path of a decode error (`$.segments[2].status`); empty when not a JSON location.
  [[nodiscard]] std::string_view json_path() const noexcept { return ext_ ? ext_->json_path : std::string_view{}; }
  /// Byte offset into the input of a decode or protocol error.
  [[nodiscard]] std::optional<std::size_t> byte_offset() const noexcept {
    return ext_ ? ext_->byte_offset : std::nullopt;
  }
  /// Field name (JSON name) of a validation error; empty otherwise.
  [[nodiscard]] std::string_view field() const noexcept { return ext_ ? ext_->field : std::string_view{}; }
  /// The raw response body, kept for decode and HTTP status errors so nothing received is lost.
  [[nodiscard]] std::string_view raw_body() const noexcept { return ext_ ? ext_->raw_body : std::string_view{}; }

  // --- builders (each returns *this, so they chain on temporaries too) ----------------------
  error& with_http_status(int status) & noexcept {
    status_ = status;
    return *this;
  }
  error& mark_not_sent() & noexcept {
    not_sent_ = true;
    return *this;
  }
  error& with_service(std::string code, std::string message) & {
    ext().service_code = std::move(code);
    ext().service_message = std::move(message);
    return *this;
  }
  error& with_request_id(std::string id) & {
    ext().request_id = std::move(id);
    return *this;
  }
  error& with_retry_after(std::chrono::milliseconds d) & {
    ext().retry_after = d;
    return *this;
  }
  error& at_json(std::string path, std::optional<std::size_t> byte_offset) & {
    ext().json_path = std::move(path);
    ext().byte_offset = byte_offset;
    return *this;
  }
  error& at_byte(std::size_t byte_offset) & {
    ext().byte_offset = byte_offset;
    return *this;
  }
  error& at_field(std::string name) & {
    ext().field = std::move(name);
    return *this;
  }
  error& with_raw_body(std::string body) & {
    ext().raw_body = std::move(body);
    return *this;
  }
  error& with_detail(std::string detail) & {
    ext().detail = std::move(detail);
    return *this;
  }
  error&& with_http_status(int s) && noexcept { return std::move(with_http_status(s)); }
  error&& mark_not_sent() && noexcept { return std::move(mark_not_sent()); }
  error&& with_service(std::string c, std::string m) && { return std::move(with_service(std::move(c), std::move(m))); }
  error&& with_request_id(std::string id) && { return std::move(with_request_id(std::move(id))); }
  error&& with_retry_after(std::chrono::milliseconds d) && { return std::move(with_retry_after(d)); }
  error&& at_json(std::string p, std::optional<std::size_t> o) && { return std::move(at_json(std::move(p), o)); }
  error&& at_byte(std::size_t o) && { return std::move(at_byte(o)); }
  error&& at_field(std::string n) && { return std::move(at_field(std::move(n))); }
  error&& with_raw_body(std::string b) && { return std::move(with_raw_body(std::move(b))); }
  error&& with_detail(std::string d) && { return std::move(with_detail(std::move(d))); }

  /// One readable line, e.g.
  ///   decode error at $.segments[2].status (byte 418): unknown value "blurry"
  ///   validation error at segment_duration: must be 8 for Veo models
  ///   http_status error: HTTP 404; service said: job not found (code job_not_found); request id r-1
  [[nodiscard]] std::string message() const {
    std::string out;
    out.reserve(96);
    out += to_string(kind_);
    out += " error";
    if (ext_) {
      const extra& x = *ext_;
      if (!x.json_path.empty()) {
        out += " at ";
        out += x.json_path;
      } else if (!x.field.empty()) {
        out += " at ";
        out += x.field;
      }
      if (x.byte_offset) {
        out += x.json_path.empty() && x.field.empty() ? " at byte " : " (byte ";
        append_number(out, *x.byte_offset);
        if (!x.json_path.empty() || !x.field.empty()) out += ')';
      }
    }
    bool first = true;
    const auto sep = [&] {
      out += first ? ": " : "; ";
      first = false;
    };
    if (ext_ && !ext_->detail.empty()) {
      sep();
      out += ext_->detail;
    }
    if (status_ != 0) {
      sep();
      out += "HTTP ";
      append_number(out, static_cast<std::size_t>(status_ < 0 ? 0 : status_));
    }
    if (ext_) {
      const extra& x = *ext_;
      if (!x.service_message.empty() || !x.service_code.empty()) {
        sep();
        out += "service said: ";
        out += x.service_message.empty() ? std::string_view{"(no message)"} : std::string_view{x.service_message};
        if (!x.service_code.empty()) {
          out += " (code ";
          out += x.service_code;
          out += ')';
        }
      }
      if (!x.request_id.empty()) {
        sep();
        out += "request id ";
        out += x.request_id;
      }
      if (x.retry_after) {
        sep();
        out += "retry after ";
        append_number(out, static_cast<std::size_t>(x.retry_after->count() < 0 ? 0 : x.retry_after->count()));
        out += " ms";
      }
    }
    if (not_sent_) {
      sep();
      out += "request not sent";
    }
    return out;
  }

  friend bool operator==(const error& a, const error& b) noexcept {
    if (a.kind_ != b.kind_ || a.status_ != b.status_ || a.not_sent_ != b.not_sent_) return false;
    if (!a.ext_ || !b.ext_) return !a.ext_ && !b.ext_;
    return *a.ext_ == *b.ext_;
  }

 private:
  struct extra {
    std::string detail;
    std::string service_code;
    std::string service_message;
    std::string request_id;
    std::string json_path;
    std::string field;
    std::string raw_body;
    std::optional<std::size_t> byte_offset;
    std::optional<std::chrono::milliseconds> retry_after;
    bool operator==(const extra&) const = default;
  };

  extra& ext() {
    if (!ext_) ext_ = std::make_unique<extra>();
    return *ext_;
  }

  static void append_number(std::string& out, std::size_t n) {
    char buf[24];
    char* p = buf + sizeof buf;
    do {
      *--p = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
  }

  error_kind kind_ = error_kind::none;
  bool not_sent_ = false;  // in the padding: error stays 16 bytes
  int status_ = 0;
  std::unique_ptr<extra> ext_;
};

/// Shorthands for the errors built most often.
[[nodiscard]] inline error make_error(error_kind kind, std::string detail = {}) { return error{kind, std::move(detail)}; }
[[nodiscard]] inline error decode_error(std::string json_path, std::size_t byte_offset, std::string detail) {
  return error{error_kind::decode, std::move(detail)}.at_json(std::move(json_path), byte_offset);
}
[[nodiscard]] inline error validation_error(std::string field, std::string detail) {
  return error{error_kind::validation, std::move(detail)}.at_field(std::move(field));
}

}  // namespace mediajobs
