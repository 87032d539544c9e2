#pragma once
// The ATL06 output store: one Zarr group per child order (e.g. "12/") holding 1-D arrays
// along the dimension "cells", one chunk of 4^(child-parent) cells per parent cell:
//   cell_ids (uint64, HEALPix nested ids), morton (int64 legacy decimal index, or uint64
//   mortie 1.x packed word: StoreLayout::index), count (int32),
//   h_min h_max h_mean h_sigma h_variance h_q25 h_q50 h_q75 (float32),
//   with extra statistics also h_std (float32), t_min t_max (float64), n_granules (int32),
// and parent_morton (int64, dimension "parents"): parent of chunk i = parent_morton[i].
//
// Unambiguous empty chunks: magg filled cell_ids with 0, a real cell id, so an unwritten
// chunk looked like data for cell 0. Here the store's creation writes cell_ids, morton and
// count (0) for every parent, so every row names its real cell whatever has run; a cell
// without data (not processed yet, or no point) has count 0 and NaN statistics. The
// declared fill values are never valid cells either (cell_ids 2^64-1, morton 0: also
// mortie's null word). In v2 the
// integer arrays declare no fill value: xarray would otherwise turn them into float64 to
// mask it (cell ids must stay uint64 for xdggs).
//
// Each parent's job writes only its own chunk of every array (one object each, atomic), so
// jobs run without locks. Which parents are complete is recorded by each job's status
// object (status_key), written after its chunks.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/zarr/zarr.hpp"
#include "io/store.hpp"
#include "ops/aggregate/group_stats.hpp"
#include "recipes/atl06/cell_index.hpp"

namespace granary::atl06 {

struct StoreLayout {
  zarr::Format format = zarr::Format::V3;
  zarr::Codec codec;  // zstd by default
  int parent_order = 6;
  int child_order = 12;
  bool extra = false;                 // extra statistics arrays
  CellIndex index;                    // latitude convention and morton form, one per store
  std::vector<std::int64_t> parents;  // chunk i holds parents[i]'s children

  std::uint64_t cells_per_parent() const { return std::uint64_t{1} << (2 * (child_order - parent_order)); }
  std::string group() const { return std::to_string(child_order); }
  // The chunk of `parent`, or nullopt when the store does not hold it.
  std::optional<std::size_t> chunk_of(std::int64_t parent) const;
};

// Names of the data arrays in write order (cell_ids last).
std::vector<std::string> array_names(bool extra);

// Writes the root and child-order groups and every array's metadata. If the store already
// has a layout, it must be the same (format, orders, statistics, cell index, parents), else
// an error naming the store explains the difference; then nothing is written.
void create_store(io::Store& store, const StoreLayout& layout);

// The layout of an existing store (nullopt when there is none at child_order). A store
// written before the cell index was recorded is geodetic-spherical and legacy (all it could be).
std::optional<StoreLayout> read_layout(const io::Store& store, int child_order);

// Writes parent `chunk`'s statistics; returns the bytes written.
std::uint64_t write_parent(io::Store& store, const StoreLayout& layout, std::size_t chunk, std::int64_t parent,
                  const ops::GroupStats& stats);

// Refuses a job whose cell index differs from the store's: the two latitude conventions are
// different partitions of the Earth, and one `morton` array holds one form.
void check_same_index(const StoreLayout& store_layout, const CellIndex& job, const std::string& store_uri);

// Where a job records that a parent is complete at a child order (outside any Zarr node):
// ".granary/cells/<child_order>/<parent>.json". Stores may hold several child orders.
std::string status_key(std::int64_t parent, int child_order);

}  // namespace granary::atl06
