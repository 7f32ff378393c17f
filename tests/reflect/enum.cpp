// Enum reflection (names, wire names, ranges) and open_enum.
#include <mediajobs/reflect/enum.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

namespace mr = mediajobs::reflect;

namespace media {
enum class aspect_ratio { r9_16, r16_9, r1_1 };
constexpr auto enum_renames(aspect_ratio) {
  return std::array{std::pair{aspect_ratio::r9_16, std::string_view{"9:16"}},
                    std::pair{aspect_ratio::r16_9, std::string_view{"16:9"}}};
}

enum class tfi_status { queued, in_progress, completed, failed };
constexpr auto enum_naming(tfi_status) { return mediajobs::reflect::naming::upper_case; }

enum class sparse : std::uint8_t { low = 0, mid = 100, high = 200 };
constexpr auto enum_range(sparse) { return std::pair{0, 255}; }

enum class negative : int { minus_one = -1, zero = 0, big = 127, too_big = 128 };

enum unscoped_fixed : int { alpha_value, beta_value };

enum class camel_source { videoReady, imageFailed };
constexpr auto enum_naming(camel_source) { return mediajobs::reflect::naming::snake_case; }
}  // namespace media

TEST_CASE("enum_name gives the enumerator name, or empty for a non-enumerator") {
  CHECK(mr::enum_name(media::aspect_ratio::r1_1) == "r1_1");
  CHECK(mr::enum_name(media::unscoped_fixed::beta_value) == "beta_value");
  CHECK(mr::enum_name(static_cast<media::aspect_ratio>(9)).empty());
  CHECK(mr::enum_name(static_cast<media::aspect_ratio>(-5)).empty());
  static_assert(mr::enum_count<media::tfi_status> == 4);
  static_assert(mr::enum_values<media::tfi_status>[3] == media::tfi_status::failed);
}

TEST_CASE("enum_renames and enum_naming shape the wire names") {
  CHECK(mr::enum_name(media::aspect_ratio::r9_16) == "9:16");
  CHECK(mr::enum_name(media::aspect_ratio::r16_9) == "16:9");
  CHECK(mr::enum_declared_name(media::aspect_ratio::r16_9) == "r16_9");
  CHECK(mr::enum_name(media::tfi_status::in_progress) == "IN_PROGRESS");
  CHECK(mr::enum_name(media::camel_source::videoReady) == "video_ready");
}

TEST_CASE("enum_from_name maps wire names back, exactly") {
  CHECK(mr::enum_from_name<media::tfi_status>("QUEUED") == media::tfi_status::queued);
  CHECK_FALSE(mr::enum_from_name<media::tfi_status>("queued").has_value());
  CHECK(mr::enum_from_name<media::aspect_ratio>("9:16") == media::aspect_ratio::r9_16);
  CHECK_FALSE(mr::enum_from_name<media::aspect_ratio>("r9_16").has_value());
  CHECK(mr::enum_from_name<media::aspect_ratio>("r1_1") == media::aspect_ratio::r1_1);
  CHECK_FALSE(mr::enum_from_name<media::aspect_ratio>("").has_value());
}

TEST_CASE("the default range is [-1, 127] and enum_range widens it") {
  CHECK(mr::enum_name(media::negative::minus_one) == "minus_one");
  CHECK(mr::enum_name(media::negative::big) == "big");
  CHECK(mr::enum_name(media::negative::too_big).empty());  // outside the default range
  CHECK(mr::enum_name(media::sparse::high) == "high");
  static_assert(mr::enum_count<media::sparse> == 3);
}

TEST_CASE("open_enum keeps known values as E and unknown ones verbatim") {
  using status = mediajobs::open_enum<media::tfi_status>;
  const status known{"COMPLETED"};
  CHECK_FALSE(known.is_unknown());
  CHECK(known.known() == media::tfi_status::completed);
  CHECK(known.is(media::tfi_status::completed));
  CHECK(known == media::tfi_status::completed);
  CHECK(known.name() == "COMPLETED");

  const status unknown{"UPSCALING"};
  CHECK(unknown.is_unknown());
  CHECK_FALSE(unknown.known().has_value());
  CHECK_FALSE(unknown.is(media::tfi_status::queued));
  CHECK(unknown.name() == "UPSCALING");

  const status from_enum = media::tfi_status::failed;
  CHECK(from_enum.name() == "FAILED");
  CHECK(from_enum == status{"FAILED"});
  CHECK_FALSE(unknown == status{"OTHER"});
  CHECK(unknown == status{"UPSCALING"});
}

namespace media {
struct owner {
  enum class inner_state : int { starting, stopping };
};
}  // namespace media

TEST_CASE("enums nested in classes and in functions are named") {
  CHECK(mr::enum_name(media::owner::inner_state::stopping) == "stopping");
  enum class local_enum : int { first_local, second_local };
  CHECK(mr::enum_name(local_enum::second_local) == "second_local");
  CHECK(mr::enum_from_name<local_enum>("first_local") == local_enum::first_local);
}
