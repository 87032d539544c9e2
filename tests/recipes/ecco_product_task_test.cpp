// End-to-end tests of one ECCO product task on the synthetic demo set (always available):
// outputs, metadata, bad inputs (truncated file, disagreeing .meta, missing field, unknown
// grouping) with clear errors and no partial files, and resume. Plus, on the real LLC90
// grid and V4r4 metadata, the grouping-0 SSH lat-lon job against the oracle.
#include <gtest/gtest.h>

#include <netcdf.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "grids/llc/grid.hpp"
#include "ops/regrid/factors.hpp"
#include "recipes/ecco/config.hpp"
#include "recipes/ecco/demo_metadata.hpp"
#include "recipes/ecco/demo_run.hpp"
#include "recipes/ecco/model_field.hpp"
#include "recipes/ecco/product_task.hpp"
#include "recipes/ecco/synth_fields.hpp"
#include "recipes/ecco/task_context.hpp"
#include "support/test_support.hpp"
#include "util/endian.hpp"
#include "util/files.hpp"

namespace granary {
namespace {
namespace fs = std::filesystem;

// Every file under dir (recursively) whose name contains ".part": partial outputs.
std::vector<fs::path> partial_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".part") != std::string::npos) out.push_back(e.path());
  return out;
}

std::vector<float> read_nc_floats(const fs::path& path, const char* var, std::vector<std::size_t>* shape = nullptr) {
  int nc = -1, id = -1, ndims = 0;
  EXPECT_EQ(nc_open(path.c_str(), NC_NOWRITE, &nc), NC_NOERR) << path;
  EXPECT_EQ(nc_inq_varid(nc, var, &id), NC_NOERR) << var;
  nc_inq_varndims(nc, id, &ndims);
  std::vector<int> dims(ndims);
  nc_inq_vardimid(nc, id, dims.data());
  std::size_t n = 1;
  if (shape) shape->clear();
  for (int d : dims) {
    std::size_t len = 0;
    nc_inq_dimlen(nc, d, &len);
    n *= len;
    if (shape) shape->push_back(len);
  }
  std::vector<float> v(n);
  EXPECT_EQ(nc_get_var_float(nc, id, v.data()), NC_NOERR);
  nc_close(nc);
  return v;
}

std::vector<int> read_nc_ints(const fs::path& path, const char* var) {
  int nc = -1, id = -1;
  EXPECT_EQ(nc_open(path.c_str(), NC_NOWRITE, &nc), NC_NOERR);
  EXPECT_EQ(nc_inq_varid(nc, var, &id), NC_NOERR) << var;
  std::vector<int> v(2, -999);
  std::size_t len = 0;
  int ndims = 0, dims[4];
  nc_inq_var(nc, id, nullptr, nullptr, &ndims, dims, nullptr);
  std::size_t n = 1;
  for (int d = 0; d < ndims; ++d) {
    nc_inq_dimlen(nc, dims[d], &len);
    n *= len;
  }
  v.resize(n);
  nc_get_var_int(nc, id, v.data());
  nc_close(nc);
  return v;
}

class EccoProductTask : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    ecco::synth::SynthOptions opt;
    opt.nx = 12;
    opt.levels = 6;
    opt.months = 2;
    opt.days = 1;
    ecco::synth::write_synthetic_ecco(dir_->path().string(), opt);
    ecco::write_demo_metadata(dir_->path() / "metadata", "llc0012");
    ecco::write_demo_run_files(dir_->path().string(), opt.nx);
    auto grid = llc::load_grid((dir_->path() / "grid").string());
    regrid::Factors::build(grid, grid.nz, 0.5, 2).save((dir_->path() / "factors.bin").string());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  // A fresh copy of the demo set (tests corrupt inputs), its context built from config.yaml.
  fs::path copy_demo(const std::string& name) {
    auto dst = dir_->path() / ("case-" + name);
    fs::remove_all(dst);
    fs::create_directories(dst);
    for (auto& e : fs::directory_iterator(dir_->path())) {
      if (e.path().filename().string().rfind("case-", 0) == 0) continue;
      fs::copy(e.path(), dst / e.path().filename(), fs::copy_options::recursive);
    }
    return dst;
  }
  static std::shared_ptr<const ecco::TaskContext> context(const fs::path& demo) {
    return ecco::make_task_context(ecco::load_run_config(demo / "config.yaml"), true);
  }
  static test::TempDir* dir_;
};
test::TempDir* EccoProductTask::dir_ = nullptr;

