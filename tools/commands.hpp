// The `mediajobs` client commands: `ugen …`, `style …`, `tfi …`, each one call (or a create
// followed by a wait) of the real client over mediajobs::asio_transport, run with sync_wait.
//
// Requests are built as a json::value from the flags, then every `--set FIELD=VALUE` is applied
// (dotted names reach nested objects; VALUE is JSON when it parses as JSON, else a string), then
// the document is read into the client's request aggregate: an unknown field (U-Gen, Style) or a
// wrong type is a usage error naming the field, and the client's validate() runs before anything
// is sent. TechForgeInnovate documents "any additional fields" on a create: there an unknown
// --set name is sent as such (kept in create_request::extra).
//
// Thread-safety: the commands run on the main thread; progress callbacks on the transport's thread.
#pragma once

#include "args.hpp"
#include "output.hpp"

#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/mediajobs.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mediajobs::cli {

/// What every client command needs: the parsed arguments, the client options, the printer.
struct session {
  const parsed_args& args;
  api::client_options options;
  const printer& out;
};

namespace detail {

/// Applies one `FIELD=VALUE` to `doc`; returns the usage error text, or nothing.
[[nodiscard]] inline std::optional<std::string> apply_set(json::value& doc, std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return "--set needs FIELD=VALUE (got '" + std::string{assignment} + "')";
  const std::string_view name = assignment.substr(0, eq);
  const std::string_view text = assignment.substr(eq + 1);
  json::value v;
  if (auto parsed = json::read<json::value>(text); parsed)
    v = std::move(*parsed);
  else
    v = std::string{text};
  json::value* cur = &doc;
  std::string_view rest = name;
  std::string walked;
  for (;;) {
    const auto dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    if (part.empty()) return "--set: empty field name in '" + std::string{name} + "'";
    if (!cur->is_object() && !cur->is_null())
      return "--set " + std::string{name} + ": '" + walked + "' is not an object";
    if (dot == std::string_view::npos) {
      (*cur)[part] = std::move(v);
      return std::nullopt;
    }
    cur = &(*cur)[part];
    if (!walked.empty()) walked += '.';
    walked += part;
    rest.remove_prefix(dot + 1);
  }
}

/// "$.voice_settings.speed" -> "voice_settings.speed"; "$" -> "".
[[nodiscard]] inline std::string field_of(std::string_view json_path) {
  if (json_path.substr(0, 2) == "$.") return std::string{json_path.substr(2)};
  if (json_path == "$") return {};
  return std::string{json_path};
}

/// Reads the assembled request document into `T`. Strict: an unknown key is refused.
template <class T>
[[nodiscard]] result<T> to_request(const json::value& doc, bool strict) {
  auto text = json::to_string(doc);
  if (!text) return fail(std::move(text).error());
  json::options opt;
  opt.error_on_unknown_keys = strict;
  auto r = json::read<T>(*text, opt);
  if (r) return r;
  const error& e = r.error();
  std::string detail{e.detail()};
  std::string field = field_of(e.json_path());
  // An unknown key is reported at its parent; name the key itself.
  if (const auto q = detail.find("unknown key '"); q != std::string::npos) {
    const auto start = q + 13;
    const auto end = detail.find('\'', start);
    const std::string key = detail.substr(start, end - start);
    field = field.empty() ? key : field + "." + key;
    return fail(validation_error(field, "unknown field '" + field + "' (not in the documented schema)"));
  }
  if (detail.rfind("missing key", 0) == 0) return fail(validation_error(field, std::move(detail)));
  return fail(validation_error(field.empty() ? std::string{"request"} : field,
                               "invalid value for '" + field + "': " + detail));
}

/// Applies every --set of the command; the usage exit code (after reporting) on a malformed one.
[[nodiscard]] inline std::optional<int> apply_sets(const session& s, json::value& doc) {
  for (const std::string& a : s.args.all("--set"))
    if (auto bad = apply_set(doc, a)) return s.out.usage(*bad, s.args.command);
  return std::nullopt;
}

/// An int option (when given) into `out`; the usage exit code (after reporting) on a bad number.
[[nodiscard]] inline std::optional<int> int_option(const session& s, std::string_view option, std::optional<long long>& out) {
  const auto text = s.args.get(option);
  if (!text) return std::nullopt;
  out = to_integer(*text);
  if (!out || *out < -2147483647LL || *out > 2147483647LL)
    return s.out.usage(std::string{option} + " needs an integer (got '" + *text + "')", s.args.command);
  return std::nullopt;
}

template <class T>
int print_or_fail(const session& s, result<T>& r) {
  if (!r) return s.out.report(r.error());
  s.out.result(*r);
  return exit_ok;
}

/// `list [--status S] [--page N] [--page-size N] [--all]`, the same for every service whose list
/// query has status, page and page_size: one page, or every job from that page on.
template <class Job, class Query, class Client>
int list_and_print(const session& s, Client& c) {
  Query q;
  if (auto v = s.args.get("--status")) q.status = typename decltype(q.status)::value_type{std::string_view{*v}};
  std::optional<long long> page, size;
  if (auto bad = int_option(s, "--page", page)) return *bad;
  if (auto bad = int_option(s, "--page-size", size)) return *bad;
  if (page) q.page = static_cast<int>(*page);
  if (size) q.page_size = static_cast<int>(*size);
  if (!s.args.has("--all")) {
    auto r = sync_wait(c.list_jobs(std::move(q)));
    return print_or_fail(s, r);
  }
  std::vector<Job> jobs;
  auto n = sync_wait(api::for_each(c.all_jobs(std::move(q)), [&jobs](const Job& j) { jobs.push_back(j); }));
  if (!n) return s.out.report(n.error());
  s.out.result(jobs);
  return exit_ok;
}

/// Follows a job with the progress display; prints the final job (also a failed one).
template <class Job, class Client, class Describe>
int wait_and_print(const session& s, Client& c, std::string job_id, Describe describe) {
  progress bar{s.out.quiet()};
  typename api::wait_options<Job> w;
  w.on_progress = [&bar, describe](const Job& j) {
    api::job_view v = describe(j);
    std::optional<double> pct = v.progress;
    if (v.phase == api::job_phase::succeeded) pct = 100.0;
    bar.update(v.status, v.stage, pct);
  };
  api::wait_result<Job> r = sync_wait(c.wait(std::move(job_id), std::move(w)));
  bar.finish();
  if (r) {
    s.out.result(*r);
    return exit_ok;
  }
  if (r.last_snapshot && r.error().kind() == error_kind::job_failed) s.out.result(*r.last_snapshot);
  return s.out.report(r.error());
}

[[nodiscard]] inline std::string content_type_of(std::string_view file) {
  const auto dot = file.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view{} : file.substr(dot + 1);
  if (ext == "mp4" || ext == "m4v") return "video/mp4";
  if (ext == "mov") return "video/quicktime";
  if (ext == "webm") return "video/webm";
  if (ext == "mkv") return "video/x-matroska";
  return "application/octet-stream";
}

/// The whole file, or the reason it cannot be read.
[[nodiscard]] inline result<std::string> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return fail(validation_error("FILE", "cannot read '" + path + "': " + std::strerror(errno)));
  std::string data;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) return fail(validation_error("FILE", "cannot read '" + path + "'"));
  return data;
}

}  // namespace detail

