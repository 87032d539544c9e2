// Zarr v2 (.zarray/.zattrs) and v3 (zarr.json) array metadata, read as `granary info` and the
// ATL06 store's resume read them (formats/zarr): node, then the whole array, then one chunk.
// Input: byte 0 picks the format (even v2, odd v3); up to the first NUL is the metadata
// document, the rest is the stored bytes of chunk 0.
#include <filesystem>

#include "formats/zarr/zarr.hpp"
#include "fuzz_input.hpp"
#include "io/file_store.hpp"
#include "scratch_dir.hpp"

namespace {
std::filesystem::path dir;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  dir = granary::fuzz::scratch_dir("zarr");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace granary;
  if (size == 0) return 0;
  const auto format = data[0] % 2 ? zarr::Format::V3 : zarr::Format::V2;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto nul = rest.find('\0');
  const std::string_view meta = rest.substr(0, nul);
  const std::string_view chunk = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);

  std::filesystem::remove_all(dir / "a");
  const bool v3 = format == zarr::Format::V3;
  fuzz::write_file(dir / "a" / (v3 ? "zarr.json" : ".zarray"), meta);
  fuzz::write_file(dir / "a" / (v3 ? "c/0" : "0"), chunk);
  if (!v3) fuzz::write_file(dir / "a" / ".zattrs", R"({"_ARRAY_DIMENSIONS": ["x"]})");
  const io::FileStore store(dir);
  fuzz::input_errors_only([&] {
    const auto node = zarr::read_node(store, "a");
    if (!node || !node->array) return;
    // The metadata readers bound what they accept (a chunk <= 2 GiB, read_array <= 16 GiB),
    // which is still more than the fuzzer's memory: arrays beyond 64 MiB are checked, not read.
    long double bytes = zarr::dtype_size(node->array->dtype);
    for (auto n : node->array->shape) bytes *= n;
    long double chunk = zarr::dtype_size(node->array->dtype);
    for (auto n : node->array->chunks) chunk *= n;
    if (bytes > (64 << 20) || chunk > (64 << 20)) return;
    zarr::read_array(store, "a");
  });
  return 0;
}
