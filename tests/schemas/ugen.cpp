// U-Gen schemas: the docs' examples read and written back, tolerant responses, exact wire strings.
#include <mediajobs/ugen/schema.hpp>

#include "schemas/support.hpp"

#include <string>

using namespace mediajobs;
using schema_test::minify;
using schema_test::read_error;
using schema_test::read_ok;
using schema_test::round_trip;
using schema_test::write_ok;

namespace {

// The Create Job curl body of the docs, verbatim.
constexpr std::string_view create_example = R"({
"product_name": "Premium Wireless Headphones",
"product_image_url": "https://example.com/headphones.jpg",
"segment_count": 3,
"interaction_mode": "holdable",
"video_model": "veo3_fast",
"script_tone": "enthusiastic",
"music_mood": "upbeat",
"qai_enabled": true
})";

// A job as GET /api/v1/jobs/{jobId} could answer it mid-generation (shape undocumented), with
// keys and values our schema does not know.
constexpr std::string_view job_example = R"({
  "id": "0b7f6a1e-4c1d-4f57-9a51-0c8e3b1d2a77",
  "status": "processing",
  "progress_percent": 33.3,
  "current_stage": "generation",
  "product_name": "Premium Wireless Headphones",
  "segment_count": 3,
  "aspect_ratio": "9:16",
  "video_model": "veo3_fast",
  "segments": [
    {"index": 0, "status": "completed", "keyframe_url": "https://cdn.u-gen.ai/k0.png",
     "video_url": "https://cdn.u-gen.ai/s0.mp4", "qai_score": 0.92},
    {"index": 1, "status": "processing", "keyframe_url": "https://cdn.u-gen.ai/k1.png", "video_url": null},
    {"index": 2, "status": "lip_sync_pending", "future_flag": true}
  ],
  "credits_reserved": 30,
  "created_at": "2025-01-15T10:30:00Z",
  "tenant_id": "t-42",
  "pipeline": {"version": 7, "region": "eu"}
})";

}  // namespace

TEST_CASE("ugen create request: the docs' curl body reads and writes back unchanged") {
  const auto req = read_ok<ugen::create_job_request>(create_example);
  CHECK(req.product_name == "Premium Wireless Headphones");
  CHECK(req.segment_count == 3);
  REQUIRE(req.script_tone);
  CHECK(*req.script_tone == ugen::script_tone::enthusiastic);
  REQUIRE(req.video_model);
  CHECK(req.video_model->is(ugen::video_model::veo3_fast));
  CHECK_FALSE(req.aspect_ratio.has_value());
  CHECK(req.qai_enabled == true);
  // Members are in the docs' table order, so the output differs from the example only in order.
  CHECK(write_ok(req) ==
        R"({"product_name":"Premium Wireless Headphones","product_image_url":"https://example.com/headphones.jpg",)"
        R"("segment_count":3,"interaction_mode":"holdable","script_tone":"enthusiastic","music_mood":"upbeat",)"
        R"("video_model":"veo3_fast","qai_enabled":true})");
}

