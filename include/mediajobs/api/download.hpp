// mediajobs::api::download_to_file: downloads an output URL (a signed URL, a job's
// `output_video_url`) to a file, without holding the body in memory.
//
//   auto got = co_await mediajobs::api::download_to_file(http, job.output_video_url, "out.mp4",
//                                                        {.max_bytes = 512u << 20});
//   if (!got) log(got.error().message());          // never shows the URL's query string
//
// What it does: a plain GET of the URL (no API key is sent: signed URLs carry their own
// authorisation); the body is written with std::FILE* I/O to `<name>.part` next to the target,
// which is renamed to the target once the whole body is there. On any failure the partial file
// is removed and the target is left untouched.
//
// Limits: `max_bytes` is required (0 is refused with `validation`): a Content-Length above it
// fails before anything is written, and a body that grows past it (chunked, close-delimited, or
// lying) fails as soon as it does; both with `limit_exceeded`.
//
// Transports: a `streaming_transport` (asio_transport, mock_transport) streams the body to the
// file piece by piece, so memory use does not depend on the body size. Any other transport falls
// back to a buffered async_send: the whole body is held in memory once (bounded by the
// transport's own body limit) before it is checked against max_bytes and written.
//
// Errors: a non-2xx status is mapped by error_from_response (404 -> `not_found`, 403 ->
// `unauthorized`, ...); transport errors are passed on (`timeout`, `cancelled`, `transport`...).
// File errors: the target exists and `overwrite` is false, or the `.part` file cannot be
// created -> `validation`; a failed write, flush or rename -> `transport` (core has no file I/O
// kind). The URL's query string (which may hold a signature) is replaced by `[redacted]`
// everywhere in the error, including a raw body echoed by the server.
//
// The path is a native file path in a std::string (a std::filesystem::path converts to it
// implicitly on POSIX); this header stays free of <filesystem>, which would add <locale> and
// <iomanip> to every client's compile time. The rename is std::rename: on POSIX it replaces
// the target atomically.
//
// Thread-safety: each call is independent; the transport must outlive the task, and two
// downloads must not target the same path at the same time (they would share the `.part` file).
#pragma once

#include <mediajobs/api/errors.hpp>
#include <mediajobs/api/options.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/transport/transport.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stop_token>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace mediajobs::api {

struct download_options {
  /// Largest body accepted, in bytes. Required: 0 is refused.
  std::uint64_t max_bytes = 0;
  /// The whole download, body included; 0 = no timeout.
  std::chrono::milliseconds timeout{0};
  /// Replace an existing target file; when false an existing target is an error.
  bool overwrite = false;
  /// Stops the download (ends with `cancelled`); when empty, the awaiting task's token is used.
  std::stop_token stop{};
};

struct download_info {
  std::uint64_t bytes = 0;   ///< bytes written to the file
  int status = 0;            ///< HTTP status of the response
  std::string content_type;  ///< its Content-Type, empty when none
};

namespace detail {

/// The query (and fragment) of a URL, which a signed URL uses for its signature; empty if none.
[[nodiscard]] inline std::string_view url_secret(std::string_view url) noexcept {
  const auto q = url.find_first_of("?#");
  return q == std::string_view::npos ? std::string_view{} : url.substr(q + 1);
}

[[nodiscard]] inline std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

[[nodiscard]] inline bool file_exists(const std::string& path) noexcept {
#if defined(_WIN32)
  struct _stat64 st;
  return ::_stat64(path.c_str(), &st) == 0;
#else
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
#endif
}

/// The `.part` file of one download; removed unless committed.
class part_file {
 public:
  part_file(std::string target, std::uint64_t max_bytes)
      : target_(std::move(target)), part_(target_ + ".part"), max_bytes_(max_bytes) {}
  part_file(const part_file&) = delete;
  part_file& operator=(const part_file&) = delete;
  ~part_file() { discard(); }

  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

  /// A declared Content-Length above the limit fails before anything is written.
  result<void> check_length(const http::headers& h) const {
    const auto cl = h.get("Content-Length");
    if (!cl) return {};
    std::uint64_t n = 0;
    for (const char c : *cl) {
      if (c < '0' || c > '9') return {};  // malformed: the transport's parser judges the framing
      if (n > (UINT64_MAX - 9) / 10) return over_limit();
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > max_bytes_) return over_limit();
    return {};
  }

