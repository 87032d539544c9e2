// config.yaml values from outside: long values parse in linear time (std::regex recursed per
// character and overflowed the stack), and paths the OS refuses are named by file and key.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "recipes/ecco/config.hpp"
#include "recipes/ecco/iso_text.hpp"
#include "recipes/ecco/time_axis.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/uri_scheme.hpp"

namespace granary::ecco {
namespace {
namespace fs = std::filesystem;
using test::error_of;

const std::string kConfig = R"(ecco_version: V4r4
model_output_dir: model
processed_output_dir: out
mapping_factors: factors.bin
metadata_dir: meta
grid_dir: grid
model_start_time: 1992-01-01T12:00:00
model_end_time: 2017-12-31T12:00:00
)";

std::string with_key(const std::string& key, const std::string& value) {
  auto text = kConfig;
  const auto at = text.find(key + ":");
  text.replace(at, text.find('\n', at) - at, key + ": " + value);
  return text;
}

TEST(EccoConfigHostile, HundredThousandCharacterValuesAreRefusedQuickly) {
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& time : {std::string(100000, '1'), "1992-01-01T12:00:00." + std::string(100000, '0') + "x",
                                  "1992-01-01T12:00:00" + std::string(100000, 'Z')}) {
    EXPECT_NE(error_of([&] { parse_run_config(with_key("model_start_time", time), "run.yaml"); }).find("model_start_time"),
              std::string::npos);
    EXPECT_FALSE(parse_iso_time(time));
  }
  // A long scheme-like value: refused as a scheme, or a long local path; never a crash.
  const std::string scheme = std::string(100000, 'a') + "://x";
  EXPECT_NE(error_of([&] { parse_run_config(with_key("grid_dir", scheme), "run.yaml"); }).find("scheme is not supported"),
            std::string::npos);
  EXPECT_EQ(parse_run_config(with_key("grid_dir", std::string(100000, 'a')), "/r/run.yaml").grid_dir,
            "/r/" + std::string(100000, 'a'));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(EccoConfigHostile, IsoFormsAreTheSameAsBefore) {
  for (const char* ok : {"1992-01-01", "1992-01-01T12:00", "1992-01-01 12:00", "1992-01-01T12:00:00", "1992-01-01T12:00:00Z",
                         "1992-01-01T12:00:00.000", "1992-01-01Z"})
    EXPECT_TRUE(split_iso_text(ok)) << ok;
  for (const char* bad : {"", "1992-1-01", "1992-01-01T", "1992-01-01T12", "1992-01-01T12:00:", "1992-01-01T12:00:00.",
                          "1992-01-01T12:00:00ZZ", "x1992-01-01", "1992-01-01T12:00:00.5x", "1992-01-01t12:00"})
    EXPECT_FALSE(split_iso_text(bad)) << bad;
  auto t = split_iso_text("2017-12-31 23:59:58.25Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->year + t->month + t->day + *t->hour + *t->minute + *t->second + "." + *t->fraction, "201712312359" "58.25");
  EXPECT_FALSE(parse_iso_time("1992-01-01T12:00:00.5"));  // only zero fractions are whole seconds
  EXPECT_TRUE(parse_iso_time("1992-01-01T12:00:00.000"));
}

TEST(EccoConfigHostile, UriSchemes) {
  EXPECT_EQ(uri_scheme("gs://b/x").value(), "gs");
  EXPECT_EQ(uri_scheme("s3:/b").value(), "s3");
  EXPECT_EQ(uri_scheme("git+ssh://h").value(), "git+ssh");
  EXPECT_FALSE(uri_scheme("relative/path"));
  EXPECT_FALSE(uri_scheme("/abs:/x"));
  EXPECT_FALSE(uri_scheme("1abc://x"));
  EXPECT_FALSE(uri_scheme("abc:"));
}

TEST(EccoConfigHostile, AnOverlongPathComponentNamesTheFileAndTheKey) {
  test::TempDir dir;
  files::write_atomic(dir / "config.yaml", with_key("metadata_dir", std::string(300, 'm')));
  const auto error = error_of([&] { load_run_config(dir / "config.yaml"); });
  EXPECT_NE(error.find("config.yaml: 'metadata_dir' is "), std::string::npos) << error;
  EXPECT_NE(error.find("File name too long"), std::string::npos) << error;
}

TEST(EccoConfigHostile, AMissingDirectoryNamesTheFileAndTheKey) {
  test::TempDir dir;
  files::write_atomic(dir / "config.yaml", kConfig);
  const auto config = load_run_config(dir / "config.yaml");
  const auto error = error_of([&] { require_local_directory(config, "metadata_dir", config.metadata_dir); });
  EXPECT_EQ(error, (dir / "config.yaml").string() + ": 'metadata_dir' is " + (dir / "meta").string() + ": directory not found");
  fs::create_directories(dir / "meta");
  EXPECT_EQ(error_of([&] { require_local_directory(config, "metadata_dir", config.metadata_dir); }), "(no granary::Error thrown)");
}

}  // namespace
}  // namespace granary::ecco
