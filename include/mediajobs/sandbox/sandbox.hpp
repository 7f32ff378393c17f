// mediajobs sandbox umbrella: the local server (sandbox/server.hpp) and the three simulated
// services (U-Gen, the Style engine, TechForgeInnovate). Not part of mediajobs.hpp: it pulls in
// Asio. Include it in your own tests to run your code against all three APIs on 127.0.0.1, with
// a manual clock (pipelines move when the test says so: no sleeping) and fault injection
// (server::set_faults, or PUT /_sandbox/faults).
//
// How to use it in a test: one io_context for the sandbox and the client; run the io_context
// until the task you started is done; move the sandbox clock with advance().
// (tests/sandbox/example.cpp compiles and runs this very text.)
//
// BEGIN example
// // Runs a task to its end: start it, then run the io_context (sandbox and client share it)
// // until it completes. The client's own timeout bounds the wait.
// template <class T>
// T run(asio::io_context& io, mediajobs::task<T> t) {
//   std::optional<T> out;
//   mediajobs::start(std::move(t), [&out](T r) { out.emplace(std::move(r)); });
//   while (!out) io.run_one();
//   return std::move(*out);
// }
//
// mediajobs::result<mediajobs::ugen::job> make_a_video(asio::io_context& io) {
//   mediajobs::sandbox::server sandbox{io, {.manual_clock = true}};  // 127.0.0.1, a free port
//   if (!sandbox) return mediajobs::unexpected(sandbox.error());
//   mediajobs::asio_transport http{io};
//   mediajobs::ugen::client ugen{http, {.base_url = sandbox.url("ugen"),
//                                       .api_key = "sandbox-key",       // server_options::api_key
//                                       .retry = {.max_retries = 0}}};  // here a fault is a failure
//   mediajobs::ugen::create_job_request req;
//   req.product_name = "Premium Wireless Headphones";
//   req.product_image_url = "https://example.com/headphones.jpg";
//   req.segment_count = 3;
//   auto created = run(io, ugen.create_job(std::move(req)));
//   if (!created) return created;
//   sandbox.advance(std::chrono::minutes(5));  // the whole pipeline at once, no waiting
//   return run(io, ugen.get_job(std::string{created->get_id()}));
// }
// END example
//
// Faults: server::set_faults({.rate_limit_every = 3}) makes every third request a 429, and so on
// (see fault_options). Inspect what happened with server::stats() (or GET /_sandbox/stats).
//
// Thread-safety: see sandbox/server.hpp.
#pragma once

#include <mediajobs/sandbox/server.hpp>
#include <mediajobs/sandbox/service.hpp>
#include <mediajobs/sandbox/style.hpp>
#include <mediajobs/sandbox/techforge.hpp>
#include <mediajobs/sandbox/ugen.hpp>
