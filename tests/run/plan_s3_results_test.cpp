// A plan on S3 whose results cannot be read because S3 stays unavailable: the run is not
// known, so `report` (and every reader of results) exits 3, and no job is taken for FAILED
// or for a bad result (which `retry` would then plan again).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <span>
#include <string>

#include "io/s3_store.hpp"
#include "run/plan.hpp"
#include "support/s3_test_server.hpp"
#include "support/test_support.hpp"
#include "util/unavailable_error.hpp"

namespace granary::run {
namespace {

using testing::HasSubstr;
using testing::Not;

const io::s3::Credentials kKeys{"AKIDPLANRESULTS01", "plan/results+secret", ""};

TEST(PlanS3Results, AStoreThatStaysUnavailableForResultsIsExitThreeNotFailedJobs) {
  if (!test::S3TestServer::available()) GTEST_SKIP() << test::S3TestServer::why_unavailable(test::S3ServerKind::Strict);
  test::S3TestServer server({.buckets = {"plans"}, .credentials = {kKeys}});
  auto store = io::open_s3_store("s3://plans/p", server.options(kKeys));
  PlanHeader h;
  h.recipe = "ecco";
  std::vector<PlannedJob> jobs{{"000000", "job 0", nlohmann::json::object()}, {"000001", "job 1", nlohmann::json::object()}};
  write_plan(*store, h, split_into_units(jobs, 1));
  write_result(*store, "000000", {{"status", "SUCCESS"}, {"elapsed_seconds", 1.0}});
  write_result(*store, "000001", {{"status", "SUCCESS"}, {"elapsed_seconds", 2.0}});
  const std::string report = server.env(kKeys) + test::granary_binary() + " report s3://plans/p";
  auto r = test::run_command(report);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("FAILED")));

  server.control("/_control/fail?count=1000&status=503&code=SlowDown&method=GET&match=/results/");
  r = test::run_command(report);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("503 SlowDown"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("FAILED")));
  // In process too: the reads of one job's result and of all results throw, not record FAILED.
  EXPECT_THROW(read_results_of(*store, "000001"), UnavailableError);
  EXPECT_THROW(read_results(*store), UnavailableError);
  EXPECT_THROW(read_results_of_jobs(*store, jobs, recorded_results(*store)), UnavailableError);
}

}  // namespace
}  // namespace granary::run
