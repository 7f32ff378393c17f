// techforge::client end to end against sandbox::server over real sockets on 127.0.0.1: both
// create answer shapes, polling through QUEUED -> PROCESSING -> COMPLETED, signed-path downloads
// (and expired or tampered signatures), projects and mapping fields, typed errors, every fault
// mode, and a root-mounted server. The sandbox stats prove one job per create that reached the
// service, and no create repeated after its response was lost.
#include "support.hpp"

#include <mediajobs/techforge/client.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace e2e;
namespace tfi = mediajobs::techforge;

using clock_client = tfi::client<mediajobs::asio_transport, sandbox_clock_timer>;
using real_client = tfi::client<mediajobs::asio_transport>;

constexpr std::string_view talking_template = "468ea7a0-66e1-4357-a760-236e54167f3e";
constexpr std::string_view image_template = "5e8a1f2b-3c4d-4a5e-9f60-718293a4b5c6";
constexpr std::string_view image_prompt_project = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";

tfi::create_request talking_video(std::string headline = "Launch in minutes") {
  tfi::create_request r;
  r.job_type = tfi::job_type::ai_talking_video;
  r.template_id = std::string{talking_template};
  r.version = 2;
  r.values = tfi::values_map{{"headline", std::move(headline)},
                             {"avatar", tfi::image_asset{.image_url = "https://example.com/a.png", .extra = {}}}};
  return r;
}

/// A world with a TFI client whose polling moves the sandbox clock.
struct tfi_world : world {
  clock_client tfi;

  explicit tfi_world(sb::server_options o = manual(), std::string_view mount = "tfi")
      : world(std::move(o)), tfi(http, clock, options(mount)) {}

  result<tfi::created_job> create(tfi::create_request r = talking_video()) { return run(tfi.create_job(std::move(r))); }
  std::string create_ok(tfi::create_request r = talking_video()) {
    auto j = create(std::move(r));
    REQUIRE_MESSAGE(j, j.error().message());
    REQUIRE(!j->job_id.empty());
    return j->job_id;
  }
  tfi::job get_ok(const std::string& id) {
    auto j = run(tfi.get_job(id));
    REQUIRE_MESSAGE(j, j.error().message());
    return std::move(*j);
  }
};

std::string status_of(const tfi::job& j) {
  const auto s = j.get_status();
  return s ? std::string{s->name()} : std::string{};
}

}  // namespace

TEST_CASE("tfi e2e: create answers 201 with the record; get follows QUEUED, PROCESSING, COMPLETED") {
  tfi_world w;
  auto created = w.create();
  REQUIRE_MESSAGE(created, created.error().message());
  CHECK(created->status.is(tfi::job_status::queued));
  CHECK(created->message == "Job update accepted and processing.");
  REQUIRE(created->job.has_value());
  CHECK(created->job->get_id() == created->job_id);
  CHECK(created->job->template_id == std::string{talking_template});
  REQUIRE(created->job->job_type.has_value());
  CHECK(created->job->job_type->is(tfi::job_type::ai_talking_video));
  REQUIRE(created->job->input.has_value());
  CHECK((*created->job->input)["values"]["headline"].as_string() == "Launch in minutes");
  const std::string id = created->job_id;

  CHECK(status_of(w.get_ok(id)) == "QUEUED");
  w.server.advance(600ms);
  CHECK(status_of(w.get_ok(id)) == "PROCESSING");
  w.server.advance(1500ms);
  const tfi::job done = w.get_ok(id);
  CHECK(status_of(done) == "COMPLETED");
  REQUIRE(done.output_path.has_value());
  CHECK(*done.output_path == "ai-talking-videos/" + std::string{talking_template} + "/outputs/" + id + ".mp4");
  CHECK(done.credits_used() == 10.0);
  CHECK(w.stat("tfi", "jobs_created") == 1);
  CHECK(w.stat("tfi", "jobs_completed") == 1);

  auto missing = w.run(w.tfi.get_job("00000000-0000-4000-8000-000000000000"));
  REQUIRE(!missing);
  CHECK(missing.error().kind() == error_kind::not_found);
}

