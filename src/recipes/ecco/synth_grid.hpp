#pragma once
// A synthetic LLC grid for demos and tests that must not need the real LLC90 files: any tile
// size nx, the same 13-tile structure, compact layout, connectivity and file formats as
// MITgcm's (MDS .data/.meta grid fields, tile00{1..5}.mitgrid), a recognisable land mask.
//
// Geometry (one analytic mapping per face, so shared edges coincide exactly):
//  * faces 1, 2, 4, 5 are lat-lon quadrants starting at longitude -38, 52, 142, 232 (90
//    degrees each, uniform), rows Mercator-spaced from 80 S to 57 N (faces 4, 5 rotated as
//    in the real LLC: x runs south, y east);
//  * face 3, the arctic cap, is a square of uniform cells in the north polar stereographic
//    plane (conformal, so its cells are square), its corners at 67 N and longitudes 52, 142,
//    232, 322 like the real LLC90 cap;
//  * the top nx/3 rows of the quadrants bend from the 57 N circle to the cap's sides, along
//    cubic Hermite curves (in the stereographic plane) leaving the 57 N circle northward and
//    meeting the cap square-on. Only there (and at the cap corners, as on any LLC grid) are
//    cells skewed: up to about 40 degrees next to the cap corners.
// AngleCS/AngleSN are the direction of each cell's x axis (west face centre to east face
// centre) against east, as MITgcm defines them.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/mds/meta.hpp"
#include "grids/llc/layout.hpp"
#include "grids/llc/sphere.hpp"

namespace granary::ecco::synth {

class Geometry {
 public:
  explicit Geometry(int nx);
  int nx() const { return nx_; }
  // Face 1..5, face-local (x, y) in cell units: corner (i, j) at integers, centres at +0.5.
  // Points up to a cell beyond the face are the analytic continuation.
  llc::sphere::Vec3 point(int face, double x, double y) const;
  llc::sphere::LonLat lonlat(int face, double x, double y) const;

 private:
  struct Stereo {
    double x = 0, y = 0;
  };
  Stereo cap(double x, double y) const;                // face 3 in the stereographic plane
  llc::sphere::Vec3 quadrant(int q, double c, double s) const;  // faces 1, 2, 4, 5: q = 0..3
  int nx_;
  int transition_rows_;       // rows of a quadrant that bend into the cap
  double mercator_south_, mercator_57_;
  double half_side_;          // of the cap square in the stereographic plane
};

struct VerticalGrid {
  std::vector<double> rc, rf, drc, drf;  // metres, rc/rf negative downward (MITgcm's sign)
};
// `levels` layers, 10 m at the top growing geometrically to a 6000 m deep column.
VerticalGrid vertical_grid(int levels);

// True where the analytic continents cover (lon, lat) (degrees).
bool is_land(double lon, double lat);

// Depth (m, positive, 0 on land) at the cell centres, tile order: open-ocean depths of 3-5.7 km
// with ridges and a trench, shelves of 5-400 m next to the coast, and partial bottom cells
// rounded like MITgcm with hFacMin = 0.2.
std::vector<double> bathymetry(const llc::Layout& L, const std::vector<double>& xc, const std::vector<double>& yc,
                               const VerticalGrid& vertical);

// Writes the grid into dir (created if needed): XC YC XG YG DXG DYG DXC DYC RAC AngleCS
// AngleSN Depth (2D) and RC RF DRC DRF (1D) as big-endian float64 MDS files with MITgcm
// .meta files, and tile00{1..5}.mitgrid. Each file appears atomically; same bytes every run.
// The mitgrid metrics that need points beyond a face (dxV, dyU, rAz, rAw, rAs and the extra
// row/column of the arrays) use the analytic continuation of the face mapping.
// nx >= 4, levels >= 1; otherwise an error.
void write_synthetic_grid(const std::string& dir, int nx, int levels);

inline constexpr double kEarthRadius = 6370.0e3;  // MITgcm's rSphere for ECCO

// MDS output shared by the grid and the model-output writers.
struct MdsRecord {
  std::vector<std::int64_t> dims;           // fastest first: nx, 13nx[, nz]
  mds::Precision precision = mds::Precision::Float64;
  std::optional<std::int64_t> time_step;
  std::optional<std::array<double, 2>> time_interval;  // seconds
  std::string field;                        // fldList entry (model output only)
};
// The .meta text MITgcm writes for such a record.
std::string mds_meta_text(const MdsRecord& record);
// Writes base.data (values big-endian in the record's precision) and base.meta, atomically.
void write_mds(const std::string& base, const MdsRecord& record, const std::vector<double>& values);

}  // namespace granary::ecco::synth
