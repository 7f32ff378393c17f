// TechForgeInnovate schemas: both create answers, values as object or [], signed paths, tolerant polls.
#include <mediajobs/techforge/schema.hpp>

#include "schemas/support.hpp"

#include <chrono>
#include <string>

using namespace mediajobs;
using schema_test::minify;
using schema_test::read_error;
using schema_test::read_ok;
using schema_test::round_trip;
using schema_test::write_ok;

namespace {

// The "Example request" body of the Create Job page, verbatim.
constexpr std::string_view create_example = R"({
    "template_id": "468ea7a0-66e1-4357-a760-236e54167f3e",
    "job_type": "ai_talking_video",
    "version": 2,
    "session_id": "fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c",
    "values": {
      "headline": "Launch in minutes",
      "voiceover": {
        "audio_url": "https://cdn.example.com/audio/launch.mp3"
      },
      "avatar": {
        "image_url": "https://cdn.example.com/images/avatar.png"
      }
    }
  })";

// The overview page's v6 talking-video body, verbatim (note `"values": []`).
constexpr std::string_view overview_example = R"({
	"image_url": "https://cdn.example.com/image.png",
	"audio_url": "https://cdn.example.com/audio.mp3",
	"is_clone_required": false,
	"language": "en",
	"version": 6,
	"job_type": "ai_talking_video",
	"project_id": "468ea7a0-66e1-4357-a760-236e54167f3e",
	"output_size": 400,
	"crop": true,
	"dynamic_scale": 1,
	"iteration_count": 10,
	"expand_ratio": 0.5,
	"values": []
})";

// The Create Job page's example response (201), verbatim.
constexpr std::string_view response_201_example = R"({
  "message": "Job update accepted and processing.",
  "job": {
    "uuid": "15a6331b-3837-4ae8-8fa7-d3ead3388d77",
    "user_id": "c95a2ab1-7c10-4a03-9d25-55f905d2b6f0",
    "template_id": "468ea7a0-66e1-4357-a760-236e54167f3e",
    "input": {
      "template_id": "468ea7a0-66e1-4357-a760-236e54167f3e",
      "job_type": "ai_talking_video",
      "version": 2,
      "session_id": "fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c",
      "values": {
        "headline": "Launch in minutes"
      }
    },
    "values": {
      "headline": "Launch in minutes"
    },
    "job_status": "QUEUED",
    "job_type": "ai_talking_video",
    "credit_used": "0"
  }
})";

}  // namespace

TEST_CASE("techforge create request: the docs' example reads with typed value entries") {
  const auto req = read_ok<techforge::create_request>(create_example);
  CHECK(req.job_type == techforge::job_type::ai_talking_video);
  CHECK(req.version == 2);
  REQUIRE(req.values);
  const auto* map = std::get_if<techforge::values_map>(&*req.values);
  REQUIRE(map != nullptr);
  REQUIRE(map->size() == 3);
  CHECK(std::get<std::string>(map->at("headline")) == "Launch in minutes");
  CHECK(std::get<techforge::audio_asset>(map->at("voiceover")).audio_url == "https://cdn.example.com/audio/launch.mp3");
  CHECK(std::get<techforge::image_asset>(map->at("avatar")).image_url == "https://cdn.example.com/images/avatar.png");
  CHECK(req.extra.empty());
  // Written in declaration order; the map's keys sorted.
  CHECK(write_ok(req) ==
        R"({"job_type":"ai_talking_video","template_id":"468ea7a0-66e1-4357-a760-236e54167f3e",)"
        R"("values":{"avatar":{"image_url":"https://cdn.example.com/images/avatar.png"},"headline":"Launch in minutes",)"
        R"("voiceover":{"audio_url":"https://cdn.example.com/audio/launch.mp3"}},"version":2,)"
        R"("session_id":"fb8f8b96-cfef-4bf7-a819-a46d2afb4d1c"})");
}

TEST_CASE("techforge create request: the overview's v6 body with values [] round-trips") {
  const auto req = read_ok<techforge::create_request>(overview_example);
  REQUIRE(req.values);
  REQUIRE(std::holds_alternative<std::vector<json::value>>(*req.values));
  CHECK(std::get<std::vector<json::value>>(*req.values).empty());
  CHECK(req.output_size == 400);
  CHECK(req.expand_ratio == 0.5);
  CHECK(req.is_clone_required == false);
  // dynamic_scale is a double (a scale factor): the writer marks an integral double with ".0".
  CHECK(write_ok(req) ==
        R"({"job_type":"ai_talking_video","project_id":"468ea7a0-66e1-4357-a760-236e54167f3e","values":[],)"
        R"("version":6,"image_url":"https://cdn.example.com/image.png","audio_url":"https://cdn.example.com/audio.mp3",)"
        R"("is_clone_required":false,"language":"en","output_size":400,"crop":true,"dynamic_scale":1.0,)"
        R"("iteration_count":10,"expand_ratio":0.5})");
}

