// bench_json: mediajobs' JSON codec against nlohmann/json, RapidJSON and simdjson (decode only),
// same payloads, same target structs, same run. Prints MB/s (input bytes per second, so decode
// and encode figures of every contender are on the same scale) and mediajobs/peer ratios.
//
//   bench_json [--min-time SECONDS] [--repeats N] [--no-peers 1] [--payload 0..3]
//
// (--no-peers 1 runs mediajobs alone and --payload one payload, e.g. under
// valgrind --tool=callgrind.)
// Each figure is the best of N repeats of a loop that runs for at least min-time; each iteration
// decodes into a fresh struct (construction and destruction included) or encodes into a reused
// std::string. Before timing, every contender's decode is checked against mediajobs' (same
// re-encoded text), so a peer that skips work would be caught.
#include "bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#if BENCH_HAVE_SIMDJSON
#include <simdjson.h>
#endif
#if BENCH_HAVE_NLOHMANN
#include <nlohmann/json.hpp>
#endif

namespace {

using clock_type = std::chrono::steady_clock;

double g_min_time = 0.25;
int g_repeats = 5;
bool g_no_peers = false;
int g_payload = -1;

/// Best throughput (MB/s of `bytes`) of `fn` over the repeats.
double measure(std::size_t bytes, const std::function<bool()>& fn) {
  for (int i = 0; i < 3; ++i)
    if (!fn()) return -1;  // warm-up, and a failure is reported as such
  double best = 0;
  for (int r = 0; r < g_repeats; ++r) {
    std::size_t iterations = 0;
    const auto start = clock_type::now();
    auto now = start;
    do {
      for (int k = 0; k < 8; ++k) fn();
      iterations += 8;
      now = clock_type::now();
    } while (std::chrono::duration<double>(now - start).count() < g_min_time);
    const double secs = std::chrono::duration<double>(now - start).count();
    best = std::max(best, static_cast<double>(bytes) * static_cast<double>(iterations) / secs / 1e6);
  }
  return best;
}

struct contender {
  const char* name;
  bool (*decode)(bench::dataset, std::string_view, bench::payloads&);
  bool (*encode)(bench::dataset, const bench::payloads&, std::string&);
};

std::string reencoded(bench::dataset d, const bench::payloads& p) {
  std::string s;
  bench::mj::encode(d, p, s);
  return s;
}

/// Same JSON meaning, member order aside (nlohmann sorts the members of its objects, so a value
/// that went through it differs from the input in order only).
bool same_json(const std::string& a, const std::string& b) {
#if BENCH_HAVE_NLOHMANN
  const auto x = nlohmann::json::parse(a, nullptr, false);
  const auto y = nlohmann::json::parse(b, nullptr, false);
  return !x.is_discarded() && x == y;
#else
  return a == b;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--min-time") == 0) g_min_time = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeats") == 0) g_repeats = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--no-peers") == 0) g_no_peers = std::atoi(argv[i + 1]) != 0;
    if (std::strcmp(argv[i], "--payload") == 0) g_payload = std::atoi(argv[i + 1]);
  }
  std::vector<contender> peers;
#if BENCH_HAVE_NLOHMANN
  peers.push_back({"nlohmann", bench::nl::decode, bench::nl::encode});
#endif
#if BENCH_HAVE_RAPIDJSON
  peers.push_back({"rapidjson", bench::rj::decode, bench::rj::encode});
#endif
#if BENCH_HAVE_SIMDJSON
  peers.push_back({"simdjson-od", bench::sj::decode, nullptr});
#endif

  if (g_no_peers) peers.clear();
  int failures = 0;
  std::printf("%-24s %-12s %9s %11s %11s %8s\n", "payload", "peer", "bytes", "dec MB/s", "enc MB/s", "");
  for (const bench::dataset d : bench::all_datasets) {
    if (g_payload >= 0 && static_cast<int>(d) != g_payload) continue;
    const std::string& text = bench::text_of(d);
    const std::string_view in{text};
#if BENCH_HAVE_SIMDJSON
    const simdjson::padded_string padded{text};
    const std::string_view padded_in{padded.data(), padded.size()};
#else
    const std::string_view padded_in = in;
#endif

    // Reference: mediajobs' decode, re-encoded.
    bench::payloads ref;
    if (!bench::mj::decode(d, in, ref)) {
      std::printf("%-24s mediajobs FAILED to decode the payload\n", bench::name_of(d));
      ++failures;
      continue;
    }
    const std::string expected = reencoded(d, ref);

    std::string out;
    out.reserve(text.size() * 2);
    const double mj_dec = measure(text.size(), [&] {
      bench::payloads p;
      return bench::mj::decode(d, in, p);
    });
    const double mj_enc = measure(text.size(), [&] { return bench::mj::encode(d, ref, out); });
    std::printf("%-24s %-12s %9zu %11.1f %11.1f\n", bench::name_of(d), "mediajobs", text.size(), mj_dec, mj_enc);

    for (const contender& c : peers) {
      const bool simd = c.encode == nullptr;
      const std::string_view peer_in = simd ? padded_in : in;
      bench::payloads check;
      if (!c.decode(d, peer_in, check) || !same_json(reencoded(d, check), expected)) {
        std::printf("%-24s %-12s decode result differs from mediajobs' (skipped)\n", "", c.name);
        ++failures;
        continue;
      }
      const double dec = measure(text.size(), [&] {
        bench::payloads p;
        return c.decode(d, peer_in, p);
      });
      double enc = 0;
      if (!simd) {
        std::string peer_out;
        if (!c.encode(d, ref, peer_out)) {
          std::printf("%-24s %-12s encode failed\n", "", c.name);
          ++failures;
        } else {
          // The peer's text must decode (with mediajobs) to the same value.
          bench::payloads back;
          if (!bench::mj::decode(d, peer_out, back) || !same_json(reencoded(d, back), expected)) {
            std::printf("%-24s %-12s encoded text differs in meaning (skipped)\n", "", c.name);
            ++failures;
          } else {
            enc = measure(text.size(), [&] { return c.encode(d, ref, out); });
          }
        }
      }
      char enc_text[32] = "-";
      char ratio_enc[32] = "";
      if (enc > 0) {
        std::snprintf(enc_text, sizeof enc_text, "%.1f", enc);
        std::snprintf(ratio_enc, sizeof ratio_enc, " enc x%.2f", mj_enc / enc);
      }
      std::printf("%-24s %-12s %9s %11.1f %11s   mediajobs/peer: dec x%.2f%s\n", "", c.name, "", dec, enc_text,
                  mj_dec / dec, ratio_enc);
    }
  }
  return failures == 0 ? 0 : 1;
}
