// style::client end to end against sandbox::server over real sockets on 127.0.0.1: every client
// method, webhooks to a local listener (signature verified, retries on 500), failed jobs, every
// fault mode, and a root-mounted server. The sandbox stats prove one job per create that reached
// the service, and no create repeated after its response was lost.
#include "support.hpp"

#include <mediajobs/style/client.hpp>
#include <mediajobs/webhook/webhook.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using namespace e2e;
namespace style = mediajobs::style;

using clock_client = style::client<mediajobs::asio_transport, sandbox_clock_timer>;
using real_client = style::client<mediajobs::asio_transport>;

constexpr std::string_view stage_order[] = {"video_analysis",   "audio_analysis",    "motion_analysis",
                                            "style_extraction", "style_application", "rendering"};

/// A world with a Style client whose polling moves the sandbox clock, and one uploaded video.
struct style_world : world {
  clock_client style;
  std::string video_id{};

  explicit style_world(sb::server_options o = manual(), std::string_view mount = "style")
      : world(std::move(o)), style(http, clock, options(mount)) {
    video_id = upload("source.mp4");
  }

  std::string upload(std::string filename) {
    style::upload_video_request u;
    u.filename = std::move(filename);
    u.data = "fake mp4 bytes for " + u.filename;
    auto r = run(style.upload_video(std::move(u)));
    REQUIRE_MESSAGE(r, r.error().message());
    return r->video_id;
  }
  [[nodiscard]] style::job_create_request request(std::string note = {}) const {
    style::job_create_request r;
    r.video_id = video_id;
    if (!note.empty()) r.config = json::value::object({{"note", std::move(note)}});
    return r;
  }
  result<style::job_response> create(std::string note = {}) { return run(style.create_job(request(std::move(note)))); }
  std::string create_ok(std::string note = {}) {
    auto j = create(std::move(note));
    REQUIRE_MESSAGE(j, j.error().message());
    return j->job_id;
  }
};

std::string stage_of(const style::job_response& j) {
  return j.current_stage ? std::string{j.current_stage->name()} : std::string{};
}

}  // namespace

TEST_CASE("style e2e: upload, create, get, result and download of the output over real sockets") {
  style_world w;
  CHECK(w.stat("style", "uploads") == 1);

  style::upload_video_request u;
  u.filename = "clip \"two\".mov";
  u.content_type = "video/quicktime";
  u.data = std::string(100000, 'v');
  auto up = w.run(w.style.upload_video(std::move(u)));
  REQUIRE_MESSAGE(up, up.error().message());
  CHECK(!up->video_id.empty());
  CHECK(up->video_id != w.video_id);
  CHECK(up->size_bytes == 100000);
  CHECK(up->content_type == "video/quicktime");
  CHECK(up->filename == "clip %22two%22.mov");  // the client escapes the quote in the part header
  CHECK(up->status == "uploaded");
  CHECK(w.stat("style", "uploads") == 2);

  auto req = w.request();
  req.template_video_id = up->video_id;
  auto created = w.run(w.style.create_job(std::move(req)));
  REQUIRE_MESSAGE(created, created.error().message());
  CHECK(created->status.is(style::job_status::queued));
  CHECK(created->video_id == w.video_id);
  CHECK(created->template_video_id == up->video_id);
  CHECK(created->progress_percent == 0);
  const std::string id = created->job_id;

  w.server.advance(1000ms);
  auto mid = w.run(w.style.get_job(id));
  REQUIRE_MESSAGE(mid, mid.error().message());
  CHECK(mid->status.is(style::job_status::processing));
  CHECK(stage_of(*mid) == "audio_analysis");  // 250 ms queued + 500 ms video_analysis < 1000 ms
  CHECK(mid->started_at.has_value());
  CHECK(!mid->completed_at.has_value());

  auto early = w.run(w.style.get_result(id));
  REQUIRE_MESSAGE(early, early.error().message());
  CHECK(!early->style_json.has_value());
  CHECK(!early->output_video_url.has_value());

  w.server.advance(5000ms);
  auto done = w.run(w.style.get_job(id));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(style::job_status::completed));
  CHECK(done->progress_percent == 100);

  auto detail = w.run(w.style.get_result(id));
  REQUIRE_MESSAGE(detail, detail.error().message());
  CHECK(detail->status.is(style::job_status::completed));
  REQUIRE(detail->style_json.has_value());
  REQUIRE(detail->style_json->is_object());
  for (const char* key : {"version", "color", "lighting", "motion", "audio", "transitions"})
    CHECK_MESSAGE(detail->style_json->contains(key), key);
  CHECK((*detail->style_json)["source_video_id"].as_string() == w.video_id);
  CHECK((*detail->style_json)["template_video_id"].as_string() == up->video_id);
  REQUIRE(detail->processing_time_seconds.has_value());
  CHECK(*detail->processing_time_seconds == doctest::Approx(2.75));
  REQUIRE(detail->output_video_url.has_value());
  CHECK(*detail->output_video_url == w.server.url("style") + "/files/" + id + "/output.mp4");

  temp_file file{"style_output.mp4"};
  api::download_options d;
  d.max_bytes = 1 << 20;
  auto got = w.run(w.style.download(*detail->output_video_url, file.path(), d));
  REQUIRE_MESSAGE(got, got.error().message());
  CHECK(got->status == 200);
  CHECK(got->content_type == "video/mp4");
  const std::string bytes = file.contents();
  CHECK(got->bytes == bytes.size());
  CHECK(bytes.size() == 24 + 8 + 4096);
  CHECK(bytes.substr(4, 8) == "ftypisom");
  CHECK(bytes.substr(28, 4) == "mdat");

  CHECK(w.stat("style", "jobs_created") == 1);
  CHECK(w.stat("style", "jobs_live") == 0);
  // The same document over HTTP.
  auto doc = w.fetch("GET", w.server.base_url() + "/_sandbox/stats");
  REQUIRE_MESSAGE(doc, doc.error().message());
  auto stats = json::read<json::value>(doc->body);
  REQUIRE(stats);
  CHECK((*stats)["style"]["jobs_created"].as_int64() == 1);
  CHECK((*stats)["style"]["uploads"].as_int64() == 2);
}

