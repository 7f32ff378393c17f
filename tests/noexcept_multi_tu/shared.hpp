// Shared by the two translation units of this family. They call the same ugen::client coroutines
// through member pointers, which makes GCC emit those COMDAT functions (with the coroutine
// actors inlined into them) in both objects: the shape in which GCC 12 at -O3 with
// -fno-exceptions once left a constant-pool reference to an actor of the copy the linker
// discards (see api/engine.hpp, engine::exchange). Linking this executable is the regression
// check; the test cases check that the calls still behave.
#pragma once

#include <mediajobs/core/sync_wait.hpp>
#include <mediajobs/http/message.hpp>
#include <mediajobs/transport/manual_timer.hpp>
#include <mediajobs/transport/mock.hpp>
#include <mediajobs/ugen/client.hpp>

#include <string>
#include <utility>

// Keeps the member pointer opaque to the optimizer (no inlining, no constant propagation), so
// the called member is emitted out of line in each object.
#if defined(__GNUC__) && !defined(__clang__)
#define MULTI_TU_OPAQUE [[gnu::noipa]]
#else
#define MULTI_TU_OPAQUE [[gnu::noinline]]
#endif

namespace multi_tu {

namespace ugen = mediajobs::ugen;
using client_type = ugen::client<mediajobs::mock_transport, mediajobs::manual_timer>;
using create_fn = mediajobs::task<mediajobs::result<ugen::job>> (client_type::*)(ugen::create_job_request);
using create_and_wait_fn = mediajobs::task<mediajobs::api::wait_result<ugen::job>> (client_type::*)(
    ugen::create_job_request, ugen::wait_options);
using get_fn = mediajobs::task<mediajobs::result<ugen::job>> (client_type::*)(std::string);

struct fixture {
  mediajobs::mock_transport mock;
  mediajobs::manual_timer timer;
  client_type client{mock, timer, options()};

  fixture() { timer.set_auto_advance(true); }

  static mediajobs::api::client_options options() {
    mediajobs::api::client_options o;
    o.base_url = "https://ugen.test";
    o.api_key = "key";
    return o;
  }

  void answer(int status, std::string body) {
    mediajobs::http::response r;
    r.status = status;
    r.body = std::move(body);
    r.headers.add("Content-Type", "application/json");
    mock.expect(std::move(r));
  }
};

inline ugen::create_job_request headphones() {
  ugen::create_job_request r;
  r.product_name = "Headphones";
  r.product_image_url = "https://example.com/h.jpg";
  r.segment_count = 3;
  return r;
}

}  // namespace multi_tu
