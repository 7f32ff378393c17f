// Shared by the e2e_ugen tests: the real ugen::client over mediajobs::asio_transport against a
// sandbox::server on 127.0.0.1, both on one io_context run by the test thread. Every wait is
// bounded (run() gives up after a limit and stops the task); nothing sleeps.
//
// Two ways to move sandbox time:
//  - fast clock (speed > 1): real time drives the pipelines, for the fault runs whose outcome
//    does not depend on how many polls happen;
//  - manual clock with `step`: every attempt the client logs (one per HTTP exchange) moves the
//    sandbox `step` forward, so a poll sequence sees the same snapshots on every run.
//
// Thread-safety: one test thread; the io_context is only run by it.
#pragma once

#include <mediajobs/asio/config.hpp>
#include <mediajobs/asio/transport.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/sandbox/sandbox.hpp>
#include <mediajobs/ugen/client.hpp>

#include <asio/io_context.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e2e_ugen {

using namespace std::chrono_literals;
namespace sb = mediajobs::sandbox;
namespace ugen = mediajobs::ugen;
namespace api = mediajobs::api;
namespace json = mediajobs::json;
using mediajobs::error_kind;
using mediajobs::result;

using ugen_client = ugen::client<mediajobs::asio_transport>;

/// Runs `t` on `io` until it completes; after `limit` (a safety net against a hung test, not a
/// timing assumption) the task is stopped, given a bounded while to finish, and the case fails.
template <class T>
T run(asio::io_context& io, mediajobs::task<T> t, std::chrono::milliseconds limit = 20s) {
  auto out = std::make_shared<std::optional<T>>();
  std::stop_source stop;
  mediajobs::start(std::move(t), [out](T r) { out->emplace(std::move(r)); }, stop.get_token());
  const auto pump_until = [&](std::chrono::steady_clock::time_point deadline) {
    while (!out->has_value() && std::chrono::steady_clock::now() < deadline) {
      if (io.stopped()) io.restart();
      io.run_one_for(20ms);
    }
  };
  pump_until(std::chrono::steady_clock::now() + limit);
  if (!out->has_value()) {
    stop.request_stop();
    pump_until(std::chrono::steady_clock::now() + 5s);
  }
  REQUIRE_MESSAGE(out->has_value(), "test: the operation did not complete in time");
  return std::move(**out);
}

/// Lets queued handlers run (e.g. the server closing connections) without waiting for anything.
inline void drain(asio::io_context& io) {
  if (io.stopped()) io.restart();
  io.poll();
}

struct setup {
  sb::server_options server{};
  api::client_options client{};
  /// Manual clock only: sandbox time added after every attempt the client makes.
  sb::duration step{};
};

/// A sandbox on a fast clock (speed 50: a 1-segment job completes in about 40 ms) and a client
/// with tight, fast retries.
inline setup fast_setup(int max_retries = 4) {
  setup s;
  s.server.speed = 50;
  s.client.timeout = 5s;
  s.client.retry.max_retries = max_retries;
  s.client.retry.base_delay = 1ms;
  s.client.retry.max_delay = 4ms;
  s.client.poll.interval = 5ms;
  s.client.poll.deadline = 15s;
  return s;
}

/// A sandbox on the manual clock moved by `step` per attempt; no retries unless asked.
inline setup stepped_setup(sb::duration step, int max_retries = 0) {
  setup s;
  s.server.manual_clock = true;
  s.step = step;
  s.client.timeout = 5s;
  s.client.retry.max_retries = max_retries;
  s.client.retry.base_delay = 1ms;
  s.client.retry.max_delay = 4ms;
  s.client.poll.interval = 1ms;
  s.client.poll.deadline = 15s;
  return s;
}

/// io_context, sandbox, transport and client, destroyed in the reverse order.
struct fixture {
  explicit fixture(setup s, bool mount_prefix = true)
      : server(io, std::move(s.server)), http(io), step(s.step) {
    REQUIRE_MESSAGE(static_cast<bool>(server), server.error().message());
    api::client_options o = std::move(s.client);
    o.base_url = mount_prefix ? server.url("ugen") : server.base_url();
    o.api_key = "sandbox-key";
    o.on_attempt = [this](const api::attempt_log& a) {
      ++attempts;
      statuses.push_back(a.status);
      if (step > sb::duration::zero()) server.advance(step);
    };
    client.emplace(http, std::move(o));
  }

  template <class T>
  T run(mediajobs::task<T> t, std::chrono::milliseconds limit = 20s) {
    return e2e_ugen::run(io, std::move(t), limit);
  }

  [[nodiscard]] json::value ugen_stats() const { return server.stats()["ugen"]; }
  [[nodiscard]] std::int64_t jobs_created() const { return ugen_stats()["jobs_created"].as_int64(); }
  [[nodiscard]] std::int64_t requests() const { return server.stats()["requests"].as_int64(); }
  [[nodiscard]] std::int64_t injected(std::string_view fault) const {
    return server.stats()["faults_injected"][fault].as_int64();
  }

  /// Every idempotency key the service saw maps to exactly one job, and there are `keys` of them.
  void check_one_job_per_key(std::size_t keys) const {
    const json::value by_key = ugen_stats()["jobs_by_idempotency_key"];
    REQUIRE(by_key.is_object());
    CHECK(by_key.size() == keys);
    for (const auto& member : by_key.as_object())
      CHECK_MESSAGE(member.second.as_int64() == 1, "key " << member.first);
  }

  asio::io_context io;
  sb::server server;
  mediajobs::asio_transport http;
  sb::duration step{};
  int attempts = 0;
  std::vector<int> statuses;  ///< per attempt: the HTTP status, 0 for a transport failure
  std::optional<ugen_client> client;
};

inline constexpr std::string_view image = "https://example.com/headphones.jpg";

inline ugen::create_job_request request(std::string name, int segments = 1) {
  ugen::create_job_request r;
  r.product_name = std::move(name);
  r.product_image_url = std::string{image};
  r.segment_count = segments;
  return r;
}

/// Creates a job, REQUIREs success, returns it.
inline ugen::job create(fixture& f, ugen::create_job_request r) {
  auto created = f.run(f.client->create_job(std::move(r)));
  REQUIRE_MESSAGE(created, created.error().message());
  REQUIRE(!created->get_id().empty());
  return std::move(*created);
}

inline ugen::job get(fixture& f, const std::string& id) {
  auto j = f.run(f.client->get_job(id));
  REQUIRE_MESSAGE(j, j.error().message());
  return std::move(*j);
}

/// Where the sandbox serves a job's file `name`, below `base` (the service's base URL).
inline std::string file_url(std::string_view base, std::string_view id, std::string_view name) {
  return std::string{base} + "/files/ugen/" + std::string{id} + "/" + std::string{name};
}

/// The index of a stage name in the pipeline order; -1 when unknown.
inline int stage_index(const ugen::job& j) {
  if (!j.current_stage) return -1;
  const auto s = j.current_stage->known();
  return s ? static_cast<int>(*s) : -1;
}

}  // namespace e2e_ugen