TEST_CASE("style e2e: errors of the service come back typed") {
  style_world w;
  SUBCASE("an unknown job id is not_found") {
    auto r = w.run(w.style.get_job("00000000-0000-4000-8000-000000000000"));
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::not_found);
    CHECK(r.error().http_status() == 404);
  }
  SUBCASE("a video that was never uploaded is a 400 naming the field") {
    style::job_create_request req;
    req.video_id = "no-such-video";
    auto r = w.run(w.style.create_job(std::move(req)));
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::http_status);
    CHECK(r.error().http_status() == 400);
    CHECK(r.error().service_code() == "validation_error");
    CHECK(r.error().service_message().find("video_id") != std::string_view::npos);
    CHECK(w.stat("style", "jobs_created") == 0);
  }
  SUBCASE("a wrong API key is unauthorized and never echoed") {
    auto o = w.options("style");
    o.api_key = "wrong-key-123";
    real_client bad{w.http, o};
    auto r = w.run(bad.get_job("x"));
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::unauthorized);
    CHECK(r.error().message().find("wrong-key-123") == std::string::npos);
  }
  SUBCASE("an empty upload is refused before anything is sent") {
    const auto before = w.requests();
    style::upload_video_request u;
    u.filename = "empty.mp4";
    auto r = w.run(w.style.upload_video(std::move(u)));
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::validation);
    CHECK(w.requests() == before);
  }
}

