// The benchmark payloads: realistic, compact JSON as the services would send it.
#include "bench.hpp"

#include <string>

namespace bench {
namespace {

std::string ugen_job_text(int n, const char* status, const char* stage) {
  const std::string id = "0b7f6a1e-4c1d-4f57-9a51-" + std::to_string(100000000000 + n);
  std::string s;
  s += R"({"id":")" + id + R"(","status":")" + status + R"(","progress_percent":)" + std::to_string(20 + n % 80) +
       R"(.5,"current_stage":")" + stage +
       R"(","product_name":"Premium Wireless Headphones","product_image_url":"https://example.com/headphones.jpg",)"
       R"("segment_count":5,"segment_duration":8,"aspect_ratio":"9:16","video_model":"veo3_fast",)"
       R"("persona_id":"persona_7c2d","idempotency_key":"order-)" +
       std::to_string(n) + R"(","segments":[)";
  static const char* const seg_status[] = {"completed", "completed", "completed", "processing", "pending"};
  static const char* const lines[] = {
      R"(Okay, I need to talk about these headphones \u2014 40 hours of battery, no joke.)",
      R"(The noise cancelling? It turns a busy caf\u00e9 into a library.)",
      R"(They fold flat, weigh almost nothing, and the case fits in my \"tiny\" bag.)",
      R"(Pairing took two seconds with my phone and my laptop at the same time.)",
      R"(Tap the link, grab yours today \u2014 they are 30% off this week only!)"};
  for (int i = 0; i < 5; ++i) {
    if (i) s += ',';
    s += R"({"index":)" + std::to_string(i) + R"(,"status":")" + seg_status[i] + R"(","script":")" + lines[i] +
         R"(","duration_seconds":8,"keyframe_url":"https://cdn.u-gen.ai/jobs/)" + id + "/keyframes/" +
         std::to_string(i) + R"(.png")";
    if (i < 3) {
      s += R"(,"video_url":"https://cdn.u-gen.ai/jobs/)" + id + "/segments/" + std::to_string(i) +
           R"(.mp4","qai_score":0.)" + std::to_string(81 + i * 6);
    }
    s += R"(,"retries":)" + std::to_string(i % 2) + "}";
  }
  s += R"(],"outputs":{"video_url":"https://cdn.u-gen.ai/jobs/)" + id + R"(/final.mp4","thumbnail_url":"https://cdn.u-gen.ai/jobs/)" +
       id + R"(/thumb.jpg","captions_url":"https://cdn.u-gen.ai/jobs/)" + id +
       R"(/captions.srt"},"credits_reserved":50,"credits_used":30,)"
       R"("created_at":"2025-01-15T10:30:00Z","updated_at":"2025-01-15T10:34:12.482Z"})";
  return s;
}

std::string style_detail_text() {
  std::string s =
      R"({"job_id":"job_8f14e45f","video_id":"vid_c9f0f895","status":"completed","progress_percent":100,)"
      R"("current_stage":null,"created_at":"2025-03-02T09:15:00Z","updated_at":"2025-03-02T09:17:41.5Z",)"
      R"("started_at":"2025-03-02T09:15:03Z","completed_at":"2025-03-02T09:17:41.5Z","template_video_id":"vid_45c48cce",)"
      R"("style_json":{"version":"1.2","source":{"width":1080,"height":1920,"fps":29.97,"duration":31.5},)"
      R"("color":{"palette":["#1a1a2e","#16213e","#0f3460","#e94560","#f5f5f5"],"contrast":1.15,"saturation":0.92,)"
      R"("temperature":-0.08,"lut":null,"grading":{"shadows":[0.02,0.01,0.05],"midtones":[0.0,0.0,0.0],"highlights":[0.04,0.03,-0.02]}},)"
      R"("motion":{"cuts_per_minute":18.5,"average_shot_seconds":3.24,"camera":[)";
  static const char* const moves[] = {"dolly_in", "pan_left", "static", "whip_pan", "tilt_up", "zoom_out"};
  for (int i = 0; i < 24; ++i) {
    if (i) s += ',';
    s += R"({"t":)" + std::to_string(i * 1.3).substr(0, 5) + R"(,"move":")" + moves[i % 6] +
         R"(","intensity":0.)" + std::to_string(30 + i * 2) + R"(,"easing":"ease_in_out"})";
  }
  s += R"(]},"audio":{"bpm":122,"beat_sync":true,"key":"A minor","loudness_lufs":-14.2,"beats":[)";
  for (int i = 0; i < 40; ++i) {
    if (i) s += ',';
    s += std::to_string(i * 0.4918).substr(0, 6);
  }
  s += R"(]},"typography":{"font_family":"Inter","weights":[400,700],"caption_position":"lower_third",)"
       R"("animation":"pop"},"transitions":[{"type":"crossfade","frames":6},{"type":"glitch","frames":4}]},)"
       R"("output_video_url":"https://cdn.style.example/out/job_8f14e45f.mp4","error":null,"processing_time_seconds":158.4})";
  return s;
}

std::string ugen_list_text() {
  static const char* const statuses[] = {"completed", "processing", "failed", "pending", "paused"};
  static const char* const stages[] = {"assembly", "generation", "keyframes", "script", "captions"};
  std::string s = R"({"jobs":[)";
  for (int i = 0; i < 100; ++i) {
    if (i) s += ',';
    s += ugen_job_text(i, statuses[i % 5], stages[i % 5]);
  }
  s += R"(],"page":1,"page_size":100,"total":1342,"total_pages":14,"has_more":true})";
  return s;
}

// The Create Job page's 201 example response, compact.
constexpr const char* tfi_201 =
    R"({"message":"Job update accepted and processing.","job":{"uuid":"15a6331b-3837-4ae8-8fa7-d3ead3388d77",)"
    R"("user_id":"c95a2ab1-7c10-4a03-9d25-55f905d2b6f0","template_id":"468ea7a0-66e1-4357-a760-236e54167f3e",)"
    R"("input":{"template_id":"468ea7a0-66e1-4357-a760-236e54167f3e","job_type":"ai_talking_video","version":2,)"
    R"("session_id":"fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c","values":{"headline":"Launch in minutes"}},)"
    R"("values":{"headline":"Launch in minutes"},"job_status":"QUEUED","job_type":"ai_talking_video","credit_used":"0"}})";

}  // namespace

const std::string& text_of(dataset d) {
  static const std::string texts[] = {ugen_job_text(7, "processing", "generation"), style_detail_text(),
                                      ugen_list_text(), tfi_201};
  return texts[static_cast<int>(d)];
}

const char* name_of(dataset d) {
  switch (d) {
    case dataset::ugen_job: return "ugen job (5 segments)";
    case dataset::style_detail: return "style job detail";
    case dataset::ugen_list: return "ugen list (100 jobs)";
    case dataset::tfi_create: return "tfi create 201";
  }
  return "?";
}

}  // namespace bench
