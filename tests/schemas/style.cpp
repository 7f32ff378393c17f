// Style engine schemas: documented job shapes, the envelope, webhooks, tolerant reading.
#include <mediajobs/style/schema.hpp>

#include "schemas/support.hpp"

#include <chrono>
#include <string>

using namespace mediajobs;
using schema_test::read_error;
using schema_test::read_ok;
using schema_test::round_trip;
using schema_test::write_ok;

namespace {

constexpr std::string_view detail_example =
    R"({"job_id":"job_8f14e45f","video_id":"vid_c9f0f895","status":"completed","progress_percent":100,)"
    R"("created_at":"2025-03-02T09:15:00Z","updated_at":"2025-03-02T09:17:41.5Z",)"
    R"("started_at":"2025-03-02T09:15:03Z","completed_at":"2025-03-02T09:17:41.5Z",)"
    R"("template_video_id":"vid_45c48cce",)"
    R"("style_json":{"version":"1.2","color":{"palette":["#1a1a2e","#e94560"],"contrast":1.15,"lut":null},)"
    R"("motion":{"cuts_per_minute":18.5,"camera":[{"t":0.0,"move":"dolly_in"},{"t":2.4,"move":"pan_left"}]},)"
    R"("audio":{"bpm":122,"beat_sync":true}},)"
    R"("output_video_url":"https://cdn.style.example/out/job_8f14e45f.mp4","processing_time_seconds":158.4})";

}  // namespace

TEST_CASE("style create request: video id required, config kept as an object") {
  const std::string body =
      R"({"video_id":"vid_c9f0f895","template_video_id":"vid_45c48cce",)"
      R"("config":{"intensity":0.8,"preserve_audio":true,"stages":["color","motion"]},)"
      R"("webhook_url":"https://hooks.example.com/style"})";
  const auto req = read_ok<style::job_create_request>(body);
  CHECK(req.video_id == "vid_c9f0f895");
  CHECK(req.config.has_value());
  CHECK(write_ok(req) == body);
  CHECK(write_ok(style::job_create_request{.video_id = "v"}) == R"({"video_id":"v"})");
  const auto err = read_error<style::job_create_request>(R"({"template_video_id":"t"})");
  CHECK(err.message().find("video_id") != std::string::npos);
}

TEST_CASE("style job response: documented fields, timestamps and null stage") {
  const std::string body =
      R"({"job_id":"job_1","video_id":"vid_1","status":"queued","progress_percent":0,"current_stage":null,)"
      R"("created_at":"2025-03-02T09:15:00Z","updated_at":"2025-03-02T09:15:00Z","started_at":null,)"
      R"("completed_at":null,"template_video_id":null})";
  const auto j = read_ok<style::job_response>(body);
  CHECK(j.job_id == "job_1");
  CHECK(j.status == style::job_status::queued);
  CHECK_FALSE(j.current_stage);
  CHECK_FALSE(j.started_at);
  REQUIRE(j.created_at);
  using namespace std::chrono;
  CHECK(*j.created_at == sys_days{year{2025} / March / 2} + 9h + 15min);
  CHECK(write_ok(j) ==
        R"({"job_id":"job_1","video_id":"vid_1","status":"queued","progress_percent":0,)"
        R"("created_at":"2025-03-02T09:15:00Z","updated_at":"2025-03-02T09:15:00Z"})");
}

TEST_CASE("style job response: every documented stage, and an unknown one kept") {
  for (const char* stage : {"video_analysis", "audio_analysis", "motion_analysis", "style_extraction",
                            "style_application", "rendering"}) {
    CAPTURE(stage);
    const auto j = read_ok<style::job_response>(std::string{R"({"job_id":"j","status":"processing","current_stage":")"} +
                                                stage + R"("})");
    REQUIRE(j.current_stage);
    CHECK_FALSE(j.current_stage->is_unknown());
    CHECK(j.current_stage->name() == stage);
  }
  const std::string body = R"({"job_id":"j","status":"archived","current_stage":"upscaling","priority":"high"})";
  const auto j = read_ok<style::job_response>(body);
  CHECK(j.status.is_unknown());
  CHECK_FALSE(style::is_terminal(j.status));
  CHECK(j.current_stage->name() == "upscaling");
  CHECK(write_ok(j) == body);
}

