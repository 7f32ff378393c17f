// Regression test for a GCC 12 -O3 false positive that broke -Werror builds: with the value and
// the error of result<T> in one union, GCC warned "may be used uninitialized" about the error's
// pointer when results were passed by value and a large decoded struct was moved out of one.
// This file must compile warning-free in the Release (-O3) configuration.
#include <mediajobs/core/result.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/json/json.hpp>
#include <mediajobs/techforge/schema.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace mediajobs;

namespace {
std::string g_sink;  // keeps the optimiser from discarding the calls
void use(result<http::response> r) { g_sink = r ? r->body : r.error().message(); }
void caller(bool b) {
  auto by_value = [](result<http::response> x) {
    if (!x) g_sink = std::string(x.error().detail());
  };
  if (b)
    by_value(fail(error_kind::timeout, "t"));
  else
    by_value(http::response{});
  use(fail(error_kind::timeout));
}
int move_out(std::string_view s) {
  result<techforge::create_request> r = json::read<techforge::create_request>(s);
  if (!r) return 1;
  techforge::create_request v = std::move(r).value();
  return v.template_id ? 2 : 3;
}
}  // namespace

TEST_CASE("results passed by value and moved out of behave") {
  caller(true);
  CHECK(g_sink == "timeout error");
  caller(false);
  CHECK(g_sink == "timeout error");
  CHECK(move_out(R"({"job_type":"video","template_id":"t"})") == 2);
  CHECK(move_out(R"({"job_type":"video"})") == 3);
  CHECK(move_out("{") == 1);
}