TEST_CASE("tfi e2e: wait sees the states in order; create_and_wait on both clocks") {
  SUBCASE("wait, polling on the sandbox clock") {
    tfi_world w;
    const std::string id = w.create_ok();
    std::vector<std::string> seen;
    tfi::wait_options o;
    o.interval = 100ms;
    o.on_progress = [&](const tfi::job& j) {
      const std::string s = status_of(j);
      if (seen.empty() || seen.back() != s) seen.push_back(s);
    };
    auto done = w.run(w.tfi.wait(id, std::move(o)));
    REQUIRE_MESSAGE(done, done.error().message());
    CHECK(seen == std::vector<std::string>{"QUEUED", "PROCESSING", "COMPLETED"});
    CHECK(done->output_path.has_value());
    CHECK(w.server.now() == 2000ms);  // polled every 100 ms; COMPLETED at 2 s
  }
  SUBCASE("create_and_wait, polling on the sandbox clock") {
    tfi_world w;
    auto done = w.run(w.tfi.create_and_wait(talking_video()));
    REQUIRE_MESSAGE(done, done.error().message());
    CHECK(status_of(*done) == "COMPLETED");
    CHECK(w.stat("tfi", "jobs_created") == 1);
  }
  SUBCASE("create_and_wait on a real clock at speed 40, the asio_transport as the timer") {
    world w{world::real(40)};
    auto o = w.options("tfi");
    o.poll.interval = 10ms;
    o.poll.deadline = 20s;
    real_client c{w.http, o};
    auto done = w.run(c.create_and_wait(talking_video()), 20s);
    REQUIRE_MESSAGE(done, done.error().message());
    CHECK(status_of(*done) == "COMPLETED");
    CHECK(w.stat("tfi", "jobs_created") == 1);
  }
}

TEST_CASE("tfi e2e: the output is fetched through its signed URL") {
  tfi_world w;
  tfi::create_request img;
  img.job_type = tfi::job_type::image;
  img.template_id = std::string{image_template};
  img.values = tfi::values_map{{"headline", std::string{"Summer sale"}}};
  auto done = w.run(w.tfi.create_and_wait(std::move(img)));
  REQUIRE_MESSAGE(done, done.error().message());
  REQUIRE(done->output_path.has_value());

  auto link = w.run(w.tfi.signed_url(*done->output_path));
  REQUIRE_MESSAGE(link, link.error().message());
  CHECK(link->signed_url.starts_with(w.server.url("tfi") + "/storage/objects/" + *done->output_path + "?expires="));
  CHECK(link->signed_url.find("&signature=") != std::string::npos);
  CHECK(link->expires_at.has_value());

  temp_file file{"tfi_output.png"};
  api::download_options d;
  d.max_bytes = 1 << 20;
  auto got = w.run(w.tfi.download(link->signed_url, file.path(), d));
  REQUIRE_MESSAGE(got, got.error().message());
  CHECK(got->status == 200);
  CHECK(got->content_type == "image/png");
  const std::string bytes = file.contents();
  CHECK(got->bytes == bytes.size());
  CHECK(bytes.size() == 68);
  CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  CHECK(w.stat("tfi", "signed_urls") == 1);
  CHECK(w.stat("tfi", "downloads") == 1);

  SUBCASE("a tampered signature is refused") {
    std::string bad = link->signed_url;
    char& last = bad.back();
    last = last == '0' ? '1' : '0';
    temp_file other{"tfi_tampered.png"};
    auto r = w.run(w.tfi.download(bad, other.path(), d));
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::unauthorized);
    CHECK(r.error().http_status() == 403);
    CHECK(r.error().message().find(bad.substr(bad.find("signature=") + 10)) == std::string::npos);  // redacted
  }
  SUBCASE("a signed URL past its 15 minutes is refused") {
    w.server.advance(std::chrono::minutes(16));
    temp_file other{"tfi_expired.png"};
    auto r = w.run(w.tfi.download(link->signed_url, other.path(), d));
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::unauthorized);
    CHECK(r.error().http_status() == 403);
    CHECK(r.error().raw_body().find("expired") != std::string_view::npos);
    // A fresh signature works again.
    auto fresh = w.run(w.tfi.signed_url(*done->output_path));
    REQUIRE_MESSAGE(fresh, fresh.error().message());
    auto again = w.run(w.tfi.download(fresh->signed_url, other.path(), d));
    REQUIRE_MESSAGE(again, again.error().message());
    CHECK(again->bytes == 68);
  }
  SUBCASE("an unknown storage path is not_found; an empty one is refused before sending") {
    auto r = w.run(w.tfi.signed_url("images/nope/outputs/nope.png"));
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::not_found);
    const auto before = w.requests();
    auto e = w.run(w.tfi.signed_url(""));
    REQUIRE(!e);
    CHECK(e.error().kind() == error_kind::validation);
    CHECK(w.requests() == before);
  }
}

