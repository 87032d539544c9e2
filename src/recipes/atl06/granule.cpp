#include "recipes/atl06/granule.hpp"

#include "formats/hdf5/handle.hpp"
#include "formats/hdf5/range_vfd.hpp"
#include "util/error.hpp"

namespace granary::atl06 {
namespace {

hdf5::Column column(hid_t file, const std::string& group, const char* name, char kind, std::size_t size,
                    const std::shared_ptr<const io::RangeReader>& bytes) {
  const std::string path = group + "/" + name;
  if (!hdf5::link_exists(file, path)) fail("{}: not ATL06 layout: {} is missing", bytes->name(), path);
  auto c = hdf5::Column::describe(file, path, bytes);
  if (c.type().kind != kind || c.type().size != size)
    fail("{}: not ATL06 layout: {} has type {}{} (expected {}{})", bytes->name(), path, c.type().kind,
         8 * c.type().size, kind, 8 * size);
  return c;
}

// A local file goes to libhdf5 as a path (its POSIX driver); an object through the
// range-reader driver, which fetches only the blocks holding the metadata.
hdf5::Handle open_file(const std::string& path, const std::shared_ptr<const io::RangeReader>& bytes) {
  if (io::is_s3_uri(path)) return hdf5::open_read_only(bytes);
  hdf5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) {
    const std::string why = hdf5::last_error_message();
    fail("{}: cannot open as HDF5 ({})", path, why.empty() ? "not an HDF5 file" : why);
  }
  return file;
}

// The beams' columns and the granule's end time.
void describe(hid_t file, const GranuleColumns& columns, Granule& g) {
  for (std::string_view beam : kBeams) {
    const std::string group = "/" + std::string(beam) + "/land_ice_segments";
    if (!hdf5::link_exists(file, group)) continue;
    Beam b{std::string(beam), column(file, group, "latitude", 'f', 8, g.bytes), column(file, group, "longitude", 'f', 8, g.bytes),
           {}, {}, {}, {}};
    if (columns.values) {
      b.h_li = column(file, group, "h_li", 'f', 4, g.bytes);
      b.h_li_sigma = column(file, group, "h_li_sigma", 'f', 4, g.bytes);
      b.quality = column(file, group, "atl06_quality_summary", 'i', 1, g.bytes);
    }
    if (columns.delta_time) b.delta_time = column(file, group, "delta_time", 'f', 8, g.bytes);
    else if (columns.values && hdf5::link_exists(file, group + "/delta_time"))
      b.delta_time = hdf5::Column::describe(file, group + "/delta_time", g.bytes);  // for chunk pruning only
    const auto n = b.latitude.size();
    for (const hdf5::Column* c : {&b.longitude, b.h_li ? &*b.h_li : nullptr, b.h_li_sigma ? &*b.h_li_sigma : nullptr,
                                  b.quality ? &*b.quality : nullptr, b.delta_time ? &*b.delta_time : nullptr}) {
      if (c && c->size() != n)
        fail("{}: {}: {} has {} elements but latitude has {}", g.name, beam, c->path(), c->size(), n);
    }
    g.beams.push_back(std::move(b));
  }
  if (g.beams.empty()) fail("{}: not ATL06 layout: no gt*/land_ice_segments group", g.name);
  if (hdf5::link_exists(file, "/ancillary_data/end_delta_time")) {
    hdf5::Handle ds(H5Dopen2(file, "/ancillary_data/end_delta_time", H5P_DEFAULT), H5Dclose);
    double end = 0;
    if (ds.valid() && H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &end) >= 0 && end > 0)
      g.end_delta_time = end;
  }
}

}  // namespace

Granule open_granule(const std::string& path, const GranuleColumns& columns, const io::S3Options& s3) {
  Granule g;
  g.name = path;
  g.bytes = io::is_s3_uri(path) ? io::open_uri(path, s3) : io::open_local_file(path);
  hdf5::silence_error_stack();
  const hdf5::Handle file = open_file(path, g.bytes);
  try {
    describe(file.get(), columns, g);
  } catch (const Error&) {
    // A failed read (network, access) surfaces in libhdf5 as a missing link or an unreadable
    // dataset; the reader's own message says what really happened.
    if (io::is_s3_uri(path))
      hdf5::rethrow_read_error();
    throw;
  }
  return g;
}

}  // namespace granary::atl06
