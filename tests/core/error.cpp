#include <mediajobs/core/error.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

using namespace mediajobs;
using namespace std::chrono_literals;

TEST_CASE("default error is kind none and says so") {
  error e;
  CHECK(e.kind() == error_kind::none);
  CHECK(e.http_status() == 0);
  CHECK(e.detail().empty());
  CHECK(e.json_path().empty());
  CHECK(!e.byte_offset());
  CHECK(!e.retry_after());
  CHECK(e.message() == "none error");
}

TEST_CASE("decode error message names the JSON path and the byte") {
  const error e = decode_error("$.segments[2].status", 418, "unknown value \"blurry\"");
  CHECK(e.kind() == error_kind::decode);
  CHECK(e.json_path() == "$.segments[2].status");
  REQUIRE(e.byte_offset());
  CHECK(*e.byte_offset() == 418);
  CHECK(e.message() == "decode error at $.segments[2].status (byte 418): unknown value \"blurry\"");
}

TEST_CASE("validation error message names the field") {
  const error e = validation_error("segment_duration", "must be 8 for Veo models");
  CHECK(e.kind() == error_kind::validation);
  CHECK(e.field() == "segment_duration");
  CHECK(e.message() == "validation error at segment_duration: must be 8 for Veo models");
}

TEST_CASE("protocol error with only a byte offset") {
  const error e = make_error(error_kind::protocol, "bad chunk size").at_byte(7);
  CHECK(e.message() == "protocol error at byte 7: bad chunk size");
}

TEST_CASE("http status error carries the service's words, request id and retry hint") {
  error e = make_error(error_kind::rate_limited)
                .with_http_status(429)
                .with_service("too_many", "slow down")
                .with_request_id("req-1")
                .with_retry_after(1500ms)
                .with_raw_body(R"({"error":"slow down"})");
  CHECK(e.http_status() == 429);
  CHECK(e.service_code() == "too_many");
  CHECK(e.service_message() == "slow down");
  CHECK(e.request_id() == "req-1");
  REQUIRE(e.retry_after());
  CHECK(*e.retry_after() == 1500ms);
  CHECK(e.raw_body() == R"({"error":"slow down"})");
  CHECK(e.message() ==
        "rate_limited error: HTTP 429; service said: slow down (code too_many); request id req-1; retry after 1500 ms");
}

TEST_CASE("service code without message still reads well") {
  const error e = make_error(error_kind::http_status).with_http_status(500).with_service("E42", "");
  CHECK(e.message() == "http_status error: HTTP 500; service said: (no message) (code E42)");
}

TEST_CASE("every kind has a distinct name") {
  CHECK(to_string(error_kind::transport) == "transport");
  CHECK(to_string(error_kind::timeout) == "timeout");
  CHECK(to_string(error_kind::cancelled) == "cancelled");
  CHECK(to_string(error_kind::http_status) == "http_status");
  CHECK(to_string(error_kind::rate_limited) == "rate_limited");
  CHECK(to_string(error_kind::decode) == "decode");
  CHECK(to_string(error_kind::validation) == "validation");
  CHECK(to_string(error_kind::job_failed) == "job_failed");
  CHECK(to_string(error_kind::deadline_exceeded) == "deadline_exceeded");
  CHECK(to_string(error_kind::protocol) == "protocol");
  CHECK(to_string(error_kind::limit_exceeded) == "limit_exceeded");
  CHECK(to_string(error_kind::unauthorized) == "unauthorized");
  CHECK(to_string(error_kind::not_found) == "not_found");
  CHECK(to_string(error_kind::conflict) == "conflict");
  CHECK(to_string(error_kind::io) == "io");
  CHECK(to_string(static_cast<error_kind>(200)) == "unknown");
}

TEST_CASE("error is small, copies deeply and moves cheaply") {
  static_assert(sizeof(error) <= 2 * sizeof(void*));
  static_assert(std::is_nothrow_move_constructible_v<error>);
  static_assert(std::is_nothrow_move_assignable_v<error>);

  error a = decode_error("$.a", 3, "bad");
  error b = a;  // deep copy
  CHECK(b == a);
  b.with_detail("changed");
  CHECK(a.detail() == "bad");
  CHECK(b.detail() == "changed");
  CHECK_FALSE(a == b);

  error c = std::move(b);
  CHECK(c.detail() == "changed");
  CHECK(c.json_path() == "$.a");

  error d;
  d = c;
  CHECK(d == c);
  d = error{};
  CHECK(d.kind() == error_kind::none);
  CHECK(d.detail().empty());

  error& self = d;
  d = self;  // self-assignment keeps the value
  CHECK(d.kind() == error_kind::none);
}

TEST_CASE("errors differing only in status or kind compare unequal") {
  CHECK_FALSE(make_error(error_kind::timeout) == make_error(error_kind::cancelled));
  CHECK_FALSE(make_error(error_kind::http_status).with_http_status(500) ==
              make_error(error_kind::http_status).with_http_status(502));
  CHECK(make_error(error_kind::timeout) == make_error(error_kind::timeout));
  CHECK_FALSE(make_error(error_kind::timeout, "x") == make_error(error_kind::timeout));
}

TEST_CASE("request_not_sent is carried, copied, compared and reported") {
  error e = make_error(error_kind::transport, "connection refused").mark_not_sent();
  CHECK(e.request_not_sent());
  CHECK(e.message() == "transport error: connection refused; request not sent");
  const error copy = e;
  CHECK(copy.request_not_sent());
  CHECK(copy == e);
  CHECK_FALSE(make_error(error_kind::transport, "connection refused") == e);
  CHECK_FALSE(make_error(error_kind::transport).request_not_sent());
  error moved = std::move(e);
  CHECK(moved.request_not_sent());
}
