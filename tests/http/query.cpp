// to_query: a query string from a reflected struct.
#include <doctest/doctest.h>

#include <mediajobs/http/http.hpp>  // the umbrella must compile on its own
#include <mediajobs/http/query.hpp>

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace http = mediajobs::http;
namespace reflect = mediajobs::reflect;

namespace query_test {

enum class job_state { queued, running, done_ok };
constexpr auto enum_naming(job_state) { return reflect::naming::upper_case; }

struct list_params {
  std::optional<int> limit{};
  std::optional<std::string> cursor{};
  std::optional<job_state> state{};
  std::optional<bool> include_deleted{};
};

struct camel_params {
  static constexpr auto json_naming = reflect::naming::camel_case;
  static constexpr std::array json_renames{reflect::rename{"page_no", "p"}};
  std::string created_after{};
  int page_no = 0;
  double min_score = 0.5;
  std::vector<std::string> tag_list{};
};

struct open_params {
  mediajobs::open_enum<job_state> state{};
  const char* raw = nullptr;
};

}  // namespace query_test

using namespace query_test;

TEST_CASE("to_query omits empty optionals and encodes present members in declaration order") {
  CHECK(http::to_query(list_params{}).value().empty());
  CHECK(http::to_query(list_params{.limit = 20}).value() == "limit=20");
  CHECK(http::to_query(list_params{.limit = 5, .cursor = "a b/c", .state = job_state::done_ok, .include_deleted = false})
            .value() == "limit=5&cursor=a%20b%2Fc&state=DONE_OK&include_deleted=false");
}

TEST_CASE("to_query uses the struct's wire keys and repeats keys for vectors") {
  const camel_params p{.created_after = "2026-01-01T00:00:00Z", .page_no = 3, .min_score = 0.25, .tag_list = {"x", "y z"}};
  CHECK(http::to_query(p).value() == "createdAfter=2026-01-01T00%3A00%3A00Z&p=3&minScore=0.25&tagList=x&tagList=y%20z");
  CHECK(http::to_query(camel_params{}).value() == "createdAfter=&p=0&minScore=0.5");
}

TEST_CASE("to_query writes open_enum by name, known or not") {
  CHECK(http::to_query(open_params{.state = job_state::running, .raw = "r"}).value() == "state=RUNNING&raw=r");
  CHECK(http::to_query(open_params{.state = mediajobs::open_enum<job_state>{std::string_view{"NEW STAGE"}}}).value() ==
        "state=NEW%20STAGE&raw=");
}

TEST_CASE("to_query refuses NaN and non-enumerator values with a validation error naming the field") {
  camel_params p;
  p.min_score = std::nan("");
  auto r = http::to_query(p);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == mediajobs::error_kind::validation);
  CHECK(r.error().field() == "minScore");
  auto e = http::to_query(list_params{.state = static_cast<job_state>(42)});
  REQUIRE_FALSE(e);
  CHECK(e.error().field() == "state");
}

TEST_CASE("append_query adds '?' or '&' to a target") {
  std::string target = "/v1/jobs";
  REQUIRE(http::append_query(target, list_params{.limit = 1}));
  CHECK(target == "/v1/jobs?limit=1");
  REQUIRE(http::append_query(target, list_params{.cursor = "c"}));
  CHECK(target == "/v1/jobs?limit=1&cursor=c");
  REQUIRE(http::append_query(target, list_params{}));
  CHECK(target == "/v1/jobs?limit=1&cursor=c");
}
