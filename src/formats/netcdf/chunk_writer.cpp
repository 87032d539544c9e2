#include "formats/netcdf/chunk_writer.hpp"

#include <fmt/ranges.h>
#include <hdf5.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <memory>
#include <utility>

#include "formats/netcdf/chunk_codec.hpp"
#include "formats/netcdf/chunk_grid.hpp"
#include "formats/netcdf/fill_value.hpp"
#include "formats/netcdf/ordered_parallel.hpp"
#include "util/error.hpp"

namespace granary::nc {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The HDF5 error stack as one line (and cleared), for messages.
std::string hdf5_errors() {
  std::string text;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        auto& s = *static_cast<std::string*>(out);
        s += fmt::format("{}{}(): {}", s.empty() ? "" : "; ", e->func_name ? e->func_name : "?",
                         e->desc ? e->desc : "?");
        return 0;
      },
      &text);
  H5Eclear2(H5E_DEFAULT);
  return text.empty() ? "unknown HDF5 error" : text;
}

// HDF5 prints its error stack to stderr by default; errors are reported in exceptions.
class QuietHdf5Errors {
 public:
  QuietHdf5Errors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), close_(o.close_) {}
  Handle& operator=(Handle&&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  herr_t close() { return close_(std::exchange(id_, -1)); }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

struct Target {
  const Variable* variable;
  Handle dataset;
  ChunkGrid grid;
  FilterPipeline pipeline;
  std::size_t first_chunk;  // index of its first chunk in the run over all targets
};

class DatasetChecker {
 public:
  DatasetChecker(const std::string& path, const Variable& v) : path_(path), v_(v) {}

  [[noreturn]] void problem(const std::string& what) const {
    fail("{}: variable '{}': {}", path_, v_.name, what);
  }
  void check_hdf5(bool ok, const char* what) const {
    if (!ok) problem(fmt::format("HDF5 {} failed: {}", what, hdf5_errors()));
  }

  void element_type(hid_t dataset) const {
    Handle type(H5Dget_type(dataset), H5Tclose);
    check_hdf5(type.valid(), "H5Dget_type");
    auto cls = H5Tget_class(type.get());
    bool is_float = v_.type == Type::Float32 || v_.type == Type::Float64;
    if (cls != (is_float ? H5T_FLOAT : H5T_INTEGER) || H5Tget_size(type.get()) != size_of(v_.type))
      problem(fmt::format("the HDF5 dataset does not hold {} elements", type_name(v_.type)));
    // Raw chunks are not converted: the file must use this machine's byte order.
    auto host = std::endian::native == std::endian::little ? H5T_ORDER_LE : H5T_ORDER_BE;
    if (H5Tget_order(type.get()) != host) problem("the HDF5 dataset is not in host byte order");
  }

  // Grows datasets along unlimited dimensions (netCDF-C leaves them empty until written).
  void extent(hid_t dataset, const std::vector<std::size_t>& shape) const {
    Handle space(H5Dget_space(dataset), H5Sclose);
    check_hdf5(space.valid(), "H5Dget_space");
    int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank != static_cast<int>(shape.size()))
      problem(fmt::format("the HDF5 dataset has rank {}, expected {}", rank, shape.size()));
    std::vector<hsize_t> dims(shape.size()), max(shape.size());
    H5Sget_simple_extent_dims(space.get(), dims.data(), max.data());
    bool equal = true;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      equal &= dims[d] == shape[d];
      if (dims[d] > shape[d] || (max[d] != H5S_UNLIMITED && max[d] < shape[d]))
        problem(fmt::format("the HDF5 dataset has {} elements along dimension {}, expected {}", dims[d], d,
                            shape[d]));
    }
    if (equal) return;
    std::vector<hsize_t> want(shape.begin(), shape.end());
    check_hdf5(H5Dset_extent(dataset, want.data()) >= 0, "H5Dset_extent");
  }

  FilterPipeline pipeline(hid_t dcpl, const std::vector<std::size_t>& chunks) const {
    if (H5Pget_layout(dcpl) != H5D_CHUNKED) problem("the HDF5 dataset is not chunked");
    std::vector<hsize_t> dims(chunks.size());
    if (H5Pget_chunk(dcpl, static_cast<int>(dims.size()), dims.data()) != static_cast<int>(dims.size()) ||
        !std::equal(dims.begin(), dims.end(), chunks.begin()))
      problem(fmt::format("the HDF5 dataset has chunks ({}), expected ({})", fmt::join(dims, ", "),
                          fmt::join(chunks, ", ")));

    FilterPipeline p;
    int n = H5Pget_nfilters(dcpl);
    check_hdf5(n >= 0, "H5Pget_nfilters");
    std::string order;
    for (int i = 0; i < n; ++i) {
      unsigned flags = 0, config = 0, cd[8] = {};
      std::size_t n_cd = 8;
      char name[64] = {};
      H5Z_filter_t id =
          H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &n_cd, cd, sizeof name, name, &config);
      order += fmt::format("{}{}", i ? "->" : "", name[0] ? name : std::to_string(id).c_str());
      if (id == H5Z_FILTER_SHUFFLE && i == 0 && !p.deflate_level)
        p.shuffle_element_size = size_of(v_.type);
      else if (id == H5Z_FILTER_DEFLATE && n_cd >= 1 && !p.deflate_level)
        p.deflate_level = static_cast<int>(cd[0]);
      else
        problem(
            fmt::format("filter pipeline {} cannot be pre-compressed here (only shuffle->deflate)", order));
    }
    const auto& e = v_.encoding;
    bool matches = (p.shuffle_element_size != 0) == e.shuffle && p.deflate_level.has_value() == e.deflate &&
                   (!e.deflate || *p.deflate_level == e.level);
    if (!matches)
      problem(fmt::format("filter pipeline {} does not match the encoding (shuffle {}, deflate {}, level {})",
                          order.empty() ? "(none)" : order, e.shuffle, e.deflate, e.level));
    return p;
  }

 private:
  const std::string& path_;
  const Variable& v_;
};

