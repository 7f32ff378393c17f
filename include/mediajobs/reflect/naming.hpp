// Naming rules that turn a declared C++ name (a member or an enumerator) into a wire name, all at
// compile time: `naming::camel_case` makes `signed_url` "signedUrl", `naming::upper_case` makes
// `queued` "QUEUED". Also `rename`, one entry of a type's short list of exceptions.
// Thread-safety: constexpr functions and constants only.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace mediajobs::reflect {

/// How declared names become wire names. Words are split at '_' and at a lower-to-upper case
/// change (so both `signed_url` and `signedUrl` are the words "signed" "url").
enum class naming : unsigned char {
  as_declared,  ///< the name exactly as declared
  snake_case,   ///< signed_url
  camel_case,   ///< signedUrl
  pascal_case,  ///< SignedUrl
  upper_case,   ///< SIGNED_URL
  kebab_case,   ///< signed-url
};

/// One exception to a naming rule: the member (or enumerator) declared `from` is `to` on the wire.
struct rename {
  std::string_view from;
  std::string_view to;
};

namespace detail {

constexpr bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr char to_upper(char c) noexcept { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
constexpr char to_lower(char c) noexcept { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

/// Applies `rule` to `name`, writing into `out` (when not null); returns the length. Called twice
/// at compile time: once to size the storage, once to fill it.
constexpr std::size_t apply_naming(std::string_view name, naming rule, char* out) noexcept {
  std::size_t n = 0;
  const auto put = [&](char c) {
    if (out) out[n] = c;
    ++n;
  };
  if (rule == naming::as_declared) {
    for (char c : name) put(c);
    return n;
  }
  std::size_t word = 0;  // index of the current word
  bool in_word = false;
  bool first_char_of_word = true;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '_') {
      if (in_word) ++word;
      in_word = false;
      continue;
    }
    // A lower-to-upper change (or digit-to-upper) starts a new word: signedUrl -> signed, url.
    if (in_word && is_upper(c) && i > 0 && (is_lower(name[i - 1]) || is_digit(name[i - 1]))) {
      ++word;
      in_word = false;
    }
    if (!in_word) {
      in_word = true;
      first_char_of_word = true;
      if (word > 0) {
        if (rule == naming::snake_case || rule == naming::upper_case) put('_');
        if (rule == naming::kebab_case) put('-');
      }
    }
    switch (rule) {
      case naming::snake_case:
      case naming::kebab_case: put(to_lower(c)); break;
      case naming::upper_case: put(to_upper(c)); break;
      case naming::camel_case: put(first_char_of_word && word > 0 ? to_upper(c) : to_lower(c)); break;
      case naming::pascal_case: put(first_char_of_word ? to_upper(c) : to_lower(c)); break;
      case naming::as_declared: put(c); break;
    }
    first_char_of_word = false;
  }
  return n;
}

/// Fixed-size compile-time storage for a list of names (one contiguous char array).
template <std::size_t Count, std::size_t Chars>
struct name_table {
  std::array<char, Chars + 1> chars{};
  std::array<std::size_t, Count + 1> offsets{};
  [[nodiscard]] constexpr std::string_view operator[](std::size_t i) const noexcept {
    return {chars.data() + offsets[i], offsets[i + 1] - offsets[i]};
  }
};

}  // namespace detail
}  // namespace mediajobs::reflect
