// The nlohmann/json contender: parse to nlohmann::json, then map into the schema structs with
// per-struct functions (what NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE expands to, plus optional/null
// handling it lacks); encode by building a nlohmann::json and calling dump().
#include "bench.hpp"
#include "fields.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

namespace bench::nl {
namespace {

namespace mjs = mediajobs;
using nj = nlohmann::json;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Declarations first: unqualified calls inside templates find these by ordinary lookup only.
template <class E>
bool get(const nj& j, mjs::open_enum<E>& v);
template <class T>
bool get(const nj& j, std::optional<T>& v);
template <class T>
bool get(const nj& j, std::vector<T>& v);
template <class T>
bool get(const nj& j, std::map<std::string, T>& v);
bool get(const nj& j, mjs::json::value& v);
bool get(const nj& j, mjs::ugen::segment& v);
bool get(const nj& j, mjs::ugen::job_outputs& v);
bool get(const nj& j, mjs::ugen::job& v);
bool get(const nj& j, mjs::ugen::job_list_page& v);
bool get(const nj& j, mjs::style::job_detail_response& v);
bool get(const nj& j, mjs::techforge::job& v);
bool get(const nj& j, mjs::techforge::value_entry& v);
bool get(const nj& j, mjs::techforge::values_field& v);
bool get(const nj& j, mjs::techforge::credit_amount& v);
nj to(const mjs::json::value& v);
nj to(const mjs::ugen::segment& v);
nj to(const mjs::ugen::job_outputs& v);
nj to(const mjs::ugen::job& v);
nj to(const mjs::ugen::job_list_page& v);
nj to(const mjs::style::job_detail_response& v);
nj to(const mjs::techforge::job& v);
nj to(const mjs::techforge::value_entry& v);
nj to(const mjs::techforge::values_field& v);
nj to(const mjs::techforge::credit_amount& v);

bool get(const nj& j, std::string& v) {
  if (!j.is_string()) return false;
  v = j.get_ref<const std::string&>();
  return true;
}
bool get(const nj& j, int& v) {
  if (!j.is_number_integer()) return false;
  v = j.get<int>();
  return true;
}
bool get(const nj& j, double& v) {
  if (!j.is_number()) return false;
  v = j.get<double>();
  return true;
}
bool get(const nj& j, bool& v) {
  if (!j.is_boolean()) return false;
  v = j.get<bool>();
  return true;
}
template <class E>
bool get(const nj& j, mjs::open_enum<E>& v) {
  if (!j.is_string()) return false;
  v = mjs::open_enum<E>{std::string_view{j.get_ref<const std::string&>()}};
  return true;
}
bool get(const nj& j, mjs::timestamp& v) {
  if (!j.is_string()) return false;
  const auto t = mjs::json::parse_rfc3339(j.get_ref<const std::string&>());
  if (!t) return false;
  v = *t;
  return true;
}
template <class T>
bool get(const nj& j, std::optional<T>& v) {
  if (j.is_null()) {
    v.reset();
    return true;
  }
  return get(j, v.emplace());
}
template <class T>
bool get(const nj& j, std::vector<T>& v) {
  if (!j.is_array()) return false;
  v.clear();
  v.reserve(j.size());
  for (const auto& e : j)
    if (!get(e, v.emplace_back())) return false;
  return true;
}
template <class T>
bool get(const nj& j, std::map<std::string, T>& v) {
  if (!j.is_object()) return false;
  for (const auto& [k, e] : j.items())
    if (!get(e, v[k])) return false;
  return true;
}

bool get(const nj& j, mjs::json::value& v) {
  switch (j.type()) {
    case nj::value_t::null: v = nullptr; return true;
    case nj::value_t::boolean: v = j.get<bool>(); return true;
    case nj::value_t::number_integer: v = j.get<std::int64_t>(); return true;
    case nj::value_t::number_unsigned: v = j.get<std::uint64_t>(); return true;
    case nj::value_t::number_float: v = j.get<double>(); return true;
    case nj::value_t::string: v = j.get_ref<const std::string&>(); return true;
    case nj::value_t::array: {
      mjs::json::value::array_t a;
      a.reserve(j.size());
      for (const auto& e : j)
        if (!get(e, a.emplace_back())) return false;
      v = std::move(a);
      return true;
    }
    case nj::value_t::object: {
      mjs::json::value::object_t o;
      o.reserve(j.size());
      for (const auto& [k, e] : j.items()) {
        o.emplace_back(k, mjs::json::value{});
        if (!get(e, o.back().second)) return false;
      }
      v = std::move(o);
      return true;
    }
    default: return false;
  }
}

// A present key is decoded; a missing one is an error unless the member is optional.
#define NL_GET(member, key)                                                   \
  if (auto it = j.find(key); it != j.end()) {                                 \
    if (!get(*it, v.member)) return false;                                    \
  } else if constexpr (!is_optional<decltype(v.member)>::value) {             \
    return false;                                                             \
  }

bool get(const nj& j, mjs::ugen::segment& v) {
  if (!j.is_object()) return false;
  BENCH_UGEN_SEGMENT(NL_GET)
  return true;
}
bool get(const nj& j, mjs::ugen::job_outputs& v) {
  if (!j.is_object()) return false;
  BENCH_UGEN_OUTPUTS(NL_GET)
  return true;
}
bool get(const nj& j, mjs::ugen::job& v) {
  if (!j.is_object()) return false;
  BENCH_UGEN_JOB(NL_GET)
  return true;
}
bool get(const nj& j, mjs::ugen::job_list_page& v) {
  if (!j.is_object()) return false;
  BENCH_UGEN_LIST_PAGE(NL_GET)
  return true;
}
bool get(const nj& j, mjs::style::job_detail_response& v) {
  if (!j.is_object()) return false;
  BENCH_STYLE_DETAIL(NL_GET)
  return true;
}
bool get(const nj& j, mjs::techforge::job& v) {
  if (!j.is_object()) return false;
  BENCH_TFI_JOB(NL_GET)
  return true;
}
bool get(const nj& j, mjs::techforge::image_asset& v) {
  BENCH_TFI_IMAGE(NL_GET)
  return true;
}
bool get(const nj& j, mjs::techforge::audio_asset& v) {
  BENCH_TFI_AUDIO(NL_GET)
  return true;
}
bool get(const nj& j, mjs::techforge::value_entry& v) {
  if (j.is_string()) return get(j, v.emplace<std::string>());
  if (!j.is_object()) return false;
  if (j.contains("image_url")) return get(j, v.emplace<mjs::techforge::image_asset>());
  if (j.contains("audio_url")) return get(j, v.emplace<mjs::techforge::audio_asset>());
  v.emplace<mjs::techforge::other_asset>();
  return true;
}
bool get(const nj& j, mjs::techforge::values_field& v) {
  if (j.is_array()) return get(j, v.emplace<std::vector<mjs::json::value>>());
  return get(j, v.emplace<mjs::techforge::values_map>());
}
bool get(const nj& j, mjs::techforge::credit_amount& v) {
  if (j.is_string()) return get(j, v.emplace<std::string>());
  return get(j, v.emplace<double>());
}
bool get(const nj& j, mjs::techforge::create_response_201& v) {
  BENCH_TFI_201(NL_GET)
  return true;
}
bool get(const nj& j, mjs::techforge::create_response_202& v) {
  BENCH_TFI_202(NL_GET)
  return true;
}
bool get(const nj& j, mjs::techforge::create_response& v) {
  if (!j.is_object()) return false;
  if (j.contains("job")) return get(j, v.emplace<mjs::techforge::create_response_201>());
  return get(j, v.emplace<mjs::techforge::create_response_202>());
}
bool get(const nj& j, mjs::ugen::job_list& v) {
  if (j.is_array()) return get(j, v.emplace<std::vector<mjs::ugen::job>>());
  return get(j, v.emplace<mjs::ugen::job_list_page>());
}

// --- encode ---------------------------------------------------------------------------------

nj to(const std::string& s) { return s; }
nj to(int i) { return i; }
nj to(double d) { return d; }
nj to(bool b) { return b; }
template <class E>
nj to(const mjs::open_enum<E>& e) {
  return std::string{e.name()};
}
nj to(mjs::timestamp t) {
  std::string s;
  mjs::json::append_rfc3339(s, t);
  return s;
}
template <class T>
nj to(const std::vector<T>& v) {
  nj a = nj::array();
  for (const auto& e : v) a.push_back(to(e));
  return a;
}
template <class T>
nj to(const std::map<std::string, T>& m) {
  nj o = nj::object();
  for (const auto& [k, e] : m) o[k] = to(e);
  return o;
}
template <class T>
void put(nj& j, const char* key, const T& v) {
  j[key] = to(v);
}
template <class T>
void put(nj& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = to(*v);
}

nj to(const mjs::json::value& v) {
  using kind = mjs::json::value::kind;
  switch (v.type()) {
    case kind::null: return nullptr;
    case kind::boolean: return v.as_bool();
    case kind::int64: return v.as_int64();
    case kind::uint64: return v.as_uint64();
    case kind::number: return v.as_double();
    case kind::string: return v.as_string();
    case kind::array: return to(v.as_array());
    case kind::object: {
      nj o = nj::object();
      for (const auto& [k, e] : v.as_object()) o[k] = to(e);
      return o;
    }
  }
  return nullptr;
}

#define NL_PUT(member, key) put(j, key, v.member);

nj to(const mjs::ugen::segment& v) {
  nj j = nj::object();
  BENCH_UGEN_SEGMENT(NL_PUT)
  return j;
}
nj to(const mjs::ugen::job_outputs& v) {
  nj j = nj::object();
  BENCH_UGEN_OUTPUTS(NL_PUT)
  return j;
}
nj to(const mjs::ugen::job& v) {
  nj j = nj::object();
  BENCH_UGEN_JOB(NL_PUT)
  return j;
}
nj to(const mjs::ugen::job_list_page& v) {
  nj j = nj::object();
  BENCH_UGEN_LIST_PAGE(NL_PUT)
  return j;
}
nj to(const mjs::style::job_detail_response& v) {
  nj j = nj::object();
  BENCH_STYLE_DETAIL(NL_PUT)
  return j;
}
nj to(const mjs::techforge::job& v) {
  nj j = nj::object();
  BENCH_TFI_JOB(NL_PUT)
  return j;
}
nj to(const mjs::techforge::image_asset& v) {
  nj j = nj::object();
  BENCH_TFI_IMAGE(NL_PUT)
  return j;
}
nj to(const mjs::techforge::audio_asset& v) {
  nj j = nj::object();
  BENCH_TFI_AUDIO(NL_PUT)
  return j;
}
nj to(const mjs::techforge::other_asset&) { return nj::object(); }
nj to(const mjs::techforge::value_entry& v) {
  return std::visit([](const auto& x) { return to(x); }, v);
}
nj to(const mjs::techforge::values_field& v) {
  return std::visit([](const auto& x) { return to(x); }, v);
}
nj to(const mjs::techforge::credit_amount& v) {
  return std::visit([](const auto& x) { return to(x); }, v);
}
nj to(const mjs::techforge::create_response_201& v) {
  nj j = nj::object();
  BENCH_TFI_201(NL_PUT)
  return j;
}
nj to(const mjs::techforge::create_response_202& v) {
  nj j = nj::object();
  BENCH_TFI_202(NL_PUT)
  return j;
}
nj to(const mjs::techforge::create_response& v) {
  return std::visit([](const auto& x) { return to(x); }, v);
}
nj to(const mjs::ugen::job_list& v) {
  return std::visit([](const auto& x) { return to(x); }, v);
}

template <class T>
bool parse_into(std::string_view in, T& out) {
  nj j = nj::parse(in.begin(), in.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return false;
  return get(j, out);
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

bool encode(dataset d, const payloads& in, std::string& out) {
  switch (d) {
    case dataset::ugen_job: out = to(in.ugen_job).dump(); return true;
    case dataset::style_detail: out = to(in.style_detail).dump(); return true;
    case dataset::ugen_list: out = to(in.ugen_list).dump(); return true;
    case dataset::tfi_create: out = to(in.tfi_create).dump(); return true;
  }
  return false;
}

}  // namespace bench::nl