Target open_target(hid_t file, const DirectVariable& dv, std::size_t first_chunk, const std::string& path) {
  const Variable& v = *dv.variable;
  DatasetChecker check(path, v);
  Handle dataset(H5Dopen2(file, dv.plan->hdf5_name.c_str(), H5P_DEFAULT), H5Dclose);
  check.check_hdf5(dataset.valid(), "H5Dopen2");
  check.element_type(dataset.get());
  check.extent(dataset.get(), dv.plan->shape);
  Handle dcpl(H5Dget_create_plist(dataset.get()), H5Pclose);
  check.check_hdf5(dcpl.valid(), "H5Dget_create_plist");
  auto pipeline = check.pipeline(dcpl.get(), dv.plan->chunks);
  return Target{&v, std::move(dataset), ChunkGrid(dv.plan->shape, dv.plan->chunks), pipeline, first_chunk};
}

struct WorkerState {
  Buffer raw;
  ChunkEncoder encoder;
};

// Overwrites (or deletes) the placeholder attributes of a streamed variable with the
// values its chunks produced. The placeholder fixes the type and length; H5Awrite
// converts from the native type, so the value must have the placeholder's length.
void write_final_attributes(hid_t dataset, const Variable& v, const std::string& path) {
  for (const auto& [name, value] : v.final_attributes()) {
    if (H5Aexists(dataset, name.c_str()) <= 0)
      fail("{}: variable '{}': final attribute '{}' has no placeholder", path, v.name, name);
    if (!value) {
      if (H5Adelete(dataset, name.c_str()) < 0)
        fail("{}: variable '{}': HDF5 cannot delete attribute '{}': {}", path, v.name, name, hdf5_errors());
      continue;
    }
    Handle attr(H5Aopen(dataset, name.c_str(), H5P_DEFAULT), H5Aclose);
    Handle space(H5Aget_space(attr.get()), H5Sclose);
    const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
    herr_t status = -1;
    std::size_t have = 0;
    if (const auto* f = std::get_if<std::vector<float>>(&*value)) {
      have = f->size();
      if (have == n) status = H5Awrite(attr.get(), H5T_NATIVE_FLOAT, f->data());
    } else if (const auto* d = std::get_if<std::vector<double>>(&*value)) {
      have = d->size();
      if (have == n) status = H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, d->data());
    } else if (const auto* i = std::get_if<std::vector<std::int32_t>>(&*value)) {
      have = i->size();
      if (have == n) status = H5Awrite(attr.get(), H5T_NATIVE_INT32, i->data());
    } else {
      fail("{}: variable '{}': final attribute '{}' must be float, double or int32", path, v.name, name);
    }
    if (have != n)
      fail("{}: variable '{}': final attribute '{}' has {} values, its placeholder {}", path, v.name, name, have, n);
    if (status < 0)
      fail("{}: variable '{}': HDF5 cannot write attribute '{}': {}", path, v.name, name, hdf5_errors());
  }
}

}  // namespace

