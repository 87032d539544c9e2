// S3's XML answers (io/s3_xml.cpp): list pages, error bodies, multipart upload ids. They come
// from the network, so from anyone who can answer on the endpoint.
#include "fuzz_input.hpp"
#include "io/s3_xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  fuzz::input_errors_only([&] { io::s3::parse_list_page(xml); });
  fuzz::input_errors_only([&] { io::s3::parse_error(xml); });
  fuzz::input_errors_only([&] { io::s3::parse_upload_id(xml); });
  return 0;
}
