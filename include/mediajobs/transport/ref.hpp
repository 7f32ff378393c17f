// mediajobs::transport_ref and timer_ref: non-owning, type-erased references to any transport or
// timer — two pointers, no allocation — so that code above the transport (a client, a retry
// loop) need not be a template over the transport type, which keeps compile times down:
//
//   class my_client {
//    public:
//     explicit my_client(mediajobs::transport_ref t) : transport_(t) {}
//     mediajobs::task<mediajobs::result<job>> get(std::string id);   // defined in a .cpp
//    private:
//     mediajobs::transport_ref transport_;
//   };
//   mediajobs::mock_transport mock;
//   my_client client(mock);
//
// The referenced object must outlive the reference and every operation started through it.
//
// Thread-safety: a ref is a pointer; it is as thread-safe as the object it refers to.
#pragma once

#include <mediajobs/http/message.hpp>
#include <mediajobs/transport/transport.hpp>

#include <chrono>
#include <concepts>
#include <memory>
#include <stop_token>
#include <type_traits>
#include <utility>

namespace mediajobs {

class transport_ref {
 public:
  template <transport T>
    requires(!std::is_const_v<T> && !std::same_as<T, transport_ref>)
  transport_ref(T& t) noexcept  // NOLINT: implicit, a transport converts to a reference to it
      : object_(std::addressof(t)), send_([](void* object, http::request req, std::stop_token stop, send_completion done) {
          static_cast<T*>(object)->async_send(std::move(req), std::move(stop), std::move(done));
        }) {}

  void async_send(http::request req, std::stop_token stop, send_completion done) const {
    send_(object_, std::move(req), std::move(stop), std::move(done));
  }

 private:
  void* object_;
  void (*send_)(void*, http::request, std::stop_token, send_completion);
};

class timer_ref {
 public:
  template <timer T>
    requires(!std::is_const_v<T> && !std::same_as<T, timer_ref>)
  timer_ref(T& t) noexcept  // NOLINT: implicit, a timer converts to a reference to it
      : object_(std::addressof(t)),
        wait_([](void* object, std::chrono::milliseconds d, std::stop_token stop, wait_completion done) {
          static_cast<T*>(object)->async_wait(d, std::move(stop), std::move(done));
        }) {}

  void async_wait(std::chrono::milliseconds d, std::stop_token stop, wait_completion done) const {
    wait_(object_, d, std::move(stop), std::move(done));
  }

 private:
  void* object_;
  void (*wait_)(void*, std::chrono::milliseconds, std::stop_token, wait_completion);
};

static_assert(transport<transport_ref>);
static_assert(timer<timer_ref>);

}  // namespace mediajobs
