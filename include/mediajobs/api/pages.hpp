// mediajobs::api::pager — lazy, page-by-page access to a paginated list, and for_each over all
// of its items:
//
//   auto jobs = client.all_jobs({.status = ugen::job_status::completed});   // nothing sent yet
//   while (true) {                                                         // page by page
//     auto page = co_await jobs.next();                 // result<optional<vector<job>>>
//     if (!page) return fail(page.error());
//     if (!*page) break;                                // past the last page
//     for (const auto& j : **page) use(j);
//   }
//   // or, item by item (return false from the callback to stop early):
//   result<std::size_t> n = co_await api::for_each(client.all_jobs({}), [](const ugen::job& j) { use(j); });
//
// End of the list, first rule that applies to the page just fetched: it is empty; the server
// said `has_more: false`; its `total_pages` is reached; its `total` items were seen; without
// any of these, it held fewer items than the page size asked for.
// A failed fetch is returned and the pager stays on that page: next() tries it again.
//
// Thread-safety: a pager is used by one task at a time and must outlive the task next() returns.
#pragma once

#include <mediajobs/core/result.hpp>
#include <mediajobs/core/task.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace mediajobs::api {

/// Pagination fields a page may carry beside its items.
struct page_info {
  std::optional<int> total{};
  std::optional<int> total_pages{};
  std::optional<bool> has_more{};
};

template <class Item>
struct page_slice {
  std::vector<Item> items{};
  page_info info{};
};

/// A page as the services send it — a bare array of items, or an object holding them with
/// pagination fields (`get_items()`, `total`, `total_pages`, `has_more`) — as a page_slice.
template <class Item, class Page>
[[nodiscard]] page_slice<Item> slice_of(std::variant<std::vector<Item>, Page>&& list) {
  page_slice<Item> s;
  if (auto* bare = std::get_if<std::vector<Item>>(&list)) {
    s.items = std::move(*bare);
  } else {
    auto& p = std::get<Page>(list);
    s.items = p.get_items();
    s.info = {.total = p.total, .total_pages = p.total_pages, .has_more = p.has_more};
  }
  return s;
}

template <class Item>
class pager {
 public:
  /// Fetches page `page` (1-based); the stop token is that of the task calling next().
  using fetch_fn = std::function<task<result<page_slice<Item>>>(int page, std::stop_token stop)>;

  pager(fetch_fn fetch, int first_page, int page_size)
      : fetch_(std::move(fetch)), page_(first_page < 1 ? 1 : first_page), page_size_(page_size) {}

  /// The items of the next page; nullopt once past the last page.
  task<result<std::optional<std::vector<Item>>>> next() {
    if (done_) co_return std::optional<std::vector<Item>>{};
    const std::stop_token stop = co_await this_task::stop_token();
    result<page_slice<Item>> r = co_await fetch_(page_, stop);
    if (!r) co_return unexpected(std::move(r).error());
    page_slice<Item>& s = *r;
    seen_ += s.items.size();
    if (s.items.empty()) {
      done_ = true;
      co_return std::optional<std::vector<Item>>{};
    }
    if (s.info.has_more)
      done_ = !*s.info.has_more;
    else if (s.info.total_pages)
      done_ = page_ >= *s.info.total_pages;
    else if (s.info.total)
      done_ = seen_ >= static_cast<std::size_t>(*s.info.total < 0 ? 0 : *s.info.total);
    else
      done_ = s.items.size() < static_cast<std::size_t>(page_size_ < 1 ? 1 : page_size_);
    ++page_;
    co_return std::optional<std::vector<Item>>{std::move(s.items)};
  }

  /// The number of the page next() fetches.
  [[nodiscard]] int page() const noexcept { return page_; }
  /// True once the last page was returned.
  [[nodiscard]] bool done() const noexcept { return done_; }

 private:
  fetch_fn fetch_;
  int page_;
  int page_size_;
  std::size_t seen_ = 0;
  bool done_ = false;
};

/// Calls fn(item) for every item of every remaining page, fetching lazily; fn may return bool
/// (false stops). Returns how many items fn saw.
template <class Item, class Fn>
  requires std::is_invocable_v<Fn&, const Item&>
task<result<std::size_t>> for_each(pager<Item> items, Fn fn) {
  std::size_t n = 0;
  for (;;) {
    result<std::optional<std::vector<Item>>> page = co_await items.next();
    if (!page) co_return unexpected(std::move(page).error());
    if (!*page) co_return n;
    for (const Item& item : **page) {
      ++n;
      if constexpr (std::is_same_v<std::invoke_result_t<Fn&, const Item&>, bool>) {
        if (!fn(item)) co_return n;
      } else {
        fn(item);
      }
    }
  }
}

}  // namespace mediajobs::api
