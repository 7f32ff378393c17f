// Fuzz target: json::read<ugen::job> (the U-Gen job record) on arbitrary bytes. See json_schema.hpp.
#include "json_schema.hpp"

#include <mediajobs/ugen/schema.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mediajobs::ugen::job;
  return mediajobs_fuzz::read_schema<job>(data, size, [](const job& a, const job& b) {
    return a.created_at == b.created_at && a.updated_at == b.updated_at && a.completed_at == b.completed_at &&
           a.status == b.status && a.progress_percent == b.progress_percent && a.error == b.error &&
           a.extra == b.extra;
  });
}
