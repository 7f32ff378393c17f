// The simdjson on-demand contender (decode only): iterate each object's fields in the order they
// come and dispatch on the key, so keys may be in any order, like the other contenders.
#include "bench.hpp"
#include "fields.hpp"

#include <simdjson.h>

#include <map>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

namespace bench::sj {
namespace {

namespace mjs = mediajobs;
namespace od = simdjson::ondemand;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class E>
bool get(od::value v, mjs::open_enum<E>& out);
template <class T>
bool get(od::value v, std::optional<T>& out);
template <class T>
bool get(od::value v, std::vector<T>& out);
template <class T>
bool get(od::value v, std::map<std::string, T>& out);
bool get(od::value v, mjs::json::value& out);
bool get(od::value v, mjs::ugen::segment& out);
bool get(od::value v, mjs::ugen::job_outputs& out);
bool get(od::value v, mjs::ugen::job& out);
bool get(od::value v, mjs::techforge::job& out);
bool get(od::value v, mjs::techforge::value_entry& out);
bool get(od::value v, mjs::techforge::values_field& out);
bool get(od::value v, mjs::techforge::credit_amount& out);

bool get(od::value v, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out.assign(s);
  return true;
}
bool get(od::value v, int& out) {
  std::int64_t i = 0;
  if (v.get_int64().get(i) || i < INT32_MIN || i > INT32_MAX) return false;
  out = static_cast<int>(i);
  return true;
}
bool get(od::value v, double& out) { return !v.get_double().get(out); }
bool get(od::value v, bool& out) { return !v.get_bool().get(out); }
template <class E>
bool get(od::value v, mjs::open_enum<E>& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out = mjs::open_enum<E>{s};
  return true;
}
bool get(od::value v, mjs::timestamp& out) {
  std::string_view s;
  if (v.get_string().get(s)) return false;
  const auto t = mjs::json::parse_rfc3339(s);
  if (!t) return false;
  out = *t;
  return true;
}
template <class T>
bool get(od::value v, std::optional<T>& out) {
  bool is_null = false;
  if (v.is_null().get(is_null)) return false;
  if (is_null) {
    out.reset();
    return true;
  }
  return get(v, out.emplace());
}
template <class T>
bool get(od::value v, std::vector<T>& out) {
  od::array a;
  if (v.get_array().get(a)) return false;
  out.clear();
  for (auto e : a) {
    od::value ev;
    if (std::move(e).get(ev) || !get(ev, out.emplace_back())) return false;
  }
  return true;
}
template <class T>
bool get(od::value v, std::map<std::string, T>& out) {
  od::object o;
  if (v.get_object().get(o)) return false;
  for (auto r : o) {
    od::field f;
    std::string_view k;
    if (std::move(r).get(f) || f.unescaped_key().get(k)) return false;
    if (!get(f.value(), out[std::string{k}])) return false;
  }
  return true;
}

bool get(od::value v, mjs::json::value& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  switch (t) {
    case od::json_type::null: {
      bool n = false;
      if (v.is_null().get(n) || !n) return false;
      out = nullptr;
      return true;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (v.get_bool().get(b)) return false;
      out = b;
      return true;
    }
    case od::json_type::number: {
      od::number_type nt;
      if (v.get_number_type().get(nt)) return false;
      if (nt == od::number_type::signed_integer) {
        std::int64_t i = 0;
        if (v.get_int64().get(i)) return false;
        out = i;
      } else if (nt == od::number_type::unsigned_integer) {
        std::uint64_t u = 0;
        if (v.get_uint64().get(u)) return false;
        out = u;
      } else {
        double d = 0;
        if (v.get_double().get(d)) return false;
        out = d;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      out = s;
      return true;
    }
    case od::json_type::array: {
      od::array a;
      if (v.get_array().get(a)) return false;
      mjs::json::value::array_t arr;
      for (auto e : a) {
        od::value ev;
        if (std::move(e).get(ev) || !get(ev, arr.emplace_back())) return false;
      }
      out = std::move(arr);
      return true;
    }
    case od::json_type::object: {
      od::object o;
      if (v.get_object().get(o)) return false;
      mjs::json::value::object_t obj;
      for (auto r : o) {
        od::field f;
        std::string_view k;
        if (std::move(r).get(f) || f.unescaped_key().get(k)) return false;
        obj.emplace_back(std::string{k}, mjs::json::value{});
        if (!get(f.value(), obj.back().second)) return false;
      }
      out = std::move(obj);
      return true;
    }
  }
  return false;
}

// Iterate the fields; a known key decodes into its member, an unknown one is skipped; afterwards
// every non-optional member must have been seen.
#define SJ_SEEN(member, key) [[maybe_unused]] bool seen_##member = false;
#define SJ_FIELD(member, key)                          \
  if (k == key) {                                      \
    if (!get(f.value(), out.member)) return false;     \
    seen_##member = true;                              \
    continue;                                          \
  }
#define SJ_CHECK(member, key)                                          \
  if constexpr (!is_optional<decltype(out.member)>::value) {           \
    if (!seen_##member) return false;                                  \
  }
#define SJ_STRUCT(type, list)                 \
  bool get(od::value v, type& out) {          \
    od::object o;                             \
    if (v.get_object().get(o)) return false;  \
    list(SJ_SEEN) for (auto r : o) {          \
      od::field f;                            \
      if (std::move(r).get(f)) return false;             \
      const od::raw_json_string k = f.key();  \
      list(SJ_FIELD)                          \
    }                                         \
    list(SJ_CHECK) return true;               \
  }

SJ_STRUCT(mjs::ugen::segment, BENCH_UGEN_SEGMENT)
SJ_STRUCT(mjs::ugen::job_outputs, BENCH_UGEN_OUTPUTS)
SJ_STRUCT(mjs::ugen::job, BENCH_UGEN_JOB)
SJ_STRUCT(mjs::ugen::job_list_page, BENCH_UGEN_LIST_PAGE)
SJ_STRUCT(mjs::style::job_detail_response, BENCH_STYLE_DETAIL)
SJ_STRUCT(mjs::techforge::job, BENCH_TFI_JOB)

bool get(od::value v, mjs::techforge::value_entry& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::string) return get(v, out.emplace<std::string>());
  od::object o;
  if (v.get_object().get(o)) return false;
  // One pass: collect what an asset may hold, then pick the alternative.
  std::optional<std::string> image_url, audio_url;
  std::optional<std::vector<mjs::json::value>> effects;
  for (auto r : o) {
    od::field f;
    if (std::move(r).get(f)) return false;
    const od::raw_json_string k = f.key();
    if (k == "image_url") {
      if (!get(f.value(), image_url)) return false;
    } else if (k == "audio_url") {
      if (!get(f.value(), audio_url)) return false;
    } else if (k == "effects") {
      if (!get(f.value(), effects)) return false;
    }
  }
  if (image_url) {
    out.emplace<mjs::techforge::image_asset>().image_url = std::move(*image_url);
  } else if (audio_url) {
    auto& a = out.emplace<mjs::techforge::audio_asset>();
    a.audio_url = std::move(*audio_url);
    a.effects = std::move(effects);
  } else {
    out.emplace<mjs::techforge::other_asset>();
  }
  return true;
}
bool get(od::value v, mjs::techforge::values_field& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::array) return get(v, out.emplace<std::vector<mjs::json::value>>());
  return get(v, out.emplace<mjs::techforge::values_map>());
}
bool get(od::value v, mjs::techforge::credit_amount& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::string) return get(v, out.emplace<std::string>());
  return get(v, out.emplace<double>());
}
// Either create form in one pass over the fields, then pick.
bool get(od::value v, mjs::techforge::create_response& out) {
  od::object o;
  if (v.get_object().get(o)) return false;
  mjs::techforge::create_response_201 a;
  mjs::techforge::create_response_202 b;
  bool has_job = false, has_id = false, has_status = false;
  for (auto r : o) {
    od::field f;
    if (std::move(r).get(f)) return false;
    const od::raw_json_string k = f.key();
    if (k == "message") {
      if (!get(f.value(), a.message)) return false;
    } else if (k == "job") {
      if (!get(f.value(), a.job)) return false;
      has_job = true;
    } else if (k == "jobId") {
      if (!get(f.value(), b.job_id)) return false;
      has_id = true;
    } else if (k == "status") {
      if (!get(f.value(), b.status)) return false;
      has_status = true;
    }
  }
  if (has_job) out = std::move(a);
  else if (has_id && has_status) out = std::move(b);
  else return false;
  return true;
}
bool get(od::value v, mjs::ugen::job_list& out) {
  od::json_type t;
  if (v.type().get(t)) return false;
  if (t == od::json_type::array) return get(v, out.emplace<std::vector<mjs::ugen::job>>());
  return get(v, out.emplace<mjs::ugen::job_list_page>());
}

template <class T>
bool parse_into(std::string_view in, T& out) {
  static thread_local od::parser parser;  // reused: its buffers are allocated once
  od::document doc;
  if (parser.iterate(in.data(), in.size(), in.size() + simdjson::SIMDJSON_PADDING).get(doc)) return false;
  od::value root;
  if (doc.get_value().get(root)) return false;
  return get(root, out);
}

}  // namespace

bool decode(dataset d, std::string_view in, payloads& out) {
  switch (d) {
    case dataset::ugen_job: return parse_into(in, out.ugen_job);
    case dataset::style_detail: return parse_into(in, out.style_detail);
    case dataset::ugen_list: return parse_into(in, out.ugen_list);
    case dataset::tfi_create: return parse_into(in, out.tfi_create);
  }
  return false;
}

}  // namespace bench::sj
