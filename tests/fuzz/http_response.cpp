// Fuzz target: http::response_parser (client side), fed whole and in pieces. See http_parser.hpp.
#include "http_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mediajobs_fuzz::fuzz_parser<mediajobs::http::response_parser, mediajobs::http::response>(data, size);
}
