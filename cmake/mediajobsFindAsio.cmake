# Finds standalone Asio and provides the target asio::asio, the same way in the source build and
# in the installed package config:
#   1. a CMake package that defines asio::asio (vcpkg's and Conan's asio packages do);
#   2. otherwise the header asio.hpp on the include path (Debian's libasio-dev): an imported
#      INTERFACE target with ASIO_STANDALONE and Threads.
# find_package(asio) is QUIET rather than find_dependency() because its absence is not an error
# here: step 2 is the fallback.
include_guard(GLOBAL)
include(CMakeFindDependencyMacro)

if(NOT TARGET asio::asio)
  find_package(asio CONFIG QUIET)
endif()

if(NOT TARGET asio::asio)
  find_path(MEDIAJOBS_ASIO_INCLUDE_DIR NAMES asio.hpp DOC "Directory holding standalone asio.hpp")
  if(MEDIAJOBS_ASIO_INCLUDE_DIR)
    find_dependency(Threads)
    add_library(asio::asio INTERFACE IMPORTED)
    set_target_properties(asio::asio PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${MEDIAJOBS_ASIO_INCLUDE_DIR}"
      INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE"
      INTERFACE_LINK_LIBRARIES "Threads::Threads")
  endif()
endif()
