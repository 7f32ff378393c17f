// json::value, a JSON document tree for open-ended payloads (null, bool, int64, uint64, double,
// string, array, object with insertion order kept), and json::unknown_fields, the struct member
// that keeps the keys a struct does not know. Read and written by json/json.hpp.
//
//   auto v = json::value::object({{"id", "j-1"}, {"tags", json::value::array({1, "two", nullptr})}});
//   if (v["id"].is_string()) use(v["id"].as_string());
//   for (const auto& [key, member] : v.as_object()) ...
//
// Objects keep every member in the order read or added, duplicates included, so that a value
// read and written back is the same text; find() and operator[] see the LAST member of a given
// key (the same "last wins" rule as reading into a struct). Reading integers: a number without
// fraction or exponent is an int64, or a uint64 above INT64_MAX, or a double beyond UINT64_MAX.
// Accessors never throw: asking the wrong kind gives a neutral value (false, 0, "", an empty
// array/object, or a null value).
//
// Thread-safety: a value type like std::vector; const access from several threads is safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace mediajobs::json {

class value {
 public:
  using array_t = std::vector<value>;
  using member_t = std::pair<std::string, value>;
  using object_t = std::vector<member_t>;

  /// The kinds, in the order of the stored alternatives.
  enum class kind : unsigned char { null, boolean, int64, uint64, number, string, array, object };

