// Decoding webhook bodies into typed events (webhook/events.hpp) and verify-then-decode
// (webhook/webhook.hpp).
#include <mediajobs/webhook/webhook.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace wh = mediajobs::webhook;
namespace style = mediajobs::style;
namespace ugen = mediajobs::ugen;
using mediajobs::error_kind;

namespace {

// The Style engine's documented webhook: the standard envelope with a JobDetailResponse as data,
// plus keys the docs do not list (at both levels) to show they are kept.
constexpr std::string_view style_completed = R"({
  "success": true,
  "message": "job completed",
  "data": {
    "job_id": "job_abc",
    "video_id": "vid_123",
    "status": "completed",
    "progress_percent": 100,
    "current_stage": null,
    "created_at": "2024-12-01T12:00:00Z",
    "updated_at": "2024-12-01T12:05:30.250Z",
    "started_at": "2024-12-01T12:00:05Z",
    "completed_at": "2024-12-01T12:05:30Z",
    "template_video_id": null,
    "style_json": {"palette": ["#112233"], "tempo": 1.2},
    "output_video_url": "https://cdn.example.com/out/job_abc.mp4",
    "error": null,
    "processing_time_seconds": 325.25,
    "gpu": "a100"
  },
  "request_id": "req_9"
})";

}  // namespace

TEST_CASE("style: the documented envelope decodes into a typed event") {
  const auto ev = wh::decode_style_event(style_completed);
  REQUIRE(ev.has_value());
  CHECK(ev->enveloped);
  CHECK(ev->success == true);
  CHECK(ev->message == std::string{"job completed"});
  CHECK(ev->job.job_id == "job_abc");
  CHECK(ev->job.video_id == std::string{"vid_123"});
  CHECK(ev->job.status.is(style::job_status::completed));
  CHECK(ev->is_terminal());
  CHECK(ev->job.progress_percent == 100);
  CHECK_FALSE(ev->job.current_stage.has_value());
  CHECK_FALSE(ev->job.template_video_id.has_value());
  CHECK(ev->job.output_video_url == std::string{"https://cdn.example.com/out/job_abc.mp4"});
  CHECK(ev->job.processing_time_seconds == doctest::Approx(325.25));
  REQUIRE(ev->job.style_json.has_value());
  CHECK(ev->job.style_json->is_object());
  REQUIRE(ev->job.completed_at.has_value());
  CHECK(ev->job.completed_at->time_since_epoch() == std::chrono::seconds{1733054730});
  SUBCASE("unknown keys are kept at both levels") {
    REQUIRE(ev->job.extra.find("gpu") != nullptr);
    CHECK(ev->job.extra.find("gpu")->as_string() == "a100");
    REQUIRE(ev->envelope_extra.find("request_id") != nullptr);
    CHECK(ev->envelope_extra.find("request_id")->as_string() == "req_9");
  }
}

TEST_CASE("style: a failed job carries its error object") {
  const auto ev = wh::decode_style_event(
      R"({"success":true,"data":{"job_id":"j2","status":"failed","error":{"code":"render_failed","message":"encoder crashed"}}})");
  REQUIRE(ev.has_value());
  CHECK(ev->job.status.is(style::job_status::failed));
  CHECK(ev->is_terminal());
  REQUIRE(ev->job.error.has_value());
  CHECK((*ev->job.error)["code"].as_string() == "render_failed");
}

TEST_CASE("style: an unknown status value is kept verbatim, not an error") {
  const auto ev = wh::decode_style_event(R"({"data":{"job_id":"j3","status":"archived","current_stage":"upscaling"}})");
  REQUIRE(ev.has_value());
  CHECK(ev->job.status.is_unknown());
  CHECK(ev->job.status.name() == "archived");
  CHECK_FALSE(ev->is_terminal());
  REQUIRE(ev->job.current_stage.has_value());
  CHECK(ev->job.current_stage->name() == "upscaling");
}

