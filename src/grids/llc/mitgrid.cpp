#include "grids/llc/mitgrid.hpp"

#include <cstddef>
#include <filesystem>

#include <fmt/format.h>

#include "util/endian.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::llc {
namespace fs = std::filesystem;

FaceShape face_shape(int face, int nx) {
  switch (face) {
    case 1:
    case 2: return {nx, 3 * nx};
    case 3: return {nx, nx};
    case 4:
    case 5: return {3 * nx, nx};
  }
  fail("LLC face {} does not exist (faces are 1..5)", face);
}

TileInFace tile_in_face(int tile, int nx) {
  if (tile < 0 || tile > 12) fail("LLC tile {} does not exist (tiles are 0..12)", tile);
  if (tile < 6) return {tile / 3 + 1, 0, nx * (tile % 3)};
  if (tile == 6) return {3, 0, 0};
  return {tile < 10 ? 4 : 5, nx * ((tile - 7) % 3), 0};
}

std::string mitgrid_path(const std::string& grid_dir, int face) {
  return (fs::path(grid_dir) / fmt::format("tile{:03d}.mitgrid", face)).string();
}

std::vector<std::vector<double>> read_mitgrid(const std::string& path, int face, int nx,
                                              std::initializer_list<MitgridField> fields) {
  const FaceShape shape = face_shape(face, nx);
  const std::size_t field_bytes = shape.points() * 8;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) fail("{}: no such file", path);
  const auto size = fs::file_size(path, ec);
  if (size != kMitgridFields * field_bytes)
    fail("{}: {} bytes, but face {} of an LLC{} grid ({} x {} cells) needs 16 fields of {} x {} float64 = {} bytes",
         path, size, face, nx, shape.nx, shape.ny, shape.nx + 1, shape.ny + 1, kMitgridFields * field_bytes);
  const auto bytes = files::read_all(path);
  std::vector<std::vector<double>> out;
  for (MitgridField f : fields) {
    const std::byte* base = bytes.data() + static_cast<std::size_t>(f) * field_bytes;
    std::vector<double> values(shape.points());
    for (std::size_t p = 0; p < values.size(); ++p) values[p] = load_be<double>(base + 8 * p);
    out.push_back(std::move(values));
  }
  return out;
}

void write_mitgrid(const std::string& path, int face, int nx,
                   const std::array<std::vector<double>, kMitgridFields>& fields) {
  const FaceShape shape = face_shape(face, nx);
  std::vector<std::byte> bytes(kMitgridFields * shape.points() * 8);
  std::byte* out = bytes.data();
  for (int f = 0; f < kMitgridFields; ++f) {
    if (fields[f].size() != shape.points())
      fail("{}: field {} has {} values, face {} needs {}", path, f, fields[f].size(), face, shape.points());
    for (double v : fields[f]) store_be<double>(out, v), out += 8;
  }
  files::write_atomic(path, bytes);
}

}  // namespace granary::llc
