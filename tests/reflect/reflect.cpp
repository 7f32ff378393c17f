// Aggregate reflection: member counts, names, access, wire keys and naming rules.
#include <mediajobs/reflect/reflect.hpp>

#include <doctest/doctest.h>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mr = mediajobs::reflect;

namespace {

struct inner {
  int a;
  int b;
};

struct simple {
  int id;
  std::string name;
  double score;
};

struct with_many_kinds {
  std::optional<int> maybe_int;
  std::optional<std::string> maybe_text;
  std::vector<inner> items;
  std::map<std::string, int> counts;
  std::variant<int, std::string> either;
  inner nested;
  std::array<int, 3> triple;
  std::unique_ptr<int> owned;
  bool flag;
};

struct no_default {
  explicit no_default(int v) : value(v) {}
  int value;
};

struct with_no_default_members {
  no_default first;
  int middle;
  no_default last;
};

struct empty_struct {};

struct with_static_members {
  std::string signed_url;
  int expires_in_seconds;
  static constexpr auto json_naming = mr::naming::camel_case;
  static constexpr int not_a_field = 7;  // static: not counted
  static_assert(not_a_field == 7);
};

struct with_renames {
  std::string job_id;
  std::string status;
  static constexpr std::array json_renames{mr::rename{"job_id", "jobId"}};
};

struct renames_and_rule {
  std::string job_id;
  int retry_count;
  static constexpr auto json_naming = mr::naming::kebab_case;
  static constexpr std::array json_renames{mr::rename{"job_id", "ID"}};
};

struct big150 {
  int m0; std::string m1; double m2; std::optional<int> m3; inner m4; int m5; std::string m6;
  double m7; std::optional<int> m8; inner m9; int m10; std::string m11; double m12;
  std::optional<int> m13; inner m14; int m15; std::string m16; double m17; std::optional<int> m18;
  inner m19; int m20; std::string m21; double m22; std::optional<int> m23; inner m24; int m25;
  std::string m26; double m27; std::optional<int> m28; inner m29; int m30; std::string m31;
  double m32; std::optional<int> m33; inner m34; int m35; std::string m36; double m37;
  std::optional<int> m38; inner m39; int m40; std::string m41; double m42; std::optional<int> m43;
  inner m44; int m45; std::string m46; double m47; std::optional<int> m48; inner m49; int m50;
  std::string m51; double m52; std::optional<int> m53; inner m54; int m55; std::string m56;
  double m57; std::optional<int> m58; inner m59; int m60; std::string m61; double m62;
  std::optional<int> m63; inner m64; int m65; std::string m66; double m67; std::optional<int> m68;
  inner m69; int m70; std::string m71; double m72; std::optional<int> m73; inner m74; int m75;
  std::string m76; double m77; std::optional<int> m78; inner m79; int m80; std::string m81;
  double m82; std::optional<int> m83; inner m84; int m85; std::string m86; double m87;
  std::optional<int> m88; inner m89; int m90; std::string m91; double m92; std::optional<int> m93;
  inner m94; int m95; std::string m96; double m97; std::optional<int> m98; inner m99; int m100;
  std::string m101; double m102; std::optional<int> m103; inner m104; int m105; std::string m106;
  double m107; std::optional<int> m108; inner m109; int m110; std::string m111; double m112;
  std::optional<int> m113; inner m114; int m115; std::string m116; double m117;
  std::optional<int> m118; inner m119; int m120; std::string m121; double m122;
  std::optional<int> m123; inner m124; int m125; std::string m126; double m127;
  std::optional<int> m128; inner m129; int m130; std::string m131; double m132;
  std::optional<int> m133; inner m134; int m135; std::string m136; double m137;
  std::optional<int> m138; inner m139; int m140; std::string m141; double m142;
  std::optional<int> m143; inner m144; int m145; std::string m146; double m147;
  std::optional<int> m148; inner m149;
};

}  // namespace

TEST_CASE("field_count counts members of small, nested and varied aggregates") {
  static_assert(mr::field_count<simple> == 3);
  static_assert(mr::field_count<inner> == 2);
  static_assert(mr::field_count<with_many_kinds> == 9);
  static_assert(mr::field_count<empty_struct> == 0);
  static_assert(mr::field_count<with_static_members> == 2);
  static_assert(mr::field_count<const simple> == 3);
  CHECK(mr::field_count<simple> == 3);
}

TEST_CASE("members that are not default-constructible are counted") {
  static_assert(mr::field_count<with_no_default_members> == 3);
  static_assert(mr::field_names<with_no_default_members>[0] == "first");
  static_assert(mr::field_names<with_no_default_members>[2] == "last");
  with_no_default_members v{no_default{1}, 2, no_default{3}};
  CHECK(mr::get<2>(v).value == 3);
}

TEST_CASE("field_names spells the declared member names") {
  constexpr auto names = mr::field_names<with_many_kinds>;
  CHECK(names[0] == "maybe_int");
  CHECK(names[1] == "maybe_text");
  CHECK(names[5] == "nested");
  CHECK(names[6] == "triple");
  CHECK(names[8] == "flag");
  CHECK(mr::field_names<simple> == std::array<std::string_view, 3>{"id", "name", "score"});
}

