#include <mediajobs/core/result.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

using namespace mediajobs;

namespace {
result<int> parse_positive(int x) {
  if (x <= 0) return fail(error_kind::validation, "not positive");
  return x;
}
}  // namespace

TEST_CASE("result holds a value") {
  result<std::string> r = std::string("hello");
  REQUIRE(r.has_value());
  CHECK(static_cast<bool>(r));
  CHECK(r.value() == "hello");
  CHECK(*r == "hello");
  CHECK(r->size() == 5);
  CHECK(r.value_or("other") == "hello");
  const result<std::string>& cr = r;
  CHECK(cr.value() == "hello");
  CHECK(*cr == "hello");
  CHECK(cr->size() == 5);
  std::string moved = std::move(r).value();
  CHECK(moved == "hello");
}

TEST_CASE("result holds an error") {
  result<int> r = unexpected(make_error(error_kind::timeout, "slow"));
  REQUIRE_FALSE(r.has_value());
  CHECK_FALSE(static_cast<bool>(r));
  CHECK(r.error().kind() == error_kind::timeout);
  CHECK(r.error().detail() == "slow");
  CHECK(r.value_or(7) == 7);
  CHECK(std::move(r).value_or(8) == 8);

  result<int> r2(unexpect, error_kind::cancelled, "stop");
  CHECK(r2.error().kind() == error_kind::cancelled);
  const result<int>& cr2 = r2;
  CHECK(cr2.error().detail() == "stop");
  error taken = std::move(r2).error();
  CHECK(taken.kind() == error_kind::cancelled);
}

TEST_CASE("default result is a value-initialised value") {
  result<int> r;
  REQUIRE(r);
  CHECK(*r == 0);
}

TEST_CASE("in_place construction") {
  result<std::string> r(std::in_place, std::size_t{3}, 'x');
  CHECK(*r == "xxx");
}

TEST_CASE("copy and move between value and error states") {
  result<std::string> v = std::string("v");
  result<std::string> e = fail(error_kind::decode, "bad");

  result<std::string> a = v;  // copy value
  CHECK(*a == "v");
  a = e;  // value -> error
  CHECK(!a);
  CHECK(a.error().detail() == "bad");
  a = v;  // error -> value
  CHECK(*a == "v");
  a = std::move(e);  // move error in
  CHECK(a.error().kind() == error_kind::decode);
  result<std::string> b = std::move(a);  // move construct error
  CHECK(b.error().detail() == "bad");
  b = result<std::string>(std::string("w"));  // move assign value over error
  CHECK(*b == "w");
  b = result<std::string>(std::string("z"));  // value over value
  CHECK(*b == "z");
  result<std::string> c = fail(error_kind::timeout);
  result<std::string> d = fail(error_kind::cancelled);
  c = d;  // error over error
  CHECK(c.error().kind() == error_kind::cancelled);
  result<std::string>& self = c;
  c = self;
  CHECK(c.error().kind() == error_kind::cancelled);
}

TEST_CASE("move-only values") {
  result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  static_assert(!std::is_copy_constructible_v<result<std::unique_ptr<int>>>);
  static_assert(std::is_move_constructible_v<result<std::unique_ptr<int>>>);
  result<std::unique_ptr<int>> r2 = std::move(r);
  REQUIRE(r2);
  CHECK(**r2 == 5);
  std::unique_ptr<int> p = std::move(r2).value();
  CHECK(*p == 5);
}

TEST_CASE("and_then chains and short-circuits") {
  auto twice = [](int x) -> result<int> { return x * 2; };
  CHECK(*parse_positive(4).and_then(twice) == 8);
  auto r = parse_positive(-1).and_then(twice);
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == error_kind::validation);

  bool called = false;
  auto r2 = parse_positive(-1).and_then([&](int) -> result<int> {
    called = true;
    return 1;
  });
  CHECK_FALSE(called);
  CHECK_FALSE(r2);

  result<int> lv = 3;
  auto r3 = lv.and_then([](int& x) -> result<std::string> { return std::string(static_cast<std::size_t>(x), 'a'); });
  CHECK(*r3 == "aaa");
  const result<int> clv = 2;
  CHECK(*clv.and_then([](const int& x) -> result<int> { return x + 1; }) == 3);
}

