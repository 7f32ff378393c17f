// Users write messages with designated initializers (STYLE.md); with GCC's -Wextra
// (-Wmissing-field-initializers) under -Werror this only compiles if every member has a default
// member initializer. This file is the regression test for that.
#include <mediajobs/http/message.hpp>

#include <doctest/doctest.h>

using namespace mediajobs;

TEST_CASE("http messages can be written with partial designated initializers") {
  const http::response r{.status = 202, .body = "{}"};
  CHECK(r.status == 202);
  CHECK(r.reason.empty());
  CHECK(r.keep_alive);
  const http::request q{.method = "POST", .url = "http://127.0.0.1/x"};
  CHECK(q.body.empty());
  CHECK(q.timeout.count() == 30000);
  const http::header_entry e{.name = "X-A"};
  CHECK(e.value.empty());
}
