# test_cli spawns the `mediajobs` binary: build it first and tell the tests where it is. tools/ is
# added after tests/, so the target does not exist yet here; both the dependency and the
# generator expression are resolved at generate time. Without the tool (MEDIAJOBS_BUILD_TOOLS=OFF,
# as in the no-exceptions configuration) the tests report themselves skipped.
if(MEDIAJOBS_BUILD_TOOLS AND EXISTS "${PROJECT_SOURCE_DIR}/tools/CMakeLists.txt")
  add_dependencies(${_exe} mediajobs_cli)
  target_compile_definitions(${_exe} PRIVATE MEDIAJOBS_CLI_PATH="$<TARGET_FILE:mediajobs_cli>")
endif()
