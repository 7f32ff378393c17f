// Feature detection for mediajobs: exceptions, RTTI, std::expected, and the Asio coroutine
// macros that Asio 1.22 fails to set on Clang with libstdc++.
// Thread-safety: macros only.
#pragma once

#include <version>

#define MEDIAJOBS_VERSION_MAJOR 0
#define MEDIAJOBS_VERSION_MINOR 1
#define MEDIAJOBS_VERSION_PATCH 0
#define MEDIAJOBS_VERSION_STRING "0.1.0"

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define MEDIAJOBS_HAS_EXCEPTIONS 1
#else
#define MEDIAJOBS_HAS_EXCEPTIONS 0
#endif

#if defined(__cpp_rtti) || defined(__GXX_RTTI)
#define MEDIAJOBS_HAS_RTTI 1
#else
#define MEDIAJOBS_HAS_RTTI 0
#endif

// result<T> is std::expected<T, error> when the library is built as C++23 (or later) and the
// standard library has it; our own equivalent otherwise. Define MEDIAJOBS_NO_STD_EXPECTED to
// keep our own type even under C++23.
#if !defined(MEDIAJOBS_NO_STD_EXPECTED) && defined(__cpp_lib_expected) && __cpp_lib_expected >= 202211L
#define MEDIAJOBS_HAS_STD_EXPECTED 1
#else
#define MEDIAJOBS_HAS_STD_EXPECTED 0
#endif

// Asio 1.22 only enables co_await support for GCC or for Clang with libc++. Clang with
// libstdc++ has full coroutine support (checked on Clang 14 and 19), so tell Asio. Must be
// seen before the first Asio include: our Asio headers include this one first.
#if defined(__clang__) && defined(__GLIBCXX__) && defined(__cpp_impl_coroutine)
#ifndef ASIO_HAS_CO_AWAIT
#define ASIO_HAS_CO_AWAIT 1
#endif
#ifndef ASIO_HAS_STD_COROUTINE
#define ASIO_HAS_STD_COROUTINE 1
#endif
#endif

#if defined(__GNUC__) || defined(__clang__)
#define MEDIAJOBS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define MEDIAJOBS_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define MEDIAJOBS_UNLIKELY(x) (x)
#define MEDIAJOBS_LIKELY(x) (x)
#endif