TEST_CASE("style: a bare JobDetailResponse is accepted too") {
  const auto ev = wh::decode_style_event(R"({"job_id":"j4","status":"cancelled","progress_percent":40})");
  REQUIRE(ev.has_value());
  CHECK_FALSE(ev->enveloped);
  CHECK(ev->job.job_id == "j4");
  CHECK(ev->job.status.is(style::job_status::cancelled));
  CHECK(ev->is_terminal());
}

TEST_CASE("style: bodies that are not a job event are decode errors") {
  for (std::string_view body : {R"({"success":true})", R"({"data":{"status":"completed"}})", R"([1,2])", "not json",
                                R"({"data":{"job_id":"j","status":"completed"})", ""}) {
    CAPTURE(body);
    const auto ev = wh::decode_style_event(body);
    REQUIRE_FALSE(ev.has_value());
    CHECK(ev.error().kind() == error_kind::decode);
  }
  SUBCASE("the error names what is missing") {
    const auto ev = wh::decode_style_event(R"({"data":{"status":"completed"}})");
    REQUIRE_FALSE(ev.has_value());
    CHECK(ev.error().message().find("job_id") != std::string::npos);
  }
}

TEST_CASE("style: strict mode refuses unknown keys when asked") {
  const auto ev = wh::decode_style_event(style_completed, mediajobs::json::options{.error_on_unknown_keys = true});
  REQUIRE_FALSE(ev.has_value());
  CHECK(ev.error().kind() == error_kind::decode);
}

TEST_CASE("ugen: a bare job object decodes into a typed event") {
  const auto ev = wh::decode_ugen_event(R"({
    "id": "5f0c7a2e-1111-4222-8333-444455556666",
    "status": "completed",
    "progress_percent": 100,
    "current_stage": "assembly",
    "product_name": "Premium Wireless Headphones",
    "segments": [{"index": 0, "status": "completed", "video_url": "https://cdn.example.com/s0.mp4"}],
    "outputs": {"video_url": "https://cdn.example.com/final.mp4"},
    "credits_used": 12,
    "tenant": "t_1"
  })");
  REQUIRE(ev.has_value());
  CHECK_FALSE(ev->enveloped);
  CHECK_FALSE(ev->event.has_value());
  CHECK(ev->job.get_id() == "5f0c7a2e-1111-4222-8333-444455556666");
  CHECK(ev->job.status.is(ugen::job_status::completed));
  CHECK(ev->is_terminal());
  REQUIRE(ev->job.segments.has_value());
  CHECK(ev->job.segments->size() == 1);
  REQUIRE(ev->job.outputs.has_value());
  CHECK(ev->job.outputs->video_url == std::string{"https://cdn.example.com/final.mp4"});
  REQUIRE(ev->job.extra.find("tenant") != nullptr);
}

TEST_CASE("ugen: the {event, data} envelope decodes, with `type` as an alias of `event`") {
  SUBCASE("event") {
    const auto ev = wh::decode_ugen_event(
        R"({"event":"job.failed","timestamp":"2024-12-01T12:00:00Z","data":{"job_id":"j9","status":"failed","error":"no credits"}})");
    REQUIRE(ev.has_value());
    CHECK(ev->enveloped);
    CHECK(ev->event == std::string{"job.failed"});
    CHECK(ev->job.get_id() == "j9");
    CHECK(ev->job.status.is(ugen::job_status::failed));
    CHECK(ev->is_terminal());
    REQUIRE(ev->envelope_extra.find("timestamp") != nullptr);
  }
  SUBCASE("type (Standard Webhooks payload)") {
    const auto ev = wh::decode_ugen_event(R"({"type":"job.completed","data":{"uuid":"u1","status":"completed"}})");
    REQUIRE(ev.has_value());
    CHECK(ev->event == std::string{"job.completed"});
    CHECK(ev->job.get_id() == "u1");
  }
  SUBCASE("no event name") {
    const auto ev = wh::decode_ugen_event(R"({"data":{"id":"j","status":"processing"}})");
    REQUIRE(ev.has_value());
    CHECK(ev->enveloped);
    CHECK_FALSE(ev->event.has_value());
    CHECK_FALSE(ev->is_terminal());
  }
}

