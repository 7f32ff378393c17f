// End to end: every ugen::client method against the sandbox over real sockets on 127.0.0.1
// (asio_transport, sandbox::server), then the same operations under every fault mode of the
// server (429 with Retry-After, 503, dropped connections, truncated bodies, garbage bodies,
// latency, unknown fields and enum values): either they succeed within the retry budget, or they
// end in the typed error the budget calls for; and whatever happened on the wire, the service's
// stats show exactly one job per successful create and never two jobs under one idempotency key.
//
// One translation unit on purpose: GCC 12 with -fno-exceptions fails to link two TUs that
// instantiate the same client coroutines ("`...Frame.actor' referenced in section
// `.data.rel.ro.local' ... defined in discarded section"), a COMDAT bug of its coroutine lowering.
#include "support.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

using namespace e2e_ugen;

namespace {

json::value credits(const fixture& f) { return f.ugen_stats()["credits"]; }

std::string service_field(const mediajobs::error& e) {
  auto body = json::read<json::value>(e.raw_body());
  REQUIRE_MESSAGE(body, e.raw_body());
  return (*body)["field"].is_string() ? (*body)["field"].as_string() : std::string{};
}


using wait_result = api::wait_result<ugen::job>;

/// The i-th request of a batch: always the same parameters and key for the same (tag, i).
ugen::create_job_request keyed_request(std::string_view tag, int i) {
  ugen::create_job_request r = request(std::string{tag} + " product " + std::to_string(i), 1);
  r.idempotency_key = std::string{tag} + "-key-" + std::to_string(i);
  return r;
}

/// Runs `n` create_and_wait one after the other; the progress each reports must never go
/// backwards. With `keyed`, the keys are `<tag>-key-<i>` (else the client makes them up).
std::vector<wait_result> create_and_wait_n(fixture& f, int n, std::string_view tag, bool keyed = false) {
  std::vector<wait_result> out;
  for (int i = 0; i < n; ++i) {
    ugen::create_job_request r = keyed_request(tag, i);
    if (!keyed) r.idempotency_key.reset();
    int last_stage = -1;
    double last_progress = -1;
    ugen::wait_options w;
    w.on_progress = [&](const ugen::job& j) {
      CHECK(stage_index(j) >= last_stage);
      CHECK(j.progress_percent.value_or(-1) >= last_progress);
      last_stage = stage_index(j);
      last_progress = j.progress_percent.value_or(-1);
    };
    out.push_back(f.run(f.client->create_and_wait(std::move(r), std::move(w))));
  }
  return out;
}

void check_all_completed(const std::vector<wait_result>& results) {
  for (const auto& r : results) {
    REQUIRE_MESSAGE(r, r.error().message());
    CHECK(r->status.is(ugen::job_status::completed));
    CHECK(r->progress_percent == 100.0);
  }
}

std::ptrdiff_t count_status(const fixture& f, int status) {
  return std::count(f.statuses.begin(), f.statuses.end(), status);
}

/// One raw exchange through the fixture's transport (for the control endpoints), bounded.
result<mediajobs::http::response> fetch(fixture& f, std::string method, std::string url) {
  mediajobs::http::request req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.timeout = 5s;
  auto out = std::make_shared<std::optional<result<mediajobs::http::response>>>();
  f.http.async_send(std::move(req), {}, [out](result<mediajobs::http::response> r) { out->emplace(std::move(r)); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!out->has_value() && std::chrono::steady_clock::now() < deadline) {
    if (f.io.stopped()) f.io.restart();
    f.io.run_one_for(20ms);
  }
  REQUIRE_MESSAGE(out->has_value(), "test: no completion");
  return std::move(**out);
}

}  // namespace

TEST_CASE("create_job over the wire: the server applies the documented defaults and reserves credits") {
  fixture f{stepped_setup(0ms)};
  const ugen::job j = create(f, request("Premium Wireless Headphones", 3));
  CHECK(j.status.is(ugen::job_status::pending));
  CHECK(stage_index(j) == 0);  // script
  CHECK(j.progress_percent == 0.0);
  CHECK(j.product_name == "Premium Wireless Headphones");
  CHECK(j.segment_count == 3);
  CHECK(j.segment_duration == 8);
  REQUIRE(j.aspect_ratio);
  CHECK(j.aspect_ratio->name() == "9:16");
  REQUIRE(j.video_model);
  CHECK(j.video_model->is(ugen::video_model::veo3_fast));
  REQUIRE(j.persona_id);
  CHECK(!j.persona_id->empty());  // the server picks one when none was given
  REQUIRE(j.idempotency_key);
  CHECK(j.idempotency_key->size() == 36);  // the UUID the client generated for this create
  CHECK(j.credits_reserved == 30.0);
  CHECK(j.credits_used == 0.0);
  REQUIRE(j.segments);
  CHECK(j.segments->size() == 3);
  // Defaults the job schema does not type arrive in `extra`, with the documented values.
  const json::value* volume = j.extra.find("music_volume");
  REQUIRE(volume);
  CHECK(volume->as_double() == doctest::Approx(ugen::defaults::music_volume));
  const json::value* tone = j.extra.find("script_tone");
  REQUIRE(tone);
  CHECK(tone->as_string() == "conversational");
  const json::value* captions = j.extra.find("captions_enabled");
  REQUIRE(captions);
  CHECK(captions->as_bool());
  const json::value* kf_retries = j.extra.find("max_retries_keyframe");
  REQUIRE(kf_retries);
  CHECK(kf_retries->as_int64() == ugen::defaults::max_retries_keyframe);

  CHECK(f.jobs_created() == 1);
  CHECK(credits(f)["reserved"].as_int64() == 30);
  CHECK(credits(f)["available"].as_int64() == 970);
  f.check_one_job_per_key(1);
}

TEST_CASE("create_job: values the client-side validator lets through are refused by the server as typed 400s") {
  fixture f{stepped_setup(0ms, 3)};
  ugen::create_job_request r = request("Headphones", 1);
  std::string field;
  SUBCASE("segment_count above the sandbox's 20") {
    r.segment_count = 21;
    field = "segment_count";
  }
  SUBCASE("a video model of neither the Veo nor the Kling family") {
    r.video_model = mediajobs::open_enum<ugen::video_model>{"sora_v1"};
    field = "video_model";
  }
  SUBCASE("an aspect ratio the service does not offer") {
    r.aspect_ratio = mediajobs::open_enum<ugen::aspect_ratio>{"4:3"};
    field = "aspect_ratio";
  }
  SUBCASE("a stop stage that is not a pipeline stage") {
    r.stop_at_stage = mediajobs::open_enum<ugen::pipeline_stage>{"polishing"};
    field = "stop_at_stage";
  }
  SUBCASE("a failure-injection marker naming no stage") {
    r.product_name = "Mug [fail:polishing]";
    field = "product_name";
  }
  REQUIRE(ugen::validate(r));  // the client lets it through...
  auto created = f.run(f.client->create_job(std::move(r)));
  REQUIRE(!created);  // ...the server does not
  const mediajobs::error& e = created.error();
  CHECK(e.kind() == error_kind::http_status);
  CHECK(e.http_status() == 400);
  CHECK(e.service_code() == "validation_error");
  CHECK(!e.service_message().empty());
  CHECK(service_field(e) == field);
  CHECK(f.attempts == 1);  // a 400 is final even with retries allowed
  CHECK(f.jobs_created() == 0);
  CHECK(credits(f)["reserved"].as_int64() == 0);
}

TEST_CASE("create_job: a request the client-side validator refuses never reaches the server") {
  fixture f{stepped_setup(0ms)};
  ugen::create_job_request r = request("Headphones", 1);
  r.segment_duration = 6;  // U-Gen docs: Veo models fix segment_duration at 8
  auto created = f.run(f.client->create_job(std::move(r)));
  REQUIRE(!created);
  CHECK(created.error().kind() == error_kind::validation);
  CHECK(created.error().field() == "segment_duration");
  CHECK(f.attempts == 0);
  CHECK(f.requests() == 0);
}

TEST_CASE("create_job: the same idempotency key gives the same job; other parameters under it conflict") {
  fixture f{stepped_setup(0ms, 3)};
  ugen::create_job_request first = request("Headphones", 2);
  first.idempotency_key = "e2e-idem-1";
  const ugen::job a = create(f, first);

  // A default spelled out is the same request: the server compares after applying defaults.
  ugen::create_job_request again = first;
  again.aspect_ratio = ugen::aspect_ratio::r9_16;
  f.server.advance(700ms);
  const ugen::job b = create(f, again);
  CHECK(b.get_id() == a.get_id());
  CHECK(b.status.is(ugen::job_status::processing));  // the existing job, as it is now
  CHECK(b.idempotency_key == "e2e-idem-1");

  ugen::create_job_request other = first;
  other.segment_count = 3;
  const int before = f.attempts;
  auto conflict = f.run(f.client->create_job(other));
  REQUIRE(!conflict);
  CHECK(conflict.error().kind() == error_kind::conflict);
  CHECK(conflict.error().http_status() == 409);
  CHECK(conflict.error().service_code() == "idempotency_conflict");
  CHECK(f.attempts - before == 1);  // a 409 is not retried

  CHECK(f.jobs_created() == 1);
  CHECK(f.ugen_stats()["jobs_by_idempotency_key"]["e2e-idem-1"].as_int64() == 1);

  // The same parameters under another key are another job.
  ugen::create_job_request fresh = first;
  fresh.idempotency_key = "e2e-idem-2";
  const ugen::job c = create(f, fresh);
  CHECK(c.get_id() != a.get_id());
  CHECK(f.jobs_created() == 2);
  f.check_one_job_per_key(2);
}

TEST_CASE("get_job follows the pipeline on the sandbox clock; an unknown id is not_found") {
  fixture f{stepped_setup(0ms, 3)};
  const std::string id{create(f, request("Speaker", 3)).get_id()};

  f.server.advance(100ms);
  ugen::job j = get(f, id);
  CHECK(j.status.is(ugen::job_status::processing));
  CHECK(stage_index(j) == 0);
  CHECK(j.progress_percent == 0.0);

  f.server.advance(300ms);  // 400 ms: keyframes (300..600)
  j = get(f, id);
  CHECK(stage_index(j) == 1);
  CHECK(j.progress_percent == 10.0);

  f.server.advance(1000ms);  // 1400 ms: generation (600..2400), one of three segments done
  j = get(f, id);
  CHECK(stage_index(j) == 2);
  CHECK(j.progress_percent == doctest::Approx(45.0));
  REQUIRE(j.segments);
  CHECK((*j.segments)[0].video_url == file_url(f.server.url("ugen"), id, "seg-1.mp4"));
  CHECK(!(*j.segments)[1].video_url);

  f.server.advance(std::chrono::minutes(5));
  j = get(f, id);
  CHECK(j.status.is(ugen::job_status::completed));
  CHECK(j.progress_percent == 100.0);
  CHECK(j.credits_used == 30.0);
  CHECK(j.credits_reserved == 0.0);
  CHECK(j.completed_at.has_value());
  REQUIRE(j.outputs);
  CHECK(j.outputs->video_url == file_url(f.server.url("ugen"), id, "final.mp4"));
  CHECK(j.outputs->captions_url == file_url(f.server.url("ugen"), id, "captions.vtt"));
  CHECK(j.output_url == file_url(f.server.url("ugen"), id, "final.mp4"));

  const int before = f.attempts;
  auto missing = f.run(f.client->get_job("00000000-0000-4000-8000-000000000000"));
  REQUIRE(!missing);
  CHECK(missing.error().kind() == error_kind::not_found);
  CHECK(missing.error().http_status() == 404);
  CHECK(f.attempts - before == 1);  // a 404 is not retried
}

TEST_CASE("list_jobs and all_jobs page through more than two pages with a status filter") {
  fixture f{stepped_setup(0ms)};
  std::vector<std::string> done_ids;
  for (int i = 0; i < 7; ++i) done_ids.emplace_back(create(f, request("Item " + std::to_string(i))).get_id());
  f.server.advance(std::chrono::minutes(5));  // those seven complete
  std::vector<std::string> running_ids;
  for (int i = 0; i < 2; ++i) running_ids.emplace_back(create(f, request("Running " + std::to_string(i))).get_id());
  const std::string failed_id{create(f, request("Broken [fail:script]")).get_id()};
  f.server.advance(400ms);  // the failure is due at 300 ms; the two others are still running

  // One page, as the server sent it.
  ugen::list_jobs_query q;
  q.status = ugen::job_status::completed;
  q.page = 2;
  q.page_size = 3;
  auto page = f.run(f.client->list_jobs(q));
  REQUIRE_MESSAGE(page, page.error().message());
  const auto* obj = std::get_if<ugen::job_list_page>(&*page);
  REQUIRE(obj);
  CHECK(obj->total == 7);
  CHECK(obj->total_pages == 3);
  CHECK(obj->has_more == true);
  const std::vector<ugen::job>& items = ugen::list_items(*page);
  REQUIRE(items.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(items[i].get_id() == done_ids[3 + i]);

  // Every completed job, three per page: pages of 3, 3 and 1, then the walk ends on has_more.
  ugen::list_jobs_query all_done;
  all_done.status = ugen::job_status::completed;
  all_done.page_size = 3;
  api::pager<ugen::job> pages = f.client->all_jobs(all_done);
  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  const int before = f.attempts;
  for (int guard = 0; guard < 10; ++guard) {
    auto next = f.run(pages.next());
    REQUIRE_MESSAGE(next, next.error().message());
    if (!*next) break;
    sizes.push_back((*next)->size());
    for (const ugen::job& j : **next) {
      CHECK(j.status.is(ugen::job_status::completed));
      seen.emplace_back(j.get_id());
    }
  }
  CHECK(pages.done());
  CHECK(sizes == std::vector<std::size_t>{3, 3, 1});
  CHECK(seen == done_ids);
  CHECK(f.attempts - before == 3);

  // Other filters, item by item.
  const auto ids_with = [&](ugen::job_status s) {
    ugen::list_jobs_query by;
    by.status = s;
    by.page_size = 1;
    std::vector<std::string> out;
    auto n = f.run(api::for_each(f.client->all_jobs(by), [&](const ugen::job& j) { out.emplace_back(j.get_id()); }));
    REQUIRE_MESSAGE(n, n.error().message());
    CHECK(*n == out.size());
    return out;
  };
  CHECK(ids_with(ugen::job_status::processing) == running_ids);
  CHECK(ids_with(ugen::job_status::failed) == std::vector<std::string>{failed_id});
  CHECK(ids_with(ugen::job_status::cancelled).empty());

  auto everything = f.run(api::for_each(f.client->all_jobs(), [](const ugen::job&) {}));
  REQUIRE(everything);
  CHECK(*everything == 10);
}

TEST_CASE("cancel_job stops a running job and releases its reserved credits") {
  fixture f{stepped_setup(0ms, 3)};
  const std::string id{create(f, request("Backpack", 3)).get_id()};
  CHECK(credits(f)["available"].as_int64() == 970);
  f.server.advance(1s);

  auto cancelled = f.run(f.client->cancel_job(id));
  REQUIRE_MESSAGE(cancelled, cancelled.error().message());
  REQUIRE(cancelled->has_value());
  CHECK((*cancelled)->status.is(ugen::job_status::cancelled));
  CHECK((*cancelled)->credits_reserved == 0.0);
  CHECK((*cancelled)->credits_used == 0.0);
  CHECK(credits(f)["released"].as_int64() == 30);
  CHECK(credits(f)["reserved"].as_int64() == 0);
  CHECK(credits(f)["available"].as_int64() == 1000);
  CHECK(f.ugen_stats()["jobs_live"].as_int64() == 0);

  f.server.advance(std::chrono::minutes(5));  // nothing moves any more
  const ugen::job later = get(f, id);
  CHECK(later.status.is(ugen::job_status::cancelled));
  CHECK(stage_index(later) == 2);  // stopped in generation
  REQUIRE(later.outputs);
  CHECK(!later.outputs->video_url);

  auto waited = f.run(f.client->wait(id));
  REQUIRE(!waited);
  CHECK(waited.error().kind() == error_kind::job_failed);
  REQUIRE(waited.last_snapshot);
  CHECK(waited.last_snapshot->status.is(ugen::job_status::cancelled));

  auto twice = f.run(f.client->cancel_job(id));
  REQUIRE(!twice);
  CHECK(twice.error().kind() == error_kind::conflict);
  CHECK(credits(f)["available"].as_int64() == 1000);  // nothing released twice
}

TEST_CASE("pause_job lets the running stage finish, then holds the job until resume_job") {
  fixture f{stepped_setup(0ms)};
  const std::string id{create(f, request("Desk Lamp", 2)).get_id()};
  f.server.advance(700ms);  // generation runs 600..1800

  auto paused = f.run(f.client->pause_job(id));
  REQUIRE_MESSAGE(paused, paused.error().message());
  REQUIRE(paused->has_value());
  CHECK((*paused)->status.is(ugen::job_status::processing));  // the stage in progress finishes first
  const json::value* requested = (*paused)->extra.find("pause_requested");
  REQUIRE(requested);
  CHECK(requested->as_bool());

  f.server.advance(std::chrono::minutes(5));
  ugen::job j = get(f, id);
  CHECK(j.status.is(ugen::job_status::paused));
  CHECK(stage_index(j) == 3);  // stopped before captions: generation completed
  CHECK(j.progress_percent == 85.0);
  REQUIRE(j.segments);
  for (const auto& s : *j.segments) CHECK(s.video_url.has_value());
  REQUIRE(j.outputs);
  CHECK(!j.outputs->captions_url);

  f.server.advance(std::chrono::minutes(5));  // a paused job stays where it is
  j = get(f, id);
  CHECK(j.status.is(ugen::job_status::paused));
  CHECK(stage_index(j) == 3);

  auto resumed = f.run(f.client->resume_job(id));
  REQUIRE_MESSAGE(resumed, resumed.error().message());
  REQUIRE(resumed->has_value());
  CHECK((*resumed)->status.is(ugen::job_status::processing));

  f.server.advance(std::chrono::minutes(5));
  j = get(f, id);
  CHECK(j.status.is(ugen::job_status::completed));
  CHECK(j.credits_used == 20.0);
  REQUIRE(j.outputs);
  CHECK(j.outputs->captions_url.has_value());

  auto again = f.run(f.client->resume_job(id));
  REQUIRE(!again);
  CHECK(again.error().kind() == error_kind::conflict);
  auto late_pause = f.run(f.client->pause_job(id));
  REQUIRE(!late_pause);
  CHECK(late_pause.error().kind() == error_kind::conflict);
}

TEST_CASE("retry_job after a deterministic failure re-runs the pipeline from the failed stage") {
  fixture f{stepped_setup(0ms)};
  const std::string id{create(f, request("Lamp [fail:captions]", 2)).get_id()};
  f.server.advance(std::chrono::minutes(5));

  auto failed = f.run(f.client->wait(id));
  REQUIRE(!failed);
  CHECK(failed.error().kind() == error_kind::job_failed);
  CHECK(failed.error().service_message() == "injected failure in stage captions");
  REQUIRE(failed.last_snapshot);
  const ugen::job& snap = *failed.last_snapshot;
  CHECK(snap.status.is(ugen::job_status::failed));
  CHECK(stage_index(snap) == 3);
  REQUIRE(snap.error);
  CHECK((*snap.error)["stage"].as_string() == "captions");
  CHECK(snap.credits_reserved == 0.0);  // released on failure
  CHECK(credits(f)["available"].as_int64() == 1000);

  auto retried = f.run(f.client->retry_job(id));
  REQUIRE_MESSAGE(retried, retried.error().message());
  REQUIRE(retried->has_value());
  const ugen::job& r = **retried;
  CHECK(r.status.is(ugen::job_status::pending));
  CHECK(stage_index(r) == 3);           // starts again at captions...
  CHECK(r.credits_reserved == 20.0);    // ...with the credits reserved again
  REQUIRE(r.segments);
  for (const auto& s : *r.segments) CHECK(s.video_url.has_value());  // generation is kept

  f.server.advance(std::chrono::minutes(5));
  const ugen::job done = get(f, id);
  CHECK(done.status.is(ugen::job_status::completed));
  CHECK(done.credits_used == 20.0);
  auto videos = f.run(f.client->list_videos(id));
  REQUIRE(videos);
  for (const auto& v : *videos) CHECK(v.attempt == 1);  // not generated twice
  auto keyframes = f.run(f.client->list_keyframes(id));
  REQUIRE(keyframes);
  for (const auto& k : *keyframes) CHECK(k.attempt == 1);

  auto not_failed = f.run(f.client->retry_job(id));
  REQUIRE(!not_failed);
  CHECK(not_failed.error().kind() == error_kind::conflict);
}

TEST_CASE("retry_job from an earlier stage re-runs that stage and every later one") {
  fixture f{stepped_setup(0ms)};
  const std::string id{create(f, request("Lamp [fail:assembly]", 2)).get_id()};
  f.server.advance(std::chrono::minutes(5));
  CHECK(get(f, id).status.is(ugen::job_status::failed));

  // An unknown stage is the server's to refuse: the client sends it verbatim.
  auto unknown = f.run(f.client->retry_job(id, mediajobs::open_enum<ugen::pipeline_stage>{"polishing"}));
  REQUIRE(!unknown);
  CHECK(unknown.error().kind() == error_kind::http_status);
  CHECK(unknown.error().http_status() == 400);
  CHECK(service_field(unknown.error()) == "restart_from_stage");

  auto retried = f.run(f.client->retry_job(id, ugen::pipeline_stage::keyframes));
  REQUIRE_MESSAGE(retried, retried.error().message());
  REQUIRE(retried->has_value());
  CHECK(stage_index(**retried) == 1);
  REQUIRE((*retried)->segments);
  for (const auto& s : *(*retried)->segments) {
    CHECK(!s.keyframe_url);  // keyframes and everything after them are redone
    CHECK(!s.video_url);
  }

  f.server.advance(std::chrono::minutes(5));
  CHECK(get(f, id).status.is(ugen::job_status::completed));
  auto keyframes = f.run(f.client->list_keyframes(id));
  REQUIRE(keyframes);
  for (const auto& k : *keyframes) CHECK(k.attempt == 2);
  auto videos = f.run(f.client->list_videos(id));
  REQUIRE(videos);
  for (const auto& v : *videos) CHECK(v.attempt == 2);
}

TEST_CASE("list_keyframes and list_videos report per-segment status, URLs and QAI scores") {
  fixture f{stepped_setup(0ms)};
  const std::string id{create(f, request("Sneakers", 3)).get_id()};
  f.server.advance(400ms);  // keyframes run 300..600

  auto early = f.run(f.client->list_keyframes(id));
  REQUIRE_MESSAGE(early, early.error().message());
  REQUIRE(early->size() == 3);
  for (const auto& k : *early) {
    REQUIRE(k.status);
    CHECK(k.status->is(ugen::asset_status::processing));
    CHECK(!k.image_url);
    CHECK(!k.qai_score);
  }

  f.server.advance(900ms);  // 1300 ms: keyframes done; generation 600..2400 has one segment
  auto kf = f.run(f.client->list_keyframes(id));
  REQUIRE_MESSAGE(kf, kf.error().message());
  REQUIRE(kf->size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const ugen::keyframe& k = (*kf)[i];
    CHECK(k.segment_index == static_cast<int>(i + 1));
    REQUIRE(k.status);
    CHECK(k.status->is(ugen::asset_status::completed));
    CHECK(k.image_url == file_url(f.server.url("ugen"), id, "kf-" + std::to_string(i + 1) + ".png"));
    REQUIRE(k.qai_score);
    CHECK(*k.qai_score >= 0.0);
    CHECK(*k.qai_score <= 1.0);
    CHECK(k.qai_passed == (*k.qai_score >= 0.6));  // the lenient default threshold
  }

  auto videos = f.run(f.client->list_videos(id));
  REQUIRE_MESSAGE(videos, videos.error().message());
  REQUIRE(videos->size() == 3);
  std::vector<std::string> states;
  for (const auto& v : *videos) {
    REQUIRE(v.status);
    states.emplace_back(v.status->name());
    CHECK(v.duration_seconds == 8.0);
  }
  CHECK(states == std::vector<std::string>{"completed", "processing", "pending"});
  CHECK((*videos)[0].video_url == file_url(f.server.url("ugen"), id, "seg-1.mp4"));
  CHECK(!(*videos)[1].video_url);

  f.server.advance(std::chrono::minutes(5));
  auto all = f.run(f.client->list_videos(id));
  REQUIRE(all);
  for (const auto& v : *all) CHECK(v.video_url.has_value());
  // The job carries the same scores in its segments.
  const ugen::job j = get(f, id);
  REQUIRE(j.segments);
  REQUIRE(j.segments->size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK((*j.segments)[i].qai_score == (*kf)[i].qai_score);

  auto missing = f.run(f.client->list_keyframes("no-such-job"));
  REQUIRE(!missing);
  CHECK(missing.error().kind() == error_kind::not_found);
}

TEST_CASE("suggest_fields answers suggestions derived from the product and creates nothing") {
  fixture f{stepped_setup(0ms)};
  ugen::suggest_fields_request r;
  r.product_name = "Aurora Lamp";
  r.product_image_url = std::string{image};
  r.segment_count = 3;
  auto s = f.run(f.client->suggest_fields(r));
  REQUIRE_MESSAGE(s, s.error().message());
  REQUIRE(s->key_selling_points);
  CHECK(s->key_selling_points->size() == 3);
  REQUIRE(s->cta_text);
  CHECK(s->cta_text->find("Aurora Lamp") != std::string::npos);
  REQUIRE(s->custom_script);
  CHECK(s->custom_script->find("Aurora Lamp") != std::string::npos);
  CHECK(s->environment_description.has_value());
  CHECK(f.jobs_created() == 0);
  CHECK(credits(f)["reserved"].as_int64() == 0);

  r.segment_count = 25;  // the client only checks >= 1
  auto refused = f.run(f.client->suggest_fields(r));
  REQUIRE(!refused);
  CHECK(refused.error().http_status() == 400);
  CHECK(service_field(refused.error()) == "segment_count");
}

TEST_CASE("download() fetches an output file from the sandbox to disk; a missing one is not_found") {
  fixture f{stepped_setup(0ms)};
  const std::string id{create(f, request("Camera", 1)).get_id()};
  f.server.advance(std::chrono::minutes(5));
  const ugen::job j = get(f, id);
  REQUIRE(j.outputs);
  REQUIRE(j.outputs->video_url);

  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  // Job ids repeat from run to run; the port tells apart test processes running at once.
  const std::string stem = "mediajobs-e2e-ugen-" + std::to_string(f.server.port()) + "-" + id;
  const std::string target = (dir / (stem + ".mp4")).string();
  std::error_code ec;
  std::filesystem::remove(target, ec);

  api::download_options opts;
  opts.max_bytes = 1 << 20;
  opts.timeout = 5s;
  auto got = f.run(f.client->download(*j.outputs->video_url, target, opts));
  REQUIRE_MESSAGE(got, got.error().message());
  CHECK(got->status == 200);
  CHECK(got->bytes == 4096);
  CHECK(got->content_type == "video/mp4");
  {
    std::ifstream in(target, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    CHECK(bytes.size() == 4096);
    CHECK(bytes.substr(4, 4) == "ftyp");  // an MP4's magic
  }
  std::filesystem::remove(target, ec);

  // A file the job does not have: segment 2 of a 1-segment job.
  const std::string nothing = (dir / (stem + "-none.mp4")).string();
  auto missing = f.run(f.client->download(file_url(f.server.url("ugen"), id, "seg-2.mp4"), nothing, opts));
  REQUIRE(!missing);
  CHECK(missing.error().kind() == error_kind::not_found);
  CHECK(!std::filesystem::exists(nothing));
  CHECK(!std::filesystem::exists(nothing + ".part"));

  // Larger than allowed: refused on its Content-Length, nothing left behind.
  api::download_options small = opts;
  small.max_bytes = 100;
  auto too_big = f.run(f.client->download(*j.outputs->video_url, target, small));
  REQUIRE(!too_big);
  CHECK(too_big.error().kind() == error_kind::limit_exceeded);
  CHECK(!std::filesystem::exists(target));
  CHECK(!std::filesystem::exists(target + ".part"));
}

TEST_CASE("create_and_wait reports every stage in order with non-decreasing progress") {
  // 200 ms of sandbox time per request: shorter than any stage, so every stage is polled.
  fixture f{stepped_setup(200ms)};
  std::vector<int> stages;
  std::vector<double> progress;
  ugen::wait_options w;
  w.on_progress = [&](const ugen::job& j) {
    stages.push_back(stage_index(j));
    progress.push_back(j.progress_percent.value_or(-1));
  };
  auto done = f.run(f.client->create_and_wait(request("Headphones", 3), std::move(w)));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(ugen::job_status::completed));
  CHECK(done->progress_percent == 100.0);
  REQUIRE(done->outputs);
  CHECK(done->outputs->video_url == file_url(f.server.url("ugen"), std::string{done->get_id()}, "final.mp4"));

  REQUIRE(!stages.empty());
  for (std::size_t i = 1; i < stages.size(); ++i) {
    CHECK(stages[i] >= stages[i - 1]);
    CHECK(progress[i] >= progress[i - 1]);
  }
  CHECK(std::set<int>(stages.begin(), stages.end()) == std::set<int>{0, 1, 2, 3, 4, 5});
  CHECK(progress.front() == 0.0);
  CHECK(progress.back() == 100.0);
  // Generation reports per segment: 25 + 60 x done / 3.
  for (const double p : {25.0, 45.0, 65.0, 85.0, 90.0, 95.0})
    CHECK_MESSAGE(std::find(progress.begin(), progress.end(), p) != progress.end(), "progress " << p);
  CHECK(f.jobs_created() == 1);
  f.check_one_job_per_key(1);
}

TEST_CASE("wait() on a job that cannot finish ends at its deadline with the last snapshot") {
  fixture f{stepped_setup(0ms)};  // the manual clock never moves here: the job stays in script
  const std::string id{create(f, request("Frozen", 1)).get_id()};
  ugen::wait_options w;
  w.interval = 5ms;
  w.deadline = 60ms;
  auto waited = f.run(f.client->wait(id, std::move(w)));
  REQUIRE(!waited);
  CHECK(waited.error().kind() == error_kind::deadline_exceeded);
  REQUIRE(waited.last_snapshot);
  CHECK(waited.last_snapshot->status.is(ugen::job_status::processing));
  CHECK(f.attempts >= 3);  // it did poll, at the interval asked, until the deadline
}

// --- under faults ------------------------------------------------------------------------------

TEST_CASE("429 with Retry-After 0 on every third request: every create+wait succeeds, one job per create") {
  fixture f{fast_setup()};
  sb::fault_options faults;
  faults.rate_limit_every = 3;
  faults.retry_after_seconds = 0;
  f.server.set_faults(faults);
  check_all_completed(create_and_wait_n(f, 4, "rate"));
  CHECK(f.injected("rate_limited") > 0);
  CHECK(count_status(f, 429) == f.injected("rate_limited"));  // each one seen, and retried
  CHECK(f.jobs_created() == 4);
  f.check_one_job_per_key(4);
}

TEST_CASE("429 on every request exhausts the retry budget: rate_limited with the server's hint") {
  setup s = fast_setup(2);
  s.server.faults.rate_limit_every = 1;
  SUBCASE("Retry-After 0: every retry is spent") {
    s.server.faults.retry_after_seconds = 0;
    fixture f{s};
    auto created = f.run(f.client->create_job(request("Limited")));
    REQUIRE(!created);
    CHECK(created.error().kind() == error_kind::rate_limited);
    CHECK(created.error().http_status() == 429);
    CHECK(created.error().retry_after() == std::chrono::milliseconds{0});
    CHECK(f.attempts == 3);
    CHECK(f.requests() == 3);
    CHECK(f.jobs_created() == 0);
  }
  SUBCASE("a Retry-After beyond the policy's limit: no retry at all") {
    s.server.faults.retry_after_seconds = 600;  // the policy waits at most 120 s
    fixture f{s};
    auto created = f.run(f.client->create_job(request("Limited")));
    REQUIRE(!created);
    CHECK(created.error().kind() == error_kind::rate_limited);
    CHECK(created.error().retry_after() == std::chrono::seconds{600});
    CHECK(created.error().detail().find("exceeds") != std::string_view::npos);
    CHECK(f.attempts == 1);
    CHECK(f.jobs_created() == 0);
  }
}

TEST_CASE("503 on every third request: creates, waits and pages succeed, one job per create") {
  fixture f{fast_setup()};
  sb::fault_options faults;
  faults.unavailable_every = 3;
  f.server.set_faults(faults);
  const auto results = create_and_wait_n(f, 4, "unavailable");
  check_all_completed(results);
  CHECK(f.injected("unavailable") > 0);
  CHECK(count_status(f, 503) == f.injected("unavailable"));
  CHECK(f.jobs_created() == 4);
  f.check_one_job_per_key(4);

  // The pager retries a page like any GET: one job per page, every page through the faults.
  ugen::list_jobs_query q;
  q.page_size = 1;
  std::vector<std::string> listed;
  auto n = f.run(api::for_each(f.client->all_jobs(q), [&](const ugen::job& j) { listed.emplace_back(j.get_id()); }));
  REQUIRE_MESSAGE(n, n.error().message());
  std::vector<std::string> created;
  for (const auto& r : results) created.emplace_back(r->get_id());
  CHECK(listed == created);
}

TEST_CASE("503 on every request: the budget ends in http_status; actions without a key are not repeated") {
  SUBCASE("max_retries 0: one attempt") {
    setup s = fast_setup(0);
    s.server.faults.unavailable_every = 1;
    fixture f{s};
    auto created = f.run(f.client->create_job(request("Unavailable")));
    REQUIRE(!created);
    CHECK(created.error().kind() == error_kind::http_status);
    CHECK(created.error().http_status() == 503);
    CHECK(f.attempts == 1);
    CHECK(f.jobs_created() == 0);
  }
  SUBCASE("max_retries 2: three attempts") {
    setup s = fast_setup(2);
    s.server.faults.unavailable_every = 1;
    fixture f{s};
    auto created = f.run(f.client->create_and_wait(request("Unavailable")));
    REQUIRE(!created);
    CHECK(created.error().kind() == error_kind::http_status);
    CHECK(created.error().http_status() == 503);
    CHECK(f.attempts == 3);
    CHECK(f.requests() == 3);
    CHECK(f.jobs_created() == 0);
  }
  SUBCASE("pause (a POST without a key) is not retried; cancel (a DELETE) and suggest_fields are") {
    setup s = fast_setup(3);
    s.server.manual_clock = true;
    fixture f{s};
    const std::string id{create(f, request("Paused")).get_id()};
    sb::fault_options faults;
    faults.unavailable_every = 1;
    f.server.set_faults(faults);
    int before = f.attempts;
    auto paused = f.run(f.client->pause_job(id));
    REQUIRE(!paused);
    CHECK(paused.error().http_status() == 503);
    CHECK(f.attempts - before == 1);
    before = f.attempts;
    auto cancelled = f.run(f.client->cancel_job(id));
    REQUIRE(!cancelled);
    CHECK(cancelled.error().kind() == error_kind::http_status);
    CHECK(f.attempts - before == 4);
    ugen::suggest_fields_request sr;
    sr.product_name = "Paused";
    sr.product_image_url = std::string{image};
    before = f.attempts;
    auto suggested = f.run(f.client->suggest_fields(sr));
    REQUIRE(!suggested);
    CHECK(suggested.error().http_status() == 503);
    CHECK(f.attempts - before == 4);  // free and stateless: repeated like a GET
    f.server.set_faults({});
    const ugen::job j = get(f, id);  // neither reached the service:
    CHECK(j.status.is(ugen::job_status::processing));  // not cancelled,
    CHECK(j.extra.find("pause_requested") == nullptr);  // no pause pending
  }
}

TEST_CASE("dropped connections on every third response: creates+waits succeed, one job per create") {
  fixture f{fast_setup()};
  sb::fault_options faults;
  faults.drop_every = 3;
  f.server.set_faults(faults);
  check_all_completed(create_and_wait_n(f, 4, "drop"));
  CHECK(f.injected("dropped") > 0);
  CHECK(count_status(f, 0) > 0);  // the client saw transport failures, and retried them
  CHECK(f.jobs_created() == 4);
  f.check_one_job_per_key(4);
}

TEST_CASE("truncated bodies on every third response: creates+waits succeed, one job per create") {
  fixture f{fast_setup()};
  sb::fault_options faults;
  faults.truncate_every = 3;
  f.server.set_faults(faults);
  check_all_completed(create_and_wait_n(f, 4, "truncate"));
  CHECK(f.injected("truncated") > 0);
  CHECK(count_status(f, 0) > 0);
  CHECK(f.jobs_created() == 4);
  f.check_one_job_per_key(4);
}

TEST_CASE("every create answer lost: the budget ends in a transport error, with one job under the key") {
  // The service acts on each attempt before its answer is lost: the first creates the job, the
  // retries (same key) replay it. Re-sending the create later returns that very job.
  setup s = fast_setup(2);
  SUBCASE("dropped") { s.server.faults.drop_every = 1; }
  SUBCASE("truncated") { s.server.faults.truncate_every = 1; }
  fixture f{s};
  // The key the client made up for this create_job call is the one every retry carries.
  auto unkeyed = f.run(f.client->create_job(request("Lost, client key")));
  REQUIRE(!unkeyed);
  CHECK(unkeyed.error().kind() == error_kind::transport);
  CHECK(f.attempts == 3);
  CHECK(f.jobs_created() == 1);
  f.check_one_job_per_key(1);

  // With a key of our own, re-sending the create later returns the job made the first time.
  ugen::create_job_request r = keyed_request("lost", 0);
  auto created = f.run(f.client->create_job(r));
  REQUIRE(!created);
  CHECK(created.error().kind() == error_kind::transport);
  CHECK(f.attempts == 6);
  CHECK(f.jobs_created() == 2);
  f.check_one_job_per_key(2);

  f.server.set_faults({});
  auto again = f.run(f.client->create_and_wait(r));
  REQUIRE_MESSAGE(again, again.error().message());
  CHECK(again->status.is(ugen::job_status::completed));
  CHECK(again->idempotency_key == "lost-key-0");
  CHECK(f.jobs_created() == 2);
  f.check_one_job_per_key(2);
  CHECK(f.ugen_stats()["jobs_by_idempotency_key"]["lost-key-0"].as_int64() == 1);
}

TEST_CASE("a download cut short fails with transport and leaves no file behind") {
  setup s = fast_setup();
  s.server.manual_clock = true;
  fixture f{s};
  const std::string id{create(f, request("Cut", 1)).get_id()};
  f.server.advance(std::chrono::minutes(5));
  const std::string url = file_url(f.server.url("ugen"), id, "final.mp4");
  const std::string name = "mediajobs-e2e-ugen-cut-" + std::to_string(f.server.port()) + ".mp4";
  const std::string target = (std::filesystem::temp_directory_path() / name).string();
  sb::fault_options faults;
  faults.truncate_every = 1;
  f.server.set_faults(faults);
  api::download_options opts;
  opts.max_bytes = 1 << 20;
  opts.timeout = 5s;
  opts.overwrite = true;
  auto got = f.run(f.client->download(url, target, opts));
  REQUIRE(!got);
  CHECK(got.error().kind() == error_kind::transport);
  CHECK(!std::filesystem::exists(target));
  CHECK(!std::filesystem::exists(target + ".part"));
}

TEST_CASE("garbage bodies end the one operation that got each, as decode errors, never with a second job") {
  // A 2xx body that is not JSON is not retried (the request was served): the operation that got
  // it fails with `decode`. Re-sending the create under the same key recovers the job.
  fixture f{fast_setup()};
  sb::fault_options faults;
  faults.garbage_every = 4;
  f.server.set_faults(faults);
  constexpr int n = 5;
  const auto results = create_and_wait_n(f, n, "garbage", true);
  std::int64_t decode = 0;
  for (const auto& r : results) {
    if (r) continue;
    CHECK_MESSAGE(r.error().kind() == error_kind::decode, r.error().message());
    ++decode;
  }
  CHECK(decode > 0);
  CHECK(decode == f.injected("garbage"));
  CHECK(f.jobs_created() == n);
  f.check_one_job_per_key(n);

  f.server.set_faults({});
  for (int i = 0; i < n; ++i) {
    if (results[static_cast<std::size_t>(i)]) continue;
    auto again = f.run(f.client->create_and_wait(keyed_request("garbage", i)));
    REQUIRE_MESSAGE(again, again.error().message());
    CHECK(again->status.is(ugen::job_status::completed));
  }
  CHECK(f.jobs_created() == n);
  f.check_one_job_per_key(n);
}

TEST_CASE("latency below the client's timeout only slows the operations down") {
  setup s = fast_setup();
  s.server.faults.latency_ms = 15;
  fixture f{s};
  check_all_completed(create_and_wait_n(f, 2, "slow"));
  CHECK(f.jobs_created() == 2);
  f.check_one_job_per_key(2);
}

TEST_CASE("latency beyond the client's timeout: timeout errors, and one job under the key") {
  setup s = fast_setup(1);
  s.client.timeout = 60ms;
  s.server.faults.latency_ms = 250;
  fixture f{s};
  auto created = f.run(f.client->create_job(request("Late")));
  REQUIRE(!created);
  CHECK(created.error().kind() == error_kind::timeout);
  CHECK(f.attempts == 2);
  CHECK(f.jobs_created() == 1);  // the service acted; the retry replayed under the client's key
  f.check_one_job_per_key(1);
}

TEST_CASE("unknown fields and enum values are kept verbatim, never an error") {
  setup s = stepped_setup(200ms);
  s.server.faults.unknown_fields = true;
  fixture f{s};
  std::vector<ugen::job> snapshots;
  ugen::wait_options w;
  w.on_progress = [&](const ugen::job& j) { snapshots.push_back(j); };
  auto done = f.run(f.client->create_and_wait(request("Unknown", 2), std::move(w)));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(ugen::job_status::completed));
  CHECK(done->extra.find("sandbox_trace") != nullptr);
  CHECK(done->extra.find("x_future_flag") != nullptr);
  REQUIRE(done->outputs);
  CHECK(done->outputs->extra.find("preview_gif_url") != nullptr);
  REQUIRE(done->segments);
  CHECK((*done->segments)[0].extra.find("render_node") != nullptr);

  // The first poll (sandbox time 200 ms, in script) shows the pending segments as "queued".
  REQUIRE(!snapshots.empty());
  REQUIRE(snapshots.front().segments);
  for (const auto& seg : *snapshots.front().segments) {
    REQUIRE(seg.status);
    CHECK(seg.status->is_unknown());
    CHECK(seg.status->name() == "queued");
  }

  const std::string id{create(f, request("Unknown keyframes", 2)).get_id()};
  auto kf = f.run(f.client->list_keyframes(id));  // 200 ms later: keyframes not started
  REQUIRE_MESSAGE(kf, kf.error().message());
  REQUIRE(kf->size() == 2);
  for (const auto& k : *kf) {
    REQUIRE(k.status);
    CHECK(k.status->name() == "queued");
    CHECK(k.extra.find("sandbox_extra") != nullptr);
  }
  auto listed = f.run(f.client->list_jobs());
  REQUIRE_MESSAGE(listed, listed.error().message());
  const auto* page = std::get_if<ugen::job_list_page>(&*listed);
  REQUIRE(page);
  CHECK(page->extra.find("next_cursor") != nullptr);
  CHECK(page->get_items().size() == 2);
  CHECK(f.jobs_created() == 2);
}

TEST_CASE("every retryable fault at once: creates+waits still succeed with one job per create") {
  setup s = fast_setup(8);
  s.server.faults.rate_limit_every = 7;
  s.server.faults.retry_after_seconds = 0;
  s.server.faults.unavailable_every = 5;
  s.server.faults.drop_every = 11;
  s.server.faults.truncate_every = 13;
  s.server.faults.latency_ms = 1;
  s.server.faults.unknown_fields = true;
  fixture f{s};
  check_all_completed(create_and_wait_n(f, 6, "chaos"));
  CHECK(f.requests() >= 13);
  CHECK(f.injected("rate_limited") > 0);
  CHECK(f.injected("unavailable") > 0);
  CHECK(f.injected("dropped") > 0);
  CHECK(f.injected("truncated") > 0);
  CHECK(f.jobs_created() == 6);
  f.check_one_job_per_key(6);
}

TEST_CASE("a root-mounted sandbox serves the U-Gen API and its files at /") {
  setup s = fast_setup();
  s.server.root_service = "ugen";
  fixture f{s, false};  // the client's base URL has no /ugen prefix
  auto done = f.run(f.client->create_and_wait(request("Root", 1)));
  REQUIRE_MESSAGE(done, done.error().message());
  const std::string id{done->get_id()};
  REQUIRE(done->outputs);
  CHECK(done->outputs->video_url == file_url(f.server.base_url(), id, "final.mp4"));

  const std::string name = "mediajobs-e2e-ugen-root-" + std::to_string(f.server.port()) + ".mp4";
  const std::string target = (std::filesystem::temp_directory_path() / name).string();
  api::download_options opts;
  opts.max_bytes = 1 << 20;
  opts.timeout = 5s;
  opts.overwrite = true;
  auto got = f.run(f.client->download(*done->outputs->video_url, target, opts));
  REQUIRE_MESSAGE(got, got.error().message());
  CHECK(got->bytes == 4096);
  CHECK(std::filesystem::file_size(target) == 4096);
  std::error_code ec;
  std::filesystem::remove(target, ec);

  // The /ugen mount is the same service: a client configured for it sees the same job.
  api::client_options o;
  o.base_url = f.server.url("ugen");
  o.api_key = "sandbox-key";
  ugen_client prefixed{f.http, o};
  auto same = f.run(prefixed.get_job(id));
  REQUIRE_MESSAGE(same, same.error().message());
  CHECK(same->status.is(ugen::job_status::completed));
  CHECK(f.jobs_created() == 1);
}

TEST_CASE("GET /_sandbox/stats over HTTP is never faulted and agrees with server::stats()") {
  setup s = fast_setup(2);
  s.server.manual_clock = true;
  fixture f{s};
  (void)create(f, request("One"));
  (void)create(f, request("Two"));
  sb::fault_options faults;
  faults.unavailable_every = 1;
  f.server.set_faults(faults);
  auto failed = f.run(f.client->create_job(request("Three")));
  REQUIRE(!failed);
  CHECK(failed.error().http_status() == 503);

  auto res = fetch(f, "GET", f.server.base_url() + "/_sandbox/stats");
  REQUIRE_MESSAGE(res, res.error().message());
  CHECK(res->status == 200);
  auto stats = json::read<json::value>(res->body);
  REQUIRE_MESSAGE(stats, res->body);
  CHECK((*stats)["ugen"]["jobs_created"].as_int64() == 2);
  CHECK((*stats)["ugen"]["jobs_created"].as_int64() == f.jobs_created());
  CHECK((*stats)["requests"].as_int64() == 5);  // 2 creates + 3 refused attempts; stats not counted
  CHECK((*stats)["faults_injected"]["unavailable"].as_int64() == 3);
  CHECK((*stats)["requests"].as_int64() == f.requests());
  f.check_one_job_per_key(2);
}