ecco::ProductTask task(int grouping, ecco::Product p, ecco::Frequency f, std::int64_t ts) {
  ecco::ProductTask t;
  t.grouping = grouping;
  t.product = p;
  t.frequency = f;
  t.timestep = ts;
  return t;
}

TEST_F(EccoProductTask, LatlonSshMonthlyHasTheConventionalNameBoundsAndValues) {
  auto demo = copy_demo("ssh");
  auto ctx = context(demo);
  auto r = ecco::run_product_task(*ctx, task(0, ecco::Product::Latlon, ecco::Frequency::AvgMon, 732));
  ASSERT_EQ(r["status"], "SUCCESS") << r.dump(1);
  fs::path out = r["output"].get<std::string>();
  EXPECT_EQ(out.filename(), "SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc");
  EXPECT_EQ(fs::relative(out, demo / "products").parent_path(), fs::path("latlon/mon_mean/SEA_SURFACE_HEIGHT"));
  // January 1992: [1992-01-01T12, 1992-02-01T00] = hours [0, 732], centre 366.
  EXPECT_EQ(read_nc_ints(out, "time_bnds"), (std::vector<int>{0, 732}));
  EXPECT_EQ(read_nc_ints(out, "time"), (std::vector<int>{366}));
  EXPECT_EQ(r["sha256"].get<std::string>(), files::sha256_file(out));

  // Values: exactly the factors applied to the model field, NaN on land.
  std::vector<std::size_t> shape;
  auto ssh = read_nc_floats(out, "SSH", &shape);
  EXPECT_EQ(shape, (std::vector<std::size_t>{1, 360, 720}));
  auto field = ecco::read_model_field(ctx->grid, ecco::model_field_path(demo / "model_output", "SSH", ecco::Frequency::AvgMon, 732),
                                      "SSH", 1);
  std::vector<float> expect(360 * 720);
  ctx->factors->apply(0, field.values.data(), expect.data());
  std::size_t land = 0;
  for (std::size_t t = 0; t < expect.size(); ++t) {
    if (std::isnan(expect[t])) {
      ++land;
      // netCDF-C reads the stored _FillValue back as is.
      EXPECT_EQ(ssh[t], 9.969209968386869e36f) << t;
    } else {
      ASSERT_EQ(std::memcmp(&ssh[t], &expect[t], 4), 0) << t;
    }
  }
  EXPECT_GT(land, 1000u);
  EXPECT_LT(land, expect.size() / 2);

  // Resume: the second run skips; --overwrite redoes it.
  EXPECT_EQ(ecco::run_product_task(*ctx, task(0, ecco::Product::Latlon, ecco::Frequency::AvgMon, 732))["status"], "SKIP");
  EXPECT_EQ(ecco::run_product_task(*ctx, task(0, ecco::Product::Latlon, ecco::Frequency::AvgMon, 732), true)["status"],
            "SUCCESS");
  EXPECT_TRUE(partial_files(demo / "products").empty());
}

