#include <algorithm>
#include "recipes/atl06/synth_writer.hpp"

#include <bit>
#include <cstring>
#include <utility>

#include <hdf5.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "formats/hdf5/handle.hpp"
#include "formats/netcdf/chunk_codec.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace granary::atl06::synth {
namespace {

static_assert(std::endian::native == std::endian::little, "chunks are written in the file's little-endian order");

constexpr int kDeflateLevel = 6;
using hdf5::Handle;

// One land-ice-segments dataset to write: its values, fill and attributes.
struct Column {
  const char* name;
  hid_t file_type;
  std::size_t element_size;
  const void* values;
  std::size_t count;
  const void* fill;
  bool shuffle;  // integer datasets only, as in the real product
};

// The stored bytes of chunk `index`: the values (the last chunk padded with the fill
// value, as HDF5 pads edge chunks) through the dataset's filter pipeline.
std::vector<std::byte> encode_chunk(const Column& c, std::size_t index, nc::ChunkEncoder& encoder) {
  const std::size_t elem = c.element_size, first = index * kChunkElements;
  const std::size_t used = std::min(kChunkElements, c.count - first);
  std::vector<std::byte> raw(kChunkElements * elem);
  std::memcpy(raw.data(), static_cast<const std::byte*>(c.values) + first * elem, used * elem);
  for (std::size_t i = used; i < kChunkElements; ++i) std::memcpy(raw.data() + i * elem, c.fill, elem);
  const nc::FilterPipeline pipeline{c.shuffle ? elem : 0, kDeflateLevel};
  std::vector<std::byte> out;
  encoder.encode(raw, pipeline, out);
  return out;
}

std::size_t chunk_count(const Column& c) { return (c.count + kChunkElements - 1) / kChunkElements; }

void check(herr_t rc, const std::string& path, const std::string& what) {
  if (rc < 0) fail("{}: HDF5 cannot {} ({})", path, what, hdf5::last_error_message());
}

// Owns `id`, or fails naming what could not be created.
Handle owned(hid_t id, hdf5::Closer close, const std::string& path, const std::string& what) {
  Handle h(id, close);
  if (!h.valid()) fail("{}: HDF5 cannot {} ({})", path, what, hdf5::last_error_message());
  return h;
}

Handle create_group(hid_t parent, const std::string& name, const std::string& path) {
  return owned(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose, path,
               "create group " + name);
}

// Fixed-length, NUL-terminated ASCII strings, as the real product stores its attributes.
void string_attribute(hid_t obj, const char* name, const std::string& value, const std::string& path) {
  const std::string what = fmt::format("write attribute {}", name);
  Handle type = owned(H5Tcopy(H5T_C_S1), H5Tclose, path, what);
  check(H5Tset_size(type.get(), value.size() + 1), path, what);
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), path, what);
  Handle space = owned(H5Screate(H5S_SCALAR), H5Sclose, path, what);
  Handle attr = owned(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, path, what);
  check(H5Awrite(attr.get(), type.get(), value.c_str()), path, what);
}

// A scalar (count 0) or one-dimensional numeric attribute.
void numeric_attribute(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, const void* values, hsize_t count,
                       const std::string& path) {
  const std::string what = fmt::format("write attribute {}", name);
  Handle space = owned(count == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr), H5Sclose, path, what);
  Handle attr = owned(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, path, what);
  check(H5Awrite(attr.get(), mem_type, values), path, what);
}

// A one-element dataset written through HDF5: chunked (16,) and extendible like
// /orbit_info in the real product, or contiguous like /ancillary_data.
void small_dataset(hid_t group, const char* name, hid_t file_type, hid_t mem_type, const void* value, bool chunked,
                   const std::string& path) {
  const std::string what = fmt::format("write dataset {}", name);
  const hsize_t one = 1, unlimited = H5S_UNLIMITED, chunk = 16;
  Handle space = owned(H5Screate_simple(1, &one, chunked ? &unlimited : nullptr), H5Sclose, path, what);
  Handle dcpl = owned(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path, what);
  check(H5Pset_obj_track_times(dcpl.get(), false), path, what);
  if (chunked) check(H5Pset_chunk(dcpl.get(), 1, &chunk), path, what);
  Handle ds = owned(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose,
                    path, what);
  check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, value), path, what);
}