TEST_CASE("style e2e: list_jobs and all_jobs walk more than two pages, newest first") {
  style_world w;
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) created.push_back(w.create_ok());
  std::reverse(created.begin(), created.end());

  style::list_query q;
  q.page_size = 3;
  auto first = w.run(w.style.list_jobs(q));
  REQUIRE_MESSAGE(first, first.error().message());
  const auto* page = std::get_if<style::job_list_page>(&*first);
  REQUIRE(page != nullptr);
  CHECK(page->total == 7);
  CHECK(page->total_pages == 3);
  CHECK(page->has_more == true);
  REQUIRE(style::list_items(*first).size() == 3);
  CHECK(style::list_items(*first)[0].job_id == created[0]);

  const auto before = w.requests();
  auto pages = w.style.all_jobs(q);
  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  for (;;) {
    auto next = w.run(pages.next());
    REQUIRE_MESSAGE(next, next.error().message());
    if (!*next) break;
    sizes.push_back((*next)->size());
    for (const auto& j : **next) seen.push_back(j.job_id);
  }
  CHECK(seen == created);
  CHECK(sizes == std::vector<std::size_t>{3, 3, 1});
  CHECK(w.requests() - before == 3);  // has_more=false ends the walk without an empty page

  // A status filter: three jobs completed, the four newer ones still queued.
  w.server.advance(5000ms);
  for (int i = 0; i < 4; ++i) created.insert(created.begin(), w.create_ok());
  style::list_query done_q;
  done_q.status = style::job_status::completed;
  done_q.page_size = 2;
  auto n = w.run(api::for_each(w.style.all_jobs(done_q), [](const style::job_response& j) {
    CHECK(j.status.is(style::job_status::completed));
  }));
  REQUIRE_MESSAGE(n, n.error().message());
  CHECK(*n == 7);
  CHECK(w.stat("style", "jobs_created") == 11);
}

TEST_CASE("style e2e: wait observes queued, the six stages in order, then completed") {
  style_world w;
  const std::string id = w.create_ok();
  std::vector<std::string> statuses, stages;
  std::vector<int> progress;
  style::wait_options o;
  o.interval = 100ms;
  o.on_progress = [&](const style::job_response& j) {
    const std::string s{j.status.name()};
    if (statuses.empty() || statuses.back() != s) statuses.push_back(s);
    if (const std::string st = stage_of(j); !st.empty() && (stages.empty() || stages.back() != st)) stages.push_back(st);
    progress.push_back(j.progress_percent.value_or(-1));
  };
  auto done = w.run(w.style.wait(id, std::move(o)));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(style::job_status::completed));
  CHECK(statuses == std::vector<std::string>{"queued", "processing", "completed"});
  CHECK(stages == std::vector<std::string>(std::begin(stage_order), std::end(stage_order)));
  CHECK(std::is_sorted(progress.begin(), progress.end()));
  CHECK(progress.back() == 100);
  REQUIRE(done.last_snapshot.has_value());
  CHECK(done.last_snapshot->job_id == id);
  // Polled every 100 ms of sandbox time: done between 3.0 and 3.1 s after the create.
  CHECK(w.server.now() >= 3000ms);
  CHECK(w.server.now() <= 3100ms);
}

TEST_CASE("style e2e: create_and_wait returns the result, on the sandbox clock and on a fast real clock") {
  SUBCASE("manual clock, moved by the client's polling") {
    style_world w;
    auto done = w.run(w.style.create_and_wait(w.request()));
    REQUIRE_MESSAGE(done, done.error().message());
    CHECK(done->status.is(style::job_status::completed));
    CHECK(done->style_json.has_value());
    REQUIRE(done.last_snapshot.has_value());
    CHECK(done.last_snapshot->job_id == done->job_id);
    CHECK(w.stat("style", "jobs_created") == 1);
  }
  SUBCASE("real clock at speed 40, the asio_transport as the timer") {
    world w{world::real(40)};
    auto o = w.options("style");
    o.poll.interval = 10ms;
    o.poll.deadline = 20s;
    real_client c{w.http, o};
    style::upload_video_request u;
    u.filename = "fast.mp4";
    u.data = "bytes";
    auto up = w.run(c.upload_video(std::move(u)));
    REQUIRE_MESSAGE(up, up.error().message());
    style::job_create_request req;
    req.video_id = up->video_id;
    auto done = w.run(c.create_and_wait(std::move(req)), 20s);
    REQUIRE_MESSAGE(done, done.error().message());
    CHECK(done->status.is(style::job_status::completed));
    CHECK(done->output_video_url.has_value());
    CHECK(w.stat("style", "jobs_created") == 1);
  }
}