  value() noexcept = default;
  value(std::nullptr_t) noexcept {}                      // NOLINT: implicit on purpose
  value(bool b) noexcept : data_(b) {}                   // NOLINT
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && std::is_signed_v<I>)
  value(I i) noexcept : data_(static_cast<std::int64_t>(i)) {}  // NOLINT
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && std::is_unsigned_v<I>)
  value(I i) noexcept : data_(static_cast<std::uint64_t>(i)) {}  // NOLINT
  value(double d) noexcept : data_(d) {}                          // NOLINT
  value(float f) noexcept : data_(static_cast<double>(f)) {}      // NOLINT
  value(std::string s) noexcept : data_(std::move(s)) {}          // NOLINT
  value(std::string_view s) : data_(std::string(s)) {}            // NOLINT
  value(const char* s) : data_(std::string(s)) {}                 // NOLINT
  value(array_t a) noexcept : data_(std::move(a)) {}              // NOLINT
  value(object_t o) noexcept : data_(std::move(o)) {}             // NOLINT

  /// An array of the given elements: value::array({1, "two", nullptr}).
  [[nodiscard]] static value array(std::initializer_list<value> items = {}) { return value(array_t(items)); }
  /// An object of the given members, in that order: value::object({{"a", 1}, {"b", true}}).
  [[nodiscard]] static value object(std::initializer_list<member_t> members = {}) {
    return value(object_t(members));
  }

  [[nodiscard]] kind type() const noexcept { return static_cast<kind>(data_.index()); }
  [[nodiscard]] bool is_null() const noexcept { return type() == kind::null; }
  [[nodiscard]] bool is_bool() const noexcept { return type() == kind::boolean; }
  /// int64 or uint64.
  [[nodiscard]] bool is_integer() const noexcept { return type() == kind::int64 || type() == kind::uint64; }
  [[nodiscard]] bool is_double() const noexcept { return type() == kind::number; }
  /// Any number: int64, uint64 or double.
  [[nodiscard]] bool is_number() const noexcept { return is_integer() || is_double(); }
  [[nodiscard]] bool is_string() const noexcept { return type() == kind::string; }
  [[nodiscard]] bool is_array() const noexcept { return type() == kind::array; }
  [[nodiscard]] bool is_object() const noexcept { return type() == kind::object; }

  [[nodiscard]] bool as_bool() const noexcept {
    const bool* b = std::get_if<bool>(&data_);
    return b && *b;
  }
  /// The integer value (a uint64 above INT64_MAX saturates; a double is truncated); 0 otherwise.
  [[nodiscard]] std::int64_t as_int64() const noexcept {
    if (const auto* i = std::get_if<std::int64_t>(&data_)) return *i;
    if (const auto* u = std::get_if<std::uint64_t>(&data_))
      return *u > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(*u);
    if (const auto* d = std::get_if<double>(&data_))
      return (*d >= -9.2e18 && *d <= 9.2e18) ? static_cast<std::int64_t>(*d) : 0;
    return 0;
  }
  /// The unsigned value (negative numbers give 0); 0 otherwise.
  [[nodiscard]] std::uint64_t as_uint64() const noexcept {
    if (const auto* u = std::get_if<std::uint64_t>(&data_)) return *u;
    if (const auto* i = std::get_if<std::int64_t>(&data_)) return *i < 0 ? 0 : static_cast<std::uint64_t>(*i);
    if (const auto* d = std::get_if<double>(&data_))
      return (*d >= 0 && *d <= 1.8e19) ? static_cast<std::uint64_t>(*d) : 0;
    return 0;
  }
  /// Any number as a double; 0.0 otherwise.
  [[nodiscard]] double as_double() const noexcept {
    if (const auto* d = std::get_if<double>(&data_)) return *d;
    if (const auto* i = std::get_if<std::int64_t>(&data_)) return static_cast<double>(*i);
    if (const auto* u = std::get_if<std::uint64_t>(&data_)) return static_cast<double>(*u);
    return 0.0;
  }
  /// The string; an empty string when this is not one.
  [[nodiscard]] const std::string& as_string() const noexcept {
    const auto* s = std::get_if<std::string>(&data_);
    return s ? *s : empty_string();
  }
  [[nodiscard]] const array_t& as_array() const noexcept {
    const auto* a = std::get_if<array_t>(&data_);
    return a ? *a : empty_array();
  }
  [[nodiscard]] const object_t& as_object() const noexcept {
    const auto* o = std::get_if<object_t>(&data_);
    return o ? *o : empty_object();
  }
  /// Mutable access for building; a value of another kind first BECOMES an empty array / object /
  /// string (hence the different names from the read-only as_array() etc.).
  array_t& array_ref() noexcept {
    if (!is_array()) data_ = array_t{};
    return std::get<array_t>(data_);
  }
  object_t& object_ref() noexcept {
    if (!is_object()) data_ = object_t{};
    return std::get<object_t>(data_);
  }
  std::string& string_ref() noexcept {
    if (!is_string()) data_ = std::string{};
    return std::get<std::string>(data_);
  }

  /// The last member named `key`, or nullptr (also when this is not an object).
  [[nodiscard]] const value* find(std::string_view key) const noexcept {
    const auto* o = std::get_if<object_t>(&data_);
    if (!o) return nullptr;
    for (auto it = o->rbegin(); it != o->rend(); ++it)
      if (it->first == key) return &it->second;
    return nullptr;
  }
  [[nodiscard]] value* find(std::string_view key) noexcept {
    return const_cast<value*>(static_cast<const value&>(*this).find(key));
  }
  [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  /// The member `key`, or a null value when absent: v["a"]["b"] chains safely.
  [[nodiscard]] const value& operator[](std::string_view key) const noexcept {
    const value* v = find(key);
    return v ? *v : null_value();
  }
  /// The member `key`, ADDED (as null) when absent, like std::map; a non-object first becomes an
  /// empty object. For lookups without side effects use find() or a const value.
  value& operator[](std::string_view key) {
    if (value* v = find(key)) return *v;
    object_t& o = object_ref();
    o.emplace_back(std::string(key), value{});
    return o.back().second;
  }
  /// Element `index` of an array, or a null value when out of range or not an array.
  [[nodiscard]] const value& at(std::size_t index) const noexcept {
    const auto* a = std::get_if<array_t>(&data_);
    return a && index < a->size() ? (*a)[index] : null_value();
  }
  /// Number of elements (array) or members (object); 0 otherwise.
  [[nodiscard]] std::size_t size() const noexcept {
    if (const auto* a = std::get_if<array_t>(&data_)) return a->size();
    if (const auto* o = std::get_if<object_t>(&data_)) return o->size();
    return 0;
  }
  /// Appends to an array (a non-array first becomes an empty array).
  value& push_back(value v) {
    array_t& a = array_ref();
    a.push_back(std::move(v));
    return a.back();
  }
  /// Appends a member to an object (a non-object first becomes an empty object); no dedup.
  value& emplace(std::string key, value v) {
    object_t& o = object_ref();
    o.emplace_back(std::move(key), std::move(v));
    return o.back().second;
  }

  /// Deep equality. An int64 and a uint64 of the same value are equal; a double never equals an
  /// integer (1.0 != 1), as they are written differently.
  friend bool operator==(const value& a, const value& b) noexcept {
    if (a.is_integer() && b.is_integer()) {
      if (a.type() == b.type()) return a.data_ == b.data_;
      const std::int64_t i = a.type() == kind::int64 ? std::get<std::int64_t>(a.data_) : std::get<std::int64_t>(b.data_);
      const std::uint64_t u = a.type() == kind::uint64 ? std::get<std::uint64_t>(a.data_) : std::get<std::uint64_t>(b.data_);
      return i >= 0 && static_cast<std::uint64_t>(i) == u;
    }
    return a.data_ == b.data_;
  }

  /// The stored alternative, for std::visit.
  [[nodiscard]] const auto& storage() const noexcept { return data_; }

 private:
  static const value& null_value() noexcept {
    static const value v;
    return v;
  }
  static const std::string& empty_string() noexcept {
    static const std::string s;
    return s;
  }
  static const array_t& empty_array() noexcept {
    static const array_t a;
    return a;
  }
  static const object_t& empty_object() noexcept {
    static const object_t o;
    return o;
  }

  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, array_t, object_t> data_;
};

/// A struct member of this type collects the keys the struct does not know when reading (in the
/// order read), and writes them back after the known members. Found by type, not by name.
class unknown_fields {
 public:
  using member_t = value::member_t;

  unknown_fields() = default;
  unknown_fields(std::initializer_list<member_t> members) : items_(members) {}

  [[nodiscard]] bool empty() const noexcept { return items_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items_.size(); }
  [[nodiscard]] auto begin() const noexcept { return items_.begin(); }
  [[nodiscard]] auto end() const noexcept { return items_.end(); }
  [[nodiscard]] auto begin() noexcept { return items_.begin(); }
  [[nodiscard]] auto end() noexcept { return items_.end(); }
  /// The last member named `key`, or nullptr.
  [[nodiscard]] const value* find(std::string_view key) const noexcept {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it)
      if (it->first == key) return &it->second;
    return nullptr;
  }
  void push_back(std::string key, value v) { items_.emplace_back(std::move(key), std::move(v)); }
  void clear() noexcept { items_.clear(); }
  [[nodiscard]] const value::object_t& members() const noexcept { return items_; }

  friend bool operator==(const unknown_fields&, const unknown_fields&) = default;

 private:
  value::object_t items_;
};

}  // namespace mediajobs::json
