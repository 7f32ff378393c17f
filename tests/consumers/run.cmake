# Driver of the consumer tests (run with cmake -P). ACTION is one of:
#   install           install BINARY_DIR into PREFIX
#   find_package      configure/build/run consumers/find_package against PREFIX
#   add_subdirectory  configure/build/run consumers/add_subdirectory over SOURCE_DIR
#   pkg_config        compile consumers/main.cpp with `pkg-config --cflags --libs mediajobs`
#   conan_test_package  build packaging/conan/test_package against PREFIX and run it
#   vcpkg_usage       build a project made of the vcpkg port's usage lines against PREFIX
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
  set(LAST_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

function(check_program exe)
  run("${exe}")
  if(NOT LAST_OUTPUT MATCHES "consumer ok: mediajobs")
    message(FATAL_ERROR "consumer printed: ${LAST_OUTPUT}")
  endif()
  message(STATUS "${LAST_OUTPUT}")
endfunction()

if(ACTION STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run(${CMAKE_COMMAND} --install "${BINARY_DIR}" --prefix "${PREFIX}")
  foreach(f include/mediajobs/mediajobs.hpp share/cmake/mediajobs/mediajobsConfig.cmake
            share/cmake/mediajobs/mediajobsConfigVersion.cmake share/cmake/mediajobs/mediajobsTargets.cmake
            share/pkgconfig/mediajobs.pc)
    if(NOT EXISTS "${PREFIX}/${f}")
      message(FATAL_ERROR "install is missing ${f}")
    endif()
  endforeach()
elseif(ACTION STREQUAL "find_package" OR ACTION STREQUAL "add_subdirectory")
  file(REMOVE_RECURSE "${WORK}")
  run(${CMAKE_COMMAND} -S "${CONSUMERS}/${ACTION}" -B "${WORK}" -G "${GENERATOR}"
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_PREFIX_PATH=${PREFIX} -DMEDIAJOBS_SOURCE_DIR=${SOURCE_DIR})
  message(STATUS "${LAST_OUTPUT}")
  run(${CMAKE_COMMAND} --build "${WORK}")
  check_program("${WORK}/consumer")
elseif(ACTION STREQUAL "conan_test_package" OR ACTION STREQUAL "vcpkg_usage")
  file(REMOVE_RECURSE "${WORK}")
  if(ACTION STREQUAL "conan_test_package")
    set(src "${SOURCE_DIR}/packaging/conan/test_package")
    set(exe "${WORK}/test_package")
  else()
    # A project whose CMake lines are exactly the ones the port's usage file tells users to write.
    file(STRINGS "${SOURCE_DIR}/packaging/vcpkg/mediajobs/usage" lines REGEX "^  [a-z_]+\\(")
    if(NOT lines)
      message(FATAL_ERROR "no CMake lines found in the vcpkg usage file")
    endif()
    set(src "${WORK}/src")
    file(MAKE_DIRECTORY "${src}")
    list(JOIN lines "\n" body)
    file(WRITE "${src}/CMakeLists.txt"
      "cmake_minimum_required(VERSION 3.25)\nproject(vcpkg_usage LANGUAGES CXX)\n"
      "add_executable(main \"${CONSUMERS}/main.cpp\")\n${body}\n")
    set(exe "${WORK}/build/main")
  endif()
  set(bin "${WORK}/build")
  run(${CMAKE_COMMAND} -S "${src}" -B "${bin}" -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_RUNTIME_OUTPUT_DIRECTORY=${bin})
  run(${CMAKE_COMMAND} --build "${bin}")
  if(ACTION STREQUAL "conan_test_package")
    run("${bin}/test_package")
    if(NOT LAST_OUTPUT MATCHES "mediajobs test_package ok")
      message(FATAL_ERROR "test_package printed: ${LAST_OUTPUT}")
    endif()
    message(STATUS "${LAST_OUTPUT}")
  else()
    check_program("${bin}/main")
  endif()
elseif(ACTION STREQUAL "pkg_config")
  find_program(PKG_CONFIG NAMES pkg-config pkgconf REQUIRED)
  set(ENV{PKG_CONFIG_PATH} "${PREFIX}/share/pkgconfig")
  run(${PKG_CONFIG} --cflags --libs mediajobs)
  string(STRIP "${LAST_OUTPUT}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  file(MAKE_DIRECTORY "${WORK}")
  run(${CXX} ${flags} "${CONSUMERS}/main.cpp" -o "${WORK}/consumer")
  check_program("${WORK}/consumer")
else()
  message(FATAL_ERROR "unknown ACTION '${ACTION}'")
endif()
