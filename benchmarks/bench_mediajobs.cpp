// The mediajobs contender: json::read / json::write straight into and out of the schema structs.
#include "bench.hpp"

namespace bench::mj {
namespace {

template <class T>
bool read_into(std::string_view in, T& out) {
  return mediajobs::json::read(in, out).has_value();
}

template <class T>
bool write_from(const T& v, std::string& out) {
  out.clear();
  return mediajobs::json::write(v, out).has_value();
}

}  // namespace

bool decode(dataset d, std::string_view in, payloads& out) {
  switch (d) {
    case dataset::ugen_job: return read_into(in, out.ugen_job);
    case dataset::style_detail: return read_into(in, out.style_detail);
    case dataset::ugen_list: return read_into(in, out.ugen_list);
    case dataset::tfi_create: return read_into(in, out.tfi_create);
  }
  return false;
}

bool encode(dataset d, const payloads& in, std::string& out) {
  switch (d) {
    case dataset::ugen_job: return write_from(in.ugen_job, out);
    case dataset::style_detail: return write_from(in.style_detail, out);
    case dataset::ugen_list: return write_from(in.ugen_list, out);
    case dataset::tfi_create: return write_from(in.tfi_create, out);
  }
  return false;
}

}  // namespace bench::mj