TEST_CASE("ugen: unknown status and stage values are kept verbatim") {
  const auto ev = wh::decode_ugen_event(R"({"id":"j","status":"awaiting_review","current_stage":"lip_sync"})");
  REQUIRE(ev.has_value());
  CHECK(ev->job.status.is_unknown());
  CHECK(ev->job.status.name() == "awaiting_review");
  CHECK_FALSE(ev->is_terminal());
  REQUIRE(ev->job.current_stage.has_value());
  CHECK(ev->job.current_stage->name() == "lip_sync");
}

TEST_CASE("ugen: a body without a status or data is a decode error") {
  for (std::string_view body : {R"({"id":"j"})", R"({"event":"job.completed"})", R"({"data":{"id":"j"}})", "null",
                                R"({"id":"j","status":3})"}) {
    CAPTURE(body);
    const auto ev = wh::decode_ugen_event(body);
    REQUIRE_FALSE(ev.has_value());
    CHECK(ev.error().kind() == error_kind::decode);
  }
}

#if defined(MEDIAJOBS_WITH_OPENSSL)

TEST_CASE("parse verifies the signature from http::headers, then decodes") {
  constexpr std::string_view secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  const std::int64_t ts = 1700000000;
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{ts}};
  const std::string body{style_completed};
  const auto sig = wh::sign(secret, "msg_42", ts, body);
  REQUIRE(sig.has_value());
  // Header names in another case than the lowercase the verifier asks for.
  mediajobs::http::headers h{{"Content-Type", "application/json"},
                             {"Webhook-Id", "msg_42"},
                             {"Webhook-Timestamp", "1700000000"},
                             {"Webhook-Signature", *sig}};
  const auto ev = wh::parse_style(h, body, secret, now);
  REQUIRE(ev.has_value());
  CHECK(ev->job.job_id == "job_abc");

  SUBCASE("a tampered body is refused before decoding") {
    const auto bad = wh::parse_style(h, body + " ", secret, now);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().kind() == error_kind::validation);
    CHECK(bad.error().detail() == "no valid signature");
  }
  SUBCASE("signatures split over several webhook-signature fields") {
    h.set("webhook-signature", "v1,LEw9uoTi7NFNfoP2ecHBmUHreIHgfwJ1nywtPhhbq+g=");
    CHECK_FALSE(wh::parse_style(h, body, secret, now).has_value());
    h.add("WEBHOOK-SIGNATURE", "v1a,abcd");
    h.add("webhook-signature", *sig);
    CHECK(wh::parse_style(h, body, secret, now).has_value());
  }
  SUBCASE("a missing header is named") {
    h.remove("webhook-id");
    const auto bad = wh::parse_style(h, body, secret, now);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().detail() == "missing header webhook-id");
  }
  SUBCASE("an old delivery is refused") {
    const auto bad = wh::parse_style(h, body, secret, now + std::chrono::minutes{6});
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().detail() == "timestamp outside tolerance (too old)");
  }
  SUBCASE("ugen, headers set by set_signature_headers") {
    const std::string ubody = R"({"event":"job.completed","data":{"id":"j","status":"completed"}})";
    REQUIRE(wh::set_signature_headers(h, secret, "msg_43", ts, ubody).has_value());
    CHECK(h.size() == 4);  // replaced, not added
    CHECK(h.get("webhook-id") == std::string_view{"msg_43"});
    CHECK(h.get("webhook-timestamp") == std::string_view{"1700000000"});
    const auto uev = wh::parse_ugen(h, ubody, secret, now);
    REQUIRE(uev.has_value());
    CHECK(uev->is_terminal());
    CHECK_FALSE(wh::parse_ugen(h, body, secret, now).has_value());  // signed for another body
  }
}

#endif