Handle create_column(hid_t group, const Column& c, const std::string& path) {
  const std::string what = fmt::format("create dataset {}", c.name);
  const hsize_t dims = c.count, maxdims = H5S_UNLIMITED, chunk = kChunkElements;
  Handle space = owned(H5Screate_simple(1, &dims, &maxdims), H5Sclose, path, what);
  Handle dcpl = owned(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, path, what);
  check(H5Pset_chunk(dcpl.get(), 1, &chunk), path, what);
  if (c.shuffle) check(H5Pset_shuffle(dcpl.get()), path, what);
  check(H5Pset_deflate(dcpl.get(), kDeflateLevel), path, what);
  check(H5Pset_fill_value(dcpl.get(), c.file_type, c.fill), path, what);
  // No modification times in object headers: one seed gives byte-identical files.
  check(H5Pset_obj_track_times(dcpl.get(), false), path, what);
  return owned(H5Dcreate2(group, c.name, c.file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose,
               path, what);
}

void column_attributes(hid_t ds, const Column& c, const std::string& path) {
  const std::string name = c.name;
  auto text = [&](const char* key, const char* value) { string_attribute(ds, key, value, path); };
  if (name == "latitude") {
    text("units", "degrees_north"), text("long_name", "Latitude"), text("standard_name", "latitude");
  } else if (name == "longitude") {
    text("units", "degrees_east"), text("long_name", "Longitude"), text("standard_name", "longitude");
  } else if (name == "delta_time") {
    text("units", "seconds since 2018-01-01"), text("long_name", "Elapsed GPS seconds");
    text("standard_name", "time");
  } else if (name == "h_li" || name == "h_li_sigma") {
    text("units", "meters");
    text("long_name", name == "h_li" ? "Land Ice height" : "Expected RMS segment misfit");
    numeric_attribute(ds, "_FillValue", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, &kFillFloat32, 0, path);
  } else if (name == "atl06_quality_summary") {
    const std::int8_t flags[2] = {0, 1};
    text("units", "1"), text("long_name", "ATL06_Quality_Summary");
    numeric_attribute(ds, "flag_values", H5T_STD_I8LE, H5T_NATIVE_INT8, flags, 2, path);
    text("flag_meanings", "best_quality potential_problem");
  } else if (name == "segment_id") {
    const std::int32_t fill = 0;
    text("units", "1"), text("long_name", "Reference Point, m");
    numeric_attribute(ds, "_FillValue", H5T_STD_I32LE, H5T_NATIVE_INT32, &fill, 0, path);
  }
}

std::vector<Column> beam_columns(const BeamArrays& b) {
  static const double zero = 0.0;
  static const std::int8_t zero8 = 0;
  static const std::int32_t zero32 = 0;
  const std::size_t n = b.latitude.size();
  if (b.longitude.size() != n || b.delta_time.size() != n || b.h_li.size() != n || b.h_li_sigma.size() != n ||
      b.quality.size() != n || b.segment_id.size() != n)
    fail("beam {}: arrays of different lengths", b.name);
  return {{"latitude", H5T_IEEE_F64LE, 8, b.latitude.data(), n, &zero, false},
          {"longitude", H5T_IEEE_F64LE, 8, b.longitude.data(), n, &zero, false},
          {"delta_time", H5T_IEEE_F64LE, 8, b.delta_time.data(), n, &zero, false},
          {"h_li", H5T_IEEE_F32LE, 4, b.h_li.data(), n, &kFillFloat32, false},
          {"h_li_sigma", H5T_IEEE_F32LE, 4, b.h_li_sigma.data(), n, &kFillFloat32, false},
          {"atl06_quality_summary", H5T_STD_I8LE, 1, b.quality.data(), n, &zero8, true},
          {"segment_id", H5T_STD_I32LE, 4, b.segment_id.data(), n, &zero32, true}};
}

void file_attributes(hid_t file, const GranuleContents& g, const std::string& path) {
  const std::pair<const char*, std::string> attrs[] = {
      {"short_name", "ATL06"},
      {"level", "L3A"},
      {"title", "ATLAS/ICESat-2 L3A Land Ice Height (SYNTHETIC)"},
      {"granule_type", "ATL06"},
      {"description", "synthetic test granule"},
      {"identifier_product_format_version", g.version},
      {"time_coverage_start", g.time_coverage_start}};
  for (const auto& [key, value] : attrs) string_attribute(file, key, value, path);
}

void write_metadata_groups(hid_t file, const GranuleContents& g, const std::string& path) {
  Handle anc = create_group(file, "ancillary_data", path);
  small_dataset(anc.get(), "atlas_sdp_gps_epoch", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &kAtlasSdpGpsEpoch, false, path);
  // The granule's time span, as the real product gives it (delta_time of its first and last
  // segment over all beams; readers use it to bound the last chunk of a beam).
  double start = 0, end = 0;
  bool any = false;
  for (const BeamArrays& b : g.beams)
    for (double t : b.delta_time) {
      if (t <= 0) continue;  // fill
      start = any ? std::min(start, t) : t;
      end = any ? std::max(end, t) : t;
      any = true;
    }
  if (any) {
    small_dataset(anc.get(), "start_delta_time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &start, false, path);
    small_dataset(anc.get(), "end_delta_time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &end, false, path);
  }
  Handle orbit = create_group(file, "orbit_info", path);
  const std::int16_t rgt = static_cast<std::int16_t>(g.rgt);
  const std::int8_t cycle = static_cast<std::int8_t>(g.cycle), sc_orient = 0;
  small_dataset(orbit.get(), "rgt", H5T_STD_I16LE, H5T_NATIVE_INT16, &rgt, true, path);
  small_dataset(orbit.get(), "cycle_number", H5T_STD_I8LE, H5T_NATIVE_INT8, &cycle, true, path);
  small_dataset(orbit.get(), "sc_orient", H5T_STD_I8LE, H5T_NATIVE_INT8, &sc_orient, true, path);
}

void write_hdf5(const std::string& path, const GranuleContents& g) {
  // Compress every chunk of every beam first, on all cores (no HDF5 call inside).
  std::vector<std::vector<Column>> columns;
  for (const BeamArrays& b : g.beams) columns.push_back(beam_columns(b));
  struct Task {
    const Column* column;
    std::size_t chunk;
  };
  std::vector<Task> tasks;
  for (const auto& beam : columns)
    for (const Column& c : beam)
      for (std::size_t k = 0; k < chunk_count(c); ++k) tasks.push_back({&c, k});
  std::vector<std::vector<std::byte>> encoded(tasks.size());
  tbb::enumerable_thread_specific<nc::ChunkEncoder> encoders;
  tbb::parallel_for(std::size_t{0}, tasks.size(), [&](std::size_t i) {
    encoded[i] = encode_chunk(*tasks[i].column, tasks[i].chunk, encoders.local());
  });

  hdf5::silence_error_stack();
  Handle fapl = owned(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "create the file");
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_LATEST), path, "create the file");
  Handle file = owned(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose, path, "create the file");
  file_attributes(file.get(), g, path);
  write_metadata_groups(file.get(), g, path);
  std::size_t next = 0;
  for (std::size_t i = 0; i < g.beams.size(); ++i) {
    Handle beam = create_group(file.get(), g.beams[i].name, path);
    Handle segments = create_group(beam.get(), "land_ice_segments", path);
    for (const Column& c : columns[i]) {
      Handle ds = create_column(segments.get(), c, path);
      for (std::size_t k = 0; k < chunk_count(c); ++k, ++next) {
        const hsize_t offset = k * kChunkElements;
        const std::vector<std::byte>& bytes = encoded[next];
        check(H5Dwrite_chunk(ds.get(), H5P_DEFAULT, 0, &offset, bytes.size(), bytes.data()), path,
              fmt::format("write chunk {} of {}/land_ice_segments/{}", k, g.beams[i].name, c.name));
      }
      column_attributes(ds.get(), c, path);
    }
  }
  // Flushing reports a full disk here; the close that follows has nothing left to write.
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), path, "flush the file");
}

}  // namespace

void write_granule(const std::filesystem::path& path, const GranuleContents& granule) {
  files::publish_atomic(path, [&](const std::filesystem::path& tmp) { write_hdf5(tmp.string(), granule); });
}

}  // namespace granary::atl06::synth
