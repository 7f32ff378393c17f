// The `mediajobs` tool's output: exit codes, one-line error messages (API key redacted), results
// as JSON (--json: one document on stdout, nothing else) or as readable `key: value` lines, and
// the --wait progress display on stderr (a bar on a terminal, plain lines otherwise).
//
// Thread-safety: progress::update may run on the transport's I/O thread while the main thread
// waits in sync_wait; nothing else touches stderr then. The rest is called from the main thread.
#pragma once

#include <mediajobs/api/options.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/json/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mediajobs::cli {

enum exit_code : int {
  exit_ok = 0,
  exit_service = 1,     ///< the service answered with an error (or an answer we cannot read)
  exit_usage = 2,       ///< usage or validation error: nothing was sent
  exit_job_failed = 3,  ///< the waited job ended failed or cancelled
  exit_transport = 4,   ///< no answer: connection failure, timeout, deadline
};

[[nodiscard]] inline int exit_code_for(const error& e) noexcept {
  switch (e.kind()) {
    case error_kind::validation: return exit_usage;
    case error_kind::job_failed: return exit_job_failed;
    case error_kind::transport:
    case error_kind::timeout:
    case error_kind::cancelled:
    case error_kind::deadline_exceeded: return exit_transport;
    case error_kind::protocol:
    case error_kind::limit_exceeded: return e.http_status() == 0 ? exit_transport : exit_service;
    default: return exit_service;
  }
}

/// Everything the tool writes that could echo user input goes through here: the key never shows.
class printer {
 public:
  printer(std::string api_key, bool json, bool quiet) : key_(std::move(api_key)), json_(json), quiet_(quiet) {}

  [[nodiscard]] bool json() const noexcept { return json_; }
  [[nodiscard]] bool quiet() const noexcept { return quiet_; }
  [[nodiscard]] const std::string& api_key() const noexcept { return key_; }

  /// One line on stderr: "mediajobs: <text>".
  void fail_line(std::string_view text) const {
    std::string line = "mediajobs: ";
    line += text;
    api::redact(line, key_);
    line += '\n';
    std::fputs(line.c_str(), stderr);
  }
  /// The error's one line; returns its exit code. HTTP errors say the status (error::message).
  int report(const error& e) const {
    fail_line("error: " + api::redacted(e, key_).message());
    return exit_code_for(e);
  }
  /// A usage error: the message and where to find help; exit 2.
  int usage(std::string_view message, std::string_view help_command = {}) const {
    std::string text = "usage error: ";
    text += message;
    text += " (see 'mediajobs ";
    if (!help_command.empty()) {
      text += help_command;
      text += ' ';
    }
    text += "--help')";
    fail_line(text);
    return exit_usage;
  }
  /// A line of information on stderr (not with --quiet).
  void note(std::string_view text) const {
    if (quiet_) return;
    std::string line{text};
    api::redact(line, key_);
    line += '\n';
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }

  /// The result: with --json exactly the object as JSON on stdout; otherwise readable lines.
  template <class T>
  void result(const T& v) const {
    std::string text;
    if (auto ok = json::write(v, text); !ok) {
      fail_line("error: cannot print the answer: " + ok.error().message());
      return;
    }
    if (text.empty()) text = "null";  // an empty std::optional: the service sent no body
    if (json_) {
      api::redact(text, key_);
      text += '\n';
      std::fputs(text.c_str(), stdout);
      std::fflush(stdout);
      return;
    }
    auto doc = json::read<json::value>(text);
    std::string out;
    if (doc) readable(*doc, out);
    api::redact(out, key_);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
  }

 private:
  /// A list of objects: one summary line each (also a list inside a page object, whose other
  /// members follow). Anything else: flattened `path: value` lines.
  static void readable(const json::value& v, std::string& out) {
    if (v.is_null()) {
      out += "ok (no content)\n";
      return;
    }
    if (v.is_object()) {
      for (const char* key : {"jobs", "items", "data", "videos", "segments", "keyframes", "projects", "fields"}) {
        const json::value* list = v.find(key);
        if (list == nullptr || !list->is_array() || (list->size() > 0 && !list->at(0).is_object())) continue;
        readable(*list, out);
        for (const auto& [k, m] : v.as_object())
          if (k != key) flatten(m, k, out);
        return;
      }
    }
    if (v.is_array()) {
      if (v.size() == 0) out += "(none)\n";
      for (const json::value& item : v.as_array()) {
        if (!item.is_object()) {
          flatten(item, "-", out);
          continue;
        }
        std::string line;
        for (const char* key : {"id", "job_id", "uuid", "video_id", "key", "name", "status", "job_status",
                                "current_stage", "progress_percent", "segment_index", "job_type", "type",
                                "video_url", "image_url", "label"}) {
          if (const json::value* f = item.find(key); f && !f->is_null() && !f->is_object() && !f->is_array()) {
            if (!line.empty()) line += "  ";
            line += key;
            line += '=';
            line += scalar(*f);
          }
        }
        out += line.empty() ? scalar(item) : line;
        out += '\n';
      }
      return;
    }
    flatten(v, "", out);
  }

  static std::string scalar(const json::value& v) {
    if (v.is_string()) return v.as_string();
    auto s = json::to_string(v);
    return s ? *s : std::string{};
  }

  static void flatten(const json::value& v, const std::string& path, std::string& out) {
    if (v.is_object() && v.size() > 0) {
      for (const auto& [k, m] : v.as_object()) flatten(m, path.empty() ? k : path + "." + k, out);
      return;
    }
    if (v.is_array() && v.size() > 0) {
      std::size_t i = 0;
      for (const json::value& e : v.as_array()) flatten(e, path + "[" + std::to_string(i++) + "]", out);
      return;
    }
    if (v.is_null()) return;  // absent in practice: not worth a line
    out += path.empty() ? std::string{"value"} : path;
    out += ": ";
    out += scalar(v);
    out += '\n';
  }

  std::string key_;
  bool json_;
  bool quiet_;
};

/// The --wait display on stderr: a redrawn bar on a terminal, one line per change otherwise.
class progress {
 public:
  explicit progress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}
  progress(const progress&) = delete;
  progress& operator=(const progress&) = delete;
  ~progress() { finish(); }

  void update(std::string_view status, std::string_view stage, std::optional<double> percent) {
    if (quiet_) return;
    const double pct = percent.value_or(0.0) < 0 ? 0.0 : (percent.value_or(0.0) > 100 ? 100.0 : percent.value_or(0.0));
    char pct_text[16];
    std::snprintf(pct_text, sizeof pct_text, "%3.0f%%", pct);
    std::string line;
    if (tty_) {
      constexpr int width = 30;
      const int filled = static_cast<int>(pct / 100.0 * width + 0.5);
      line = "\r\x1b[2K[";
      line.append(static_cast<std::size_t>(filled), '#');
      line.append(static_cast<std::size_t>(width - filled), '.');
      line += "] ";
      line += pct_text;
      line += ' ';
      line += stage.empty() ? status : stage;
      if (!stage.empty()) {
        line += " (";
        line += status;
        line += ')';
      }
      drawn_ = true;
    } else {
      line = "progress: ";
      line += pct_text;
      line += " status=";
      line += status;
      if (!stage.empty()) {
        line += " stage=";
        line += stage;
      }
      line += '\n';
    }
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  }
  /// Ends the bar's line (once).
  void finish() {
    if (drawn_) std::fputs("\n", stderr);
    drawn_ = false;
  }

 private:
  bool quiet_;
  bool tty_;
  bool drawn_ = false;
};

}  // namespace mediajobs::cli
