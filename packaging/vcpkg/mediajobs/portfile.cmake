# vcpkg port of mediajobs (header-only).
# As an overlay port from this repository (vcpkg install mediajobs --overlay-ports=packaging/vcpkg)
# the sources are the repository this port sits in; copied into a registry, it fetches the tagged
# release instead (set SHA512 when the release is tagged).
set(VCPKG_BUILD_TYPE release)  # header-only: one configuration is enough

if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/../../../include/mediajobs/mediajobs.hpp")
  get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
else()
  vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO mediajobs/mediajobs
    REF "v${VERSION}"
    SHA512 0
    HEAD_REF main)
endif()

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    openssl MEDIAJOBS_WITH_OPENSSL)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DMEDIAJOBS_BUILD_TESTS=OFF
    -DMEDIAJOBS_BUILD_EXAMPLES=OFF
    -DMEDIAJOBS_BUILD_BENCHMARKS=OFF
    -DMEDIAJOBS_BUILD_TOOLS=OFF
    ${FEATURE_OPTIONS})

vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME mediajobs CONFIG_PATH share/cmake/mediajobs)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug")
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/doc")

vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
