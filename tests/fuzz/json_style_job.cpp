// Fuzz target: json::read<style::job_detail> (the Style engine's JobDetailResponse) on arbitrary
// bytes. See json_schema.hpp.
#include "json_schema.hpp"

#include <mediajobs/style/schema.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using mediajobs::style::job_detail;
  return mediajobs_fuzz::read_schema<job_detail>(data, size, [](const job_detail& a, const job_detail& b) {
    return a.created_at == b.created_at && a.updated_at == b.updated_at && a.started_at == b.started_at &&
           a.completed_at == b.completed_at && a.status == b.status && a.style_json == b.style_json &&
           a.processing_time_seconds == b.processing_time_seconds && a.extra == b.extra;
  });
}
