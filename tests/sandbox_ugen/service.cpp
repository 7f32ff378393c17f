// sandbox::ugen_service driven directly through handle()/advance() on a manual sandbox time: no
// sockets, no sleeps. Bodies are decoded with the client's own schema (ugen/schema.hpp) wherever
// the client would decode them, so a shape drift between sandbox and client fails here.
#include "support.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace {
using namespace std::chrono_literals;
using namespace sandbox_ugen_test;
}  // namespace

TEST_CASE("ugen sandbox: X-API-Key must match the configured key; off when none is configured") {
  sim s;
  auto missing = s.call("GET", "/api/v1/jobs", {}, std::nullopt);
  CHECK(missing.status == 401);
  CHECK(sim::parse(missing.body)["error"].as_string() == "unauthorized");
  CHECK(s.call("GET", "/api/v1/jobs", {}, std::string{"wrong"}).status == 401);
  CHECK(s.call("GET", "/api/v1/jobs").status == 200);
  CHECK(missing.body.find("sandbox-key") == std::string::npos);

  s.configured_key.clear();
  CHECK(s.call("GET", "/api/v1/jobs", {}, std::nullopt).status == 200);
}

TEST_CASE("ugen sandbox: create applies every documented default and shows it in the job") {
  sim s;
  auto r = s.call("POST", "/api/v1/jobs", body_with(""));
  REQUIRE(r.status == 201);
  CHECK(r.headers.get("Content-Type") == "application/json");
  const ugen::job j = sim::job(r);
  CHECK(j.status.is(ugen::job_status::pending));
  CHECK(j.get_id().size() == 36);
  CHECK(j.segment_duration == 8);
  CHECK(j.aspect_ratio->name() == "9:16");
  CHECK(j.video_model->name() == "veo3_fast");
  CHECK(j.persona_id.has_value());
  REQUIRE(j.idempotency_key.has_value());
  CHECK(j.idempotency_key->size() == 36);  // a generated UUID
  CHECK(j.credits_reserved == 30);
  CHECK(j.credits_used == 0);
  CHECK(j.progress_percent == 0);
  const value v = sim::parse(r.body);
  CHECK(v["video_resolution"].as_string() == "standard");
  CHECK(v["interaction_mode"].as_string() == "holdable");
  CHECK(v["script_structure"].as_string() == "standard_5phase");
  CHECK(v["script_tone"].as_string() == "conversational");
  CHECK(v["caption_style"].as_string() == "tiktok_karaoke");
  CHECK(v["music_volume"].as_double() == doctest::Approx(0.15));
  CHECK(v["qai_mode"].as_string() == "lenient");
  CHECK(v["human_review_max_rejections"].as_int64() == 0);
  CHECK(v["human_review_budget"].as_string() == "accept_best");
  CHECK(v["captions_enabled"].as_bool());
  CHECK(v["music_enabled"].as_bool());
  CHECK(v["qai_enabled"].as_bool());
  CHECK(v["human_review"].as_string() == "off");
  CHECK(v["failure_behavior"].as_string() == "accept_best");
  CHECK(v["max_retries_keyframe"].as_int64() == 1);
  CHECK(v["max_retries_video"].as_int64() == 0);
  REQUIRE(j.segments.has_value());
  CHECK(j.segments->size() == 3);
}