TEST_F(EccoProductTask, NativeThreeDimensionalVelocityIsMaskedOnItsFaces) {
  auto demo = copy_demo("native");
  auto ctx = context(demo);
  auto r = ecco::run_product_task(*ctx, task(2, ecco::Product::Native, ecco::Frequency::AvgMon, 1428));
  ASSERT_EQ(r["status"], "SUCCESS") << r.dump(1);
  std::vector<std::size_t> shape;
  auto u = read_nc_floats(r["output"].get<std::string>(), "UVEL", &shape);
  ASSERT_EQ(shape, (std::vector<std::size_t>{1, 6, 13, 12, 12}));
  const std::size_t n = ctx->grid.points();
  std::size_t wet = 0;
  for (int k = 0; k < 6; ++k) {
    const auto* mask = ctx->grid.mask_level(llc::Location::W, k);
    for (std::size_t p = 0; p < n; ++p) {
      bool fill = u[k * n + p] == 9.969209968386869e36f;
      EXPECT_EQ(fill, mask[p] == 0) << "k " << k << " p " << p;
      wet += mask[p];
    }
  }
  EXPECT_GT(wet, 0u);
}

TEST_F(EccoProductTask, TruncatedInputFailsClearlyAndLeavesNoFile) {
  auto demo = copy_demo("truncated");
  fs::path path = ecco::model_field_path(demo / "model_output", "SSH", ecco::Frequency::AvgMon, 732);
  fs::resize_file(path, fs::file_size(path) - 100);
  auto ctx = context(demo);
  auto r = ecco::run_product_task(*ctx, task(0, ecco::Product::Latlon, ecco::Frequency::AvgMon, 732));
  EXPECT_EQ(r["status"], "FAILED");
  auto error = r["error"].get<std::string>();
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
  EXPECT_NE(error.find(path.string()), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(r["output"].get<std::string>()));
  EXPECT_TRUE(partial_files(demo / "products").empty());
  // The other timestep of the same job is unaffected.
  EXPECT_EQ(ecco::run_product_task(*ctx, task(0, ecco::Product::Latlon, ecco::Frequency::AvgMon, 1428))["status"], "SUCCESS");
}

TEST_F(EccoProductTask, MetaThatDisagreesWithTheDataFailsClearly) {
  auto demo = copy_demo("meta");
  fs::path data = ecco::model_field_path(demo / "model_output", "THETA", ecco::Frequency::AvgMon, 732);
  auto meta = data;
  meta.replace_extension(".meta");
  std::string text = files::read_text(meta);
  auto at = text.find("nrecords = [     1 ]");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, std::strlen("nrecords = [     1 ]"), "nrecords = [     2 ]");
  std::ofstream(meta) << text;
  auto ctx = context(demo);
  auto r = ecco::run_product_task(*ctx, task(1, ecco::Product::Native, ecco::Frequency::AvgMon, 732));
  EXPECT_EQ(r["status"], "FAILED");
  auto error = r["error"].get<std::string>();
  EXPECT_NE(error.find(meta.string()), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(r["output"].get<std::string>()));
  EXPECT_TRUE(partial_files(demo / "products").empty());
}

