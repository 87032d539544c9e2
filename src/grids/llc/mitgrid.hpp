#pragma once
// MITgcm input grid faces, "tile00N.mitgrid" (N = face 1..5): 16 fields, each one
// (nx_face + 1) x (ny_face + 1) big-endian float64, x fastest, in the order of MitgridField.
// An LLC grid of tile size nx has faces 1, 2: nx x 3nx; face 3 (arctic cap): nx x nx;
// faces 4, 5: 3nx x nx. Centre fields use the first nx_face x ny_face points of their array,
// corner fields (xG, yG, ...) all of it.
#include <array>
#include <initializer_list>
#include <string>
#include <vector>

namespace granary::llc {

enum class MitgridField { xC, yC, dxF, dyF, rA, xG, yG, dxV, dyU, rAz, dxC, dyC, rAw, rAs, dxG, dyG };
inline constexpr int kMitgridFields = 16;

struct FaceShape {
  int nx = 0, ny = 0;  // cells along x and y
  std::size_t points() const { return static_cast<std::size_t>(nx + 1) * (ny + 1); }
  std::size_t index(int y, int x) const { return static_cast<std::size_t>(y) * (nx + 1) + x; }
};
// Face 1..5 of an LLC grid with tiles of nx x nx.
FaceShape face_shape(int face, int nx);

// Where a tile (0..12) sits in its face: tile-local (j, i) is face (y0 + j, x0 + i).
// Faces 1, 2 stack their three tiles along y, faces 4, 5 along x (the compact layout of
// layout.hpp stores faces 4, 5 exactly as their face arrays).
struct TileInFace {
  int face = 0;
  int x0 = 0, y0 = 0;
};
TileInFace tile_in_face(int tile, int nx);

std::string mitgrid_path(const std::string& grid_dir, int face);  // grid_dir/tile00F.mitgrid

// Reads the given fields of one face (each FaceShape::points() values, x fastest). The file
// size must be exactly 16 fields of the face's shape; errors name the file and the sizes.
std::vector<std::vector<double>> read_mitgrid(const std::string& path, int face, int nx,
                                              std::initializer_list<MitgridField> fields);

// Writes all 16 fields of a face (atomically).
void write_mitgrid(const std::string& path, int face, int nx,
                   const std::array<std::vector<double>, kMitgridFields>& fields);

}  // namespace granary::llc
