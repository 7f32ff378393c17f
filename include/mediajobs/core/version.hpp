// The library version, as a value (the macros are in config.hpp).
// Thread-safety: constants only.
#pragma once

#include <mediajobs/core/config.hpp>

namespace mediajobs {
inline constexpr int version_major = MEDIAJOBS_VERSION_MAJOR;
inline constexpr int version_minor = MEDIAJOBS_VERSION_MINOR;
inline constexpr int version_patch = MEDIAJOBS_VERSION_PATCH;
/// "MAJOR.MINOR.PATCH"; also the default User-Agent's version (mediajobs/<version>).
inline constexpr const char* version_string = MEDIAJOBS_VERSION_STRING;
}  // namespace mediajobs
