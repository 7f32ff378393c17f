// The callback-adapter example of transport/transport.hpp, compiled and run. The text between
// the BEGIN/END markers below must equal the header's (a test checks it), so the documented
// example cannot rot.
#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/core/task.hpp>
#include <mediajobs/transport/transport.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

namespace engine {

// A stand-in for the engine's HTTP layer described in the header: it keeps requests until the
// test answers them (as the engine's thread would).
struct http_reply {
  enum class outcome { ok, failed, timed_out, aborted };
  outcome result = outcome::ok;
  int status = 0;
  std::string body;
};

class http_client {
 public:
  struct call {
    std::uint64_t id;
    std::string method;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    long timeout_ms;
    std::function<void(http_reply)> on_done;
  };

  std::uint64_t send(std::string method, std::string url, std::vector<std::pair<std::string, std::string>> headers,
                     std::string body, long timeout_ms, std::function<void(http_reply)> on_done) {
    std::lock_guard lock(mutex_);
    calls_.push_back({++last_id_, std::move(method), std::move(url), std::move(headers), std::move(body), timeout_ms,
                      std::move(on_done)});
    return last_id_;
  }

  void cancel(std::uint64_t id) {
    auto c = take([id](const call& x) { return x.id == id; });
    if (c) c->on_done(http_reply{http_reply::outcome::aborted, 0, {}});
  }

  /// Answers the oldest request; false when none waits.
  bool reply(http_reply r) {
    auto c = take([](const call&) { return true; });
    if (!c) return false;
    c->on_done(std::move(r));
    return true;
  }

  std::optional<call> peek() {
    std::lock_guard lock(mutex_);
    if (calls_.empty()) return std::nullopt;
    return calls_.front();
  }
  std::size_t waiting() {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }

 private:
  template <class Pred>
  std::optional<call> take(Pred pred) {
    std::lock_guard lock(mutex_);
    for (auto it = calls_.begin(); it != calls_.end(); ++it) {
      if (pred(*it)) {
        std::optional<call> out(std::move(*it));
        calls_.erase(it);
        return out;
      }
    }
    return std::nullopt;
  }

  std::mutex mutex_;
  std::vector<call> calls_;
  std::uint64_t last_id_ = 0;
};

}  // namespace engine

namespace {

// BEGIN example
class engine_transport {
 public:
  explicit engine_transport(engine::http_client& client) : client_(&client) {}

  void async_send(mediajobs::http::request req, std::stop_token stop, mediajobs::send_completion done) {
    // The engine wants a copyable std::function; the completion is move-only: share it.
    struct operation {
      mediajobs::send_completion done;
      std::optional<std::stop_callback<std::function<void()>>> on_stop;
    };
    auto op = std::make_shared<operation>();
    op->done = std::move(done);

    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& h : req.headers) headers.emplace_back(h.name, h.value);

    const std::uint64_t id = client_->send(
        std::move(req.method), std::move(req.url), std::move(headers), std::move(req.body),
        static_cast<long>(req.timeout.count()), [op](engine::http_reply reply) {
          using outcome = engine::http_reply::outcome;
          switch (reply.result) {
            case outcome::ok: {
              mediajobs::http::response response;
              response.status = reply.status;
              response.body = std::move(reply.body);
              op->done(std::move(response));
              return;
            }
            case outcome::timed_out: op->done(mediajobs::fail(mediajobs::error_kind::timeout)); return;
            case outcome::aborted: op->done(mediajobs::fail(mediajobs::error_kind::cancelled)); return;
            case outcome::failed: break;
          }
          op->done(mediajobs::fail(mediajobs::error_kind::transport, std::move(reply.body)));
        });
    // Best effort stop: ask the engine to abort. If the stop was already requested, this runs
    // cancel() at once; if the request already finished, cancel() does nothing.
    op->on_stop.emplace(std::move(stop), [client = client_, id] { client->cancel(id); });
  }

 private:
  engine::http_client* client_;
};
// END example

static_assert(mediajobs::transport<engine_transport>);

mediajobs::task<mediajobs::result<mediajobs::http::response>> send(engine_transport& t, mediajobs::http::request r) {
  co_return co_await mediajobs::async_send(t, std::move(r));
}

mediajobs::http::request post(std::string url) {
  mediajobs::http::request r;
  r.method = "POST";
  r.url = std::move(url);
  r.body = R"({"prompt":"x"})";
  r.headers.add("Content-Type", "application/json");
  r.timeout = std::chrono::milliseconds(1500);
  return r;
}

std::string example_block(const std::string& text, bool commented) {
  std::istringstream in(text);
  std::string line, out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "// BEGIN example") {
      inside = true;
      continue;
    }
    if (line == "// END example") break;
    if (!inside) continue;
    if (commented) {
      if (line.rfind("// ", 0) == 0)
        line.erase(0, 3);
      else if (line == "//")
        line.clear();
      else
        return "<uncommented line in the header's example: " + line + ">";
    }
    out += line;
    out += '\n';
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the header's callback example is the code compiled here") {
  const std::string header = read_file(MEDIAJOBS_SOURCE_DIR "/include/mediajobs/transport/transport.hpp");
  const std::string self = read_file(MEDIAJOBS_SOURCE_DIR "/tests/transport/callback_example.cpp");
  REQUIRE_FALSE(header.empty());
  REQUIRE_FALSE(self.empty());
  const std::string documented = example_block(header, true);
  CHECK(documented.size() > 500);
  CHECK(documented == example_block(self, false));
}

TEST_CASE("callback example: a reply from the engine completes the send") {
  engine::http_client client;
  engine_transport t(client);
  std::optional<mediajobs::result<mediajobs::http::response>> got;
  mediajobs::start(send(t, post("https://x.test/jobs")), [&](auto r) { got = std::move(r); });
  auto call = client.peek();
  REQUIRE(call.has_value());
  CHECK(call->method == "POST");
  CHECK(call->url == "https://x.test/jobs");
  CHECK(call->timeout_ms == 1500);
  REQUIRE(call->headers.size() == 1);
  CHECK(call->headers[0].first == "Content-Type");
  CHECK(call->body == R"({"prompt":"x"})");
  CHECK_FALSE(got.has_value());

  CHECK(client.reply({engine::http_reply::outcome::ok, 202, "accepted"}));
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK((*got)->status == 202);
  CHECK((*got)->body == "accepted");
}

TEST_CASE("callback example: engine failures map to error kinds") {
  engine::http_client client;
  engine_transport t(client);
  using outcome = engine::http_reply::outcome;
  for (auto [o, kind] : {std::pair{outcome::failed, mediajobs::error_kind::transport},
                         std::pair{outcome::timed_out, mediajobs::error_kind::timeout},
                         std::pair{outcome::aborted, mediajobs::error_kind::cancelled}}) {
    std::optional<mediajobs::result<mediajobs::http::response>> got;
    mediajobs::start(send(t, post("u")), [&](auto r) { got = std::move(r); });
    client.reply({o, 0, "why"});
    REQUIRE(got.has_value());
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().kind() == kind);
  }
}

TEST_CASE("callback example: a stop request aborts the engine's request") {
  engine::http_client client;
  engine_transport t(client);
  std::stop_source source;
  std::optional<mediajobs::result<mediajobs::http::response>> got;
  mediajobs::start(send(t, post("u")), [&](auto r) { got = std::move(r); }, source.get_token());
  CHECK(client.waiting() == 1);
  source.request_stop();
  CHECK(client.waiting() == 0);
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().kind() == mediajobs::error_kind::cancelled);
}
