# Driver of the consumer tests (run with cmake -P). ACTION is one of:
#   install           install BINARY_DIR into PREFIX
#   find_package      configure/build/run consumers/find_package against PREFIX
#   add_subdirectory  configure/build/run consumers/add_subdirectory over SOURCE_DIR
#   pkg_config        compile consumers/main.cpp with `pkg-config --cflags --libs mediajobs`
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
