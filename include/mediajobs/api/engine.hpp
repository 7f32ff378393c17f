// mediajobs::api::engine — runs one endpoint call: validate, build the http::request, send it
// through the transport with retries (api/retry.hpp), log each attempt, map a failure status to
// a typed error (api/errors.hpp), and decode the success body (api/endpoint.hpp).
//
//   api::engine<mock_transport, manual_timer> e{mock, timer, options, profile};
//   result<job> j = co_await e.call(ugen_endpoints::get_job, {"j-1"});
//
// What is sent: `<base_url><path>?<query>` (the base may carry a path prefix); headers
// `<auth header>: <api key>` (omitted when the key is empty), `User-Agent`, `Accept:
// application/json`, `Content-Type: application/json` with a JSON body (or the raw body's own
// type), `X-Retry-Count: <n>` on the n-th retry; the options' timeout as the request timeout.
//
// Validation: before anything is built, `validate(body)` and `validate(query)` are called when
// such a function is found by argument-dependent lookup (each service's validate.hpp); a failure
// is returned as is (kind `validation`) and nothing is sent. So is a header value holding CR, LF,
// NUL or another control byte (the API key, User-Agent or a content type from the options).
//
// Stop: a call uses the stop token it is given, else the awaiting task's; a stop ends it with
// `cancelled`, including during a backoff wait.
//
// Thread-safety: const member functions may run concurrently (each call has its own state); the
// transport and timer must outlive every call; the engine must outlive the tasks it returns.
#pragma once

#include <mediajobs/api/endpoint.hpp>
#include <mediajobs/api/errors.hpp>
#include <mediajobs/api/options.hpp>
#include <mediajobs/api/retry.hpp>
#include <mediajobs/core/error.hpp>
#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/http/serializer.hpp>
#include <mediajobs/http/url.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/transport/transport.hpp>

#include <chrono>
#include <concepts>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace mediajobs::api {

/// What differs between services at the HTTP level.
struct service_profile {
  std::string_view name;              ///< for messages: "U-Gen"
  std::string_view default_base_url;  ///< used when client_options::base_url is empty; may be empty
  std::string_view auth_header;       ///< used when client_options::auth_header is empty
};

template <transport Transport, timer Timer>
class engine {
 public:
  engine(Transport& t, Timer& tm, client_options options, service_profile profile)
      : transport_(&t), timer_(&tm), options_(std::move(options)), profile_(profile) {
    if (options_.base_url.empty()) options_.base_url = std::string{profile_.default_base_url};
    if (options_.user_agent.empty()) options_.user_agent = default_user_agent();
    if (options_.auth_header.empty()) options_.auth_header = std::string{profile_.auth_header};
  }

  [[nodiscard]] const client_options& options() const noexcept { return options_; }
  [[nodiscard]] const service_profile& profile() const noexcept { return profile_; }
  [[nodiscard]] Transport& transport() const noexcept { return *transport_; }
  [[nodiscard]] Timer& timer() const noexcept { return *timer_; }

  /// Calls `ep` with the path parameters, body and query given; see the header comment.
  template <class Ep>
  task<result<typename Ep::result_type>> call(Ep ep, std::vector<std::string> params = {},
                                              typename Ep::request_type body = {}, typename Ep::query_type query = {},
                                              std::stop_token stop = {}) const {
    using wire = typename Ep::wire_type;
    using out = typename Ep::result_type;
    if (result<void> v = check(body); !v) co_return unexpected(redacted(v.error(), options_.api_key));
    if (result<void> v = check(query); !v) co_return unexpected(redacted(v.error(), options_.api_key));
    result<http::request> req = build(ep, params, body, query);
    if (!req) co_return unexpected(redacted(req.error(), options_.api_key));
    if (!stop.stop_possible()) stop = co_await this_task::stop_token();

    result<http::response> resp = co_await exchange(std::move(*req), ep, stop);
    if (!resp) co_return unexpected(std::move(resp).error());

    result<wire> decoded = decode_body<wire>(resp->status, resp->body, ep.wrap);
    if (!decoded) {
      error e = redacted(decoded.error(), options_.api_key);
      if (auto rid = request_id_of(resp->headers); !rid.empty()) e.with_request_id(redacted(rid, options_.api_key));
      co_return unexpected(std::move(e));
    }
    if constexpr (std::is_same_v<wire, out>)
      co_return std::move(*decoded);
    else
      co_return ep.convert(std::move(*decoded));
  }

