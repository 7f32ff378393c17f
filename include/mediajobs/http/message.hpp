// mediajobs::http message types: headers, request, response — plain values shared by the
// serializer, the parser, every transport and the sandbox server. No I/O here.
//
// Thread-safety: like std::string — distinct objects may be used from different threads; one
// object must not be modified concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mediajobs::http {

namespace detail {
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// ASCII case-insensitive equality: header names and tokens are ASCII (RFC 9110 §5.1).
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}
}  // namespace detail

/// One header field as received or as to be sent; the name keeps its original case.
struct header_entry {
  std::string name{};
  std::string value{};
  bool operator==(const header_entry&) const = default;
};

/// An ordered list of header fields. Lookup is case-insensitive; repeated names are kept in
/// order (Set-Cookie, or a list header split over several lines), so nothing received is lost.
class headers {
 public:
  using value_type = header_entry;
  using const_iterator = std::vector<header_entry>::const_iterator;
  using iterator = std::vector<header_entry>::iterator;

  headers() = default;
  headers(std::initializer_list<header_entry> init) : entries_(init) {}

  /// Appends a field, keeping any earlier one with the same name.
  void add(std::string name, std::string value) { entries_.push_back({std::move(name), std::move(value)}); }

  /// Replaces every field named `name` by one (at the place of the first, or at the end).
  void set(std::string_view name, std::string value) {
    bool placed = false;
    std::size_t out = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (detail::iequals(entries_[i].name, name)) {
        if (placed) continue;
        entries_[i].value = std::move(value);
        placed = true;
      }
      if (out != i) entries_[out] = std::move(entries_[i]);
      ++out;
    }
    entries_.resize(out);
    if (!placed) entries_.push_back({std::string(name), std::move(value)});
  }

  /// The value of the first field named `name`, if any.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept {
    for (const auto& e : entries_)
      if (detail::iequals(e.name, name)) return std::string_view{e.value};
    return std::nullopt;
  }

  /// Every value of fields named `name`, in order. Views are valid until the next modification.
  [[nodiscard]] std::vector<std::string_view> get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& e : entries_)
      if (detail::iequals(e.name, name)) out.emplace_back(e.value);
    return out;
  }

  /// Removes every field named `name`; returns how many were removed.
  std::size_t remove(std::string_view name) {
    std::size_t out = 0;
    const std::size_t before = entries_.size();
    for (std::size_t i = 0; i < before; ++i) {
      if (detail::iequals(entries_[i].name, name)) continue;
      if (out != i) entries_[out] = std::move(entries_[i]);
      ++out;
    }
    entries_.resize(out);
    return before - out;
  }

  [[nodiscard]] bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  void clear() noexcept { entries_.clear(); }
  void reserve(std::size_t n) { entries_.reserve(n); }

  [[nodiscard]] const_iterator begin() const noexcept { return entries_.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return entries_.end(); }
  [[nodiscard]] iterator begin() noexcept { return entries_.begin(); }
  [[nodiscard]] iterator end() noexcept { return entries_.end(); }
  [[nodiscard]] const header_entry& operator[](std::size_t i) const noexcept { return entries_[i]; }

  /// Equal when the same fields appear in the same order with the same names (case included).
  bool operator==(const headers&) const = default;

 private:
  std::vector<header_entry> entries_;
};

/// An HTTP request as the library sends it (client side) or receives it (sandbox side).
struct request {
  std::string method = "GET";
  /// Client side: the absolute URL `scheme://host[:port]/path?query`.
  /// Server side (request_parser): the request-target exactly as received (origin-form).
  std::string url{};
  http::headers headers{};
  std::string body{};
  /// Whole exchange (connect, send, receive); 0 = none. The transport enforces it.
  std::chrono::milliseconds timeout{30000};
  /// Set by request_parser: false for HTTP/1.0 without keep-alive, or Connection: close.
  bool keep_alive = true;
};

/// An HTTP response as received (client side) or as to be sent (sandbox side).
struct response {
  int status = 0;
  std::string reason{};
  http::headers headers{};
  std::string body{};
  /// False for HTTP/1.0 without keep-alive, or Connection: close: do not reuse the connection.
  bool keep_alive = true;
};

}  // namespace mediajobs::http