TEST_CASE("style job response: job_id and status are required, with their path") {
  CHECK(read_error<style::job_response>(R"({"status":"queued"})").message().find("job_id") != std::string::npos);
  CHECK(read_error<style::job_response>(R"({"job_id":"j"})").message().find("status") != std::string::npos);
}

TEST_CASE("style job detail: nested style_json, output and timing round trip") {
  const auto d = read_ok<style::job_detail_response>(detail_example);
  CHECK(d.status == style::job_status::completed);
  CHECK(style::is_terminal(d.status));
  CHECK(d.processing_time_seconds == 158.4);
  CHECK(d.output_video_url == "https://cdn.style.example/out/job_8f14e45f.mp4");
  REQUIRE(d.style_json);
  CHECK_FALSE(d.error);
  REQUIRE(d.completed_at);
  CHECK(d.completed_at->time_since_epoch().count() % 1000000 == 500000);  // .5 s kept
  CHECK(write_ok(d) == detail_example);
}

TEST_CASE("style job detail: a failed job carries an error object; nulls are absent") {
  const auto d = read_ok<style::job_detail_response>(
      R"({"job_id":"j","status":"failed","style_json":null,"output_video_url":null,)"
      R"("error":{"code":"decode_failed","message":"unsupported codec"},"processing_time_seconds":null})");
  CHECK_FALSE(d.style_json);
  CHECK_FALSE(d.output_video_url);
  REQUIRE(d.error);
  CHECK(write_ok(d) == R"({"job_id":"j","status":"failed","error":{"code":"decode_failed","message":"unsupported codec"}})");
}

TEST_CASE("style webhook payload: the standard envelope with the detail as data") {
  const std::string body = std::string{R"({"success":true,"data":)"} + std::string{detail_example} +
                           R"(,"event":"job.completed"})";
  const auto p = read_ok<style::webhook_payload>(body);
  CHECK(p.success == true);
  CHECK(p.data.job_id == "job_8f14e45f");
  CHECK(write_ok(p) == body);
  const auto err = read_error<style::webhook_payload>(R"({"success":true,"data":{"job_id":"j"}})");
  CHECK(err.json_path() == "$.data");
  CHECK(err.detail().find("'status'") != std::string_view::npos);
}

TEST_CASE("style job list: enveloped page or bare array") {
  const std::string body =
      R"({"success":true,"data":{"items":[{"job_id":"a","status":"completed","progress_percent":100},)"
      R"({"job_id":"b","status":"processing","progress_percent":40,"current_stage":"rendering"}],)"
      R"("page":1,"page_size":20,"total":2}})";
  const auto l = read_ok<style::envelope<style::job_list>>(body);
  REQUIRE(style::list_items(l.data).size() == 2);
  CHECK(style::list_items(l.data)[1].current_stage->is(style::job_stage::rendering));
  CHECK(std::get<style::job_list_page>(l.data).total == 2);
  CHECK(write_ok(l) == body);
  const auto bare = read_ok<style::envelope<style::job_list>>(R"({"data":[{"job_id":"a","status":"queued"}]})");
  CHECK(style::list_items(bare.data).size() == 1);
}

TEST_CASE("style upload result carries the video id") {
  const std::string body =
      R"({"video_id":"vid_c9f0f895","filename":"source.mp4","content_type":"video/mp4","size_bytes":73400320,)"
      R"("duration_seconds":31.5,"checksum":"sha256:ab12"})";
  const auto u = read_ok<style::upload_result>(body);
  CHECK(u.video_id == "vid_c9f0f895");
  CHECK(u.size_bytes == 73400320);
  CHECK(write_ok(u) == body);
  CHECK(round_trip<style::envelope<style::upload_result>>(R"({"success":true,"data":{"video_id":"v"}})") ==
        R"({"success":true,"data":{"video_id":"v"}})");
}
