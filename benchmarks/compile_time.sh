#!/usr/bin/env bash
# Compile-time comparison: one translation unit that reads and writes a U-Gen job with mediajobs
# (include/mediajobs/ugen/schema.hpp) against the same with nlohmann/json (plain structs mapped
# with NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT). Each TU is compiled N times with
# GCC -O2 -c; the best CPU time (user + sys) of each is reported with the ratio.
#
#   benchmarks/compile_time.sh [runs]        (default 5; CXX=g++-12 to pick the compiler)
#
# Targets: mediajobs <= 0.5x nlohmann and <= 2 s.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
cxx="${CXX:-g++}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/mediajobs_tu.cpp" <<'CPP'
#include <mediajobs/ugen/schema.hpp>
#include <string>
#include <string_view>

int roundtrip(std::string_view in, std::string& out) {
  auto job = mediajobs::json::read<mediajobs::ugen::job>(in);
  if (!job) return 1;
  return mediajobs::json::write(*job, out) ? 0 : 2;
}
CPP

cat > "$work/nlohmann_tu.cpp" <<'CPP'
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace plain {
struct segment {
  int index = 0;
  std::string status, script;
  double duration_seconds = 0;
  std::string keyframe_url, video_url;
  double qai_score = 0;
  int retries = 0;
};
struct job_outputs {
  std::string video_url, thumbnail_url, captions_url, audio_url;
};
struct job {
  std::string id, job_id, uuid, status;
  double progress_percent = 0;
  std::string current_stage, product_name, product_image_url;
  int segment_count = 0, segment_duration = 0;
  std::string aspect_ratio, video_model, persona_id, idempotency_key;
  std::vector<segment> segments;
  job_outputs outputs;
  std::string output_url;
  double credits_reserved = 0, credits_used = 0;
  nlohmann::json error;
  std::string created_at, updated_at, completed_at;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(segment, index, status, script, duration_seconds, keyframe_url,
                                                video_url, qai_score, retries)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(job_outputs, video_url, thumbnail_url, captions_url, audio_url)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(job, id, job_id, uuid, status, progress_percent, current_stage,
                                                product_name, product_image_url, segment_count, segment_duration,
                                                aspect_ratio, video_model, persona_id, idempotency_key, segments,
                                                outputs, output_url, credits_reserved, credits_used, error,
                                                created_at, updated_at, completed_at)
}  // namespace plain

int roundtrip(std::string_view in, std::string& out) {
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return 1;
  plain::job job = j.get<plain::job>();
  out = nlohmann::json(job).dump();
  return 0;
}
CPP

# Best CPU time (user + sys of the compiler and its children) over $runs runs: on a shared
# machine the wall time mostly measures the other jobs; CPU time is what the TU costs.
best_time() {
  local best=""
  for _ in $(seq "$runs"); do
    local dt
    dt=$( { /usr/bin/time -f '%U %S' "$cxx" -std=c++20 -O2 -I"$root/include" -c "$1" -o "$work/out.o"; } 2>&1 |
          tail -1 | awk '{ print $1 + $2 }')
    if [[ -z "$best" ]] || (( $(echo "$dt < $best" | bc -l) )); then best=$dt; fi
  done
  printf '%.2f' "$best"
}

echo "compiler: $("$cxx" --version | head -1); flags: -std=c++20 -O2 -c; best CPU time of $runs"
mj=$(best_time "$work/mediajobs_tu.cpp")
nl=$(best_time "$work/nlohmann_tu.cpp")
ratio=$(echo "$mj / $nl" | bc -l)
printf 'mediajobs TU (read+write ugen::job):  %s s\n' "$mj"
printf 'nlohmann  TU (read+write plain job):  %s s\n' "$nl"
printf 'ratio mediajobs/nlohmann:              %.2f  (target <= 0.50, and <= 2 s)\n' "$ratio"
