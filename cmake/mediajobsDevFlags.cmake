# Flags for the project's own targets (tests, examples, benchmarks, tools) — never put on the
# exported library target, so users' builds are untouched.
#   MEDIAJOBS_SANITIZE       e.g. "address,undefined": sanitizers, no recovery
#   MEDIAJOBS_NO_EXCEPTIONS  build with -fno-exceptions -fno-rtti
#   MEDIAJOBS_WERROR         warnings are errors (default ON)
include_guard(GLOBAL)

set(MEDIAJOBS_SANITIZE "" CACHE STRING "Sanitizers for our own targets, e.g. address,undefined")
option(MEDIAJOBS_NO_EXCEPTIONS "Build our own targets with -fno-exceptions -fno-rtti" OFF)
option(MEDIAJOBS_WERROR "Treat warnings as errors in our own targets" ON)

add_library(mediajobs_dev_flags INTERFACE)
target_compile_options(mediajobs_dev_flags INTERFACE -Wall -Wextra -Wpedantic -Wconversion -Wshadow
                       $<$<BOOL:${MEDIAJOBS_WERROR}>:-Werror>)
if(MEDIAJOBS_SANITIZE)
  set(_mj_san -fsanitize=${MEDIAJOBS_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  # Clang 14's -fsanitize=function breaks the build of coroutine code ("Cannot represent a
  # difference across sections"); later Clangs are fine.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 15
     AND MEDIAJOBS_SANITIZE MATCHES "undefined")
    list(APPEND _mj_san -fno-sanitize=function)
  endif()
  target_compile_options(mediajobs_dev_flags INTERFACE ${_mj_san})
  target_link_options(mediajobs_dev_flags INTERFACE ${_mj_san})
endif()
if(MEDIAJOBS_NO_EXCEPTIONS)
  # Asio 1.22 builds without exceptions/RTTI only with these; the throw_exception it then needs
  # is supplied by mediajobs/asio/config.hpp.
  target_compile_options(mediajobs_dev_flags INTERFACE -fno-exceptions -fno-rtti)
  # doctest refuses to build without exceptions unless told to keep its asserts anyway.
  target_compile_definitions(mediajobs_dev_flags INTERFACE ASIO_NO_EXCEPTIONS ASIO_NO_TYPEID
                             DOCTEST_CONFIG_NO_EXCEPTIONS_BUT_WITH_ALL_ASSERTS)
endif()
