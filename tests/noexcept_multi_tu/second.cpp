// Second translation unit: the same ugen::client members as first.cpp, called through member
// pointers again, with other scenarios (see shared.hpp).
#include "shared.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>

namespace {

using namespace multi_tu;

MULTI_TU_OPAQUE mediajobs::result<ugen::job> call_create(client_type& c, create_fn fn, ugen::create_job_request r) {
  auto t = (c.*fn)(std::move(r));
  return mediajobs::sync_wait(std::move(t));
}

MULTI_TU_OPAQUE mediajobs::api::wait_result<ugen::job> call_create_and_wait(client_type& c, create_and_wait_fn fn,
                                                                            ugen::create_job_request r) {
  auto t = (c.*fn)(std::move(r), ugen::wait_options{});
  return mediajobs::sync_wait(std::move(t));
}

MULTI_TU_OPAQUE mediajobs::result<ugen::job> call_get(client_type& c, get_fn fn, std::string id) {
  auto t = (c.*fn)(std::move(id));
  return mediajobs::sync_wait(std::move(t));
}

}  // namespace

TEST_CASE("multi-TU (2): create_job retries a 503 and sends the same idempotency key twice") {
  fixture f;
  f.answer(503, R"({"error":"busy"})");
  f.answer(201, R"({"id":"j-2","status":"pending"})");
  ugen::create_job_request req = headphones();
  req.idempotency_key = "key-2";
  auto r = call_create(f.client, &client_type::create_job, std::move(req));
  REQUIRE(r);
  CHECK(r->get_id() == "j-2");
  REQUIRE(f.mock.requests().size() == 2);
  CHECK(f.mock.requests()[0].body == f.mock.requests()[1].body);
  CHECK(f.mock.requests()[1].body.find(R"("key-2")") != std::string::npos);
}

TEST_CASE("multi-TU (2): create_and_wait reports a failed job as job_failed") {
  fixture f;
  f.answer(201, R"({"id":"j-3","status":"pending"})");
  f.answer(200, R"({"id":"j-3","status":"failed","error":"render crashed"})");
  auto r = call_create_and_wait(f.client, &client_type::create_and_wait, headphones());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == mediajobs::error_kind::job_failed);
  REQUIRE(r.last_snapshot);
  CHECK(r.last_snapshot->status.name() == "failed");
}

TEST_CASE("multi-TU (2): get_job decodes a processing job") {
  fixture f;
  f.answer(200, R"({"id":"j-4","status":"processing","progress_percent":40})");
  auto r = call_get(f.client, &client_type::get_job, "j-4");
  REQUIRE(r);
  CHECK(r->status.name() == "processing");
  REQUIRE(r->progress_percent);
  CHECK(*r->progress_percent == doctest::Approx(40.0));
}