  result<void> write(std::string_view piece) {
    if (piece.size() > max_bytes_ - bytes_) return over_limit();
    if (auto ok = open(); !ok) return ok;
    if (!piece.empty() && std::fwrite(piece.data(), 1, piece.size(), file_) != piece.size())
      return fail(error_kind::io, "cannot write " + part_ + ": " + errno_text(errno));
    bytes_ += piece.size();
    return {};
  }

  /// Closes the file and renames it to the target.
  result<void> commit() {
    if (auto ok = open(); !ok) return ok;  // an empty body still makes a file
    std::FILE* f = std::exchange(file_, nullptr);
    if (std::fclose(f) != 0) return fail(error_kind::io, "cannot write " + part_ + ": " + errno_text(errno));
    if (std::rename(part_.c_str(), target_.c_str()) != 0)
      return fail(error_kind::io, "cannot rename " + part_ + " to " + target_ + ": " + errno_text(errno));
    committed_ = true;
    return {};
  }

  void discard() noexcept {
    if (file_ != nullptr) std::fclose(std::exchange(file_, nullptr));
    if (opened_ && !committed_) {
      (void)std::remove(part_.c_str());
      opened_ = false;
    }
  }

 private:
  result<void> over_limit() const {
    return fail(error_kind::limit_exceeded, "the body exceeds max_bytes (" + std::to_string(max_bytes_) + " bytes)");
  }

  result<void> open() {
    if (opened_) return {};
    file_ = std::fopen(part_.c_str(), "wb");
    if (file_ == nullptr)
      return fail(error_kind::io, "cannot create " + part_ + ": " + errno_text(errno));
    opened_ = true;
    return {};
  }

  std::string target_;
  std::string part_;
  std::uint64_t max_bytes_;
  std::uint64_t bytes_ = 0;
  std::FILE* file_ = nullptr;
  bool opened_ = false;
  bool committed_ = false;
};

}  // namespace detail

/// Downloads `url` to `path` (see the header comment).
template <transport Transport>
task<result<download_info>> download_to_file(Transport& t, std::string url, std::string path,
                                             download_options options) {
  const std::string_view secret = detail::url_secret(url);
  const auto failed = [&](error e) { return unexpected(redacted(e, secret)); };
  if (options.max_bytes == 0)
    co_return failed(validation_error("max_bytes", "download_options::max_bytes must be set (0 is refused)"));
  if (!options.overwrite && detail::file_exists(path))
    co_return failed(error{error_kind::validation, "the target " + path + " exists (overwrite is false)"});
  std::stop_token stop = std::move(options.stop);
  // An if, not ?: — with co_await inside ?: here, GCC 12 -O2 builds corrupted the heap.
  if (!stop.stop_possible()) stop = co_await this_task::stop_token();

  http::request req;
  req.method = "GET";
  req.url = url;
  req.timeout = options.timeout;
  req.headers.add("Accept", "*/*");

  detail::part_file file(std::move(path), options.max_bytes);
  download_info info;
  result<http::response> res;
  if constexpr (streaming_transport<Transport>) {
    body_sink sink([&file](int, const http::headers& h) { return file.check_length(h); },
                   [&file](std::string_view piece) { return file.write(piece); });
    res = co_await async_send_streaming(t, std::move(req), std::move(sink), std::move(stop));
  } else {
    // Fallback: the transport buffers the whole body; it is checked and written afterwards.
    res = co_await async_send(t, std::move(req), std::move(stop));
    if (res && res->status >= 200 && res->status < 300) {
      result<void> ok = file.check_length(res->headers);
      if (ok) ok = file.write(res->body);
      if (!ok) co_return failed(std::move(ok.error()));
      res->body.clear();
    }
  }
  if (!res) co_return failed(std::move(res.error()));
  if (res->status < 200 || res->status >= 300)
    co_return failed(error_from_response(*res, secret, std::chrono::system_clock::now()));
  if (auto ok = file.commit(); !ok) co_return failed(std::move(ok.error()));
  info.bytes = file.bytes();
  info.status = res->status;
  if (auto ct = res->headers.get("Content-Type")) info.content_type.assign(ct->data(), ct->size());
  co_return info;
}

}  // namespace mediajobs::api
