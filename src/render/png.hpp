#pragma once
// PNG files through libpng's simplified API (8-bit RGBA).
#include <filesystem>

#include "render/image.hpp"

namespace granary::render {

// Encodes and writes atomically (a reader never sees half a PNG).
void write_png(const Image& image, const std::filesystem::path& path);
// True when the file starts with the PNG signature (reads 8 bytes).
bool looks_like_png(const std::filesystem::path& path);
// Reads any PNG libpng understands, converted to 8-bit RGBA.
Image read_png(const std::filesystem::path& path);

}  // namespace granary::render
