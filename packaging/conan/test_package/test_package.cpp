// Conan test_package: proves the package's headers, target and dependencies are usable.
#include <mediajobs/mediajobs.hpp>

#include <cstdio>

int main() {
  mediajobs::result<int> r = mediajobs::fail(mediajobs::error_kind::timeout, "test");
  if (r || r.error().kind() != mediajobs::error_kind::timeout) return 1;
  std::printf("mediajobs test_package ok: %s\n", mediajobs::version_string);
  return 0;
}
