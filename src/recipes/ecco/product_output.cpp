#include "recipes/ecco/product_output.hpp"

#include <filesystem>

#include "io/s3_http.hpp"
#include "recipes/ecco/locations.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;

ProductOutput::ProductOutput(const std::string& output_dir, std::string relative)
    : relative_(std::move(relative)), uri_(join_uri(output_dir, relative_)) {
  if (is_remote(output_dir)) store_ = io::open_store(output_dir);  // sends nothing yet
}

bool ProductOutput::complete() const {
  if (!store_) return fs::exists(uri_);
  auto size = store_->size(relative_);
  return size && *size > 0;
}

ProductOutput::Written ProductOutput::write(const std::function<std::uint64_t(const std::string&)>& produce,
                                            PhaseTimer& timer) {
  Written w;
  if (!store_) {
    w.bytes = produce(uri_);
    timer.mark("write");
    w.sha256 = files::sha256_file(uri_);
    return w;
  }
  ScratchDir scratch("product");
  const fs::path local = scratch.path() / io::basename_of(relative_);
  w.bytes = produce(local.string());
  const auto bytes = files::read_all(local);  // read once: for the checksum and the upload
  timer.mark("write");
  if (bytes.size() != w.bytes) fail("{}: wrote {} bytes, but the file holds {}", uri_, w.bytes, bytes.size());
  w.sha256 = io::s3::sha256_hex(bytes);
  store_->put(relative_, bytes);
  timer.mark("upload");
  return w;
}

}  // namespace granary::ecco