TEST_CASE("ugen sandbox: every documented rule is enforced with a 400 naming the field") {
  struct bad_case {
    std::string body;
    std::string field;
  };
  const std::vector<bad_case> cases{
      {body_with(R"("segment_duration":6)"), "segment_duration"},  // Veo fixes 8
      {body_with(R"("video_model":"kling_v2","segment_duration":2)"), "segment_duration"},
      {body_with(R"("video_model":"kling_v2","segment_duration":11)"), "segment_duration"},
      {body_with(R"("aspect_ratio":"1:1")"), "aspect_ratio"},  // 1:1 only Kling
      {body_with(R"("aspect_ratio":"4:3","video_model":"kling_v2")"), "aspect_ratio"},
      {body_with(R"("max_retries_keyframe":6)"), "max_retries_keyframe"},
      {body_with(R"("max_retries_video":-1)"), "max_retries_video"},
      {body_with(R"("music_volume":1.5)"), "music_volume"},
      {body_with("", 0), "segment_count"},
      {body_with("", 21), "segment_count"},
      {body_with("", 3, ""), "product_name"},
      {R"({"product_image_url":"https://e.com/a.jpg","segment_count":1})", "product_name"},
      {R"({"product_name":"a","product_image_url":"not a url","segment_count":1})", "product_image_url"},
      {body_with(R"("colour":"red")"), "colour"},
      {R"({"product_name":"a","product_image_url":"https://e.com/a.jpg","segment_count":"3"})", "segment_count"},
      {body_with(R"("segment_duration":8.5)"), "segment_duration"},
      {body_with(R"("video_model":"sora")"), "video_model"},
      {body_with(R"("stop_at_stage":"polish")"), "stop_at_stage"},
      {body_with(R"("voice_settings":5)"), "voice_settings"},
      {body_with(R"("custom_caption_options":"big")"), "custom_caption_options"},
      {body_with(R"("script_tone":"Loud!")"), "script_tone"},
      {body_with(R"("webhook_url":"ftp://example.com/hook")"), "webhook_url"},
      {body_with(R"("idempotency_key":"")"), "idempotency_key"},
      {body_with(R"("human_review_max_rejections":-1)"), "human_review_max_rejections"},
      {body_with(R"("captions_enabled":"yes")"), "captions_enabled"},
      {body_with("", 2, "Mug [fail:polish]"), "product_name"},
  };
  sim s;
  for (const auto& c : cases) {
    CAPTURE(c.body);
    auto r = s.call("POST", "/api/v1/jobs", c.body);
    CHECK(r.status == 400);
    CHECK(field_of(r) == c.field);
    CHECK(sim::parse(r.body)["error"].as_string() == "validation_error");
  }
  // The documented allowances are accepted.
  CHECK(s.call("POST", "/api/v1/jobs", body_with(R"("video_model":"kling_v2","segment_duration":3,"aspect_ratio":"1:1")")).status == 201);
  CHECK(s.call("POST", "/api/v1/jobs", body_with(R"("video_model":"kling_v2","segment_duration":10)")).status == 201);
  CHECK(s.call("POST", "/api/v1/jobs", body_with(R"("max_retries_keyframe":5,"max_retries_video":0)")).status == 201);
  CHECK(s.svc.stats()["jobs_created"].as_int64() == 3);
}

TEST_CASE("ugen sandbox: garbage bodies answer 400 JSON, never a crash") {
  sim s;
  const std::vector<std::string> bodies{"",       "{",          "[]",   "null", "\"x\"",   R"({"product_name":)",
                                        "{}",     "{\"a\":1}",  "1e999", std::string(300, '['), std::string("{\"\0\":1}", 8),
                                        "\xff\xfe", "{\"product_name\":\"\xc3\x28\"}", "{\"segment_count\":99999999999999999999}"};
  for (const auto& b : bodies) {
    CAPTURE(b);
    for (std::string_view target : {"/api/v1/jobs", "/api/v1/jobs/suggest-fields"}) {
      auto r = s.call("POST", target, b);
      CHECK(r.status == 400);
      const value v = sim::parse(r.body);
      CHECK(!v["error"].as_string().empty());
      CHECK(!v["field"].as_string().empty());
    }
  }
  // retry takes an optional body: garbage is still a 400.
  const std::string id = s.create(body_with("", 1, "[fail:script]"));
  s.advance_by(1s);
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/retry", "{").status == 400);
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/retry", R"({"restart_from_stage":7})").status == 400);
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/retry", R"({"stage":"script"})").status == 400);
  CHECK(s.svc.stats()["jobs_created"].as_int64() == 1);
}

TEST_CASE("ugen sandbox: stages run in the documented order, a 3-segment job in 3.1 s, progress by segment") {
  sim s;
  const std::string id = s.create(body_with(""));
  std::vector<std::string> order;
  double last = -1;
  bool done = false;
  for (int t = 0; t <= 4000 && !done; t += 50) {
    s.advance_to(sb::duration{t});
    const ugen::job j = s.get(id);
    if (j.status.is(ugen::job_status::completed)) {
      CHECK(t == 3100);
      done = true;
      CHECK(j.progress_percent == 100);
      continue;
    }
    CHECK(j.status.is(ugen::job_status::processing));
    if (order.empty() || order.back() != stage_of(j)) order.push_back(stage_of(j));
    CHECK(*j.progress_percent >= last);
    last = *j.progress_percent;
  }
  CHECK(done);
  CHECK(order == std::vector<std::string>{"script", "keyframes", "generation", "captions", "music", "assembly"});

  // Generation starts at 600 ms; one segment every 600 ms.
  sim p;
  const std::string id2 = p.create(body_with(""));
  p.advance_to(599ms);
  CHECK(stage_of(p.get(id2)) == "keyframes");
  CHECK(p.get(id2).progress_percent == 10);
  p.advance_to(600ms);
  CHECK(stage_of(p.get(id2)) == "generation");
  CHECK(p.get(id2).progress_percent == 25);
  p.advance_to(1200ms);
  ugen::job j = p.get(id2);
  CHECK(j.progress_percent == doctest::Approx(45));  // 1 of 3 segments
  CHECK((*j.segments)[0].status->name() == "completed");
  CHECK((*j.segments)[0].video_url == std::string{base} + "/files/ugen/" + id2 + "/seg-1.mp4");
  CHECK((*j.segments)[1].status->name() == "processing");
  CHECK(!(*j.segments)[1].video_url);
  CHECK((*j.segments)[2].status->name() == "pending");
  p.advance_to(1800ms);
  CHECK(p.get(id2).progress_percent == doctest::Approx(65));
}

TEST_CASE("ugen sandbox: disabled captions and music are skipped; stop_at_stage ends the job early") {
  sim s;
  const std::string lean = s.create(body_with(R"("captions_enabled":false,"music_enabled":false)"));
  const std::string early = s.create(body_with(R"("stop_at_stage":"generation")", 2));
  s.advance_to(1799ms);
  CHECK(s.get(early).status.is(ugen::job_status::processing));
  s.advance_to(1800ms);
  ugen::job e = s.get(early);
  CHECK(e.status.is(ugen::job_status::completed));
  CHECK(stage_of(e) == "generation");
  CHECK(!e.output_url);
  CHECK(!e.outputs->video_url);
  CHECK((*e.segments)[1].video_url.has_value());
  s.advance_to(2699ms);
  CHECK(s.get(lean).status.is(ugen::job_status::processing));
  s.advance_to(2700ms);
  ugen::job l = s.get(lean);
  CHECK(l.status.is(ugen::job_status::completed));
  CHECK(!l.outputs->captions_url);
  CHECK(!l.outputs->audio_url);
  CHECK(l.outputs->video_url.has_value());

  // Stopping at a disabled stage stops after the stage before it.
  const std::string t0 = s.create(body_with(R"("captions_enabled":false,"stop_at_stage":"captions")", 1));
  s.advance_by(1199ms);
  CHECK(s.get(t0).status.is(ugen::job_status::processing));
  s.advance_by(1ms);  // script, keyframes, one segment: 1.2 s
  CHECK(s.get(t0).status.is(ugen::job_status::completed));
  CHECK(stage_of(s.get(t0)) == "generation");
}

TEST_CASE("ugen sandbox: output URLs are served from the sandbox once generated") {
  sim s;
  const std::string id = s.create(body_with("", 2));
  const std::string prefix = "/files/ugen/" + id + "/";
  CHECK(s.call("GET", prefix + "final.mp4", {}, std::nullopt).status == 404);
  s.advance_to(10s);
  const ugen::job j = s.get(id);
  REQUIRE(j.status.is(ugen::job_status::completed));
  CHECK(j.outputs->video_url == std::string{base} + prefix + "final.mp4");
  CHECK(j.output_url == j.outputs->video_url);
  CHECK(j.outputs->captions_url.has_value());
  CHECK(j.outputs->audio_url.has_value());
  auto final_file = s.call("GET", prefix + "final.mp4", {}, std::nullopt);  // no key: like a CDN URL
  CHECK(final_file.status == 200);
  CHECK(final_file.headers.get("Content-Type") == "video/mp4");
  CHECK(final_file.body.size() > 1000);
  CHECK(final_file.body.substr(4, 4) == "ftyp");
  auto seg = s.call("GET", prefix + "seg-2.mp4");
  CHECK(seg.status == 200);
  CHECK(seg.body != final_file.body);
  CHECK(s.call("GET", prefix + "kf-1.png").headers.get("Content-Type") == "image/png");
  CHECK(s.call("GET", prefix + "seg-3.mp4").status == 404);
  CHECK(s.call("GET", prefix + "other.bin").status == 404);
  CHECK(s.call("GET", "/files/ugen/nope/final.mp4").status == 404);
  CHECK(s.call("POST", prefix + "final.mp4").status == 405);
}

TEST_CASE("ugen sandbox: keyframes carry QAI scores and videos their status, in the client's shapes") {
  sim s;
  const std::string id = s.create(body_with("", 2));
  auto kf = mediajobs::json::read<ugen::keyframe_list>(s.call("GET", "/api/v1/jobs/" + id + "/keyframes").body);
  REQUIRE(kf);
  REQUIRE(ugen::list_items(*kf).size() == 2);
  CHECK(ugen::list_items(*kf)[0].status->name() == "pending");
  CHECK(!ugen::list_items(*kf)[0].qai_score);
  s.advance_to(600ms);
  kf = mediajobs::json::read<ugen::keyframe_list>(s.call("GET", "/api/v1/jobs/" + id + "/keyframes").body);
  REQUIRE(kf);
  for (const auto& k : ugen::list_items(*kf)) {
    CHECK(k.status->name() == "completed");
    REQUIRE(k.qai_score.has_value());
    CHECK(*k.qai_score >= 0.6);
    CHECK(*k.qai_score <= 1.0);
    CHECK(k.qai_passed == true);  // lenient
    CHECK(k.image_url.has_value());
  }
  s.advance_to(1200ms);
  auto vids = mediajobs::json::read<ugen::video_list>(s.call("GET", "/api/v1/jobs/" + id + "/videos").body);
  REQUIRE(vids);
  REQUIRE(ugen::list_items(*vids).size() == 2);
  CHECK(ugen::list_items(*vids)[0].status->name() == "completed");
  CHECK(ugen::list_items(*vids)[0].video_url.has_value());
  CHECK(ugen::list_items(*vids)[1].status->name() == "processing");
  CHECK(ugen::list_items(*vids)[1].duration_seconds == 8);
}

TEST_CASE("ugen sandbox: pause takes effect after the current stage; resume continues from there") {
  sim s;
  const std::string id = s.create(body_with(""));
  s.advance_to(100ms);
  auto r = s.call("POST", "/api/v1/jobs/" + id + "/pause");
  REQUIRE(r.status == 200);
  CHECK(sim::job(r).status.is(ugen::job_status::processing));
  CHECK(sim::parse(r.body)["pause_requested"].as_bool());
  s.advance_to(300ms);
  ugen::job j = s.get(id);
  CHECK(j.status.is(ugen::job_status::paused));
  CHECK(stage_of(j) == "keyframes");
  CHECK(j.progress_percent == 10);
  s.advance_to(60s);
  CHECK(s.get(id).status.is(ugen::job_status::paused));
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/pause").status == 200);  // already paused: no-op
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/resume").status == 200);
  CHECK(s.get(id).status.is(ugen::job_status::processing));
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/resume").status == 409);  // not paused
  s.advance_to(60s + 2799ms);
  CHECK(s.get(id).status.is(ugen::job_status::processing));
  s.advance_to(60s + 2800ms);  // the 2.8 s left after script
  CHECK(s.get(id).status.is(ugen::job_status::completed));
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/pause").status == 409);
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/resume").status == 409);

  // A job paused as soon as it is created stops after its first stage; a withdrawn pause
  // request leaves the job running.
  const std::string p = s.create(body_with(""));
  CHECK(s.call("POST", "/api/v1/jobs/" + p + "/pause").status == 200);
  const std::string q = s.create(body_with("", 1));
  s.advance_by(100ms);
  CHECK(s.call("POST", "/api/v1/jobs/" + q + "/pause").status == 200);
  CHECK(s.call("POST", "/api/v1/jobs/" + q + "/resume").status == 200);
  s.advance_by(10s);
  CHECK(s.get(q).status.is(ugen::job_status::completed));
  CHECK(s.get(p).status.is(ugen::job_status::paused));
  CHECK(stage_of(s.get(p)) == "keyframes");
}

TEST_CASE("ugen sandbox: cancel releases the reserved credits and is refused on a finished job") {
  sim s;
  const std::string id = s.create(body_with(R"("webhook_url":"http://127.0.0.1:1/hook")", 5));
  CHECK(s.svc.stats()["credits"]["reserved"].as_int64() == 50);
  s.advance_to(700ms);
  auto r = s.call("DELETE", "/api/v1/jobs/" + id);
  REQUIRE(r.status == 200);
  const ugen::job j = sim::job(r);
  CHECK(j.status.is(ugen::job_status::cancelled));
  CHECK(j.credits_reserved == 0);
  CHECK(j.credits_used == 0);
  const value stats = s.svc.stats();
  CHECK(stats["credits"]["reserved"].as_int64() == 0);
  CHECK(stats["credits"]["released"].as_int64() == 50);
  CHECK(stats["credits"]["available"].as_int64() == 1000);
  CHECK(stats["jobs_live"].as_int64() == 0);
  CHECK(s.call("DELETE", "/api/v1/jobs/" + id).status == 409);
  s.advance_by(10s);
  CHECK(s.get(id).status.is(ugen::job_status::cancelled));
  REQUIRE(s.hooks.size() == 1);
  CHECK(s.hooks[0].url == "http://127.0.0.1:1/hook");
  CHECK(sim::parse(s.hooks[0].body)["event"].as_string() == "job.cancelled");
}

TEST_CASE("ugen sandbox: [fail:STAGE] fails the job there; retry restarts from that stage") {
  sim s;
  const std::string id = s.create(body_with("", 3, "Mug [fail:generation]"));
  s.advance_to(2399ms);
  CHECK(s.get(id).status.is(ugen::job_status::processing));
  s.advance_to(2400ms);
  ugen::job j = s.get(id);
  CHECK(j.status.is(ugen::job_status::failed));
  CHECK(stage_of(j) == "generation");
  REQUIRE(j.error.has_value());
  CHECK((*j.error)["stage"].as_string() == "generation");
  CHECK((*j.segments)[2].status->name() == "failed");
  CHECK((*j.segments)[1].status->name() == "completed");
  CHECK(j.credits_reserved == 0);
  CHECK(s.svc.stats()["credits"]["available"].as_int64() == 1000);

  CHECK(field_of(s.call("POST", "/api/v1/jobs/" + id + "/retry", R"({"restart_from_stage":"music"})")) ==
        "restart_from_stage");  // music never ran
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/retry", R"({"restart_from_stage":"polish"})").status == 400);
  auto r = s.call("POST", "/api/v1/jobs/" + id + "/retry");  // no body: from the failed stage
  REQUIRE(r.status == 200);
  CHECK(sim::job(r).credits_reserved == 30);
  CHECK(!sim::job(r).error);
  s.advance_by(1ms);
  j = s.get(id);
  CHECK(j.status.is(ugen::job_status::processing));
  CHECK(stage_of(j) == "generation");
  CHECK(j.progress_percent == 25);
  CHECK((*j.segments)[0].retries == 1);
  s.advance_by(2499ms);  // generation 1.8 s + captions, music, assembly 0.7 s, from 2.4 s
  j = s.get(id);
  CHECK(j.status.is(ugen::job_status::completed));
  CHECK(j.credits_used == 30);
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/retry").status == 409);  // completed

  // `:always` fails every run; retry from an earlier stage re-runs the rest.
  const std::string a = s.create(body_with("", 1, "Cup [fail:music:always]"));
  s.advance_by(10s);
  CHECK(s.get(a).status.is(ugen::job_status::failed));
  CHECK(s.call("POST", "/api/v1/jobs/" + a + "/retry", R"({"restart_from_stage":"script"})").status == 200);
  s.advance_by(10s);
  j = s.get(a);
  CHECK(j.status.is(ugen::job_status::failed));
  CHECK(stage_of(j) == "music");
  CHECK(j.segments->at(0).retries == 1);  // generation ran again

  // A cancelled job retries from where it stopped.
  const std::string c = s.create(body_with("", 1));
  CHECK(s.call("POST", "/api/v1/jobs/" + c + "/retry").status == 409);  // pending
  s.advance_by(400ms);
  CHECK(s.call("DELETE", "/api/v1/jobs/" + c).status == 200);
  REQUIRE(s.call("POST", "/api/v1/jobs/" + c + "/retry").status == 200);
  s.advance_by(1ms);
  CHECK(stage_of(s.get(c)) == "keyframes");
}

TEST_CASE("ugen sandbox: idempotency key replays the job, conflicts on different parameters") {
  sim s;
  const std::string first = s.create(body_with(R"("idempotency_key":"order-7")"));
  auto again = s.call("POST", "/api/v1/jobs", body_with(R"("idempotency_key":"order-7")"));
  CHECK(again.status == 200);
  CHECK(sim::job(again).get_id() == first);
  // An explicit default is the same request as an omitted one.
  auto explicit_default = s.call("POST", "/api/v1/jobs", body_with(R"("idempotency_key":"order-7","segment_duration":8)"));
  CHECK(explicit_default.status == 200);
  auto conflict = s.call("POST", "/api/v1/jobs", body_with(R"("idempotency_key":"order-7")", 4));
  CHECK(conflict.status == 409);
  CHECK(field_of(conflict) == "idempotency_key");
  const value stats = s.svc.stats();
  CHECK(stats["jobs_created"].as_int64() == 1);
  CHECK(stats["jobs_by_idempotency_key"]["order-7"].as_int64() == 1);
  CHECK(stats["credits"]["reserved"].as_int64() == 30);
  // Without a key every create is a new job, each under its own generated key.
  s.create(body_with(""));
  s.create(body_with(""));
  CHECK(s.svc.stats()["jobs_created"].as_int64() == 3);
  CHECK(s.svc.stats()["jobs_by_idempotency_key"].size() == 3);
  CHECK(s.svc.stats()["jobs_live"].as_int64() == 3);
}

TEST_CASE("ugen sandbox: credits are reserved per tenant, 402 when short, settled on completion") {
  sim s;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(s.create(body_with("", 20)));  // 5 x 200 = 1000
  auto short_of = s.call("POST", "/api/v1/jobs", body_with("", 1));
  CHECK(short_of.status == 402);
  CHECK(sim::parse(short_of.body)["error"].as_string() == "insufficient_credits");
  CHECK(s.svc.stats()["jobs_created"].as_int64() == 5);
  REQUIRE(s.call("DELETE", "/api/v1/jobs/" + ids[0]).status == 200);
  const std::string small = s.create(body_with("", 1));
  s.advance_by(30s);
  CHECK(s.get(small).credits_used == 10);
  CHECK(s.get(ids[1]).credits_used == 200);
  const value c = s.svc.stats()["credits"];
  CHECK(c["used"].as_int64() == 810);
  CHECK(c["reserved"].as_int64() == 0);
  CHECK(c["available"].as_int64() == 190);
  // Another tenant (auth off: the header names the tenant) has its own balance and jobs.
  s.configured_key.clear();
  CHECK(s.call("POST", "/api/v1/jobs", body_with("", 20), std::string{"other"}).status == 201);
  CHECK(s.call("GET", "/api/v1/jobs/" + small, {}, std::string{"other"}).status == 404);
}

TEST_CASE("ugen sandbox: list filters by status and pages in the shape the client reads") {
  sim s;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(s.create(body_with("", 1)));
  REQUIRE(s.call("DELETE", "/api/v1/jobs/" + ids[1]).status == 200);
  REQUIRE(s.call("DELETE", "/api/v1/jobs/" + ids[3]).status == 200);

  auto cancelled = mediajobs::json::read<ugen::job_list>(s.call("GET", "/api/v1/jobs?status=cancelled").body);
  REQUIRE(cancelled);
  REQUIRE(ugen::list_items(*cancelled).size() == 2);
  CHECK(ugen::list_items(*cancelled)[0].get_id() == ids[1]);
  CHECK(ugen::list_items(*cancelled)[1].get_id() == ids[3]);

  std::vector<std::string> seen;
  for (int page = 1; page <= 3; ++page) {
    auto r = mediajobs::json::read<ugen::job_list>(
        s.call("GET", "/api/v1/jobs?page=" + std::to_string(page) + "&page_size=2").body);
    REQUIRE(r);
    const auto& p = std::get<ugen::job_list_page>(*r);
    CHECK(p.total == 5);
    CHECK(p.total_pages == 3);
    CHECK(p.page == page);
    CHECK(p.has_more == (page < 3));
    CHECK(ugen::list_items(*r).size() == (page < 3 ? 2U : 1U));
    for (const auto& j : ugen::list_items(*r)) seen.emplace_back(j.get_id());
  }
  CHECK(seen == ids);
  auto beyond = mediajobs::json::read<ugen::job_list>(s.call("GET", "/api/v1/jobs?page=4&page_size=2").body);
  REQUIRE(beyond);
  CHECK(ugen::list_items(*beyond).empty());
  auto all = mediajobs::json::read<ugen::job_list>(s.call("GET", "/api/v1/jobs").body);
  REQUIRE(all);
  CHECK(std::get<ugen::job_list_page>(*all).page_size == 20);
  CHECK(ugen::list_items(*all).size() == 5);

  CHECK(field_of(s.call("GET", "/api/v1/jobs?status=done")) == "status");
  CHECK(field_of(s.call("GET", "/api/v1/jobs?page=0")) == "page");
  CHECK(field_of(s.call("GET", "/api/v1/jobs?page=x")) == "page");
  CHECK(field_of(s.call("GET", "/api/v1/jobs?page_size=101")) == "page_size");
}

TEST_CASE("ugen sandbox: unknown-fields mode adds unknown keys and enum values the client still decodes") {
  sim s;
  s.inject = true;
  const std::string id = s.create(body_with("", 2));
  auto r = s.call("GET", "/api/v1/jobs/" + id);
  const ugen::job j = sim::job(r);
  CHECK(j.get_id() == id);
  CHECK(j.status.is(ugen::job_status::processing));
  CHECK(j.extra.find("sandbox_trace") != nullptr);
  REQUIRE(j.segments.has_value());
  CHECK((*j.segments)[0].status->is_unknown());
  CHECK((*j.segments)[0].status->name() == "queued");
  CHECK(!(*j.segments)[0].extra.empty());
  mediajobs::json::options strict;
  strict.error_on_unknown_keys = true;
  CHECK(!mediajobs::json::read<ugen::job>(r.body, strict));  // the unknown keys are really there

  CHECK(mediajobs::json::read<ugen::job_list>(s.call("GET", "/api/v1/jobs").body));
  auto kf = mediajobs::json::read<ugen::keyframe_list>(s.call("GET", "/api/v1/jobs/" + id + "/keyframes").body);
  REQUIRE(kf);
  CHECK(ugen::list_items(*kf)[0].status->is_unknown());
  CHECK(mediajobs::json::read<ugen::video_list>(s.call("GET", "/api/v1/jobs/" + id + "/videos").body));
  s.advance_by(10s);
  const ugen::job done = s.get(id);
  CHECK(done.status.is(ugen::job_status::completed));
  CHECK(done.outputs->video_url.has_value());
  CHECK(!done.outputs->extra.empty());
}

TEST_CASE("ugen sandbox: unknown ids and routes answer 404, wrong methods 405, always JSON") {
  sim s;
  const std::string id = s.create(body_with("", 1));
  CHECK(s.call("GET", "/api/v1/jobs/does-not-exist").status == 404);
  CHECK(s.call("DELETE", "/api/v1/jobs/does-not-exist").status == 404);
  CHECK(s.call("POST", "/api/v1/jobs/does-not-exist/pause").status == 404);
  CHECK(s.call("GET", "/api/v1/jobs/" + id + "/thumbnails").status == 404);
  CHECK(s.call("GET", "/api/v2/jobs").status == 404);
  CHECK(s.call("GET", "/api/v1/jobsx").status == 404);
  CHECK(s.call("GET", "/").status == 404);
  auto put = s.call("PUT", "/api/v1/jobs");
  CHECK(put.status == 405);
  CHECK(put.headers.get("Allow") == "GET, POST");
  CHECK(s.call("GET", "/api/v1/jobs/suggest-fields").status == 405);
  CHECK(s.call("PATCH", "/api/v1/jobs/" + id).status == 405);
  CHECK(s.call("GET", "/api/v1/jobs/" + id + "/pause").status == 405);
  CHECK(s.call("POST", "/api/v1/jobs/" + id + "/videos").status == 405);
  for (auto r : {s.call("GET", "/api/v2/jobs"), s.call("PUT", "/api/v1/jobs"), s.call("GET", "/api/v1/jobs/x")}) {
    CHECK(r.headers.get("Content-Type") == "application/json");
    CHECK(!sim::parse(r.body)["message"].as_string().empty());
  }
  CHECK(s.call("GET", "/api/v1/jobs/" + id + "/").status == 200);  // a trailing slash is tolerated
}

TEST_CASE("ugen sandbox: at most max_jobs jobs are kept; beyond, create answers 429") {
  sb::service_limits limits;
  limits.max_jobs = 2;
  sim s{limits};
  s.create(body_with(R"("idempotency_key":"a")"));
  s.create(body_with(""));
  auto r = s.call("POST", "/api/v1/jobs", body_with(""));
  CHECK(r.status == 429);
  CHECK(sim::parse(r.body)["message"].as_string().find("at most 2 jobs") != std::string::npos);
  CHECK(s.call("POST", "/api/v1/jobs", body_with(R"("idempotency_key":"a")")).status == 200);  // a replay
  CHECK(s.svc.stats()["jobs_stored"].as_int64() == 2);
  CHECK(s.svc.stats()["credits"]["reserved"].as_int64() == 60);
}

TEST_CASE("ugen sandbox: suggest-fields is free and answers the four documented fields") {
  sim s;
  auto r = s.call("POST", "/api/v1/jobs/suggest-fields", R"({"product_name":"Kettle","product_image_url":"https://e.com/k.jpg"})");
  REQUIRE(r.status == 200);
  auto sf = mediajobs::json::read<ugen::suggest_fields_response>(r.body);
  REQUIRE(sf);
  CHECK(sf->key_selling_points->size() == 3);
  CHECK(sf->cta_text->find("Kettle") != std::string::npos);
  CHECK(sf->environment_description.has_value());
  CHECK(sf->custom_script.has_value());
  CHECK(field_of(s.call("POST", "/api/v1/jobs/suggest-fields", R"({"product_name":"Kettle"})")) == "product_image_url");
  CHECK(field_of(s.call("POST", "/api/v1/jobs/suggest-fields",
                        R"({"product_name":"K","product_image_url":"https://e.com/k.jpg","segment_count":0})")) ==
        "segment_count");
  CHECK(s.svc.stats()["jobs_created"].as_int64() == 0);
  CHECK(s.svc.stats()["credits"]["reserved"].as_int64() == 0);
}

TEST_CASE("ugen sandbox: a completed or failed job with webhook_url queues one webhook the client decodes") {
  sim s;
  const std::string ok = s.create(body_with(R"("webhook_url":"https://hooks.example.com/u")", 1));
  const std::string bad = s.create(body_with(R"("webhook_url":"https://hooks.example.com/u")", 1, "[fail:assembly]"));
  s.create(body_with("", 1));  // no webhook_url: nothing sent
  s.advance_by(1s);
  CHECK(s.hooks.empty());
  s.advance_by(10s);
  REQUIRE(s.hooks.size() == 2);
  for (const auto& h : s.hooks) {
    CHECK(h.method == "POST");
    CHECK(h.url == "https://hooks.example.com/u");
    CHECK(h.headers.get("Content-Type") == "application/json");
    const value v = sim::parse(h.body);
    auto data = mediajobs::json::to_string(v["data"]);
    REQUIRE(data);
    auto j = mediajobs::json::read<ugen::job>(*data);
    REQUIRE(j);
    if (j->get_id() == ok) {
      CHECK(v["event"].as_string() == "job.completed");
      CHECK(j->status.is(ugen::job_status::completed));
    } else {
      CHECK(j->get_id() == bad);
      CHECK(v["event"].as_string() == "job.failed");
    }
  }
  s.advance_by(10s);
  CHECK(s.hooks.size() == 2);  // once per transition
}
