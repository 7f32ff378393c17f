// Shared declarations of the JSON benchmark: the four payloads, the structs they decode into,
// and the interface every contender (mediajobs and each peer) implements in its own TU.
// Every contender decodes into the SAME schema structs (include/mediajobs/*/schema.hpp) and
// encodes from them, so the work done is the same: enums mapped to open_enum, timestamps parsed
// to std::chrono (all with json::parse_rfc3339 / append_rfc3339), open objects built as json::value.
#pragma once

#include <mediajobs/style/schema.hpp>
#include <mediajobs/techforge/schema.hpp>
#include <mediajobs/ugen/schema.hpp>

#include <string>
#include <string_view>

namespace bench {

enum class dataset { ugen_job, style_detail, ugen_list, tfi_create };
inline constexpr dataset all_datasets[] = {dataset::ugen_job, dataset::style_detail, dataset::ugen_list,
                                           dataset::tfi_create};

/// One decoded value of each payload.
struct payloads {
  mediajobs::ugen::job ugen_job;
  mediajobs::style::job_detail_response style_detail;
  mediajobs::ugen::job_list ugen_list;
  mediajobs::techforge::create_response tfi_create;
};

/// The JSON text of a payload (built once, compact as a server sends it).
const std::string& text_of(dataset d);
const char* name_of(dataset d);

// Each contender: decode `in` into the member of `out` for `d` (returns false on failure), and
// append the encoding of that member to `out_text` (cleared first).
namespace mj {
bool decode(dataset d, std::string_view in, payloads& out);
bool encode(dataset d, const payloads& in, std::string& out_text);
}  // namespace mj
namespace nl {
bool decode(dataset d, std::string_view in, payloads& out);
bool encode(dataset d, const payloads& in, std::string& out_text);
}  // namespace nl
namespace rj {
bool decode(dataset d, std::string_view in, payloads& out);
bool encode(dataset d, const payloads& in, std::string& out_text);
}  // namespace rj
namespace sj {
/// simdjson needs a padded input: `in` must have simdjson::SIMDJSON_PADDING readable bytes after
/// its end (the harness keeps a padded copy; allocated once, outside the timed loop).
bool decode(dataset d, std::string_view in, payloads& out);
}  // namespace sj

}  // namespace bench
