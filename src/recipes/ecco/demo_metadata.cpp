#include "recipes/ecco/demo_metadata.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "recipes/ecco/grouping.hpp"
#include "recipes/ecco/metadata.hpp"
#include "recipes/ecco/naming.hpp"
#include "recipes/ecco/podaac_table.hpp"
#include "util/files.hpp"

namespace granary::ecco {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::ordered_json;  // keeps the key order of the real files, for readers

constexpr const char* kPrefix = "ECCOv4r4_";
constexpr const char* kVersion = "V4r4";

Json grouping(const std::string& name, const std::string& fields, const std::string& product,
              const std::string& filename, const std::string& dimension, const std::string& frequency) {
  return Json{{"name", name}, {"fields", fields},       {"product", product},
              {"filename", filename}, {"dimension", dimension}, {"frequency", frequency}};
}

Json groupings(const std::string& product) {
  const bool latlon = product == "latlon";
  Json ssh = grouping("dynamic sea surface height", "SSH", product, "SEA_SURFACE_HEIGHT", "2D", "AVG_DAY, AVG_MON");
  ssh["comment"] = "Demo dataset: SSH is the synthetic dynamic sea surface height of the granary test fixtures.";
  Json ts = grouping("ocean potential temperature and salinity", "THETA, SALT", product, "OCEAN_TEMPERATURE_SALINITY",
                     "3D", "AVG_MON");
  Json vel = latlon ? grouping("ocean velocity", "EVEL, NVEL", product, "OCEAN_VELOCITY", "3D", "AVG_MON")
                    : grouping("ocean velocity", "UVEL, VVEL", product, "OCEAN_VELOCITY", "3D", "AVG_MON");
  Json stress = latlon ? grouping("ocean surface stress", "oceTAUE, oceTAUN", product, "OCEAN_AND_ICE_SURFACE_STRESS",
                                  "2D", "AVG_MON")
                       : grouping("ocean surface stress", "oceTAUX, oceTAUY", product, "OCEAN_AND_ICE_SURFACE_STRESS",
                                  "2D", "AVG_MON");
  if (latlon) {
    vel["field_components"] = Json{{"EVEL", {{"x", "UVEL"}, {"y", "VVEL"}}}, {"NVEL", {{"x", "UVEL"}, {"y", "VVEL"}}}};
    vel["field_orientations"] = Json{{"EVEL", "zonal"}, {"NVEL", "meridional"}};
    stress["field_components"] = Json{{"oceTAUE", {{"x", "oceTAUX"}, {"y", "oceTAUY"}}},
                                      {"oceTAUN", {{"x", "oceTAUX"}, {"y", "oceTAUY"}}}};
    stress["field_orientations"] = Json{{"oceTAUE", "zonal"}, {"oceTAUN", "meridional"}};
  }
  return Json::array({ssh, ts, vel, stress});
}

Json variable(const std::string& name, const std::string& long_name, const std::string& units,
              const std::string& standard_name, const std::string& comment_1, const std::string& comment_2,
              const std::string& keywords, const std::string& dimension, const std::string& location) {
  Json v{{"name", name}, {"long_name", long_name}, {"units", units}};
  if (!standard_name.empty()) v["standard_name"] = standard_name;
  v["comments_1"] = comment_1;
  v["comments_2"] = comment_2;
  v["GCMD_keywords"] = keywords;
  v["grid_dimension"] = dimension;
  if (!location.empty()) v["grid_location"] = location;
  v["coverage_content_type"] = "modelResult";
  return v;
}

const char* kKwSsh = "EARTH SCIENCE > OCEANS > SEA SURFACE TOPOGRAPHY > SEA SURFACE HEIGHT";
const char* kKwCurrents = "EARTH SCIENCE > OCEANS > OCEAN CIRCULATION > OCEAN CURRENTS";
const char* kKwStress = "EARTH SCIENCE > OCEANS > OCEAN WINDS > WIND STRESS";

Json native_variables() {
  Json list = Json::array();
  list.push_back(variable("SSH", "Dynamic sea surface height anomaly", "m", "sea_surface_height_above_geoid",
                          "Synthetic sea surface height of the granary demo", "Smooth in space, linear in time.",
                          kKwSsh, "2D", "c"));
  list.push_back(variable("THETA", "Potential temperature", "degree_C", "sea_water_potential_temperature",
                          "Synthetic potential temperature of the granary demo.", "",
                          "EARTH SCIENCE > OCEANS > OCEAN TEMPERATURE > POTENTIAL TEMPERATURE", "3D", "c"));
  list.push_back(variable("SALT", "Salinity", "1e-3", "sea_water_salinity", "",
                          "Synthetic salinity of the granary demo.",
                          "EARTH SCIENCE > OCEANS > SALINITY/DENSITY > SALINITY", "3D", "c"));
  Json uvel = variable("UVEL", "Horizontal velocity in the model +x direction", "m s-1", "sea_water_x_velocity",
                       "Velocity through the 'u' face of the tracer cell",
                       "The model x axis turns from tile to tile; see EVEL for the zonal component.",
                       std::string(kKwCurrents) + ", EARTH SCIENCE > OCEANS > OCEAN CIRCULATION", "3D", "u");
  uvel["direction"] = ">0 moves water in the +x direction";
  list.push_back(uvel);
  Json vvel = variable("VVEL", "Horizontal velocity in the model +y direction", "m s-1", "sea_water_y_velocity",
                       "Velocity through the 'v' face of the tracer cell",
                       "The model y axis turns from tile to tile; see NVEL for the meridional component.",
                       kKwCurrents, "3D", "v");
  vvel["direction"] = ">0 moves water in the +y direction";
  list.push_back(vvel);
  list.push_back(variable("oceTAUX", "Ocean surface stress in the model +x direction", "N m-2",
                          "downward_x_stress_at_sea_water_surface", "Surface stress at the 'u' face.", "",
                          kKwStress, "2D", "u"));
  list.push_back(variable("oceTAUY", "Ocean surface stress in the model +y direction", "N m-2",
                          "downward_y_stress_at_sea_water_surface", "Surface stress at the 'v' face.", "",
                          kKwStress, "2D", "v"));
  return list;
}

Json latlon_variables() {
  Json list = Json::array();
  list.push_back(variable("EVEL", "Zonal (east-west) velocity", "m s-1", "eastward_sea_water_velocity",
                          "Zonal component of the demo velocity",
                          "Rotated from UVEL and VVEL at tracer cell centres.", kKwCurrents, "3D", ""));
  list.push_back(variable("NVEL", "Meridional (north-south) velocity", "m s-1", "northward_sea_water_velocity",
                          "Meridional component of the demo velocity",
                          "Rotated from UVEL and VVEL at tracer cell centres.", kKwCurrents, "3D", ""));
  list.push_back(variable("oceTAUE", "Zonal (east-west) ocean surface stress", "N m-2",
                          "surface_downward_eastward_stress", "Zonal component of the demo surface stress.",
                          "Rotated from oceTAUX and oceTAUY.", kKwStress, "2D", ""));
  list.push_back(variable("oceTAUN", "Meridional (north-south) ocean surface stress", "N m-2",
                          "surface_downward_northward_stress", "Meridional component of the demo surface stress.",
                          "Rotated from oceTAUX and oceTAUY.", kKwStress, "2D", ""));
  return list;
}

Json geometry(bool latlon) {
  Json list = Json::array();
  list.push_back(variable("Depth", "model seafloor depth below ocean surface at rest", "m",
                          "sea_floor_depth_below_geoid", "Seafloor depth of the model grid.", "", "", "2D", "c"));
  if (latlon)
    list.push_back(variable("area", "area of lat-lon grid cell", "m2", "cell_area", "", "", "", "2D", "c"));
  return list;
}

Json coordinate(const std::string& name, const std::string& long_name, Json extra, const std::string& dimension) {
  Json c{{"name", name}, {"long_name", long_name}};
  for (auto& [key, value] : extra.items()) c[key] = value;
  c["grid_dimension"] = dimension;
  c["coverage_content_type"] = "coordinate";
  return c;
}

Json time_coordinates(bool with_axis) {
  const char* units = "hours since 1992-01-01 12:00:00";
  Json time_extra{{"standard_name", "time"}, {"units", units}};
  if (with_axis) time_extra["axis"] = "T";
  time_extra["bounds"] = "time_bnds";
  return Json::array({coordinate("time", "midpoint of averaging period or snapshot", time_extra, "1D 2D 3D"),
                      coordinate("time_bnds", "time bounds of averaging period",
                                 Json{{"comment", "Start and end times of the averaging period."}, {"units", units}},
                                 "1D 2D 3D")});
}

Json depth_coordinates(const std::string& long_name) {
  return Json::array(
      {coordinate("Z", long_name,
                  Json{{"standard_name", "depth"}, {"units", "m"}, {"axis", "Z"}, {"positive", "up"}, {"bounds", "Z_bnds"}},
                  "3D"),
       coordinate("Z_bnds", "depths of the top and bottom faces of the grid cell",
                  Json{{"units", "m"}, {"positive", "up"}}, "3D")});
}

Json native_coordinates() {
  Json list = time_coordinates(false);
  list.push_back(coordinate("i", "grid index in x for variables at tracer and 'v' locations", Json{{"axis", "X"}}, "2D 3D"));
  list.push_back(coordinate("i_g", "grid index in x for variables at 'u' and 'g' locations", Json::object(), "2D 3D"));
  list.push_back(coordinate("j", "grid index in y for variables at tracer and 'u' locations", Json{{"axis", "Y"}}, "2D 3D"));
  list.push_back(coordinate("j_g", "grid index in y for variables at 'v' and 'g' locations", Json::object(), "2D 3D"));
  list.push_back(coordinate("k", "grid index in z for tracer variables", Json{{"axis", "Z"}}, "3D"));
  list.push_back(coordinate("tile", "lat-lon-cap tile index", Json{{"comment", "13 tiles of 90x90 cells."}}, "2D 3D"));
  list.push_back(coordinate("XC", "longitude of tracer grid cell center",
                            Json{{"standard_name", "longitude"}, {"units", "degrees_east"}, {"bounds", "XC_bnds"}}, "2D 3D"));
  list.push_back(coordinate("YC", "latitude of tracer grid cell center",
                            Json{{"standard_name", "latitude"}, {"units", "degrees_north"}, {"bounds", "YC_bnds"}}, "2D 3D"));
  list.push_back(coordinate("XC_bnds", "longitudes of tracer grid cell corners", Json::object(), "2D 3D"));
  list.push_back(coordinate("YC_bnds", "latitudes of tracer grid cell corners", Json::object(), "2D 3D"));
  for (auto& c : depth_coordinates("depth of tracer grid cell center")) list.push_back(c);
  return list;
}

Json latlon_coordinates() {
  Json list = time_coordinates(true);
  list.push_back(coordinate("latitude", "latitude at grid cell center",
                            Json{{"units", "degrees_north"}, {"standard_name", "latitude"}, {"axis", "Y"},
                                 {"bounds", "latitude_bnds"}},
                            "2D 3D"));
  list.push_back(coordinate("latitude_bnds", "latitudes of grid cell edges", Json{{"units", "degrees_north"}}, "2D 3D"));
  list.push_back(coordinate("longitude", "longitude at grid cell center",
                            Json{{"units", "degrees_east"}, {"standard_name", "longitude"}, {"axis", "X"},
                                 {"bounds", "longitude_bnds"}},
                            "2D 3D"));
  list.push_back(coordinate("longitude_bnds", "longitudes of grid cell edges", Json{{"units", "degrees_east"}}, "2D 3D"));
  for (auto& c : depth_coordinates("depth of grid cell center")) list.push_back(c);
  return list;
}

Json global(const std::string& name, const std::string& type, Json value, const std::string& dimensions = "") {
  Json g{{"name", name}, {"type", type}, {"value", std::move(value)}};
  if (!dimensions.empty()) g["grid_dimension"] = dimensions;
  return g;
}

Json global_all() {
  return Json::array({
      global("acknowledgement", "s", "Synthetic metadata written by granary for demonstrations and tests."),
      global("cdm_data_type", "s", "Grid"),
      global("Conventions", "s", "CF-1.8, ACDD-1.3"),
      global("creator_name", "s", "granary demo"),
      global("creator_type", "s", "group"),
      global("date_created", "s", "TBD_DATASET"),
      global("date_issued", "s", "TBD_DATASET"),
      global("date_metadata_modified", "s", "TBD_DATASET"),
      global("geospatial_lat_max", "f", 90, "2D 3D"),
      global("geospatial_lat_min", "f", -90, "2D 3D"),
      global("geospatial_lat_units", "s", "degrees_north", "2D 3D"),
      global("geospatial_lon_max", "f", 180, "2D 3D"),
      global("geospatial_lon_min", "f", -180, "2D 3D"),
      global("geospatial_lon_units", "s", "degrees_east", "2D 3D"),
      global("geospatial_vertical_max", "f", "0", "3D"),
      global("geospatial_vertical_positive", "s", "up", "3D"),
      global("geospatial_vertical_units", "s", "meter", "3D"),
      global("history", "s", "Synthetic granary demo products."),
      global("id", "s", "TBD_DOI"),
      global("keywords", "s", "EARTH SCIENCE SERVICES > MODELS > EARTH SCIENCE REANALYSES/ASSIMILATION MODELS"),
      global("keywords_vocabulary", "s", "NASA Global Change Master Directory (GCMD) Science Keywords"),
      global("license", "s", "Public Domain"),
      global("metadata_link", "s", "TBD_DATASET"),
      global("processing_level", "s", "L4"),
      global("product_name", "s", "TBD_FILENAME"),
      global("product_version", "s", "demo"),
      global("references", "s", "granary: ECCO product recipe demonstration data."),
      global("source", "s", "Analytic fields on the LLC90 grid written by granary ecco synth."),
      global("summary", "s", "These granules hold synthetic values and are only for testing the production chain."),
      global("time_coverage_end", "s", "TBD_DATASET"),
      global("time_coverage_start", "s", "TBD_DATASET"),
      global("title", "s", "TBD_DATASET"),
      global("uuid", "s", "TBD_DATASET"),
  });
}

Json global_product(bool latlon) {
  if (latlon)
    return Json::array({global("comment", "s", "Demo fields mapped to a regular 0.5 degree lat-lon grid."),
                        global("geospatial_lat_resolution", "f", 0.5, "2D 3D"),
                        global("geospatial_lon_resolution", "f", 0.5, "2D 3D")});
  return Json::array({global("comment", "s", "Demo fields on the lat-lon-cap 90 (llc90) native grid."),
                      global("geospatial_lat_resolution", "s", "variable", "2D 3D"),
                      global("geospatial_lon_resolution", "s", "variable", "2D 3D")});
}

// One table row per grouping x product x frequency, with the file name of its first granule.
std::vector<PodaacRow> podaac_rows(const std::string& native_grid_label) {
  struct Dataset {
    const char* filename;
    const char* title;
    const char* code;
  };
  const Dataset datasets[] = {{"SEA_SURFACE_HEIGHT", "Sea Surface Height", "SSH"},
                              {"OCEAN_TEMPERATURE_SALINITY", "Ocean Temperature and Salinity", "OTS"},
                              {"OCEAN_VELOCITY", "Ocean Velocity", "OVE"},
                              {"OCEAN_AND_ICE_SURFACE_STRESS", "Ocean Surface Stress", "STR"}};
  std::vector<PodaacRow> rows;
  ProductStrings strings;
  strings.grid_label_native = native_grid_label;
  for (const auto& d : datasets)
    for (Product product : {Product::Latlon, Product::Native})
      for (Frequency f : {Frequency::AvgDay, Frequency::AvgMon}) {
        if (f == Frequency::AvgDay && std::string(d.code) != "SSH") continue;
        const bool latlon = product == Product::Latlon;
        const bool daily = f == Frequency::AvgDay;
        Grouping g;
        g.filename = d.filename;
        g.product = product;
        PodaacRow row;
        row.file_name = product_file_name(g, time_info(f, daily ? 12 : 732), strings);
        row.short_name = fmt::format("GRANARY_DEMO_{}_{}_{}", d.code, latlon ? "05DEG" : "LLC0090GRID",
                                     daily ? "DAILY" : "MONTHLY");
        row.long_name = fmt::format("Demo {} - {} Mean {} (granary)", d.title, daily ? "Daily" : "Monthly",
                                    latlon ? "0.5 Degree" : "llc90 Grid");
        row.persistent_id = fmt::format("PODAAC-DM{}5{}-{}00", latlon ? "G" : "L", daily ? "D" : "M", d.code);
        row.description = fmt::format("Synthetic {}-averaged {} for testing.", daily ? "daily" : "monthly", d.title);
        rows.push_back(std::move(row));
      }
  return rows;
}

void write_json(const fs::path& dir, const std::string& suffix, const Json& content) {
  files::write_atomic(dir / (std::string(kPrefix) + suffix), content.dump(3) + "\n");
}

}  // namespace

void write_demo_metadata(const fs::path& dir, const std::string& native_grid_label) {
  fs::create_directories(dir);
  write_json(dir, "groupings_for_native_datasets.json", groupings("native"));
  write_json(dir, "groupings_for_latlon_datasets.json", groupings("latlon"));
  write_json(dir, "variable_metadata.json", native_variables());
  write_json(dir, "variable_metadata_for_latlon_datasets.json", latlon_variables());
  write_json(dir, "geometry_metadata_for_native_datasets.json", geometry(false));
  write_json(dir, "geometry_metadata_for_latlon_datasets.json", geometry(true));
  write_json(dir, "coordinate_metadata_for_native_datasets.json", native_coordinates());
  write_json(dir, "coordinate_metadata_for_latlon_datasets.json", latlon_coordinates());
  write_json(dir, "global_metadata_for_all_datasets.json", global_all());
  write_json(dir, "global_metadata_for_native_datasets.json", global_product(false));
  write_json(dir, "global_metadata_for_latlon_datasets.json", global_product(true));
  files::write_atomic(dir / kDefaultPodaacCsv, format_podaac_csv(podaac_rows(native_grid_label), kVersion));
}

}  // namespace granary::ecco
