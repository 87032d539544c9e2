#pragma once
// Read access to a netCDF file through netCDF-C for the tools that look at outputs
// (quicklook, coastlines): open read-only, attributes, dimensions and whole variables, every
// error naming the file.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <netcdf.h>

#include "util/error.hpp"

namespace granary::nc {

class NcFile {
 public:
  explicit NcFile(const std::filesystem::path& path) : path_(path.string()) {
    if (const int rc = nc_open(path_.c_str(), NC_NOWRITE, &id_); rc != NC_NOERR)
      fail("{}: cannot open as netCDF: {}", path_, nc_strerror(rc));
  }
  ~NcFile() { nc_close(id_); }
  NcFile(const NcFile&) = delete;
  NcFile& operator=(const NcFile&) = delete;

  int id() const { return id_; }
  const std::string& path() const { return path_; }
  void check(int rc, const std::string& what) const {
    if (rc != NC_NOERR) fail("{}: {}: {}", path_, what, nc_strerror(rc));
  }
  std::string text_attribute(int var, const char* name) const {
    std::size_t len = 0;
    nc_type type = 0;
    if (nc_inq_att(id_, var, name, &type, &len) != NC_NOERR || type != NC_CHAR) return {};
    std::string s(len, '\0');
    check(nc_get_att_text(id_, var, name, s.data()), fmt::format("attribute {}", name));
    return s;
  }
  std::optional<double> number_attribute(int var, const char* name) const {
    std::size_t len = 0;
    nc_type type = 0;
    if (nc_inq_att(id_, var, name, &type, &len) != NC_NOERR || type == NC_CHAR || len < 1) return std::nullopt;
    double v = 0;
    check(nc_get_att_double(id_, var, name, &v), fmt::format("attribute {}", name));
    return v;
  }
  std::string var_name(int var) const {
    char name[NC_MAX_NAME + 1];
    check(nc_inq_varname(id_, var, name), "variable name");
    return name;
  }
  std::vector<std::string> dim_names(int var) const {
    int ndims = 0;
    check(nc_inq_varndims(id_, var, &ndims), "variable dimensions");
    std::vector<int> dims(static_cast<std::size_t>(ndims));
    check(nc_inq_vardimid(id_, var, dims.data()), "variable dimensions");
    std::vector<std::string> names;
    for (const int d : dims) {
      char name[NC_MAX_NAME + 1];
      check(nc_inq_dimname(id_, d, name), "dimension name");
      names.emplace_back(name);
    }
    return names;
  }
  std::size_t dim_length(const std::string& name) const {
    int dim = 0;
    std::size_t len = 0;
    check(nc_inq_dimid(id_, name.c_str(), &dim), fmt::format("dimension {}", name));
    check(nc_inq_dimlen(id_, dim, &len), fmt::format("dimension {}", name));
    return len;
  }
  std::optional<int> var_id(const std::string& name) const {
    int var = 0;
    if (nc_inq_varid(id_, name.c_str(), &var) != NC_NOERR) return std::nullopt;
    return var;
  }
  // The whole variable converted to T (netCDF-C converts between numeric types).
  template <typename T>
  std::vector<T> read_all(const std::string& name) const;

  double value_at(int var, std::size_t index) const {
    double v = 0;
    check(nc_get_var1_double(id_, var, &index, &v), fmt::format("reading {}", var_name(var)));
    return v;
  }

 private:
  std::string path_;
  int id_ = -1;
};

template <typename T>
std::vector<T> NcFile::read_all(const std::string& name) const {
  const auto var = var_id(name);
  if (!var) fail("{}: no variable '{}'", path_, name);
  std::size_t n = 1;
  for (const auto& dim : dim_names(*var)) n *= dim_length(dim);
  std::vector<T> out(n);
  int rc = NC_NOERR;
  if constexpr (std::is_same_v<T, double>) rc = nc_get_var_double(id_, *var, out.data());
  else if constexpr (std::is_same_v<T, float>) rc = nc_get_var_float(id_, *var, out.data());
  else if constexpr (std::is_same_v<T, int>) rc = nc_get_var_int(id_, *var, out.data());
  else if constexpr (std::is_same_v<T, short>) rc = nc_get_var_short(id_, *var, out.data());
  else if constexpr (std::is_same_v<T, signed char>) rc = nc_get_var_schar(id_, *var, out.data());
  else static_assert(sizeof(T) == 0, "unsupported element type");
  check(rc, fmt::format("reading {}", name));
  return out;
}

}  // namespace granary::nc