TEST_CASE("style e2e: a failed or cancelled job ends the wait with job_failed") {
  style_world w;
  SUBCASE("failed during a stage named in the config") {
    auto done = w.run(w.style.create_and_wait(w.request("[fail:motion_analysis]")));
    REQUIRE(!done);
    CHECK(done.error().kind() == error_kind::job_failed);
    CHECK(done.error().detail().find("failed") != std::string_view::npos);
    REQUIRE(done.last_snapshot.has_value());
    CHECK(done.last_snapshot->status.is(style::job_status::failed));
    auto detail = w.run(w.style.get_result(done.last_snapshot->job_id));
    REQUIRE_MESSAGE(detail, detail.error().message());
    REQUIRE(detail->error.has_value());
    CHECK((*detail->error)["stage"].as_string() == "motion_analysis");
    CHECK(!detail->output_video_url.has_value());
  }
  SUBCASE("failed through the uploaded file name") {
    w.video_id = w.upload("broken [fail:rendering].mp4");
    auto done = w.run(w.style.create_and_wait(w.request()));
    REQUIRE(!done);
    CHECK(done.error().kind() == error_kind::job_failed);
    REQUIRE(done.last_snapshot.has_value());
    CHECK(done.last_snapshot->status.is(style::job_status::failed));
  }
  SUBCASE("cancelled") {
    auto done = w.run(w.style.create_and_wait(w.request("[cancel:audio_analysis]")));
    REQUIRE(!done);
    CHECK(done.error().kind() == error_kind::job_failed);
    CHECK(done.error().detail().find("cancelled") != std::string_view::npos);
  }
  CHECK(w.stat("style", "jobs_created") == 1);
}

TEST_CASE("style e2e: the completion webhook reaches a local listener, signed and decodable") {
  style_world w;
  webhook_listener hooks{w.io};
  auto req = w.request();
  req.webhook_url = hooks.url();
  (void)w.create_ok();  // a job without a webhook: it completes too, and sends nothing
  auto created = w.run(w.style.create_job(std::move(req)));
  REQUIRE_MESSAGE(created, created.error().message());

  w.server.advance(5000ms);
  REQUIRE(run_until(w.io, [&] { return w.stat("webhooks", "delivered") == 1; }));
  REQUIRE(hooks.received.size() == 1);
  const http::request& got = hooks.received[0];
  CHECK(got.method == "POST");
  CHECK(got.url == "/hooks/style");
  CHECK(got.headers.get("Content-Type") == "application/json");
  CHECK(got.headers.get("webhook-id") == "msg_" + created->job_id + "_completed");

  const std::string secret = sb::style_service{}.webhook_secret();
  result<mediajobs::webhook::style_event> ev = mediajobs::webhook::signatures_supported
                                                   ? mediajobs::webhook::parse_style(got.headers, got.body, secret)
                                                   : mediajobs::webhook::decode_style_event(got.body);
  REQUIRE_MESSAGE(ev, ev.error().message());
  CHECK(ev->enveloped);
  CHECK(ev->success == true);
  CHECK(ev->message == "job completed");
  CHECK(ev->is_terminal());
  CHECK(ev->job.job_id == created->job_id);
  CHECK(ev->job.status.is(style::job_status::completed));
  CHECK(ev->job.output_video_url.has_value());
  CHECK(ev->job.style_json.has_value());
  if (mediajobs::webhook::signatures_supported) {
    // A body altered on the way does not verify.
    std::string tampered = got.body;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'a' ? 'b' : 'a';
    auto bad = mediajobs::webhook::parse_style(got.headers, tampered, secret);
    REQUIRE(!bad);
    CHECK(bad.error().kind() == error_kind::validation);
  }
  CHECK(w.stat("webhooks", "attempts") == 1);
  CHECK(w.stat("webhooks", "failed") == 0);
  CHECK(w.stat("style", "webhooks_queued") == 1);
}

