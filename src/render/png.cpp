#include "render/png.hpp"

#include <cstring>
#include <fstream>
#include <vector>

#include <png.h>

#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::render {

bool looks_like_png(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char signature[8] = {};
  return in.read(reinterpret_cast<char*>(signature), sizeof signature) && png_sig_cmp(signature, 0, sizeof signature) == 0;
}

void write_png(const Image& image, const std::filesystem::path& path) {
  png_image info;
  std::memset(&info, 0, sizeof info);
  info.version = PNG_IMAGE_VERSION;
  info.width = static_cast<png_uint_32>(image.width());
  info.height = static_cast<png_uint_32>(image.height());
  info.format = PNG_FORMAT_RGBA;
  static_assert(sizeof(Rgba) == 4);
  const void* pixels = image.pixels().data();
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&info, nullptr, &size, 0, pixels, 0, nullptr))
    fail("{}: cannot encode PNG: {}", path.string(), info.message);
  std::vector<std::byte> bytes(size);
  if (!png_image_write_to_memory(&info, bytes.data(), &size, 0, pixels, 0, nullptr))
    fail("{}: cannot encode PNG: {}", path.string(), info.message);
  bytes.resize(size);
  files::write_atomic(path, bytes);
}

Image read_png(const std::filesystem::path& path) {
  png_image info;
  std::memset(&info, 0, sizeof info);
  info.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&info, path.c_str()))
    fail("{}: cannot read PNG: {}", path.string(), info.message);
  info.format = PNG_FORMAT_RGBA;
  Image image(static_cast<int>(info.width), static_cast<int>(info.height));
  if (!png_image_finish_read(&info, nullptr, image.data(), 0, nullptr))
    fail("{}: cannot decode PNG: {}", path.string(), info.message);
  return image;
}

}  // namespace granary::render