// --- U-Gen ------------------------------------------------------------------------------------

inline int run_ugen(const session& s) {
  const std::string_view cmd = s.args.command;
  asio_transport http;
  ugen::client c{http, s.options};
  const auto id = [&] { return s.args.positionals.empty() ? std::string{} : s.args.positionals[0]; };

  if (cmd == "ugen create" || cmd == "ugen suggest") {
    json::value doc = json::value::object_t{};
    if (auto v = s.args.get("--product-name")) doc["product_name"] = *v;
    if (auto v = s.args.get("--product-image-url")) doc["product_image_url"] = *v;
    std::optional<long long> count;
    if (auto bad = detail::int_option(s, "--segment-count", count)) return *bad;
    if (count) doc["segment_count"] = *count;
    if (auto v = s.args.get("--idempotency-key")) doc["idempotency_key"] = *v;
    if (auto bad = detail::apply_sets(s, doc)) return *bad;
    for (const auto& [key, flag] : {std::pair{"product_name", "--product-name"},
                                    std::pair{"product_image_url", "--product-image-url"},
                                    std::pair{"segment_count", "--segment-count"}}) {
      if (cmd == "ugen suggest" && std::string_view{key} == "segment_count") continue;
      if (!doc.contains(key))
        return s.out.usage(std::string{"missing "} + flag + " (or --set " + key + "=...)", cmd);
    }
    if (cmd == "ugen suggest") {
      auto req = detail::to_request<ugen::suggest_fields_request>(doc, true);
      if (!req) return s.out.report(req.error());
      if (auto ok = ugen::validate(*req); !ok) return s.out.report(ok.error());
      auto r = sync_wait(c.suggest_fields(std::move(*req)));
      return detail::print_or_fail(s, r);
    }
    auto req = detail::to_request<ugen::create_job_request>(doc, true);
    if (!req) return s.out.report(req.error());
    if (auto ok = ugen::validate(*req); !ok) return s.out.report(ok.error());
    auto created = sync_wait(c.create_job(std::move(*req)));
    if (!created || !s.args.has("--wait")) return detail::print_or_fail(s, created);
    s.out.note("created job " + std::string{created->get_id()});
    return detail::wait_and_print<ugen::job>(s, c, std::string{created->get_id()}, &ugen::describe);
  }
  if (cmd == "ugen get") {
    auto r = sync_wait(c.get_job(id()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "ugen cancel" || cmd == "ugen pause" || cmd == "ugen resume") {
    auto r = sync_wait(cmd == "ugen cancel"  ? c.cancel_job(id())
                       : cmd == "ugen pause" ? c.pause_job(id())
                                             : c.resume_job(id()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "ugen retry") {
    std::optional<open_enum<ugen::pipeline_stage>> from;
    if (auto v = s.args.get("--from")) from = open_enum<ugen::pipeline_stage>{std::string_view{*v}};
    auto r = sync_wait(c.retry_job(id(), std::move(from)));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "ugen keyframes") {
    auto r = sync_wait(c.list_keyframes(id()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "ugen videos") {
    auto r = sync_wait(c.list_videos(id()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "ugen wait") return detail::wait_and_print<ugen::job>(s, c, id(), &ugen::describe);
  if (cmd == "ugen list") return detail::list_and_print<ugen::job, ugen::list_jobs_query>(s, c);
  return s.out.usage("unknown command '" + std::string{cmd} + "'");
}

// --- Style engine -----------------------------------------------------------------------------

inline int run_style(const session& s) {
  const std::string_view cmd = s.args.command;
  if (s.options.base_url.empty())
    return s.out.usage("the Style engine has no documented live URL: --base-url (or MEDIAJOBS_BASE_URL) is required",
                       cmd);
  asio_transport http;
  style::client c{http, s.options};
  const auto id = [&] { return s.args.positionals.empty() ? std::string{} : s.args.positionals[0]; };

  if (cmd == "style upload") {
    const std::string& path = s.args.positionals[0];
    auto data = detail::read_file(path);
    if (!data) return s.out.usage(data.error().detail(), cmd);
    style::upload_video_request req;
    const auto slash = path.find_last_of('/');
    req.filename = slash == std::string::npos ? path : path.substr(slash + 1);
    req.content_type = detail::content_type_of(path);
    req.data = std::move(*data);
    auto r = sync_wait(c.upload_video(std::move(req)));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "style create") {
    json::value doc = json::value::object_t{};
    if (auto v = s.args.get("--video-id")) doc["video_id"] = *v;
    if (auto v = s.args.get("--template-video-id")) doc["template_video_id"] = *v;
    if (auto v = s.args.get("--webhook-url")) doc["webhook_url"] = *v;
    if (auto bad = detail::apply_sets(s, doc)) return *bad;
    if (!doc.contains("video_id")) return s.out.usage("missing --video-id (or --set video_id=...)", cmd);
    auto req = detail::to_request<style::job_create_request>(doc, true);
    if (!req) return s.out.report(req.error());
    if (auto ok = style::validate(*req); !ok) return s.out.report(ok.error());
    auto created = sync_wait(c.create_job(std::move(*req)));
    if (!created || !s.args.has("--wait")) return detail::print_or_fail(s, created);
    s.out.note("created job " + created->job_id);
    return detail::wait_and_print<style::job_response>(s, c, created->job_id, &style::describe);
  }
  if (cmd == "style get") {
    auto r = sync_wait(c.get_job(id()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "style result") {
    auto r = sync_wait(c.get_result(id()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "style wait") return detail::wait_and_print<style::job_response>(s, c, id(), &style::describe);
  if (cmd == "style list") return detail::list_and_print<style::job_response, style::list_query>(s, c);
  return s.out.usage("unknown command '" + std::string{cmd} + "'");
}

// --- TechForgeInnovate ------------------------------------------------------------------------

inline int run_tfi(const session& s) {
  const std::string_view cmd = s.args.command;
  asio_transport http;
  techforge::client c{http, s.options};
  const auto arg = [&] { return s.args.positionals.empty() ? std::string{} : s.args.positionals[0]; };

  if (cmd == "tfi create") {
    json::value doc = json::value::object_t{};
    if (auto v = s.args.get("--job-type")) doc["job_type"] = *v;
    if (auto v = s.args.get("--template-id")) doc["template_id"] = *v;
    if (auto v = s.args.get("--project-id")) doc["project_id"] = *v;
    std::optional<long long> version;
    if (auto bad = detail::int_option(s, "--version", version)) return *bad;
    if (version) doc["version"] = *version;
    const auto values = s.args.all("--value");
    if (!values.empty()) {
      json::value& map = doc["values"];
      map = json::value::object_t{};
      for (const std::string& kv : values) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
          return s.out.usage("--value needs KEY=TEXT or KEY=@JSON (got '" + kv + "')", cmd);
        const std::string key = kv.substr(0, eq);
        const std::string_view text = std::string_view{kv}.substr(eq + 1);
        if (!text.empty() && text.front() == '@') {
          auto parsed = json::read<json::value>(text.substr(1));
          if (!parsed)
            return s.out.usage("--value " + key + "=@JSON: not valid JSON: " + std::string{parsed.error().detail()}, cmd);
          map[key] = std::move(*parsed);
        } else {
          map[key] = std::string{text};
        }
      }
    }
    if (auto bad = detail::apply_sets(s, doc)) return *bad;
    if (!doc.contains("job_type")) return s.out.usage("missing --job-type", cmd);
    if (s.args.has("--template-id") && s.args.has("--project-id"))
      return s.out.usage("give --template-id or --project-id, not both", cmd);
    auto req = detail::to_request<techforge::create_request>(doc, false);
    if (!req) return s.out.report(req.error());
    if (auto ok = techforge::validate(*req); !ok) return s.out.report(ok.error());
    auto created = sync_wait(c.create_job(std::move(*req)));
    if (!created || !s.args.has("--wait")) return detail::print_or_fail(s, created);
    s.out.note("created job " + created->job_id);
    return detail::wait_and_print<techforge::job>(s, c, created->job_id, &techforge::describe);
  }
  if (cmd == "tfi get") {
    auto r = sync_wait(c.get_job(arg()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "tfi wait") return detail::wait_and_print<techforge::job>(s, c, arg(), &techforge::describe);
  if (cmd == "tfi signed-url") {
    auto r = sync_wait(c.signed_url(arg()));
    return detail::print_or_fail(s, r);
  }
  if (cmd == "tfi projects") {
    auto r = sync_wait(c.active_projects());
    return detail::print_or_fail(s, r);
  }
  if (cmd == "tfi mapping-fields") {
    auto r = sync_wait(c.mapping_fields(arg()));
    return detail::print_or_fail(s, r);
  }
  return s.out.usage("unknown command '" + std::string{cmd} + "'");
}

}  // namespace mediajobs::cli