TEST_CASE("style e2e: a webhook answered 500 is retried after the documented backoff") {
  style_world w;
  const auto settled = [&](std::int64_t attempts) {
    return run_until(w.io, [&] {
      return w.stat("webhooks", "attempts") == attempts && w.stat("webhooks", "in_flight") == 0;
    });
  };
  SUBCASE("500, 500, then 200: delivered on the third attempt") {
    webhook_listener hooks{w.io, {500, 500}};
    auto req = w.request();
    req.webhook_url = hooks.url();
    auto created = w.run(w.style.create_job(std::move(req)));
    REQUIRE_MESSAGE(created, created.error().message());
    w.server.advance(5000ms);
    REQUIRE(settled(1));
    CHECK(w.stat("webhooks", "pending") == 1);
    w.server.advance(400ms);  // the first backoff is 500 ms of sandbox time: not yet
    CHECK(w.stat("webhooks", "attempts") == 1);
    w.server.advance(100ms);
    REQUIRE(settled(2));
    w.server.advance(900ms);  // the second backoff is 1 s
    CHECK(w.stat("webhooks", "attempts") == 2);
    w.server.advance(100ms);
    REQUIRE(settled(3));
    CHECK(w.stat("webhooks", "delivered") == 1);
    CHECK(w.stat("webhooks", "failed") == 0);
    CHECK(w.stat("webhooks", "pending") == 0);
    REQUIRE(hooks.received.size() == 3);
    for (const auto& r : hooks.received) {
      CHECK(r.body == hooks.received[0].body);  // the same message each time, same webhook-id
      CHECK(r.headers.get("webhook-id") == hooks.received[0].headers.get("webhook-id"));
    }
    auto ev = mediajobs::webhook::decode_style_event(hooks.received[2].body);
    REQUIRE(ev);
    CHECK(ev->job.job_id == created->job_id);
  }
  SUBCASE("always 500: given up after four attempts") {
    webhook_listener hooks{w.io, {500, 500, 500, 500, 500}};
    auto req = w.request("[fail:rendering]");
    req.webhook_url = hooks.url();
    auto created = w.run(w.style.create_job(std::move(req)));
    REQUIRE_MESSAGE(created, created.error().message());
    w.server.advance(5000ms);
    REQUIRE(settled(1));
    w.server.advance(500ms);
    REQUIRE(settled(2));
    w.server.advance(1000ms);
    REQUIRE(settled(3));
    w.server.advance(2000ms);
    REQUIRE(settled(4));
    CHECK(w.stat("webhooks", "failed") == 1);
    CHECK(w.stat("webhooks", "delivered") == 0);
    CHECK(w.stat("webhooks", "pending") == 0);
    w.server.advance(60000ms);
    CHECK(w.stat("webhooks", "attempts") == 4);
    REQUIRE(hooks.received.size() == 4);
    auto ev = mediajobs::webhook::decode_style_event(hooks.received[0].body);
    REQUIRE(ev);
    CHECK(ev->success == false);
    CHECK(ev->job.status.is(style::job_status::failed));
  }
}

// --- faults --------------------------------------------------------------------------------------

TEST_CASE("style e2e: with 429 + Retry-After 0 on every second request, everything succeeds") {
  style_world w;
  sb::fault_options f;
  f.rate_limit_every = 2;
  f.retry_after_seconds = 0;
  w.server.set_faults(f);

  (void)w.upload("second.mp4");  // hit by a 429: retried although not idempotent (nothing was done)
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(w.create_ok());
  for (const auto& id : ids) {
    auto j = w.run(w.style.get_job(id));
    REQUIRE_MESSAGE(j, j.error().message());
  }
  style::list_query q;
  q.page_size = 2;
  auto n = w.run(api::for_each(w.style.all_jobs(q), [](const style::job_response&) {}));
  REQUIRE_MESSAGE(n, n.error().message());
  CHECK(*n == 4);
  auto done = w.run(w.style.create_and_wait(w.request()));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(style::job_status::completed));

  CHECK(w.stat("style", "jobs_created") == 5);  // one per create: no 429 ever reached the service
  CHECK(w.stat("style", "uploads") == 2);
  CHECK(w.stat("faults_injected", "rate_limited") > 5);

  SUBCASE("429 on every request: rate_limited after the retry budget, nothing created") {
    f.rate_limit_every = 1;
    w.server.set_faults(f);
    const auto before = w.requests();
    auto r = w.create();
    REQUIRE(!r);
    CHECK(r.error().kind() == error_kind::rate_limited);
    CHECK(r.error().http_status() == 429);
    CHECK(r.error().retry_after() == std::chrono::milliseconds{0});
    CHECK(w.requests() - before == 4);  // the first attempt and 3 retries
    CHECK(w.stat("style", "jobs_created") == 5);
  }
}

