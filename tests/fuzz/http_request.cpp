// Fuzz target: http::request_parser (server side: the sandbox), fed whole and in pieces. See
// http_parser.hpp.
#include "http_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mediajobs_fuzz::fuzz_parser<mediajobs::http::request_parser, mediajobs::http::request>(data, size);
}
