// The real ugen::client against sandbox::ugen_service, through a callback transport that hands
// each request to the service inline, and a manual timer whose time is the sandbox time: the
// client's polling moves the pipeline. Proves the sandbox answers what the client expects.
#include "support.hpp"

#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/transport/adapters.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/ugen/client.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace sandbox_ugen_test;
using mediajobs::sync_wait;

struct client_fixture {
  sim s;
  mediajobs::manual_timer timer;
  std::size_t requests = 0;
  mediajobs::callback_transport transport{
      [this](mediajobs::http::request req, mediajobs::callback_transport::completion_function done) {
        ++requests;
        s.advance_to(std::chrono::duration_cast<sb::duration>(timer.now()));
        std::string_view target = req.url;
        REQUIRE(target.starts_with(base));
        target.remove_prefix(base.size());
        done(s.dispatch(req, target));
      }};
  ugen::client<mediajobs::callback_transport, mediajobs::manual_timer> client{transport, timer, options()};

  client_fixture() { timer.set_auto_advance(true); }

  static mediajobs::api::client_options options() {
    mediajobs::api::client_options o;
    o.base_url = std::string{base};
    o.api_key = "sandbox-key";
    return o;
  }
  static ugen::create_job_request request(std::string name, int segments) {
    ugen::create_job_request r;
    r.product_name = std::move(name);
    r.product_image_url = std::string{image};
    r.segment_count = segments;
    return r;
  }
};

}  // namespace

TEST_CASE("ugen sandbox + client: create_and_wait follows a job to completion with rising progress") {
  client_fixture f;
  std::vector<double> progress;
  ugen::wait_options w;
  w.interval = 500ms;
  w.on_progress = [&](const ugen::job& j) { progress.push_back(j.progress_percent.value_or(-1)); };
  auto op = f.client.create_and_wait(client_fixture::request("Headphones", 3), std::move(w));
  auto done = sync_wait(std::move(op));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(ugen::job_status::completed));
  REQUIRE(done->outputs.has_value());
  CHECK(done->outputs->video_url == std::string{base} + "/files/ugen/" + std::string{done->get_id()} + "/final.mp4");
  REQUIRE(progress.size() >= 4);
  for (std::size_t i = 1; i < progress.size(); ++i) CHECK(progress[i] >= progress[i - 1]);
  CHECK(progress.back() == 100);
  CHECK(f.s.now >= 3100ms);
  CHECK(f.s.now <= 4000ms);

  auto kf_op = f.client.list_keyframes(std::string{done->get_id()});
  auto kf = sync_wait(std::move(kf_op));
  REQUIRE(kf);
  CHECK(kf->size() == 3);
  auto v_op = f.client.list_videos(std::string{done->get_id()});
  auto videos = sync_wait(std::move(v_op));
  REQUIRE(videos);
  CHECK(videos->size() == 3);
}

TEST_CASE("ugen sandbox + client: a failed job is reported, and retry_job makes it complete") {
  client_fixture f;
  ugen::wait_options w;
  w.interval = 1s;
  auto op = f.client.create_and_wait(client_fixture::request("Mug [fail:captions]", 1), std::move(w));
  auto failed = sync_wait(std::move(op));
  REQUIRE(!failed);
  REQUIRE(failed.last_snapshot.has_value());
  const std::string id{failed.last_snapshot->get_id()};
  CHECK(failed.last_snapshot->status.is(ugen::job_status::failed));
  auto retry_op = f.client.retry_job(id);
  auto retried = sync_wait(std::move(retry_op));
  REQUIRE_MESSAGE(retried, retried.error().message());
  ugen::wait_options w2;
  w2.interval = 1s;
  auto wait_op = f.client.wait(id, std::move(w2));
  auto done = sync_wait(std::move(wait_op));
  REQUIRE_MESSAGE(done, done.error().message());
  CHECK(done->status.is(ugen::job_status::completed));
  CHECK(done->credits_used == 10);
}

TEST_CASE("ugen sandbox + client: all_jobs pages through every job, also with unknown fields injected") {
  client_fixture f;
  f.s.inject = true;
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) {
    auto op = f.client.create_job(client_fixture::request("P" + std::to_string(i), 1));
    auto j = sync_wait(std::move(op));
    REQUIRE_MESSAGE(j, j.error().message());
    created.emplace_back(j->get_id());
  }
  ugen::list_jobs_query q;
  q.page_size = 2;
  auto pages = f.client.all_jobs(q);
  std::vector<std::string> seen;
  const std::size_t before = f.requests;
  for (;;) {
    auto next = sync_wait(pages.next());
    REQUIRE_MESSAGE(next, next.error().message());
    if (!*next) break;
    for (const auto& j : **next) seen.emplace_back(j.get_id());
  }
  CHECK(seen == created);
  CHECK(f.requests - before == 3);  // has_more ends the walk without an empty fourth page
}