TEST_CASE("techforge create request: background audio, asset effects and additional fields") {
  const std::string body =
      R"({"job_type":"video","template_id":"t-1","values":{"music":{"audio_url":"https://cdn/a.mp3",)"
      R"("effects":[{"type":"fade_in","duration":1.5}]},"slot":{"kind":"lottie","src":"https://cdn/x.json"}},)"
      R"("version":2,"background_music":"https://cdn/bg.mp3","background_volume":0.3,"background_start":2.5,)"
      R"("render_quality":"high","watermark":{"enabled":false}})";
  const auto req = read_ok<techforge::create_request>(body);
  CHECK(req.background_volume == 0.3);
  CHECK(req.background_start == 2.5);
  const auto& map = std::get<techforge::values_map>(*req.values);
  const auto& music = std::get<techforge::audio_asset>(map.at("music"));
  REQUIRE(music.effects);
  CHECK(music.effects->size() == 1);
  CHECK(std::holds_alternative<techforge::other_asset>(map.at("slot")));  // neither image nor audio: kept
  CHECK(req.extra.size() == 2);
  CHECK(write_ok(req) == body);  // additional fields written after the known ones
}

TEST_CASE("techforge job types write the documented strings; an unknown one is kept") {
  for (const char* t : {"ai_talking_video", "video", "tts", "image", "photo_qc", "pdf", "ai_image_generation"}) {
    CAPTURE(t);
    const std::string body = std::string{R"({"job_type":")"} + t + R"("})";
    const auto req = read_ok<techforge::create_request>(body);
    CHECK_FALSE(req.job_type.is_unknown());
    CHECK(write_ok(req) == body);
  }
  const auto req = read_ok<techforge::create_request>(R"({"job_type":"ai_music"})");
  CHECK(req.job_type.is_unknown());
  CHECK(req.job_type.name() == "ai_music");
  CHECK(read_error<techforge::create_request>(R"({"template_id":"t"})").message().find("job_type") !=
        std::string::npos);
  // Not set: empty, never a silent default.
  const techforge::create_request unset{.template_id = "t"};
  CHECK(unset.job_type.is_unknown());
  CHECK(unset.job_type.name().empty());
}

TEST_CASE("techforge 201 create response: the docs' example verbatim") {
  const auto r = read_ok<techforge::create_response>(response_201_example);
  REQUIRE(std::holds_alternative<techforge::create_response_201>(r));
  const auto& a = std::get<techforge::create_response_201>(r);
  CHECK(a.message == "Job update accepted and processing.");
  CHECK(a.job.uuid == "15a6331b-3837-4ae8-8fa7-d3ead3388d77");
  CHECK(a.job.job_status->is(techforge::job_status::queued));
  CHECK(a.job.job_type->is(techforge::job_type::ai_talking_video));
  REQUIRE(a.job.credit_used);
  CHECK(std::get<std::string>(*a.job.credit_used) == "0");  // a string on the wire
  CHECK(a.job.credits_used() == 0.0);
  REQUIRE(a.job.input);
  // The job's members are in the docs' order, so the record writes back exactly.
  CHECK(write_ok(r) == minify(response_201_example));

  const auto n = techforge::normalize(r);
  CHECK(n.job_id == "15a6331b-3837-4ae8-8fa7-d3ead3388d77");
  CHECK(n.status == techforge::job_status::queued);
  CHECK(n.message == "Job update accepted and processing.");
  CHECK(n.job.has_value());
}

TEST_CASE("techforge 202 create response: {jobId, status}") {
  const std::string body = R"({"jobId":"5b0e6f0c-1a0b-4d0e-9c55-3e1a2b3c4d5e","status":"queued"})";
  const auto r = read_ok<techforge::create_response>(body);
  REQUIRE(std::holds_alternative<techforge::create_response_202>(r));
  CHECK(std::get<techforge::create_response_202>(r).job_id == "5b0e6f0c-1a0b-4d0e-9c55-3e1a2b3c4d5e");
  CHECK(write_ok(r) == body);
  const auto n = techforge::normalize(r);
  CHECK(n.job_id == "5b0e6f0c-1a0b-4d0e-9c55-3e1a2b3c4d5e");
  CHECK(n.status == techforge::job_status::queued);  // "queued" mapped despite the case
  CHECK_FALSE(n.job.has_value());
}

TEST_CASE("techforge create response: neither form is a decode error") {
  read_error<techforge::create_response>(R"({"message":"ok"})");
  read_error<techforge::create_response>(R"({"jobId":"x"})");
}

TEST_CASE("techforge job status: upper case on the wire, either case accepted") {
  CHECK(write_ok(techforge::job_status::processing) == "\"PROCESSING\"");
  CHECK(techforge::parse_status("COMPLETED") == techforge::job_status::completed);
  CHECK(techforge::parse_status("failed") == techforge::job_status::failed);
  CHECK(techforge::parse_status("Paused").is_unknown());
  CHECK(techforge::parse_status("Paused").name() == "Paused");
}

TEST_CASE("techforge polled job: flat or wrapped, id and status under several keys") {
  SUBCASE("wrapped like the create answer") {
    const auto r = read_ok<techforge::jobs_get_response>(
        R"({"job":{"uuid":"u1","job_status":"COMPLETED","output_path":"ai-talking-videos/p1/outputs/u1.mp4","credit_used":"12"}})");
    const auto& j = techforge::job_of(r);
    CHECK(j.get_id() == "u1");
    CHECK(j.get_status() == techforge::job_status::completed);
    CHECK(j.output_path == "ai-talking-videos/p1/outputs/u1.mp4");
    CHECK(j.credits_used() == 12.0);
  }
  SUBCASE("flat, lower-case status, numeric credits, unknown keys") {
    const std::string body = R"({"id":"u2","status":"processing","credit_used":3,"progress":45,"eta_seconds":30})";
    const auto r = read_ok<techforge::jobs_get_response>(body);
    REQUIRE(std::holds_alternative<techforge::job>(r));
    const auto& j = techforge::job_of(r);
    CHECK(j.get_id() == "u2");
    CHECK(j.get_status() == techforge::job_status::processing);
    CHECK(j.credits_used() == 3.0);
    CHECK(j.extra.size() == 2);
    CHECK(write_ok(r) == R"({"id":"u2","status":"processing","credit_used":3.0,"progress":45,"eta_seconds":30})");
  }
  SUBCASE("values echoed as [] and an error object") {
    const auto j = read_ok<techforge::job>(
        R"({"uuid":"u4","job_status":"FAILED","values":[],"error":{"message":"face not found"}})");
    REQUIRE(j.values);
    CHECK(std::holds_alternative<std::vector<json::value>>(*j.values));
    CHECK(j.get_status() == techforge::job_status::failed);
    REQUIRE(j.error);
    CHECK((*j.error)["message"].as_string() == "face not found");
  }
  SUBCASE("an unknown state is kept") {
    const auto j = read_ok<techforge::job>(R"({"job_id":"u3","job_status":"RETRYING"})");
    CHECK(j.get_id() == "u3");
    CHECK(j.get_status()->is_unknown());
    CHECK(j.get_status()->name() == "RETRYING");
  }
}

TEST_CASE("techforge signed path: camelCase on the wire, snake_case members") {
  const std::string body = R"({ "signedUrl": "https://storage.techforgeinnovate.com/o/x.mp4?sig=abc", "expiresAt": "2024-12-01T12:00:00Z" })";
  const auto s = read_ok<techforge::signed_path>(body);
  CHECK(s.signed_url == "https://storage.techforgeinnovate.com/o/x.mp4?sig=abc");
  REQUIRE(s.expires_at);
  using namespace std::chrono;
  CHECK(*s.expires_at == sys_days{year{2024} / December / 1} + 12h);
  CHECK(write_ok(s) == minify(body));
  const auto err = read_error<techforge::signed_path>(R"({"expiresAt":"2024-12-01T12:00:00Z"})");
  CHECK(err.json_path() == "$");
  CHECK(err.detail().find("'signedUrl'") != std::string_view::npos);  // the wire name, not the member's
  CHECK(write_ok(techforge::signed_path_query{.path = "ai-talking-videos/p/outputs/f.mp4"}) ==
        R"({"path":"ai-talking-videos/p/outputs/f.mp4"})");
}

TEST_CASE("techforge active projects and mapping fields: array or object") {
  const auto p = read_ok<techforge::project_list>(
      R"({"projects":[{"id":"468ea7a0-66e1-4357-a760-236e54167f3e","name":"Launch promo","job_type":"ai_talking_video",)"
      R"("version":2,"status":"active"}],"count":1})");
  REQUIRE(techforge::list_items(p).size() == 1);
  const auto& proj = techforge::list_items(p)[0];
  CHECK(proj.get_id() == "468ea7a0-66e1-4357-a760-236e54167f3e");
  CHECK(proj.job_type->is(techforge::job_type::ai_talking_video));
  CHECK(proj.extra.size() == 1);
  CHECK(write_ok(p) ==
        R"({"projects":[{"id":"468ea7a0-66e1-4357-a760-236e54167f3e","name":"Launch promo","job_type":"ai_talking_video",)"
        R"("version":2,"status":"active"}],"count":1})");
  CHECK(techforge::list_items(read_ok<techforge::project_list>(R"([{"uuid":"a"},{"uuid":"b"}])")).size() == 2);

  const std::string fields =
      R"([{"key":"headline","label":"Headline","type":"text","required":true,"max_length":60},)"
      R"({"key":"avatar","type":"image","required":false,"default_value":null}])";
  const auto f = read_ok<techforge::mapping_field_list>(fields);
  REQUIRE(techforge::list_items(f).size() == 2);
  CHECK(techforge::list_items(f)[0].required == true);
  CHECK(techforge::list_items(f)[1].type == "image");
  CHECK(write_ok(f) ==
        R"([{"key":"headline","label":"Headline","type":"text","required":true,"max_length":60},)"
        R"({"key":"avatar","type":"image","required":false}])");
  CHECK(techforge::list_items(read_ok<techforge::mapping_field_list>(R"({"fields":[{"key":"k"}]})")).size() == 1);
}