  /// The request `call` would send (without retry header); for tests and tools.
  template <class Ep>
  [[nodiscard]] result<http::request> build(const Ep& ep, const std::vector<std::string>& params,
                                            const typename Ep::request_type& body,
                                            const typename Ep::query_type& query) const {
    if (options_.base_url.empty())
      return fail(validation_error("base_url", std::string{profile_.name} +
                                                   " has no documented host: set client_options::base_url"));
    result<std::string> target = expand_path(ep.path, params);
    if (!target) return unexpected(std::move(target).error());
    if (result<void> q = append_query(*target, query); !q) return unexpected(std::move(q).error());
    result<std::string> url = http::join(options_.base_url, *target);
    if (!url) return unexpected(std::move(url).error());

    http::request req;
    req.method = std::string{ep.method};
    req.url = std::move(*url);
    req.timeout = options_.timeout;
    if (!options_.api_key.empty()) req.headers.add(options_.auth_header, options_.api_key);
    req.headers.add("User-Agent", options_.user_agent);
    req.headers.add("Accept", "application/json");
    using request_type = typename Ep::request_type;
    if constexpr (std::is_same_v<request_type, raw_body>) {
      req.headers.add("Content-Type", body.content_type);
      req.body = body.data;
    } else if constexpr (!std::is_same_v<request_type, no_body>) {
      result<void> w = json::write(body, req.body);
      if (!w) return unexpected(std::move(w).error());
      req.headers.add("Content-Type", "application/json");
    }
    // Header injection: a CR, LF or NUL in the key, the User-Agent or a content type is refused
    // here, before a transport that writes headers verbatim (a callback or a user's own) sees it.
    if (result<void> h = http::detail::check_headers(req.headers); !h) return unexpected(std::move(h).error());
    return req;
  }

 private:
  template <class T>
  static result<void> check(const T& value) {
    if constexpr (requires { { validate(value) } -> std::same_as<result<void>>; })
      return validate(value);  // found by ADL in the service's namespace
    else
      return {};
  }

  // noinline works around a GCC 12 miscompilation (-O2/-O3 with -fno-exceptions): once this
  // coroutine's ramp is inlined into call()'s actor, the SLP vectorizer merges the frame's
  // resume/destroy pointer stores and loads the actor's address from a per-TU constant pool
  // (.data.rel.ro.local) outside the COMDAT group that holds the actor. When two objects
  // instantiate the same call (e.g. ugen::client::create_job) and the linker keeps the other
  // copy, that pool entry points into a discarded section: "...Frame.actor referenced in section
  // .data.rel.ro.local ... defined in discarded section". tests/noexcept_multi_tu guards it.
  template <class Ep>
  [[gnu::noinline]] task<result<http::response>> exchange(http::request req, Ep ep, std::stop_token stop) const {
    const retry_policy& policy = options_.retry;
    for (int retries = 0;; ++retries) {
      http::request attempt = req;
      if (retries > 0) attempt.headers.set("X-Retry-Count", std::to_string(retries));
      const auto t0 = std::chrono::steady_clock::now();
      result<http::response> r = co_await async_send(*transport_, std::move(attempt), stop);
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);

      retry_context ctx{.retries_done = retries, .safety = ep.safety};
      error failure;
      if (r) {
        log(req, retries, r->status, took, nullptr);
        if (ep.is_success(r->status)) co_return std::move(r);
        failure = error_from_response(*r, options_.api_key, policy.wall_now());
        ctx.http_status = r->status;
        ctx.retry_after = failure.retry_after();
      } else {
        failure = redacted(r.error(), options_.api_key);
        log(req, retries, 0, took, &failure);
        if (failure.kind() == error_kind::cancelled) co_return unexpected(std::move(failure));
        ctx.failure = &failure;
      }
      const retry_decision d = policy.decision(ctx);
      if (!d.retry) {
        if (d.retry_after_too_long && failure.retry_after()) {
          std::string why = "Retry-After of " + std::to_string(failure.retry_after()->count() / 1000) +
                            " s exceeds the " + std::to_string(policy.max_retry_after.count() / 1000) +
                            " s the retry policy waits";
          if (!failure.detail().empty()) why = std::string{failure.detail()} + "; " + why;
          failure.with_detail(std::move(why));
        }
        co_return unexpected(std::move(failure));
      }
      result<void> slept = co_await async_wait(*timer_, d.delay, stop);
      if (!slept) co_return unexpected(std::move(slept).error());
    }
  }

  void log(const http::request& req, int retries, int status, std::chrono::milliseconds took,
           const error* failure) const {
    if (!options_.on_attempt) return;
    http::headers shown = req.headers;
    if (shown.contains(options_.auth_header)) shown.set(options_.auth_header, std::string{redacted_text});
    if (retries > 0) shown.set("X-Retry-Count", std::to_string(retries));
    const std::string url = redacted(req.url, options_.api_key);
    attempt_log a{.method = req.method,
                  .url = url,
                  .request_headers = &shown,
                  .status = status,
                  .duration = took,
                  .attempt = retries + 1,
                  .failure = failure};
    options_.on_attempt(a);
  }

  Transport* transport_;
  Timer* timer_;
  client_options options_;
  service_profile profile_;
};

}  // namespace mediajobs::api
