// Typed webhook events: decode the body a service POSTs to your `webhook_url`.
//
//   auto ev = webhook::decode_style_event(body);   // result<webhook::style_event>
//   if (ev && ev->is_terminal()) use(ev->job.output_video_url);
//
// Style engine: "The request body uses the standard response envelope with the JobDetailResponse
// as data" — `{success?, data: {job_id, status, …}, error?, message?}`. A bare JobDetailResponse
// (no envelope) is accepted too, to be tolerant of a proxy or a future change.
//
// U-Gen: the webhook is not documented beyond "webhook_url". Both common forms are accepted: the
// bare job object (`{id, status, …}`, as GET /jobs/{id} answers) and an event envelope
// `{event?: "job.completed", data: {job…}}` (the Standard Webhooks payload calls the event name
// `type`; either key is read into `event`). The form is chosen by shape: an object with a `data`
// key is the envelope, one with `status` and no `data` is a bare job.
//
// Tolerance: unknown keys are kept (`extra` of the job, `envelope_extra` of the envelope), and
// unknown status or stage values are kept verbatim in their open_enum; only a job's required keys
// (Style: job_id and status; U-Gen: status) and malformed JSON make decoding fail (kind decode,
// with the JSON path). Pass json::options{.error_on_unknown_keys = true} to be strict instead.
//
// These functions do not check signatures: see webhook/signature.hpp, and webhook/webhook.hpp for
// verify-then-decode in one call.
//
// Thread-safety: stateless functions; the event types are plain data.
#pragma once

#include <mediajobs/core/result.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/style/schema.hpp>
#include <mediajobs/ugen/schema.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mediajobs::webhook {

/// A Style engine webhook: the job in its final state, and the envelope around it.
struct style_event {
  style::job_detail_response job;
  std::optional<bool> success;        ///< the envelope's `success`, when sent
  std::optional<std::string> message;  ///< the envelope's `message`, when sent
  std::optional<json::value> error;    ///< the envelope's `error` (string or object), when sent
  json::unknown_fields envelope_extra;  ///< other envelope keys, kept
  bool enveloped = true;                ///< false when the body was a bare JobDetailResponse

  /// completed, failed or cancelled (the webhook is documented to fire only then).
  [[nodiscard]] bool is_terminal() const noexcept { return style::is_terminal(job.status); }
};

/// A U-Gen job webhook.
struct ugen_event {
  ugen::job job;
  std::optional<std::string> event;     ///< the envelope's `event` (or `type`); empty for a bare job
  json::unknown_fields envelope_extra;  ///< other envelope keys (e.g. a timestamp), kept
  bool enveloped = false;               ///< true when the body was `{event?, data: job}`

  /// completed, failed or cancelled.
  [[nodiscard]] bool is_terminal() const noexcept {
    return job.status.is(ugen::job_status::completed) || job.status.is(ugen::job_status::failed) ||
           job.status.is(ugen::job_status::cancelled);
  }
};

namespace detail {

/// The U-Gen envelope form. `data` is required: it is what tells this form from a bare job.
struct ugen_envelope {
  std::optional<std::string> event;
  std::optional<std::string> type;
  ugen::job data;
  json::unknown_fields extra;
};

}  // namespace detail

/// Decodes a Style engine webhook body (the envelope with a JobDetailResponse, or a bare one).
[[nodiscard]] inline result<style_event> decode_style_event(std::string_view body, const json::options& opt = {}) {
  auto parsed = json::read<std::variant<style::webhook_payload, style::job_detail_response>>(body, opt);
  if (!parsed) return fail(std::move(parsed).error());
  style_event ev;
  if (auto* env = std::get_if<style::webhook_payload>(&*parsed)) {
    ev.job = std::move(env->data);
    ev.success = env->success;
    ev.message = std::move(env->message);
    ev.error = std::move(env->error);
    ev.envelope_extra = std::move(env->extra);
  } else {
    ev.job = std::move(std::get<style::job_detail_response>(*parsed));
    ev.enveloped = false;
  }
  return ev;
}

/// Decodes a U-Gen job webhook body (a bare job, or `{event?|type?, data: job}`).
[[nodiscard]] inline result<ugen_event> decode_ugen_event(std::string_view body, const json::options& opt = {}) {
  auto parsed = json::read<std::variant<detail::ugen_envelope, ugen::job>>(body, opt);
  if (!parsed) return fail(std::move(parsed).error());
  ugen_event ev;
  if (auto* env = std::get_if<detail::ugen_envelope>(&*parsed)) {
    ev.job = std::move(env->data);
    ev.event = env->event ? std::move(env->event) : std::move(env->type);
    ev.envelope_extra = std::move(env->extra);
    ev.enveloped = true;
  } else {
    ev.job = std::move(std::get<ugen::job>(*parsed));
  }
  return ev;
}

}  // namespace mediajobs::webhook