TEST_CASE("transform maps the value and keeps the error") {
  CHECK(*parse_positive(3).transform([](int x) { return std::to_string(x); }) == "3");
  auto r = parse_positive(0).transform([](int x) { return x + 1; });
  CHECK(r.error().detail() == "not positive");
  int seen = 0;
  result<void> v = parse_positive(9).transform([&](int x) { seen = x; });
  CHECK(v.has_value());
  CHECK(seen == 9);
  result<int> lv = 1;
  CHECK(*lv.transform([](int& x) { return x * 10; }) == 10);
}

TEST_CASE("or_else recovers from an error") {
  auto r = parse_positive(-5).or_else([](const error& e) -> result<int> {
    return e.kind() == error_kind::validation ? result<int>(1) : result<int>(unexpected(e));
  });
  CHECK(*r == 1);
  CHECK(*parse_positive(2).or_else([](const error&) -> result<int> { return 0; }) == 2);
}

TEST_CASE("equality compares values or errors") {
  CHECK(result<int>(1) == result<int>(1));
  CHECK_FALSE(result<int>(1) == result<int>(2));
  CHECK_FALSE(result<int>(1) == parse_positive(0));
  CHECK(parse_positive(0) == parse_positive(-1));
}

TEST_CASE("result<void>") {
  result<void> ok;
  CHECK(ok.has_value());
  CHECK(static_cast<bool>(ok));
  ok.value();  // does nothing on success
  result<void> bad = fail(error_kind::http_status);
  CHECK_FALSE(bad);
  CHECK(bad.error().kind() == error_kind::http_status);
  CHECK(*ok.and_then([]() -> result<int> { return 4; }) == 4);
  CHECK(bad.and_then([]() -> result<int> { return 4; }).error().kind() == error_kind::http_status);
  CHECK(*ok.transform([] { return 5; }) == 5);
  CHECK(bad.transform([] { return 5; }).error().kind() == error_kind::http_status);
  CHECK(bad.or_else([](const error&) -> result<void> { return {}; }).has_value());
  CHECK(ok == result<void>());
  CHECK_FALSE(ok == bad);
  result<void> bad2 = bad;
  CHECK(bad2 == bad);
}

TEST_CASE("result is no bigger than it must be") {
  static_assert(sizeof(result<int>) <= sizeof(error) + sizeof(void*));
  static_assert(std::is_nothrow_move_constructible_v<result<std::string>>);
}

#if MEDIAJOBS_HAS_EXCEPTIONS
TEST_CASE("value() on an error throws mediajobs::exception carrying the error") {
  result<int> r = fail(make_error(error_kind::decode, "bad").at_json("$.x", 2));
  CHECK_THROWS_AS(r.value(), mediajobs::exception);
  try {
    (void)r.value();
  } catch (const mediajobs::exception& ex) {
    CHECK(ex.error().json_path() == "$.x");
    CHECK(std::string(ex.what()) == "decode error at $.x (byte 2): bad");
  }
  result<void> v = fail(error_kind::timeout);
  CHECK_THROWS_AS(v.value(), mediajobs::exception);
}
#endif

TEST_CASE("value() on an error ends the process on the documented path when not caught") {
  // Run the failing access in a child process: with exceptions off it must print the error and
  // abort; with exceptions on, an uncaught mediajobs::exception also ends in SIGABRT.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    // noexcept: with exceptions on, the throw must not be caught by doctest in the child.
    [&]() noexcept {
      result<int> r = fail(make_error(error_kind::timeout, "no answer"));
      (void)r.value();
    }();
    ::_exit(0);  // not reached
  }
  ::close(fds[1]);
  std::string err;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
#if !MEDIAJOBS_HAS_EXCEPTIONS
  CHECK(err.find("mediajobs: result::value() called on an error: timeout error: no answer") != std::string::npos);
#endif
}

