// write_netcdf, and its first phase: the whole file defined through netCDF-C, small and
// uncompressed variables written by it too.
#include "formats/netcdf/writer.hpp"

#include <netcdf.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "formats/netcdf/chunk_writer.hpp"
#include "formats/netcdf/fill_value.hpp"
#include "formats/netcdf/storage_plan.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/output_error.hpp"

namespace granary::nc {
namespace {

namespace fs = std::filesystem;
std::atomic<bool> left_open{false};
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

nc_type nc_type_of(Type t) {
  switch (t) {
    case Type::Int8:
      return NC_BYTE;
    case Type::Int16:
      return NC_SHORT;
    case Type::Int32:
      return NC_INT;
    case Type::Int64:
      return NC_INT64;
    case Type::Float32:
      return NC_FLOAT;
    case Type::Float64:
      return NC_DOUBLE;
    case Type::String:
      return NC_STRING;
  }
  return NC_NAT;
}

// A netCDF-C file handle that is aborted (closed without further writes) if not closed.
class NcFile {
 public:
  NcFile(const fs::path& tmp, const std::string& path) : tmp_(tmp), path_(path) {
    check(nc_create(tmp.c_str(), NC_NETCDF4 | NC_NOCLOBBER, &id_), "nc_create");
  }
  ~NcFile() {
    if (id_ < 0) return;
    // After a write failed on a full (or read-only) disk, HDF5 cannot close the file, and
    // nc_abort then crashes listing its open objects (SIGSEGV in reportopenobjects, netCDF-C
    // 4.9). So the handle is left open instead (a few kB of memory, once per failed file) and
    // the temporary emptied, which gives its space back although the file stays open; the
    // caller removes it.
    if (files::output_filesystem_cause(tmp_.parent_path())) {
      (void)::truncate(tmp_.c_str(), 0);
      left_open = true;
      return;
    }
    nc_abort(id_);
  }
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;

  int id() const { return id_; }
  void close() { check(nc_close(std::exchange(id_, -1)), "nc_close"); }

  void check(int status, const std::string& what) const {
    if (status != NC_NOERR) fail("{}: netCDF {}: {}", path_, what, nc_strerror(status));
  }

