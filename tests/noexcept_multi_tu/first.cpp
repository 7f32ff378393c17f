// First translation unit: create_job, create_and_wait and get_job called through member
// pointers (see shared.hpp for why a second TU calls the very same members).
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

TEST_CASE("multi-TU (1): create_job posts the job and decodes the answer") {
  fixture f;
  f.answer(201, R"({"id":"j-1","status":"pending"})");
  auto r = call_create(f.client, &client_type::create_job, headphones());
  REQUIRE(r);
  CHECK(r->get_id() == "j-1");
  REQUIRE(f.mock.requests().size() == 1);
  CHECK(f.mock.requests()[0].method == "POST");
  CHECK(f.mock.requests()[0].url == "https://ugen.test/api/v1/jobs");
}

TEST_CASE("multi-TU (1): create_and_wait follows the job to completion") {
  fixture f;
  f.answer(201, R"({"id":"j-1","status":"pending"})");
  f.answer(200, R"({"id":"j-1","status":"completed"})");
  auto r = call_create_and_wait(f.client, &client_type::create_and_wait, headphones());
  REQUIRE(r);
  CHECK(r->status.name() == "completed");
  CHECK(f.mock.requests().size() == 2);
}

TEST_CASE("multi-TU (1): get_job maps a 404 to not_found") {
  fixture f;
  f.answer(404, R"({"error":"no such job"})");
  auto r = call_get(f.client, &client_type::get_job, "j-9");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == mediajobs::error_kind::not_found);
  CHECK(f.mock.requests().at(0).url == "https://ugen.test/api/v1/jobs/j-9");
}
