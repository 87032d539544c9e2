// Crafted .meta files: each is refused with a message naming the file and the key, never a crash.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "formats/mds/meta.hpp"
#include "util/error.hpp"

namespace granary {
namespace {

const std::string kHead = " nDims = [ 2 ];\n dataprec = [ 'float32' ];\n";

// The message of the Error that parse_meta throws for `text` ("" if it parses).
std::string refusal(const std::string& text) {
  try {
    mds::parse_meta(text, "crafted.meta");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_refused(const std::string& text, const std::string& key) {
  auto message = refusal(text);
  EXPECT_NE(message.find("crafted.meta"), std::string::npos) << message;
  EXPECT_NE(message.find(key), std::string::npos) << message;
}

TEST(MdsMetaHostile, HundredThousandOpeningBracketsAreRefusedQuickly) {
  // Issue 13's reproducer: std::regex recursed per character and overflowed the stack.
  std::string text = kHead + " dimList = [ 4, 1, 4, 52, 1, 52 ];\n missingValue = [" + std::string(100000, '[');
  auto start = std::chrono::steady_clock::now();
  expect_refused(text, "missingValue");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // Closed, the brackets are a value that is not a number.
  expect_refused(text + "];\n", "missingValue");
}

TEST(MdsMetaHostile, ManyUnclosedEntriesStayLinear) {
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "a=[";
  text += "]" + std::string(100000, ' ');
  auto start = std::chrono::steady_clock::now();
  expect_refused(text, "dimList");  // none of them is an entry: no dimList
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(MdsMetaHostile, OverflowingDimensionsAreRefused) {
  expect_refused(kHead + " dimList = [ 4000000000, 1, 4000000000, 4000000000, 1, 4000000000 ];\n", "dimList");
  expect_refused(kHead + " dimList = [ 1e300, 1, 1, 4, 1, 4 ];\n", "dimList");
  expect_refused(kHead + " dimList = [ 1048576, 1, 1, 1048576, 1, 1 ];\n nrecords = [ 2 ];\n", "nrecords");
  expect_refused(kHead + " dimList = [ 4, 1, 4, 4, 1, 4 ];\n nrecords = [ 1e30 ];\n", "nrecords");
  expect_refused(" nDims = [ 99999999999 ];\n dataprec = [ 'float32' ];\n dimList = [ 4, 1, 4 ];\n", "nDims");
  // At the cap itself (2^40 values) it still parses.
  auto m = mds::parse_meta(kHead + " dimList = [ 1048576, 1, 1, 1048576, 1, 1 ];\n", "ok.meta");
  EXPECT_EQ(m.values_per_record(), std::int64_t{1} << 40);
}

TEST(MdsMetaHostile, NegativeOrZeroSizesAreRefused) {
  expect_refused(kHead + " dimList = [ -4, 1, 4, 52, 1, 52 ];\n", "dimList");
  expect_refused(kHead + " dimList = [ 4, 1, 4, 0, 1, 0 ];\n", "dimList");
  expect_refused(kHead + " dimList = [ 4, 1, 4, 52, 1, 52 ];\n nrecords = [ -1 ];\n", "nrecords");
}

TEST(MdsMetaHostile, TruncatedEntryIsRefused) {
  expect_refused(kHead + " dimList = [ 4, 1, 4, 52, 1, 52 ];\n nrecords = [ 1", "nrecords");
  expect_refused(kHead + " dimList = [ 4, 1, 4, 52,", "dimList");
}

TEST(MdsMetaHostile, UnterminatedQuoteIsRefused) {
  expect_refused(kHead + " dimList = [ 4, 1, 4, 52, 1, 52 ];\n fldList = { 'SSH ' 'ETAN };\n", "fldList");
  expect_refused(" nDims = [ 2 ];\n dimList = [ 4, 1, 4, 52, 1, 52 ];\n dataprec = [ 'float32 ];\n", "dataprec");
}

TEST(MdsMetaHostile, FileNamesWithoutRegex) {
  EXPECT_EQ(mds::meta_path_for("x/SSH.0000000732.data"), "x/SSH.0000000732.meta");
  EXPECT_EQ(mds::meta_path_for("x/grid.bin"), "x/grid.meta");
  EXPECT_EQ(mds::meta_path_for("x/a.data.gz"), "x/a.data.gz.meta");
  EXPECT_EQ(mds::timestep_from_name("x/SSH.0000000732.data").value(), 732);
  EXPECT_EQ(mds::timestep_from_name("x/SSH.0000000732.meta").value(), 732);
  EXPECT_FALSE(mds::timestep_from_name("x/SSH.000000732.data"));
  EXPECT_FALSE(mds::timestep_from_name("x/SSH00000000732.data"));
  EXPECT_FALSE(mds::timestep_from_name("x/SSH.00000007a2.data"));
  EXPECT_FALSE(mds::timestep_from_name("x/SSH.0000000732.bin"));
  EXPECT_FALSE(mds::timestep_from_name(std::string(100000, '.') + "data"));
}

}  // namespace
}  // namespace granary