TEST_CASE("tfi e2e: active projects and their mapping fields") {
  tfi_world w;
  auto projects = w.run(w.tfi.active_projects());
  REQUIRE_MESSAGE(projects, projects.error().message());
  REQUIRE(projects->size() == 7);
  std::vector<std::string> ids;
  for (const auto& p : *projects) ids.emplace_back(p.get_id());
  CHECK(std::find(ids.begin(), ids.end(), talking_template) != ids.end());
  const auto talking = std::find_if(projects->begin(), projects->end(),
                                    [](const tfi::project& p) { return p.get_id() == talking_template; });
  REQUIRE(talking != projects->end());
  REQUIRE(talking->job_type.has_value());
  CHECK(talking->job_type->is(tfi::job_type::ai_talking_video));
  CHECK(talking->version == 2);

  auto fields = w.run(w.tfi.mapping_fields(std::string{talking_template}));
  REQUIRE_MESSAGE(fields, fields.error().message());
  REQUIRE(fields->size() == 3);
  CHECK((*fields)[0].key == "headline");
  CHECK((*fields)[0].required == true);
  CHECK((*fields)[0].type == "text");
  CHECK((*fields)[1].key == "voiceover");
  CHECK((*fields)[1].type == "audio");
  CHECK((*fields)[2].key == "avatar");

  auto unknown = w.run(w.tfi.mapping_fields("11111111-2222-4333-8444-555555555555"));
  REQUIRE(!unknown);
  CHECK(unknown.error().kind() == error_kind::not_found);
}

TEST_CASE("tfi e2e: unknown template, project or job type are typed errors and create nothing") {
  tfi_world w;
  SUBCASE("unknown template: HTTP 400 naming the source") {
    auto r = talking_video();
    r.template_id = "99999999-9999-4999-8999-999999999999";
    auto c = w.create(std::move(r));
    REQUIRE(!c);
    CHECK(c.error().kind() == error_kind::http_status);
    CHECK(c.error().http_status() == 400);
    CHECK(c.error().service_code() == "source_not_found");
    CHECK(c.error().service_message().find("template_id") != std::string_view::npos);
    CHECK(w.stat("tfi", "jobs_created") == 0);
  }
  SUBCASE("unknown project: HTTP 400; a known project resolves") {
    tfi::create_request r;
    r.job_type = tfi::job_type::ai_image_generation;
    r.project_id = "99999999-9999-4999-8999-999999999999";
    auto c = w.create(r);
    REQUIRE(!c);
    CHECK(c.error().kind() == error_kind::http_status);
    CHECK(c.error().http_status() == 400);
    CHECK(c.error().service_message().find("project_id") != std::string_view::npos);
    r.project_id = std::string{image_prompt_project};
    r.values = tfi::values_map{{"prompt", std::string{"a mug on a desk"}}};
    auto ok = w.create(r);
    REQUIRE_MESSAGE(ok, ok.error().message());
    CHECK(w.stat("tfi", "jobs_created") == 1);
  }
  SUBCASE("unknown job type and missing source: validation, nothing sent") {
    const auto before = w.requests();
    auto r = talking_video();
    r.job_type = mediajobs::open_enum<tfi::job_type>{std::string_view{"hologram"}};
    auto c = w.create(std::move(r));
    REQUIRE(!c);
    CHECK(c.error().kind() == error_kind::validation);
    CHECK(c.error().field() == "job_type");
    auto r2 = talking_video();
    r2.template_id.reset();
    auto c2 = w.create(std::move(r2));
    REQUIRE(!c2);
    CHECK(c2.error().kind() == error_kind::validation);
    CHECK(w.requests() == before);
  }
}