TEST_F(EccoProductTask, MissingFieldFailsNamingIt) {
  auto demo = copy_demo("missing");
  auto salt = ecco::model_field_path(demo / "model_output", "SALT", ecco::Frequency::AvgMon, 732);
  fs::remove(salt);
  auto ctx = context(demo);
  auto r = ecco::run_product_task(*ctx, task(1, ecco::Product::Latlon, ecco::Frequency::AvgMon, 732));
  EXPECT_EQ(r["status"], "FAILED");
  auto error = r["error"].get<std::string>();
  EXPECT_NE(error.find("missing field SALT"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(r["output"].get<std::string>()));
}

TEST_F(EccoProductTask, UnknownGroupingAndFrequencyFailClearly) {
  auto demo = copy_demo("unknown");
  auto ctx = context(demo);
  auto r = ecco::run_product_task(*ctx, task(99, ecco::Product::Latlon, ecco::Frequency::AvgMon, 732));
  EXPECT_EQ(r["status"], "FAILED");
  EXPECT_NE(r["error"].get<std::string>().find("99"), std::string::npos) << r.dump();
  auto s = ecco::run_product_task(*ctx, task(1, ecco::Product::Latlon, ecco::Frequency::Snap, 732));
  EXPECT_EQ(s["status"], "FAILED");
  EXPECT_NE(s["error"].get<std::string>().find("SNAP"), std::string::npos) << s.dump();
}

TEST_F(EccoProductTask, OutputsOpenInXarrayAndCdo) {
  GRANARY_REQUIRE_ORACLE(py);
  auto demo = copy_demo("readers");
  auto ctx = context(demo);
  auto latlon = ecco::run_product_task(*ctx, task(1, ecco::Product::Latlon, ecco::Frequency::AvgMon, 732));
  auto native = ecco::run_product_task(*ctx, task(0, ecco::Product::Native, ecco::Frequency::AvgMon, 732));
  ASSERT_EQ(latlon["status"], "SUCCESS") << latlon.dump(1);
  ASSERT_EQ(native["status"], "SUCCESS") << native.dump(1);
  auto r = test::run_command(py + " -c \"import xarray as xr; a = xr.open_dataset('" + latlon["output"].get<std::string>() +
                             "'); b = xr.open_dataset('" + native["output"].get<std::string>() +
                             "'); print(a.THETA.dims, a.THETA.attrs['units'], b.SSH.dims, str(a.time.values[0])[:19])\"");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("('time', 'Z', 'latitude', 'longitude')"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("('time', 'tile', 'j', 'i')"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1992-01-16T18:00:00"), std::string::npos) << r.out;
  if (test::run_command("command -v cdo").exit_code == 0) {
    auto c = test::run_command("cdo -s sinfo " + latlon["output"].get<std::string>());
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_NE(c.out.find("lonlat"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("points=259200 (720x360)"), std::string::npos) << c.out;
  }
}

// The real thing: LLC90 grid, V4r4 metadata, grouping 0 (SSH, SSHIBC, SSHNOIBC) for
// timestep 732 through `granary ecco run`, against the oracle's lat-lon regridding.
TEST(EccoRealRun, Grouping0SshLatlonMatchesTheOracleAndConventions) {
  GRANARY_REQUIRE_REAL_DATA(data);
  GRANARY_REQUIRE_ORACLE(py);
  test::TempDir dir;
  const auto ecco = data / "ecco";
  const auto ssh_bin = ecco / "model_output_r2_mean/SSH.bin";
  // Model output: the real r2 mean SSH as the January 1992 monthly mean of all three fields.
  for (const char* field : {"SSH", "SSHIBC", "SSHNOIBC"}) {
    fs::path path = ecco::model_field_path(dir / "model_output", field, ecco::Frequency::AvgMon, 732);
    fs::create_directories(path.parent_path());
    fs::copy_file(ssh_bin, path);
    auto meta = path;
    std::ofstream(meta.replace_extension(".meta"))
        << " nDims = [   2 ];\n dimList = [\n    90,    1,   90,\n  1170,    1, 1170\n ];\n"
           " dataprec = [ 'float32' ];\n nrecords = [     1 ];\n timeStepNumber = [        732 ];\n"
           " timeInterval = [  3.600000000000E+03  2.635200000000E+06 ];\n nFlds = [    1 ];\n fldList = {\n '"
        << field << "'\n };\n";
  }
  std::ofstream(dir / "config.yaml") << "ecco_version: V4r4\nmodel_output_dir: model_output\nprocessed_output_dir: products\n"
                                        "mapping_factors: factors.bin\nmetadata_dir: "
                                     << (ecco / "metadata_v4r4").string() << "\ngrid_dir: " << (ecco / "grid_llc90").string()
                                     << "\nmodel_start_time: '1992-01-01T12:00:00'\nmodel_end_time: '2017-12-31T12:00:00'\n";
  std::ofstream(dir / "jobs.txt") << "# grouping 0 lat-lon, monthly, first timestep\n0,latlon,AVG_MON,1\n";
  auto f = test::run_granary("ecco factors --grid " + (ecco / "grid_llc90").string() + " --out " + (dir / "factors.bin").string());
  ASSERT_EQ(f.exit_code, 0) << f.err;
  auto run = test::run_granary("ecco run --config " + (dir / "config.yaml").string() + " --jobs " + (dir / "jobs.txt").string() +
                               " -j 2 --report " + (dir / "report.json").string());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto out = dir / "products/latlon/mon_mean/SEA_SURFACE_HEIGHT/SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc";
  ASSERT_TRUE(fs::exists(out)) << run.out << run.err;
  EXPECT_EQ(read_nc_ints(out, "time_bnds"), (std::vector<int>{0, 732}));

  // The oracle's regridding of the same field, compared with its own exact comparison.
  auto oracle = test::reference_dir() / "ecco_reference.py";
  auto of = test::run_command(py + " " + oracle.string() + " factors --grid " + (ecco / "grid_llc90").string() + " --out " +
                              (dir / "oracle_factors").string() + " --levels 1");
  ASSERT_EQ(of.exit_code, 0) << of.err;
  auto ol = test::run_command(py + " " + oracle.string() + " latlon --grid " + (ecco / "grid_llc90").string() + " --factors " +
                              (dir / "oracle_factors").string() + " --field " + ssh_bin.string() + " --out " +
                              (dir / "oracle.nc").string() + " --name SSH");
  ASSERT_EQ(ol.exit_code, 0) << ol.err;
  for (const char* var : {"SSH", "SSHIBC", "SSHNOIBC"}) {
    auto cmp = test::run_command(py + " " + oracle.string() + " compare " + (dir / "oracle.nc").string() + " " + out.string() +
                                 " --name " + var + " 2>&1");
    // The oracle's file names its variable SSH; compare each of ours against it.
    if (std::string(var) != "SSH") {
      cmp = test::run_command(py + " -c \"import xarray as xr, numpy as np; a = xr.open_dataset('" + (dir / "oracle.nc").string() +
                              "').SSH.values; b = xr.open_dataset('" + out.string() + "')." + var +
                              ".values; import sys; ok = np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(a[~np.isnan(a)], "
                              "b[~np.isnan(b)]); print('OK' if ok else 'FAIL'); sys.exit(0 if ok else 1)\"");
    }
    EXPECT_EQ(cmp.exit_code, 0) << var << ": " << cmp.out << cmp.err;
    EXPECT_NE(cmp.out.find("OK"), std::string::npos) << var << ": " << cmp.out;
  }
  // CF/ACDD attributes from the V4r4 metadata and the PO.DAAC table.
  auto attrs = test::run_command(py + " -c \"import xarray as xr; d = xr.open_dataset('" + out.string() +
                                 "'); print(d.attrs['product_name']); print(d.attrs['id']); print(d.attrs['time_coverage_start'], "
                                 "d.attrs['time_coverage_end']); print(d.SSH.attrs['units'], d.SSH.encoding['zlib'], "
                                 "d.SSH.encoding['complevel'], d.SSH.encoding['shuffle'])\"");
  ASSERT_EQ(attrs.exit_code, 0) << attrs.err;
  EXPECT_NE(attrs.out.find("SEA_SURFACE_HEIGHT_mon_mean_1992-01_ECCO_V4r4_latlon_0p50deg.nc"), std::string::npos) << attrs.out;
  EXPECT_NE(attrs.out.find("10.5067/"), std::string::npos) << attrs.out;
  EXPECT_NE(attrs.out.find("1992-01-01T12:00:00 1992-02-01T00:00:00"), std::string::npos) << attrs.out;
  EXPECT_NE(attrs.out.find("m True 5 True"), std::string::npos) << attrs.out;
}

}  // namespace
}  // namespace granary
