// Chunk codecs: raw bytes, or one zstd frame. zstd's one-shot API records the content size
// in the frame header, as zarr-python and numcodecs do, so any of them can decode the other's.
#include <zstd.h>

#include "formats/zarr/metadata.hpp"
#include "util/error.hpp"

namespace granary::zarr {

std::vector<std::byte> encode_chunk(const ArraySpec& spec, std::span<const std::byte> raw) {
  detail::validate_spec(spec, "zarr chunk");
  auto expected = detail::chunk_bytes(spec);
  if (raw.size() != expected)
    fail("zarr chunk: {} raw bytes, expected {} (a whole chunk of the array's chunk shape)", raw.size(), expected);
  if (spec.codec.kind == Codec::Kind::None) return {raw.begin(), raw.end()};
  std::vector<std::byte> out(ZSTD_compressBound(raw.size()));
  auto n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), spec.codec.level);
  if (ZSTD_isError(n)) fail("zarr chunk: zstd compression failed ({})", ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

std::vector<std::byte> decode_chunk(const ArraySpec& spec, std::span<const std::byte> stored) {
  detail::validate_spec(spec, "zarr chunk");
  auto expected = detail::chunk_bytes(spec);
  if (spec.codec.kind == Codec::Kind::None) {
    if (stored.size() != expected)
      fail("zarr chunk: {} stored bytes, expected {} for an uncompressed chunk", stored.size(), expected);
    return {stored.begin(), stored.end()};
  }
  auto content = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) fail("zarr chunk: not a zstd frame ({} bytes)", stored.size());
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != expected)
    fail("zarr chunk: zstd frame holds {} bytes, expected {}", content, expected);
  std::vector<std::byte> out(expected);
  auto n = ZSTD_decompress(out.data(), out.size(), stored.data(), stored.size());
  if (ZSTD_isError(n)) fail("zarr chunk: zstd decompression failed ({})", ZSTD_getErrorName(n));
  if (n != expected) fail("zarr chunk: zstd frame decoded to {} bytes, expected {}", n, expected);
  return out;
}

}  // namespace granary::zarr
