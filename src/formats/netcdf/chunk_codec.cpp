#include "formats/netcdf/chunk_codec.hpp"

#include <cstring>

#include <libdeflate.h>

#include "util/error.hpp"

namespace granary::nc {
namespace {

template <std::size_t Size>
void shuffle_fixed(const std::byte* in, std::size_t elements, std::byte* out) {
  // One pass over the input, Size output streams: the input is read once, sequentially.
  for (std::size_t e = 0; e < elements; ++e)
    for (std::size_t k = 0; k < Size; ++k) out[k * elements + e] = in[e * Size + k];
}

}  // namespace

void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out) {
  const std::size_t elements = element_size ? in.size() / element_size : 0;
  if (element_size <= 1 || elements <= 1) {
    std::memcpy(out.data(), in.data(), in.size());
    return;
  }
  switch (element_size) {
    case 2: shuffle_fixed<2>(in.data(), elements, out.data()); break;
    case 4: shuffle_fixed<4>(in.data(), elements, out.data()); break;
    case 8: shuffle_fixed<8>(in.data(), elements, out.data()); break;
    default:
      for (std::size_t k = 0; k < element_size; ++k)
        for (std::size_t e = 0; e < elements; ++e) out[k * elements + e] = in[e * element_size + k];
  }
  const std::size_t whole = elements * element_size;
  std::memcpy(out.data() + whole, in.data() + whole, in.size() - whole);
}

void ChunkEncoder::FreeCompressor::operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }

ChunkEncoder::ChunkEncoder() = default;
ChunkEncoder::~ChunkEncoder() = default;

libdeflate_compressor* ChunkEncoder::compressor(int level) {
  auto& slot = compressors_[level];
  if (!slot) {
    slot.reset(libdeflate_alloc_compressor(level));
    if (!slot) fail("libdeflate: cannot create a compressor for level {}", level);
  }
  return slot.get();
}

void ChunkEncoder::encode(std::span<const std::byte> raw, const FilterPipeline& pipeline,
                          std::vector<std::byte>& out) {
  std::span<const std::byte> stage = raw;
  if (pipeline.shuffle_element_size) {
    shuffled_.resize(raw.size());
    shuffle_bytes(raw, pipeline.shuffle_element_size, shuffled_);
    stage = shuffled_;
  }
  if (!pipeline.deflate_level) {
    out.assign(stage.begin(), stage.end());
    return;
  }
  auto* c = compressor(*pipeline.deflate_level);
  out.resize(libdeflate_zlib_compress_bound(c, stage.size()));
  std::size_t n = libdeflate_zlib_compress(c, stage.data(), stage.size(), out.data(), out.size());
  if (n == 0) fail("libdeflate: {} bytes did not fit the compression bound", stage.size());
  out.resize(n);
}

}  // namespace granary::nc