TEST_CASE("style e2e: with 503 on every second request, reads are retried and creates are not") {
  style_world w;
  sb::fault_options f;
  f.unavailable_every = 2;
  w.server.set_faults(f);
  int ok = 0, refused = 0;
  std::string some_id;
  for (int i = 0; i < 6; ++i) {
    const auto before_requests = w.requests();
    const auto before_jobs = w.stat("style", "jobs_created");
    auto r = w.create();
    CHECK(w.requests() - before_requests == 1);  // never repeated: no idempotency key
    if (r) {
      ++ok;
      some_id = r->job_id;
      CHECK(w.stat("style", "jobs_created") == before_jobs + 1);
    } else {
      ++refused;
      CHECK(r.error().kind() == error_kind::http_status);
      CHECK(r.error().http_status() == 503);
      CHECK(w.stat("style", "jobs_created") == before_jobs);  // the 503 came before the service
    }
  }
  CHECK(ok == 3);
  CHECK(refused == 3);
  REQUIRE(!some_id.empty());
  auto done = w.run(w.style.wait(some_id));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(style::job_status::completed));
  auto detail = w.run(w.style.get_result(some_id));
  REQUIRE_MESSAGE(detail, detail.error().message());
  style::list_query q;
  q.page_size = 1;
  auto n = w.run(api::for_each(w.style.all_jobs(q), [](const style::job_response&) {}));
  REQUIRE_MESSAGE(n, n.error().message());
  CHECK(*n == 3);
  CHECK(w.stat("faults_injected", "unavailable") > 3);
}

TEST_CASE("style e2e: a dropped or truncated response is retried for reads, surfaced for creates") {
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
  style_world w;
  const std::string id = w.create_ok();

  // The create's response is lost: one job exists, the client reports it, nothing is repeated.
  w.fault_next(which);
  const auto before = w.requests();
  auto lost = w.create();
  REQUIRE(!lost);
  CHECK(lost.error().kind() == error_kind::transport);
  CHECK(w.requests() - before == 1);
  CHECK(w.stat("style", "jobs_created") == 2);
  CHECK(w.stat("faults_injected", counter) == 1);

  // An upload (no idempotency key either) likewise.
  w.fault_next(which);
  style::upload_video_request u;
  u.filename = "again.mp4";
  u.data = "bytes";
  auto up = w.run(w.style.upload_video(std::move(u)));
  REQUIRE(!up);
  CHECK(up.error().kind() == error_kind::transport);
  CHECK(w.stat("style", "uploads") == 2);

  // Reads on every third request: each is retried and succeeds.
  sb::fault_options f;
  f.*which = 3;
  w.server.set_faults(f);
  for (int i = 0; i < 4; ++i) {
    auto j = w.run(w.style.get_job(id));
    REQUIRE_MESSAGE(j, j.error().message());
    CHECK(j->job_id == id);
  }
  auto done = w.run(w.style.wait(id));
  REQUIRE_MESSAGE(done, done.error().message());
  auto detail = w.run(w.style.get_result(id));
  REQUIRE_MESSAGE(detail, detail.error().message());
  CHECK(detail->style_json.has_value());
  style::list_query q;
  q.page_size = 1;
  auto n = w.run(api::for_each(w.style.all_jobs(q), [](const style::job_response&) {}));
  REQUIRE_MESSAGE(n, n.error().message());
  CHECK(*n == 2);
  CHECK(w.stat("faults_injected", counter) > 3);

  // Creates under the same faults: each one sent once; a lost answer still made exactly one job.
  int lost_creates = 0, made = 0;
  for (int i = 0; i < 6; ++i) {
    const auto r0 = w.requests();
    auto r = w.create();
    CHECK(w.requests() - r0 == 1);
    if (r) {
      ++made;
    } else {
      ++lost_creates;
      CHECK(r.error().kind() == error_kind::transport);
    }
  }
  CHECK(lost_creates == 2);
  CHECK(made == 4);
  CHECK(w.stat("style", "jobs_created") == 2 + 6);
}

TEST_CASE("style e2e: garbage bodies are decode errors, and a garbled create still made one job") {
  style_world w;
  const std::string id = w.create_ok();
  w.fault_next(&sb::fault_options::garbage_every);
  const auto before = w.requests();
  auto r = w.create();
  REQUIRE(!r);
  CHECK(r.error().kind() == error_kind::decode);
  CHECK(r.error().raw_body().find("not JSON") != std::string_view::npos);
  CHECK(w.requests() - before == 1);
  CHECK(w.stat("style", "jobs_created") == 2);

  w.fault_next(&sb::fault_options::garbage_every);
  auto g = w.run(w.style.get_job(id));
  REQUIRE(!g);
  CHECK(g.error().kind() == error_kind::decode);  // a decode error is not retried
  auto again = w.run(w.style.get_job(id));  // the fault was for that one request only
  REQUIRE_MESSAGE(again, again.error().message());
  CHECK(w.stat("faults_injected", "garbage") == 2);
}