 private:
  fs::path tmp_;
  const std::string& path_;
  int id_ = -1;
};

// Text as NC_CHAR (what xarray and netCDF4-python write for str attributes).
int put_attribute(int nc, int varid, const Attribute& a) {
  const char* name = a.name.c_str();
  return std::visit(
      [&](const auto& v) -> int {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          return nc_put_att_text(nc, varid, name, v.size(), v.data());
        else if constexpr (std::is_same_v<T, std::vector<std::int8_t>>)
          return nc_put_att_schar(nc, varid, name, NC_BYTE, v.size(),
                                  reinterpret_cast<const signed char*>(v.data()));
        else if constexpr (std::is_same_v<T, std::vector<std::int16_t>>)
          return nc_put_att_short(nc, varid, name, NC_SHORT, v.size(), v.data());
        else if constexpr (std::is_same_v<T, std::vector<std::int32_t>>)
          return nc_put_att_int(nc, varid, name, NC_INT, v.size(), v.data());
        else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>)
          return nc_put_att_longlong(nc, varid, name, NC_INT64, v.size(),
                                     reinterpret_cast<const long long*>(v.data()));
        else if constexpr (std::is_same_v<T, std::vector<float>>)
          return nc_put_att_float(nc, varid, name, NC_FLOAT, v.size(), v.data());
        else
          return nc_put_att_double(nc, varid, name, NC_DOUBLE, v.size(), v.data());
      },
      a.value);
}

void put_attributes(const NcFile& f, int varid, const std::vector<Attribute>& attributes,
                    const std::string& owner) {
  for (const auto& a : attributes)
    f.check(put_attribute(f.id(), varid, a), fmt::format("attribute '{}' of {}", a.name, owner));
}

int define_variable(const NcFile& f, const Variable& v, const VariablePlan& plan) {
  const auto what = [&](const char* call) { return fmt::format("{} of variable '{}'", call, v.name); };
  std::vector<int> ids;
  for (const auto& name : v.dims) {
    int id = -1;
    f.check(nc_inq_dimid(f.id(), name.c_str(), &id), what("nc_inq_dimid"));
    ids.push_back(id);
  }
  int varid = -1;
  f.check(nc_def_var(f.id(), v.name.c_str(), nc_type_of(v.type), static_cast<int>(ids.size()), ids.data(),
                     &varid),
          what("nc_def_var"));
  if (!plan.chunks.empty())
    f.check(nc_def_var_chunking(f.id(), varid, NC_CHUNKED, plan.chunks.data()), what("nc_def_var_chunking"));
  else if (!plan.shape.empty() && !plan.has_unlimited_dim)
    f.check(nc_def_var_chunking(f.id(), varid, NC_CONTIGUOUS, nullptr), what("nc_def_var_chunking"));
  if (plan.filtered)
    f.check(nc_def_var_deflate(f.id(), varid, v.encoding.shuffle, v.encoding.deflate,
                               v.encoding.deflate ? v.encoding.level : 0),
            what("nc_def_var_deflate"));
  // NC_FILL with the value also creates the _FillValue attribute. Chunked datasets allocate
  // chunks only when written (HDF5 incremental allocation), so nothing is filled at
  // nc_close that the raw chunk writes would conflict with.
  if (v.encoding.fill_value) {
    auto fill = fill_bytes(v.type, *v.encoding.fill_value);
    f.check(nc_def_var_fill(f.id(), varid, NC_FILL, fill.data()), what("nc_def_var_fill"));
  } else if (v.encoding.no_fill && v.type != Type::String) {  // netCDF-C refuses NOFILL for strings
    f.check(nc_def_var_fill(f.id(), varid, NC_NOFILL, nullptr), what("nc_def_var_fill"));
  }
  put_attributes(f, varid, v.attributes, fmt::format("variable '{}'", v.name));
  return varid;
}

void put_values(const NcFile& f, int varid, const Variable& v, const VariablePlan& plan) {
  if (plan.element_count == 0) return;
  const auto what = fmt::format("nc_put_vara of variable '{}'", v.name);
  std::vector<std::size_t> start(plan.shape.size(), 0);
  if (v.type == Type::String) {
    std::vector<const char*> pointers;
    for (const auto& s : v.strings) pointers.push_back(s.c_str());
    f.check(nc_put_vara_string(f.id(), varid, start.data(), plan.shape.data(), pointers.data()), what);
    return;
  }
  const void* data = v.data.data();
  std::vector<std::byte> filled;  // NaN -> _FillValue needs a copy: the data is borrowed
  if (v.encoding.fill_value && contains_nan(v.data, v.type)) {
    filled.assign(v.data.begin(), v.data.end());
    replace_nan(filled, v.type, *v.encoding.fill_value);
    data = filled.data();
  }
  f.check(nc_put_vara(f.id(), varid, start.data(), plan.shape.data(), data), what);
}

// Phase 1. Returns the variables left for the raw chunk writer.
std::vector<DirectVariable> define_with_netcdf(const Dataset& ds, const std::vector<VariablePlan>& plans,
                                               const fs::path& tmp, const std::string& path) {
  NcFile f(tmp, path);
  put_attributes(f, NC_GLOBAL, ds.attributes, "the dataset");
  for (const auto& d : ds.dimensions) {
    int id = -1;
    f.check(nc_def_dim(f.id(), d.name.c_str(), d.unlimited ? NC_UNLIMITED : d.size, &id),
            fmt::format("nc_def_dim '{}'", d.name));
  }
  std::vector<int> varids;
  for (std::size_t k = 0; k < ds.variables.size(); ++k)
    varids.push_back(define_variable(f, ds.variables[k], plans[k]));
  f.check(nc_enddef(f.id()), "nc_enddef");

  std::vector<DirectVariable> direct;
  for (std::size_t k = 0; k < ds.variables.size(); ++k) {
    if (plans[k].direct_chunks)
      direct.push_back({&ds.variables[k], &plans[k]});
    else
      put_values(f, varids[k], ds.variables[k], plans[k]);
  }
  f.close();
  return direct;
}

}  // namespace

bool files_left_open() { return left_open; }

WriteStats write_netcdf(const Dataset& ds, const std::string& path, const WriteOptions& options) {
  const auto plans = plan_storage(ds, options.direct_chunk_min_bytes, path);
  const unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                               : std::max(1u, std::thread::hardware_concurrency());
  WriteStats stats;
  auto start = Clock::now();
  try {
    files::publish_atomic(path, [&](const fs::path& tmp) {
      auto t = Clock::now();
      auto direct = define_with_netcdf(ds, plans, tmp, path);
      stats.define_seconds = seconds_since(t);
      auto chunk_phase = write_direct_chunks(tmp, direct, threads, path);
      stats.compress_seconds = chunk_phase.compress;
    });
  } catch (const fs::filesystem_error& e) {
    fail("{}: cannot write the netCDF file: {}", path, e.what());
  }
  stats.write_seconds = seconds_since(start) - stats.define_seconds - stats.compress_seconds;
  std::error_code ec;
  stats.bytes = fs::file_size(path, ec);
  return stats;
}

}  // namespace granary::nc
