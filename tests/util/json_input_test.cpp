#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary {
namespace {

TEST(JsonInput, CountsOnlyBracketsOutsideStrings) {
  EXPECT_EQ(json_too_deep_at(R"({"a": [1, {"b": [2]}]})", 4), std::string::npos);
  EXPECT_EQ(json_too_deep_at(R"({"a": [1, {"b": [2]}]})", 3), 16u);
  // Brackets in strings, escaped quotes and backslashes do not count.
  EXPECT_EQ(json_too_deep_at(R"(["[[[[", "\"[[[[", "\\", "{{{"])", 1), std::string::npos);
  EXPECT_EQ(json_too_deep_at(R"(["\\", [1]])", 1), 7u);
  EXPECT_EQ(json_too_deep_at("", 1), std::string::npos);
  EXPECT_EQ(json_too_deep_at("]]]]}}}}[", 1), std::string::npos);  // not ours to judge: the parser rejects it
}

TEST(JsonInput, RejectsAHundredThousandOpeningsWithTheSourceAndNoText) {
  const std::string hostile = "{\"secret\": \"do-not-print\", \"x\": " + std::string(100000, '[');
  try {
    require_json_depth(hostile, "event.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("event.json: JSON nested deeper than 128 levels (at byte 159)"), std::string::npos) << what;
    EXPECT_EQ(what.find("do-not-print"), std::string::npos) << what;
  }
}

TEST(JsonInput, AllowsEveryDocumentThatNlohmannRoundTripsAtTheBound) {
  std::string doc = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_NO_THROW(require_json_depth(doc, "ok.json"));
  EXPECT_EQ(nlohmann::json::parse(doc).dump(), doc);
  EXPECT_THROW(require_json_depth("[" + doc + "]", "deep.json"), Error);
}

// nlohmann reports a number beyond a double as out_of_range, not parse_error: a reader that
// caught only parse_error let 1e309 escape as an internal error (found by the fuzzers).
TEST(JsonInput, DescribesSyntaxErrorsAndNumbersOutOfRange) {
  try {
    (void)nlohmann::json::parse(R"({"a": 1e309})");
    FAIL() << "no exception";
  } catch (const nlohmann::json::exception& e) {
    EXPECT_EQ(json_error_detail(e), "a number beyond the range of a double");
  }
  try {
    (void)nlohmann::json::parse(R"({"secret": "x" ])");
    FAIL() << "no exception";
  } catch (const nlohmann::json::exception& e) {
    EXPECT_EQ(json_error_detail(e), "syntax error at byte 16");
  }
}

// get<int64_t>() of -3.1e28 is undefined behaviour (UBSan, atl06_json_fuzz); json_integer says no.
TEST(JsonInput, IntegersOnlyWhenTheTypeHoldsThemExactly) {
  using nlohmann::json;
  EXPECT_EQ(json_integer<std::int64_t>(json::parse("-3121311")), -3121311);
  EXPECT_EQ(json_integer<int>(json::parse("6.0")), 6);
  EXPECT_EQ(json_integer<std::size_t>(json::parse("18446744073709551615")), std::numeric_limits<std::size_t>::max());
  EXPECT_FALSE(json_integer<std::int64_t>(json::parse("-3.1213e+28")));
  EXPECT_FALSE(json_integer<std::size_t>(json::parse("-9.22337e+20")));
  EXPECT_FALSE(json_integer<std::size_t>(json::parse("-1")));
  EXPECT_FALSE(json_integer<int>(json::parse("2147483648")));
  EXPECT_FALSE(json_integer<int>(json::parse("6.5")));
  EXPECT_FALSE(json_integer<int>(json::parse("\"6\"")));
  EXPECT_FALSE(json_integer<int>(json::parse("null")));
  try {
    require_json_integer<int>(json::parse("-9.2e19"), "x.zarr/.zarray: zstd \"level\"");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "x.zarr/.zarray: zstd \"level\" must be an integer in [-2147483648, 2147483647] (got -9.2e+19)");
  }
}

}  // namespace
}  // namespace granary
