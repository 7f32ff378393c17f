// mediajobs Asio configuration: include this before any Asio header (every mediajobs/asio
// header does). It pulls in core/config.hpp, which tells Asio 1.22 that Clang with libstdc++
// has coroutines, and, in builds without exceptions (ASIO_NO_EXCEPTIONS), supplies the
// asio::detail::throw_exception that Asio then leaves to the application: it prints what Asio
// wanted to throw and aborts. The library itself only calls Asio's error_code overloads, so this
// path is reached only by misuse (or by Asio's own allocation failures).
// Thread-safety: declarations only.
#pragma once

#include <mediajobs/core/config.hpp>

#include <asio/detail/config.hpp>
#include <asio/detail/throw_exception.hpp>

#if defined(ASIO_NO_EXCEPTIONS) && !defined(ASIO_HAS_BOOST_THROW_EXCEPTION)
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace asio::detail {

// An identical template definition may appear in every translation unit (ODR allows it).
template <typename Exception>
void throw_exception(const Exception& e) {
  if constexpr (requires { e.what(); }) {
    std::fprintf(stderr, "mediajobs: Asio raised an error without exceptions: %s\n", e.what());
  } else {
    std::fputs("mediajobs: Asio raised an error without exceptions\n", stderr);
  }
  std::abort();
}

}  // namespace asio::detail
#endif