TEST_CASE("tfi e2e: a failed job ends the wait with job_failed and the service's reason") {
  tfi_world w;
  auto done = w.run(w.tfi.create_and_wait(talking_video("oops [fail]")));
  REQUIRE(!done);
  CHECK(done.error().kind() == error_kind::job_failed);
  CHECK(done.error().service_message().find("values.headline contains [fail]") != std::string_view::npos);
  REQUIRE(done.last_snapshot.has_value());
  CHECK(status_of(*done.last_snapshot) == "FAILED");
  CHECK(!done.last_snapshot->output_path.has_value());
  CHECK(w.stat("tfi", "jobs_failed") == 1);
  CHECK(w.stat("tfi", "jobs_created") == 1);
}

// --- faults --------------------------------------------------------------------------------------

TEST_CASE("tfi e2e: the 202 {jobId, status} create shape works for create, wait and create_and_wait") {
  tfi_world w;
  // Switched on over HTTP this time: PUT /_sandbox/faults sets the keys it names.
  auto put = w.fetch("PUT", w.server.base_url() + "/_sandbox/faults", R"({"tfi_202_shape": true})");
  REQUIRE_MESSAGE(put, put.error().message());
  REQUIRE(put->status == 200);
  sb::fault_options f = w.server.faults();
  CHECK(f.tfi_202_shape);
  CHECK(w.requests() == 0);  // control requests are not counted
  auto created = w.create();
  REQUIRE_MESSAGE(created, created.error().message());
  CHECK(!created->job_id.empty());
  CHECK(created->status.is(tfi::job_status::queued));
  CHECK(!created->job.has_value());
  auto done = w.run(w.tfi.wait(created->job_id));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->get_id() == created->job_id);
  auto both = w.run(w.tfi.create_and_wait(talking_video()));
  REQUIRE_MESSAGE(both, both.error().message());
  CHECK(status_of(*both) == "COMPLETED");
  CHECK(w.stat("tfi", "jobs_created") == 2);

  SUBCASE("with unknown fields as well") {
    f.unknown_fields = true;
    w.server.set_faults(f);
    auto c = w.create();
    REQUIRE_MESSAGE(c, c.error().message());
    CHECK(c->status.is(tfi::job_status::queued));
    CHECK(w.stat("tfi", "jobs_created") == 3);
  }
}

TEST_CASE("tfi e2e: unknown fields and an unknown status value beside job_status are tolerated") {
  tfi_world w;
  sb::fault_options f;
  f.unknown_fields = true;
  w.server.set_faults(f);
  auto created = w.create();
  REQUIRE_MESSAGE(created, created.error().message());
  REQUIRE(created->job.has_value());
  CHECK(created->job->extra.find("render_node") != nullptr);
  REQUIRE(created->job->status.has_value());
  CHECK(created->job->status->is_unknown());
  CHECK(created->job->status->name() == "UPSCALING");
  CHECK(created->status.is(tfi::job_status::queued));  // job_status is read first
  auto done = w.run(w.tfi.wait(created->job_id));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(status_of(*done) == "COMPLETED");
  CHECK(done->extra.find("queue") != nullptr);
  auto link = w.run(w.tfi.signed_url(*done->output_path));
  REQUIRE_MESSAGE(link, link.error().message());
  CHECK(w.stat("tfi", "jobs_created") == 1);
}

TEST_CASE("tfi e2e: 429 + Retry-After 0 is retried, creates included, without a second job") {
  tfi_world w;
  sb::fault_options f;
  f.rate_limit_every = 2;
  f.retry_after_seconds = 0;
  w.server.set_faults(f);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    const auto before = w.requests();
    ids.push_back(w.create_ok());
    CHECK(w.requests() - before <= 2);
  }
  auto done = w.run(w.tfi.wait(ids.back()));
  REQUIRE_MESSAGE(done, done.error().message());
  auto link = w.run(w.tfi.signed_url(*done->output_path));
  REQUIRE_MESSAGE(link, link.error().message());
  auto projects = w.run(w.tfi.active_projects());
  REQUIRE_MESSAGE(projects, projects.error().message());
  auto fields = w.run(w.tfi.mapping_fields(std::string{talking_template}));
  REQUIRE_MESSAGE(fields, fields.error().message());
  CHECK(w.stat("tfi", "jobs_created") == 4);
  CHECK(w.stat("faults_injected", "rate_limited") >= 4);

  SUBCASE("429 on every request: rate_limited once the retries are spent") {
    f.rate_limit_every = 1;
    w.server.set_faults(f);
    const auto before = w.requests();
    auto r = w.create();
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::rate_limited);
    CHECK(w.requests() - before == 4);
    CHECK(w.stat("tfi", "jobs_created") == 4);
  }
}