TEST_CASE("ugen create request: only the parameters the caller set are sent") {
  const ugen::create_job_request req{.product_name = "Headphones",
                                     .product_image_url = "https://example.com/h.jpg",
                                     .segment_count = 2};
  CHECK(write_ok(req) ==
        R"({"product_name":"Headphones","product_image_url":"https://example.com/h.jpg","segment_count":2})");
}

TEST_CASE("ugen create request: every parameter writes its documented wire name and value") {
  ugen::create_job_request req{.product_name = "P", .product_image_url = "https://e.com/p.jpg", .segment_count = 4};
  req.video_resolution = ugen::video_resolution::standard;
  req.aspect_ratio = ugen::aspect_ratio::r1_1;
  req.segment_duration = 5;
  req.interaction_mode = ugen::interaction_mode::holdable;
  req.environment_description = "kitchen";
  req.key_selling_points = std::vector<std::string>{"long battery", "ANC"};
  req.cta_text = "Buy now";
  req.custom_script = "Hi";
  req.script_structure = ugen::script_structure::standard_5phase;
  req.script_tone = ugen::script_tone::conversational;
  req.caption_style = ugen::caption_style::tiktok_karaoke;
  req.custom_caption_options = read_ok<json::value>(R"({"font":"Inter","size":42})");
  req.music_mood = "calm";
  req.music_volume = 0.15;
  req.custom_music_id = "m-1";
  req.voice_settings = read_ok<json::value>(R"({"stability":0.5})");
  req.qai_mode = ugen::qai_mode::lenient;
  req.human_review_max_rejections = 0;
  req.human_review_budget = ugen::human_review_budget::accept_best;
  req.stop_at_stage = ugen::pipeline_stage::generation;
  req.idempotency_key = "k-1";
  req.video_model = open_enum<ugen::video_model>{std::string_view{"kling_v2_1"}};  // not in the docs: sent verbatim
  req.persona_id = "p-9";
  req.captions_enabled = true;
  req.music_enabled = false;
  req.elevenlabs_voice_id = "v-3";
  req.qai_enabled = true;
  req.human_review = ugen::human_review_mode::off;
  req.failure_behavior = ugen::failure_behavior::accept_best;
  req.max_retries_keyframe = 1;
  req.max_retries_video = 0;
  req.webhook_url = "https://hooks.example.com/u";
  const std::string out = write_ok(req);
  CHECK(out ==
        R"({"product_name":"P","product_image_url":"https://e.com/p.jpg","segment_count":4,)"
        R"("video_resolution":"standard","aspect_ratio":"1:1","segment_duration":5,"interaction_mode":"holdable",)"
        R"("environment_description":"kitchen","key_selling_points":["long battery","ANC"],"cta_text":"Buy now",)"
        R"("custom_script":"Hi","script_structure":"standard_5phase","script_tone":"conversational",)"
        R"("caption_style":"tiktok_karaoke","custom_caption_options":{"font":"Inter","size":42},"music_mood":"calm",)"
        R"("music_volume":0.15,"custom_music_id":"m-1","voice_settings":{"stability":0.5},"qai_mode":"lenient",)"
        R"("human_review_max_rejections":0,"human_review_budget":"accept_best","stop_at_stage":"generation",)"
        R"("idempotency_key":"k-1","video_model":"kling_v2_1","persona_id":"p-9","captions_enabled":true,)"
        R"("music_enabled":false,"elevenlabs_voice_id":"v-3","qai_enabled":true,"human_review":"off",)"
        R"("failure_behavior":"accept_best","max_retries_keyframe":1,"max_retries_video":0,)"
        R"("webhook_url":"https://hooks.example.com/u"})");
  // And it reads back to the same text (the sandbox reads requests with the same schema).
  CHECK(round_trip<ugen::create_job_request>(out) == out);
}

TEST_CASE("ugen aspect ratios use the documented wire strings both ways") {
  for (auto [ratio, wire] : {std::pair{ugen::aspect_ratio::r9_16, "\"9:16\""},
                             std::pair{ugen::aspect_ratio::r16_9, "\"16:9\""},
                             std::pair{ugen::aspect_ratio::r1_1, "\"1:1\""}}) {
    CHECK(write_ok(ratio) == wire);
    CHECK(read_ok<ugen::aspect_ratio>(wire) == ratio);
  }
}

TEST_CASE("ugen create request: documented defaults are applied by value_or, not sent") {
  const auto req = read_ok<ugen::create_job_request>(
      R"({"product_name":"P","product_image_url":"https://e.com/p.jpg","segment_count":1})");
  CHECK(req.segment_duration.value_or(ugen::defaults::segment_duration) == 8);
  CHECK(req.music_volume.value_or(ugen::defaults::music_volume) == 0.15);
  CHECK(req.max_retries_keyframe.value_or(ugen::defaults::max_retries_keyframe) == 1);
  CHECK(req.max_retries_video.value_or(ugen::defaults::max_retries_video) == 0);
  CHECK(req.aspect_ratio.value_or(ugen::defaults::aspect_ratio) == ugen::aspect_ratio::r9_16);
  CHECK(req.video_model.value_or(ugen::defaults::video_model).name() == "veo3_fast");
  CHECK(req.human_review.value_or(ugen::defaults::human_review).name() == "off");
  CHECK(req.captions_enabled.value_or(ugen::defaults::captions_enabled));
}

TEST_CASE("ugen create request: a missing required parameter is a decode error naming it") {
  const auto err = read_error<ugen::create_job_request>(
      R"({"product_name":"P","segment_count":1})");
  CHECK(err.json_path() == "$");
  CHECK(err.detail().find("'product_image_url'") != std::string_view::npos);
}

TEST_CASE("ugen suggest-fields request and response") {
  const auto req = read_ok<ugen::suggest_fields_request>(
      R"({"product_name": "Wireless Headphones", "product_image_url": "https://example.com/headphones.jpg"})");
  CHECK(write_ok(req) ==
        R"({"product_name":"Wireless Headphones","product_image_url":"https://example.com/headphones.jpg"})");
  const std::string body =
      R"({"key_selling_points":["40h battery","ANC"],"cta_text":"Tap to shop","environment_description":"desk",)"
      R"("custom_script":"Meet your new headphones.","model":"vision-2"})";
  const auto res = read_ok<ugen::suggest_fields_response>(body);
  REQUIRE(res.key_selling_points);
  CHECK(res.key_selling_points->size() == 2);
  CHECK(res.cta_text == "Tap to shop");
  CHECK(write_ok(res) == body);  // the unknown "model" key is kept, after the known ones
}

TEST_CASE("ugen retry request: the docs' body, and an empty one") {
  const auto req = read_ok<ugen::retry_request>(R"({"restart_from_stage": "generation"})");
  REQUIRE(req.restart_from_stage);
  CHECK(req.restart_from_stage->is(ugen::pipeline_stage::generation));
  CHECK(write_ok(req) == R"({"restart_from_stage":"generation"})");
  CHECK(write_ok(ugen::retry_request{}) == "{}");
}

TEST_CASE("ugen job: a full response reads, keeps unknown keys and values, and writes back") {
  const auto j = read_ok<ugen::job>(job_example);
  CHECK(j.get_id() == "0b7f6a1e-4c1d-4f57-9a51-0c8e3b1d2a77");
  CHECK(j.status == ugen::job_status::processing);
  CHECK(j.progress_percent == 33.3);
  REQUIRE(j.current_stage);
  CHECK(j.current_stage->is(ugen::pipeline_stage::generation));
  REQUIRE(j.segments);
  REQUIRE(j.segments->size() == 3);
  CHECK((*j.segments)[0].qai_score == 0.92);
  CHECK_FALSE((*j.segments)[1].video_url.has_value());  // null reads as absent
  const auto& unknown = (*j.segments)[2].status;
  REQUIRE(unknown);
  CHECK(unknown->is_unknown());
  CHECK(unknown->name() == "lip_sync_pending");
  CHECK(j.created_at.has_value());
  CHECK(j.credits_reserved == 30.0);
  // Written back: known members in declaration order, then the unknown keys as received; the
  // unknown enum value verbatim; null optionals omitted; credits are doubles, written with ".0".
  const std::string out = write_ok(j);
  CHECK(out ==
        R"({"id":"0b7f6a1e-4c1d-4f57-9a51-0c8e3b1d2a77","status":"processing","progress_percent":33.3,)"
        R"("current_stage":"generation","product_name":"Premium Wireless Headphones","segment_count":3,)"
        R"("aspect_ratio":"9:16","video_model":"veo3_fast","segments":[)"
        R"({"index":0,"status":"completed","keyframe_url":"https://cdn.u-gen.ai/k0.png",)"
        R"("video_url":"https://cdn.u-gen.ai/s0.mp4","qai_score":0.92},)"
        R"({"index":1,"status":"processing","keyframe_url":"https://cdn.u-gen.ai/k1.png"},)"
        R"({"index":2,"status":"lip_sync_pending","future_flag":true}],)"
        R"("credits_reserved":30.0,"created_at":"2025-01-15T10:30:00Z",)"
        R"("tenant_id":"t-42","pipeline":{"version":7,"region":"eu"}})");
  CHECK(round_trip<ugen::job>(out) == out);
}

TEST_CASE("ugen job: the id is accepted under id, job_id or uuid") {
  CHECK(read_ok<ugen::job>(R"({"id":"a","status":"pending"})").get_id() == "a");
  CHECK(read_ok<ugen::job>(R"({"job_id":"b","status":"pending"})").get_id() == "b");
  CHECK(read_ok<ugen::job>(R"({"uuid":"c","status":"pending"})").get_id() == "c");
  CHECK(read_ok<ugen::job>(R"({"status":"pending"})").get_id().empty());
}

TEST_CASE("ugen job: an unknown status and stage are kept, not errors") {
  const auto j = read_ok<ugen::job>(R"({"id":"a","status":"awaiting_review","current_stage":"human_review"})");
  CHECK(j.status.is_unknown());
  CHECK(j.status.name() == "awaiting_review");
  CHECK(j.current_stage->name() == "human_review");
  CHECK(write_ok(j) == R"({"id":"a","status":"awaiting_review","current_stage":"human_review"})");
}

TEST_CASE("ugen job: null is accepted wherever a value may be absent") {
  const auto j = read_ok<ugen::job>(
      R"({"id":"a","status":"completed","progress_percent":null,"current_stage":null,"segments":null,)"
      R"("outputs":{"video_url":"https://cdn.u-gen.ai/final.mp4","thumbnail_url":null},"error":null,"completed_at":null})");
  CHECK_FALSE(j.progress_percent);
  CHECK_FALSE(j.current_stage);
  CHECK_FALSE(j.segments);
  REQUIRE(j.outputs);
  CHECK(j.outputs->video_url == "https://cdn.u-gen.ai/final.mp4");
  CHECK_FALSE(j.error);
  CHECK(write_ok(j) == R"({"id":"a","status":"completed","outputs":{"video_url":"https://cdn.u-gen.ai/final.mp4"}})");
}

TEST_CASE("ugen job: decode errors name the path") {
  SUBCASE("missing status") {
    const auto err = read_error<ugen::job>(R"({"id":"a"})");
    CHECK(err.message().find("status") != std::string::npos);
  }
  SUBCASE("wrong type deep inside") {
    const auto err = read_error<ugen::job>(
        R"({"id":"a","status":"processing","segments":[{"index":0},{"index":"one"}]})");
    CHECK(err.json_path() == "$.segments[1].index");
  }
}

TEST_CASE("ugen job list: a bare array and every object form are accepted") {
  SUBCASE("bare array") {
    const auto l = read_ok<ugen::job_list>(R"([{"id":"a","status":"completed"},{"id":"b","status":"failed"}])");
    REQUIRE(ugen::list_items(l).size() == 2);
    CHECK(ugen::list_items(l)[1].status == ugen::job_status::failed);
    CHECK(write_ok(l) == R"([{"id":"a","status":"completed"},{"id":"b","status":"failed"}])");
  }
  for (const char* key : {"jobs", "data", "items"}) {
    CAPTURE(key);
    const std::string body = std::string{R"({")"} + key +
                             R"(":[{"job_id":"a","status":"completed"}],"page":1,"page_size":10,"total":31,"next":"/api/v1/jobs?page=2"})";
    const auto l = read_ok<ugen::job_list>(body);
    REQUIRE(std::holds_alternative<ugen::job_list_page>(l));
    const auto& page = std::get<ugen::job_list_page>(l);
    CHECK(page.total == 31);
    CHECK(page.page_size == 10);
    REQUIRE(ugen::list_items(l).size() == 1);
    CHECK(ugen::list_items(l)[0].get_id() == "a");
    CHECK(write_ok(l) == body);
  }
  CHECK(ugen::list_items(read_ok<ugen::job_list>(R"({"total":0})")).empty());
}

TEST_CASE("ugen list query writes only what was set") {
  CHECK(write_ok(ugen::list_jobs_query{.status = ugen::job_status::completed, .page = 1, .page_size = 10}) ==
        R"({"status":"completed","page":1,"page_size":10})");
  CHECK(write_ok(ugen::list_jobs_query{}) == "{}");
}

TEST_CASE("ugen keyframes and videos: array or object, QAI scores kept") {
  const auto k = read_ok<ugen::keyframe_list>(
      R"({"keyframes":[{"id":"k1","segment_index":0,"status":"completed","image_url":"https://cdn/k1.png",)"
      R"("qai_score":0.81,"qai_passed":true,"attempt":2,"created_at":"2025-01-15T10:31:02.250Z","qai_notes":"hand ok"}]})");
  REQUIRE(ugen::list_items(k).size() == 1);
  const auto& kf = ugen::list_items(k)[0];
  CHECK(kf.qai_score == 0.81);
  CHECK(kf.qai_passed == true);
  CHECK(write_ok(kf) ==
        R"({"id":"k1","segment_index":0,"status":"completed","image_url":"https://cdn/k1.png","qai_score":0.81,)"
        R"("qai_passed":true,"attempt":2,"created_at":"2025-01-15T10:31:02.25Z","qai_notes":"hand ok"})");

  const auto v = read_ok<ugen::video_list>(
      R"([{"id":"v1","segment_index":0,"status":"completed","video_url":"https://cdn/v1.mp4","duration_seconds":8}])");
  REQUIRE(ugen::list_items(v).size() == 1);
  CHECK(ugen::list_items(v)[0].duration_seconds == 8.0);
  CHECK(write_ok(v) ==
        R"([{"id":"v1","segment_index":0,"status":"completed","video_url":"https://cdn/v1.mp4","duration_seconds":8.0}])");
  const std::string body2 = R"({"videos":[{"id":"v1","qai_score":0.5,"attempt":1}],"count":1})";
  const auto v2 = read_ok<ugen::video_list>(body2);
  CHECK(ugen::list_items(v2)[0].id == "v1");
  CHECK(write_ok(v2) == body2);
}
