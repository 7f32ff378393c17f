// A consumer program: includes the umbrella header and uses the library once.
#include <mediajobs/mediajobs.hpp>

#include <cstdio>

int main() {
  mediajobs::result<int> ok = 42;
  mediajobs::result<int> bad = mediajobs::fail(mediajobs::error_kind::timeout, "consumer check");
  if (!ok || *ok != 42 || bad || bad.error().kind() != mediajobs::error_kind::timeout) {
    std::puts("consumer: unexpected result behaviour");
    return 1;
  }
  std::printf("consumer ok: mediajobs %s\n", mediajobs::version_string);
  return 0;
}
