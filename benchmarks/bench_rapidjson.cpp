// The RapidJSON contender: DOM parse (full-precision doubles, UTF-8 validated like the others),
// then per-struct mapping with FindMember; encode with rapidjson::Writer into a reused buffer.
#include "bench.hpp"
#include "fields.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

namespace bench::rj {
namespace {

namespace mjs = mediajobs;
using rv = rapidjson::Value;
using writer = rapidjson::Writer<rapidjson::StringBuffer>;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class E>
bool get(const rv& j, mjs::open_enum<E>& v);
template <class T>
bool get(const rv& j, std::optional<T>& v);
template <class T>
bool get(const rv& j, std::vector<T>& v);
template <class T>
bool get(const rv& j, std::map<std::string, T>& v);
bool get(const rv& j, mjs::json::value& v);
bool get(const rv& j, mjs::ugen::segment& v);
bool get(const rv& j, mjs::ugen::job_outputs& v);
bool get(const rv& j, mjs::ugen::job& v);
bool get(const rv& j, mjs::ugen::job_list_page& v);
bool get(const rv& j, mjs::style::job_detail_response& v);
bool get(const rv& j, mjs::techforge::job& v);
bool get(const rv& j, mjs::techforge::value_entry& v);
bool get(const rv& j, mjs::techforge::values_field& v);
bool get(const rv& j, mjs::techforge::credit_amount& v);
void put(writer& w, const mjs::json::value& v);
void put(writer& w, const mjs::ugen::segment& v);
void put(writer& w, const mjs::ugen::job_outputs& v);
void put(writer& w, const mjs::ugen::job& v);
void put(writer& w, const mjs::ugen::job_list_page& v);
void put(writer& w, const mjs::style::job_detail_response& v);
void put(writer& w, const mjs::techforge::job& v);
void put(writer& w, const mjs::techforge::value_entry& v);
void put(writer& w, const mjs::techforge::values_field& v);
void put(writer& w, const mjs::techforge::credit_amount& v);

bool get(const rv& j, std::string& v) {
  if (!j.IsString()) return false;
  v.assign(j.GetString(), j.GetStringLength());
  return true;
}
bool get(const rv& j, int& v) {
  if (!j.IsInt()) return false;
  v = j.GetInt();
  return true;
}
bool get(const rv& j, double& v) {
  if (!j.IsNumber()) return false;
  v = j.GetDouble();
  return true;
}
bool get(const rv& j, bool& v) {
  if (!j.IsBool()) return false;
  v = j.GetBool();
  return true;
}
template <class E>
bool get(const rv& j, mjs::open_enum<E>& v) {
  if (!j.IsString()) return false;
  v = mjs::open_enum<E>{std::string_view{j.GetString(), j.GetStringLength()}};
  return true;
}
bool get(const rv& j, mjs::timestamp& v) {
  if (!j.IsString()) return false;
  const auto t = mjs::json::parse_rfc3339(std::string_view{j.GetString(), j.GetStringLength()});
  if (!t) return false;
  v = *t;
  return true;
}
template <class T>
bool get(const rv& j, std::optional<T>& v) {
  if (j.IsNull()) {
    v.reset();
    return true;
  }
  return get(j, v.emplace());
}
template <class T>
bool get(const rv& j, std::vector<T>& v) {
  if (!j.IsArray()) return false;
  v.clear();
  v.reserve(j.Size());
  for (const auto& e : j.GetArray())
    if (!get(e, v.emplace_back())) return false;
  return true;
}
template <class T>
bool get(const rv& j, std::map<std::string, T>& v) {
  if (!j.IsObject()) return false;
  for (const auto& m : j.GetObject())
    if (!get(m.value, v[std::string{m.name.GetString(), m.name.GetStringLength()}])) return false;
  return true;
}

bool get(const rv& j, mjs::json::value& v) {
  switch (j.GetType()) {
    case rapidjson::kNullType: v = nullptr; return true;
    case rapidjson::kFalseType: v = false; return true;
    case rapidjson::kTrueType: v = true; return true;
    case rapidjson::kNumberType:
      if (j.IsInt64()) v = j.GetInt64();
      else if (j.IsUint64()) v = j.GetUint64();
      else v = j.GetDouble();
      return true;
    case rapidjson::kStringType: v = std::string_view{j.GetString(), j.GetStringLength()}; return true;
    case rapidjson::kArrayType: {
      mjs::json::value::array_t a;
      a.reserve(j.Size());
      for (const auto& e : j.GetArray())
        if (!get(e, a.emplace_back())) return false;
      v = std::move(a);
      return true;
    }
    case rapidjson::kObjectType: {
      mjs::json::value::object_t o;
      o.reserve(j.MemberCount());
      for (const auto& m : j.GetObject()) {
        o.emplace_back(std::string{m.name.GetString(), m.name.GetStringLength()}, mjs::json::value{});
        if (!get(m.value, o.back().second)) return false;
      }
      v = std::move(o);
      return true;
    }
  }
  return false;
}

#define RJ_GET(member, key)                                                   \
  if (auto it = j.FindMember(key); it != j.MemberEnd()) {                     \
    if (!get(it->value, v.member)) return false;                              \
  } else if constexpr (!is_optional<decltype(v.member)>::value) {             \
    return false;                                                             \
  }

bool get(const rv& j, mjs::ugen::segment& v) {
  if (!j.IsObject()) return false;
  BENCH_UGEN_SEGMENT(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::ugen::job_outputs& v) {
  if (!j.IsObject()) return false;
  BENCH_UGEN_OUTPUTS(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::ugen::job& v) {
  if (!j.IsObject()) return false;
  BENCH_UGEN_JOB(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::ugen::job_list_page& v) {
  if (!j.IsObject()) return false;
  BENCH_UGEN_LIST_PAGE(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::style::job_detail_response& v) {
  if (!j.IsObject()) return false;
  BENCH_STYLE_DETAIL(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::techforge::job& v) {
  if (!j.IsObject()) return false;
  BENCH_TFI_JOB(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::techforge::image_asset& v) {
  BENCH_TFI_IMAGE(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::techforge::audio_asset& v) {
  BENCH_TFI_AUDIO(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::techforge::value_entry& v) {
  if (j.IsString()) return get(j, v.emplace<std::string>());
  if (!j.IsObject()) return false;
  if (j.HasMember("image_url")) return get(j, v.emplace<mjs::techforge::image_asset>());
  if (j.HasMember("audio_url")) return get(j, v.emplace<mjs::techforge::audio_asset>());
  v.emplace<mjs::techforge::other_asset>();
  return true;
}
bool get(const rv& j, mjs::techforge::values_field& v) {
  if (j.IsArray()) return get(j, v.emplace<std::vector<mjs::json::value>>());
  return get(j, v.emplace<mjs::techforge::values_map>());
}
bool get(const rv& j, mjs::techforge::credit_amount& v) {
  if (j.IsString()) return get(j, v.emplace<std::string>());
  return get(j, v.emplace<double>());
}
bool get(const rv& j, mjs::techforge::create_response_201& v) {
  BENCH_TFI_201(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::techforge::create_response_202& v) {
  BENCH_TFI_202(RJ_GET)
  return true;
}
bool get(const rv& j, mjs::techforge::create_response& v) {
  if (!j.IsObject()) return false;
  if (j.HasMember("job")) return get(j, v.emplace<mjs::techforge::create_response_201>());
  return get(j, v.emplace<mjs::techforge::create_response_202>());
}
bool get(const rv& j, mjs::ugen::job_list& v) {
  if (j.IsArray()) return get(j, v.emplace<std::vector<mjs::ugen::job>>());
  return get(j, v.emplace<mjs::ugen::job_list_page>());
}

// --- encode ---------------------------------------------------------------------------------

void put(writer& w, const std::string& s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void put(writer& w, int i) { w.Int(i); }
void put(writer& w, double d) { w.Double(d); }
void put(writer& w, bool b) { w.Bool(b); }
template <class E>
void put(writer& w, const mjs::open_enum<E>& e) {
  const std::string_view n = e.name();
  w.String(n.data(), static_cast<rapidjson::SizeType>(n.size()));
}
void put(writer& w, mjs::timestamp t) {
  std::string s;  // append_rfc3339 appends to a std::string; SSO keeps this allocation-free
  mjs::json::append_rfc3339(s, t);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
template <class T>
void put(writer& w, const std::vector<T>& v) {
  w.StartArray();
  for (const auto& e : v) put(w, e);
  w.EndArray();
}
template <class T>
void put(writer& w, const std::map<std::string, T>& m) {
  w.StartObject();
  for (const auto& [k, e] : m) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    put(w, e);
  }
  w.EndObject();
}
template <class T>
void put_field(writer& w, const char* key, const T& v) {
  w.Key(key);
  put(w, v);
}
template <class T>
void put_field(writer& w, const char* key, const std::optional<T>& v) {
  if (!v) return;
  w.Key(key);
  put(w, *v);
}

void put(writer& w, const mjs::json::value& v) {
  using kind = mjs::json::value::kind;
  switch (v.type()) {
    case kind::null: w.Null(); return;
    case kind::boolean: w.Bool(v.as_bool()); return;
    case kind::int64: w.Int64(v.as_int64()); return;
    case kind::uint64: w.Uint64(v.as_uint64()); return;
    case kind::number: w.Double(v.as_double()); return;
    case kind::string: put(w, v.as_string()); return;
    case kind::array: put(w, v.as_array()); return;
    case kind::object:
      w.StartObject();
      for (const auto& [k, e] : v.as_object()) {
        w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
        put(w, e);
      }
      w.EndObject();
      return;
  }
}

#define RJ_PUT(member, key) put_field(w, key, v.member);
#define RJ_STRUCT(type, list)           \
  void put(writer& w, const type& v) {  \
    w.StartObject();                    \
    list(RJ_PUT) w.EndObject();         \
  }

RJ_STRUCT(mjs::ugen::segment, BENCH_UGEN_SEGMENT)
RJ_STRUCT(mjs::ugen::job_outputs, BENCH_UGEN_OUTPUTS)
RJ_STRUCT(mjs::ugen::job, BENCH_UGEN_JOB)
RJ_STRUCT(mjs::ugen::job_list_page, BENCH_UGEN_LIST_PAGE)
RJ_STRUCT(mjs::style::job_detail_response, BENCH_STYLE_DETAIL)
RJ_STRUCT(mjs::techforge::job, BENCH_TFI_JOB)
RJ_STRUCT(mjs::techforge::image_asset, BENCH_TFI_IMAGE)
RJ_STRUCT(mjs::techforge::audio_asset, BENCH_TFI_AUDIO)
RJ_STRUCT(mjs::techforge::create_response_201, BENCH_TFI_201)
RJ_STRUCT(mjs::techforge::create_response_202, BENCH_TFI_202)

void put(writer& w, const mjs::techforge::other_asset&) {
  w.StartObject();
  w.EndObject();
}
void put(writer& w, const mjs::techforge::value_entry& v) {
  std::visit([&](const auto& x) { put(w, x); }, v);
}
void put(writer& w, const mjs::techforge::values_field& v) {
  std::visit([&](const auto& x) { put(w, x); }, v);
}
void put(writer& w, const mjs::techforge::credit_amount& v) {
  std::visit([&](const auto& x) { put(w, x); }, v);
}
void put(writer& w, const mjs::techforge::create_response& v) {
  std::visit([&](const auto& x) { put(w, x); }, v);
}
void put(writer& w, const mjs::ugen::job_list& v) {
  std::visit([&](const auto& x) { put(w, x); }, v);
}

template <class T>
bool parse_into(std::string_view in, T& out) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag>(in.data(), in.size());
  if (doc.HasParseError()) return false;
  return get(doc, out);
}

template <class T>
bool write_into(const T& v, std::string& out) {
  static thread_local rapidjson::StringBuffer buffer;  // reused, like the std::string of the others
  buffer.Clear();
  writer w(buffer);
  put(w, v);
  out.assign(buffer.GetString(), buffer.GetSize());
  return true;
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
    case dataset::ugen_job: return write_into(in.ugen_job, out);
    case dataset::style_detail: return write_into(in.style_detail, out);
    case dataset::ugen_list: return write_into(in.ugen_list, out);
    case dataset::tfi_create: return write_into(in.tfi_create, out);
  }
  return false;
}

}  // namespace bench::rj