TEST_CASE("style e2e: latency slows answers down; beyond the client timeout it is a timeout") {
  style_world w;
  sb::fault_options f;
  f.latency_ms = 30;
  w.server.set_faults(f);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string id = w.create_ok();
  auto j = w.run(w.style.get_job(id));
  REQUIRE_MESSAGE(j, j.error().message());
  CHECK(std::chrono::steady_clock::now() - t0 >= 60ms);

  f.latency_ms = 400;
  w.server.set_faults(f);
  auto o = w.options("style");
  o.timeout = 100ms;
  clock_client impatient{w.http, w.clock, o};
  const auto before = w.requests();
  auto req = w.request();
  auto r = w.run(impatient.create_job(std::move(req)));
  REQUIRE(!r);
  CHECK(r.error().kind() == error_kind::timeout);
  CHECK(w.requests_once_at_least(before + 1) == before + 1);  // reached the service once, not repeated
  CHECK(w.stat("style", "jobs_created") == 2);
  const auto before_get = w.requests();
  auto g = w.run(impatient.get_job(id));
  REQUIRE(!g);
  CHECK(g.error().kind() == error_kind::timeout);
  CHECK(w.requests_once_at_least(before_get + 4) == before_get + 4);  // reads are retried: 1 + 3
}

TEST_CASE("style e2e: unknown fields and stage values are kept, and polling still completes") {
  style_world w;
  sb::fault_options f;
  f.unknown_fields = true;
  w.server.set_faults(f);
  auto created = w.create();
  REQUIRE_MESSAGE(created, created.error().message());
  CHECK(created->extra.find("engine_region") != nullptr);
  CHECK(created->extra.find("x_sandbox") != nullptr);
  std::vector<std::string> stages;
  style::wait_options o;
  o.on_progress = [&](const style::job_response& j) {
    if (j.current_stage) {
      CHECK(j.current_stage->is_unknown());
      stages.emplace_back(j.current_stage->name());
    }
  };
  auto done = w.run(w.style.wait(created->job_id, std::move(o)));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(style::job_status::completed));
  REQUIRE(!stages.empty());
  CHECK(stages.front() == "frame_interpolation");
  auto detail = w.run(w.style.get_result(created->job_id));
  REQUIRE_MESSAGE(detail, detail.error().message());
  CHECK(detail->extra.find("engine_region") != nullptr);
  auto list = w.run(w.style.list_jobs());
  REQUIRE_MESSAGE(list, list.error().message());
  REQUIRE(style::list_items(*list).size() == 1);
  CHECK(style::list_items(*list)[0].extra.find("x_sandbox") != nullptr);
  CHECK(w.stat("style", "jobs_created") == 1);
}

TEST_CASE("style e2e: a server with the Style engine mounted at the root") {
  sb::server_options o = world::manual();
  o.root_service = "style";
  style_world w{o, ""};
  auto created = w.create();
  REQUIRE_MESSAGE(created, created.error().message());
  w.server.advance(5000ms);
  auto detail = w.run(w.style.get_result(created->job_id));
  REQUIRE_MESSAGE(detail, detail.error().message());
  REQUIRE(detail->output_video_url.has_value());
  CHECK(*detail->output_video_url == w.server.base_url() + "/files/" + created->job_id + "/output.mp4");
  temp_file file{"style_root.mp4"};
  api::download_options d;
  d.max_bytes = 1 << 20;
  auto got = w.run(w.style.download(*detail->output_video_url, file.path(), d));
  REQUIRE_MESSAGE(got, got.error().message());
  CHECK(file.contents().substr(4, 4) == "ftyp");
  // The /style mount still answers, for the same jobs.
  clock_client mounted{w.http, w.clock, w.options("style")};
  auto same = w.run(mounted.get_job(created->job_id));
  REQUIRE_MESSAGE(same, same.error().message());
  CHECK(same->status.is(style::job_status::completed));
  CHECK(w.stat("style", "jobs_created") == 1);
}