TEST_CASE("tfi e2e: with 503 on every second request, reads are retried and creates are not") {
  tfi_world w;
  sb::fault_options f;
  f.unavailable_every = 2;
  w.server.set_faults(f);
  int ok = 0, refused = 0;
  std::string some_id;
  for (int i = 0; i < 6; ++i) {
    const auto before_requests = w.requests();
    const auto before_jobs = w.stat("tfi", "jobs_created");
    auto r = w.create();
    CHECK(w.requests() - before_requests == 1);
    if (r) {
      ++ok;
      some_id = r->job_id;
      CHECK(w.stat("tfi", "jobs_created") == before_jobs + 1);
    } else {
      ++refused;
      CHECK(r.error().kind() == error_kind::http_status);
      CHECK(r.error().http_status() == 503);
      CHECK(w.stat("tfi", "jobs_created") == before_jobs);
    }
  }
  CHECK(ok == 3);
  CHECK(refused == 3);
  REQUIRE(!some_id.empty());
  auto done = w.run(w.tfi.wait(some_id));
  REQUIRE_MESSAGE(done, done.error().message());
  auto link = w.run(w.tfi.signed_url(*done->output_path));
  REQUIRE_MESSAGE(link, link.error().message());
  auto projects = w.run(w.tfi.active_projects());
  REQUIRE_MESSAGE(projects, projects.error().message());
  CHECK(w.stat("faults_injected", "unavailable") >= 3);
}

TEST_CASE("tfi e2e: a dropped or truncated create answer is surfaced, never repeated; reads recover") {
  std::uint32_t sb::fault_options::*which = nullptr;
  std::string counter;
  SUBCASE("dropped") {
    which = &sb::fault_options::drop_every;
    counter = "dropped";
  }
  SUBCASE("truncated") {
    which = &sb::fault_options::truncate_every;
    counter = "truncated";
  }
  tfi_world w;
  w.fault_next(which);
  const auto before = w.requests();
  auto lost = w.create();
  REQUIRE(!lost);
  CHECK(lost.error().kind() == error_kind::transport);
  CHECK(w.requests() - before == 1);
  CHECK(w.stat("tfi", "jobs_created") == 1);  // exactly one job for the create whose answer was lost
  CHECK(w.stat("faults_injected", counter) == 1);

  // create_and_wait whose create answer is lost: the error, and still one job only.
  w.fault_next(which);
  auto lost_wait = w.run(w.tfi.create_and_wait(talking_video()));
  REQUIRE(!lost_wait);
  CHECK(lost_wait.error().kind() == error_kind::transport);
  CHECK(w.stat("tfi", "jobs_created") == 2);

  sb::fault_options f;
  f.*which = 3;
  w.server.set_faults(f);
  int made = 0, lost_creates = 0;
  std::string id;
  for (int i = 0; i < 6; ++i) {
    const auto r0 = w.requests();
    auto r = w.create();
    CHECK(w.requests() - r0 == 1);
    if (r) {
      ++made;
      id = r->job_id;
    } else {
      ++lost_creates;
      CHECK(r.error().kind() == error_kind::transport);
    }
  }
  CHECK(made == 4);
  CHECK(lost_creates == 2);
  CHECK(w.stat("tfi", "jobs_created") == 2 + 6);
  auto done = w.run(w.tfi.wait(id));
  REQUIRE_MESSAGE(done, done.error().message());
  for (int i = 0; i < 3; ++i) {
    auto link = w.run(w.tfi.signed_url(*done->output_path));
    REQUIRE_MESSAGE(link, link.error().message());
    auto fields = w.run(w.tfi.mapping_fields(std::string{talking_template}));
    REQUIRE_MESSAGE(fields, fields.error().message());
  }
  CHECK(w.stat("faults_injected", counter) > 3);
}