TEST_CASE("function-local aggregates are reflected") {
  struct local_type {
    int local_first;
    std::string local_second;
  };
  static_assert(mr::field_count<local_type> == 2);
  CHECK(mr::field_names<local_type>[0] == "local_first");
  CHECK(mr::field_names<local_type>[1] == "local_second");
  local_type v{1, "x"};
  mr::get<1>(v) = "changed";
  CHECK(v.local_second == "changed");
}

TEST_CASE("aggregates of 150 members are counted, named and reachable") {
  static_assert(mr::field_count<big150> == 150);
  CHECK(mr::field_names<big150>[0] == "m0");
  CHECK(mr::field_names<big150>[77] == "m77");
  CHECK(mr::field_names<big150>[149] == "m149");
  big150 v{};
  mr::get<149>(v).a = 42;  // m149 is an inner
  CHECK(v.m149.a == 42);
  mr::get<146>(v) = "text";  // m146 is a std::string
  CHECK(v.m146 == "text");
  std::size_t visited = 0;
  mr::for_each_field(v, [&](auto&) { ++visited; });
  CHECK(visited == 150);
}

TEST_CASE("get, to_tie and for_each_field reach the members in order") {
  simple s{7, "seven", 7.5};
  CHECK(mr::get<0>(s) == 7);
  CHECK(mr::get<1>(s) == "seven");
  auto tie = mr::to_tie(s);
  std::get<0>(tie) = 8;
  CHECK(s.id == 8);
  const simple& cs = s;
  static_assert(std::is_same_v<decltype(mr::get<1>(cs)), const std::string&>);
  static_assert(std::is_same_v<mr::field_type<simple, 2>, double>);

  std::vector<std::size_t> indices;
  mr::for_each_field(s, [&](auto&, auto index) { indices.push_back(index()); });
  CHECK(indices == std::vector<std::size_t>{0, 1, 2});
  int ints = 0;
  mr::for_each_field(s, [&](auto& m) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(m)>, int>) ints += m;
  });
  CHECK(ints == 8);
  CHECK(mr::visit_fields(s, [](auto&... m) { return sizeof...(m); }) == 3);
}

TEST_CASE("wire keys follow json_naming and json_renames") {
  CHECK(mr::wire_keys<with_static_members>[0] == "signedUrl");
  CHECK(mr::wire_keys<with_static_members>[1] == "expiresInSeconds");
  CHECK(mr::wire_keys<with_renames>[0] == "jobId");
  CHECK(mr::wire_keys<with_renames>[1] == "status");
  CHECK(mr::wire_keys<renames_and_rule>[0] == "ID");
  CHECK(mr::wire_keys<renames_and_rule>[1] == "retry-count");
  CHECK(mr::wire_keys<simple>[1] == "name");  // as declared by default
  static_assert(mr::naming_of<simple>() == mr::naming::as_declared);
}

namespace {
std::string named(std::string_view in, mr::naming rule) {
  std::string out(mr::detail::apply_naming(in, rule, nullptr), '\0');
  mr::detail::apply_naming(in, rule, out.data());
  return out;
}
}  // namespace

TEST_CASE("naming rules convert snake_case and camelCase declarations") {
  CHECK(named("signed_url", mr::naming::camel_case) == "signedUrl");
  CHECK(named("signed_url", mr::naming::pascal_case) == "SignedUrl");
  CHECK(named("signed_url", mr::naming::upper_case) == "SIGNED_URL");
  CHECK(named("signed_url", mr::naming::kebab_case) == "signed-url");
  CHECK(named("signed_url", mr::naming::snake_case) == "signed_url");
  CHECK(named("signedUrl", mr::naming::snake_case) == "signed_url");
  CHECK(named("queued", mr::naming::upper_case) == "QUEUED");
  CHECK(named("segment_2_url", mr::naming::camel_case) == "segment2Url");
  CHECK(named("Mixed_Case", mr::naming::as_declared) == "Mixed_Case");
  CHECK(named("_leading", mr::naming::camel_case) == "leading");
}

namespace outer::inner_ns {
template <class T>
struct wrapper {
  T wrapped_value;
  std::vector<T> wrapped_list;
};
struct holder {
  struct nested_type {
    int deep_member;
  };
  nested_type nested_member;
};
}  // namespace outer::inner_ns

TEST_CASE("class templates, nested namespaces and nested types are named") {
  using w = outer::inner_ns::wrapper<std::map<std::string, int>>;
  static_assert(mr::field_count<w> == 2);
  CHECK(mr::field_names<w>[0] == "wrapped_value");
  CHECK(mr::field_names<w>[1] == "wrapped_list");
  CHECK(mr::field_names<outer::inner_ns::holder::nested_type>[0] == "deep_member");
  CHECK(mr::field_names<outer::inner_ns::holder>[0] == "nested_member");
}

TEST_CASE("an aggregate without members visits nothing") {
  empty_struct e;
  int calls = 0;
  mr::for_each_field(e, [&](auto&) { ++calls; });
  CHECK(calls == 0);
  CHECK(std::tuple_size_v<decltype(mr::to_tie(e))> == 0);
  CHECK(mr::field_names<empty_struct>.empty());
  CHECK(mr::wire_keys<empty_struct>.empty());
}