ChunkPhaseSeconds write_direct_chunks(const std::filesystem::path& file, std::span<const DirectVariable> vars,
                                      unsigned threads, const std::string& path) {
  ChunkPhaseSeconds seconds;
  if (vars.empty()) return seconds;
  QuietHdf5Errors quiet;
  auto t = Clock::now();
  Handle h5(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
  if (!h5.valid()) fail("{}: HDF5 cannot reopen {} to write chunks: {}", path, file.string(), hdf5_errors());

  std::vector<Target> targets;
  std::size_t total = 0;
  for (const auto& dv : vars) {
    targets.push_back(open_target(h5.get(), dv, total, path));
    total += targets.back().grid.count();
  }
  seconds.write += seconds_since(t);

  std::vector<std::unique_ptr<WorkerState>> workers(std::max(threads, 1u));
  for (auto& w : workers) w = std::make_unique<WorkerState>();
  auto target_of = [&](std::size_t index) -> const Target& {
    auto it = std::upper_bound(targets.begin(), targets.end(), index,
                               [](std::size_t i, const Target& tg) { return i < tg.first_chunk; });
    return *(it - 1);
  };

  double write_inside_run = 0;
  t = Clock::now();
  run_ordered(
      total, static_cast<unsigned>(workers.size()), 4 * workers.size(),
      [&](std::size_t index, unsigned worker, Buffer& out) {
        const Target& tg = target_of(index);
        const Variable& v = *tg.variable;
        const std::size_t element_size = size_of(v.type);
        WorkerState& w = *workers[worker];
        w.raw.resize(tg.grid.chunk_elements() * element_size);
        if (v.chunk_source)
          v.chunk_source(index - tg.first_chunk, w.raw.data());
        else
          tg.grid.gather(index - tg.first_chunk, v.data.data(), element_size, w.raw.data());
        if (v.encoding.fill_value) replace_nan(w.raw, v.type, *v.encoding.fill_value);
        w.encoder.encode(w.raw, tg.pipeline, out);
      },
      [&](std::size_t index, const Buffer& chunk) {
        auto tw = Clock::now();
        const Target& tg = target_of(index);
        auto offset = tg.grid.offset(index - tg.first_chunk);
        std::vector<hsize_t> h5_offset(offset.begin(), offset.end());
        // Filter mask 0: every filter of the pipeline has been applied to these bytes.
        herr_t status =
            H5Dwrite_chunk(tg.dataset.get(), H5P_DEFAULT, 0, h5_offset.data(), chunk.size(), chunk.data());
        if (status < 0)
          fail("{}: variable '{}': HDF5 H5Dwrite_chunk of chunk {} failed: {}", path, tg.variable->name,
               index - tg.first_chunk, hdf5_errors());
        write_inside_run += seconds_since(tw);
      });
  double run = seconds_since(t);
  seconds.compress = run - write_inside_run;
  seconds.write += write_inside_run;

  t = Clock::now();
  for (auto& tg : targets)
    if (tg.variable->final_attributes) write_final_attributes(tg.dataset.get(), *tg.variable, path);
  for (auto& tg : targets)
    if (tg.dataset.close() < 0)
      fail("{}: variable '{}': HDF5 H5Dclose failed: {}", path, tg.variable->name, hdf5_errors());
  if (h5.close() < 0) fail("{}: HDF5 cannot close {}: {}", path, file.string(), hdf5_errors());
  seconds.write += seconds_since(t);
  return seconds;
}

}  // namespace granary::nc