TEST_CASE("tfi e2e: concurrent creates with every second answer dropped: each sent once, one job each") {
  tfi_world w;
  sb::fault_options f;
  f.drop_every = 2;
  w.server.set_faults(f);
  constexpr std::size_t n = 6;
  // Shared with the callbacks, so that a test that gives up early cannot leave them dangling.
  auto out = std::make_shared<std::vector<std::optional<result<tfi::created_job>>>>(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto t = w.tfi.create_job(talking_video("concurrent " + std::to_string(i)));
    mediajobs::start(std::move(t), [out, i](result<tfi::created_job> r) { (*out)[i].emplace(std::move(r)); });
  }
  REQUIRE(run_until(w.io, [&] {
    return std::all_of(out->begin(), out->end(), [](const auto& o) { return o.has_value(); });
  }));
  std::size_t made = 0, lost = 0;
  for (const auto& o : *out) {
    if (*o) {
      ++made;
    } else {
      ++lost;
      CHECK(o->error().kind() == error_kind::transport);
    }
  }
  CHECK(made == n / 2);
  CHECK(lost == n / 2);
  CHECK(w.requests() == static_cast<std::int64_t>(n));           // not one create repeated
  CHECK(w.stat("tfi", "jobs_created") == static_cast<std::int64_t>(n));  // a lost answer still made its job
  CHECK(w.stat("faults_injected", "dropped") == static_cast<std::int64_t>(n / 2));
}

TEST_CASE("tfi e2e: garbage bodies are decode errors; a garbled create made exactly one job") {
  tfi_world w;
  const std::string id = w.create_ok();
  w.fault_next(&sb::fault_options::garbage_every);
  const auto before = w.requests();
  auto r = w.create();
  REQUIRE(!r);
  CHECK(r.error().kind() == error_kind::decode);
  CHECK(w.requests() - before == 1);
  CHECK(w.stat("tfi", "jobs_created") == 2);
  w.fault_next(&sb::fault_options::garbage_every);
  auto g = w.run(w.tfi.get_job(id));
  REQUIRE(!g);
  CHECK(g.error().kind() == error_kind::decode);
  w.fault_next(&sb::fault_options::garbage_every);
  auto p = w.run(w.tfi.active_projects());
  REQUIRE(!p);
  CHECK(p.error().kind() == error_kind::decode);
  CHECK(status_of(w.get_ok(id)) == "QUEUED");
  CHECK(w.stat("faults_injected", "garbage") == 3);
}

TEST_CASE("tfi e2e: latency slows answers down; beyond the client timeout it is a timeout, not a second job") {
  tfi_world w;
  sb::fault_options f;
  f.latency_ms = 30;
  w.server.set_faults(f);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string id = w.create_ok();
  CHECK(status_of(w.get_ok(id)) == "QUEUED");
  CHECK(std::chrono::steady_clock::now() - t0 >= 60ms);

  f.latency_ms = 400;
  w.server.set_faults(f);
  auto o = w.options("tfi");
  o.timeout = 100ms;
  clock_client impatient{w.http, w.clock, o};
  const auto before = w.requests();
  auto r = w.run(impatient.create_job(talking_video()));
  REQUIRE(!r);
  CHECK(r.error().kind() == error_kind::timeout);
  CHECK(w.requests_once_at_least(before + 1) == before + 1);  // reached the service once, not repeated
  CHECK(w.stat("tfi", "jobs_created") == 2);
}

TEST_CASE("tfi e2e: a server with TechForgeInnovate mounted at the root") {
  sb::server_options o = world::manual();
  o.root_service = "tfi";
  tfi_world w{o, ""};
  auto done = w.run(w.tfi.create_and_wait(talking_video()));
  REQUIRE_MESSAGE(done, done.error().message());
  REQUIRE(done->output_path.has_value());
  auto link = w.run(w.tfi.signed_url(*done->output_path));
  REQUIRE_MESSAGE(link, link.error().message());
  CHECK(link->signed_url.starts_with(w.server.base_url() + "/storage/objects/"));
  temp_file file{"tfi_root.mp4"};
  api::download_options d;
  d.max_bytes = 1 << 20;
  auto got = w.run(w.tfi.download(link->signed_url, file.path(), d));
  REQUIRE_MESSAGE(got, got.error().message());
  CHECK(got->content_type == "video/mp4");
  CHECK(file.contents().substr(4, 8) == "ftypmp42");
  auto projects = w.run(w.tfi.active_projects());
  REQUIRE_MESSAGE(projects, projects.error().message());
  CHECK(projects->size() == 7);
  CHECK(w.stat("tfi", "jobs_created") == 1);
}
