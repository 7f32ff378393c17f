// Fuzz target: http::url::parse, http::join, and the percent-encoding helpers.
//
// Input: "<url>\n<endpoint>\n<raw value>".
// Invariants:
//   - an accepted URL prints (to_string) to a text that parses to the same scheme, host, port and
//     request target, and prints the same;
//     its target() starts with '/'; a refused one is a protocol error at an offset inside the text
//     whose message never repeats the text (it may hold a password);
//   - join keeps scheme, host and port, keeps the base's path as a prefix (trailing slashes
//     aside), ends with the endpoint's query, round-trips through to_string, and agrees with the
//     string form of join;
//   - an encoded path segment or query value holds only unreserved bytes and %XX escapes, is
//     accepted by join as a path, and decodes to the raw value; a query built by query_builder
//     parses back (parse_query) to the same key and value.
#include "fuzz_support.hpp"

#include <mediajobs/http/url.hpp>

#include <string>
#include <string_view>

namespace http = mediajobs::http;

namespace {

bool only_unreserved_or_escapes(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (http::detail::is_unreserved(s[i])) continue;
    if (s[i] != '%' || i + 2 >= s.size() || !http::detail::is_hex(s[i + 1]) || !http::detail::is_hex(s[i + 2]))
      return false;
    i += 2;
  }
  return true;
}

void check_parse(std::string_view text) {
  auto u = http::url::parse(text);
  if (!u) {
    MEDIAJOBS_FUZZ_CHECK(u.error().kind() == mediajobs::error_kind::protocol);
    MEDIAJOBS_FUZZ_CHECK(u.error().byte_offset() && *u.error().byte_offset() <= text.size());
    // No message holds "://", so a text with it can only be found if it was echoed.
    if (text.find("://") != std::string_view::npos)
      MEDIAJOBS_FUZZ_CHECK(u.error().message().find(text) == std::string::npos);
    return;
  }
  MEDIAJOBS_FUZZ_CHECK(u->scheme == "http" || u->scheme == "https");
  MEDIAJOBS_FUZZ_CHECK(!u->host.empty() && u->port != 0);
  MEDIAJOBS_FUZZ_CHECK(u->target().front() == '/');
  const std::string printed = u->to_string();
  auto back = http::url::parse(printed);
  MEDIAJOBS_FUZZ_CHECK(back.has_value());
  // An empty path with a query prints as "/?q": the same request target, so compare targets.
  MEDIAJOBS_FUZZ_CHECK(back->scheme == u->scheme && back->host == u->host && back->port == u->port);
  MEDIAJOBS_FUZZ_CHECK(back->target() == u->target() && back->query == u->query);
  MEDIAJOBS_FUZZ_CHECK(back->to_string() == printed);
}

void check_join(std::string_view base_text, std::string_view endpoint) {
  auto base = http::url::parse(base_text);
  if (!base) return;
  auto j = http::join(*base, endpoint);
  auto s = http::join(base_text, endpoint);
  MEDIAJOBS_FUZZ_CHECK(j.has_value() == s.has_value());
  if (!j) {
    MEDIAJOBS_FUZZ_CHECK(j.error().kind() == mediajobs::error_kind::protocol);
    return;
  }
  MEDIAJOBS_FUZZ_CHECK(*s == j->to_string());
  MEDIAJOBS_FUZZ_CHECK(j->scheme == base->scheme && j->host == base->host && j->port == base->port);
  std::string_view prefix = base->path;
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  MEDIAJOBS_FUZZ_CHECK(j->path.size() >= prefix.size() && j->path.compare(0, prefix.size(), prefix) == 0);
  MEDIAJOBS_FUZZ_CHECK(!j->path.empty() && j->path.front() == '/');
  if (const std::size_t q = endpoint.find('?'); q != std::string_view::npos) {
    const std::string_view ep_query = endpoint.substr(q + 1);
    MEDIAJOBS_FUZZ_CHECK(j->query.size() >= ep_query.size() &&
                         j->query.compare(j->query.size() - ep_query.size(), ep_query.size(), ep_query) == 0);
  }
  auto back = http::url::parse(*s);
  MEDIAJOBS_FUZZ_CHECK(back.has_value() && back->target() == j->target() && back->to_string() == *s);
}

void check_encoding(std::string_view raw) {
  const std::string seg = http::encode_path_segment(raw);
  MEDIAJOBS_FUZZ_CHECK(only_unreserved_or_escapes(seg));
  MEDIAJOBS_FUZZ_CHECK(seg.find_first_not_of('.') != std::string::npos || seg.empty());  // never a dot-segment
  auto seg_back = http::percent_decode(seg);
  MEDIAJOBS_FUZZ_CHECK(seg_back.has_value() && *seg_back == raw);
  auto joined = http::join("https://example.com/base", "/jobs/" + seg);
  MEDIAJOBS_FUZZ_CHECK(joined.has_value());

  const std::string val = http::encode_query_value(raw);
  MEDIAJOBS_FUZZ_CHECK(only_unreserved_or_escapes(val));
  http::query_builder q;
  q.add(raw, raw);
  auto pairs = http::parse_query(q.query());
  MEDIAJOBS_FUZZ_CHECK(pairs.has_value());
  if (raw.empty()) {
    MEDIAJOBS_FUZZ_CHECK(pairs->size() == 1 && pairs->front().first.empty() && pairs->front().second.empty());
  } else {
    MEDIAJOBS_FUZZ_CHECK(pairs->size() == 1 && pairs->front().first == raw && pairs->front().second == raw);
  }
  (void)http::parse_query(raw);  // server side: arbitrary bytes must not crash
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  const auto parts = mediajobs_fuzz::fields(input, '\n', 3);
  check_parse(parts[0]);
  check_join(parts[0], parts[1]);
  check_encoding(parts[2]);
  return 0;
}
