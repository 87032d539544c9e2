// Lambda's log lines as CloudWatch Logs holds them (the REPORT line's text and JSON formats,
// old and new, the timed-out and runtime-exit lines) and granary's own JSON lines; and how an
// invocation's lines say it ended.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run/lambda_log_lines.hpp"
#include "run/lambda_report.hpp"

namespace granary::run::lambda {
namespace {

using testing::HasSubstr;

constexpr const char* kId = "8f5cfc3b-8a8e-4a1c-9b3e-0c2d1e6f7a90";

TEST(LambdaLogLines, ReportLineWithTabsAndAColdStart) {
  // As Lambda writes it (tab-separated, a trailing tab, a newline).
  const auto r = parse_report_line(
      "REPORT RequestId: 8f5cfc3b-8a8e-4a1c-9b3e-0c2d1e6f7a90\tDuration: 102.25 ms\tBilled Duration: 103 ms\t"
      "Memory Size: 2048 MB\tMax Memory Used: 150 MB\tInit Duration: 300.12 ms\t\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request_id, kId);
  EXPECT_DOUBLE_EQ(r->duration_ms, 102.25);
  EXPECT_DOUBLE_EQ(r->billed_duration_ms, 103);
  EXPECT_DOUBLE_EQ(r->memory_size_mb, 2048);
  EXPECT_DOUBLE_EQ(r->max_memory_used_mb, 150);
  ASSERT_TRUE(r->init_duration_ms);
  EXPECT_DOUBLE_EQ(*r->init_duration_ms, 300.12);
  EXPECT_EQ(r->status, "");
}

TEST(LambdaLogLines, ReportLineCopiedWithSpacesAndWarm) {
  // Consoles and copies show spaces; a warm start has no Init Duration.
  const auto r = parse_report_line(
      "REPORT RequestId: f949935c-0f0e-4718-9976-9df42585adb5 Duration: 2.05 ms Billed Duration: 3 ms Memory Size: 1152 MB "
      "Max Memory Used: 76 MB");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request_id, "f949935c-0f0e-4718-9976-9df42585adb5");
  EXPECT_DOUBLE_EQ(r->duration_ms, 2.05);
  EXPECT_DOUBLE_EQ(r->billed_duration_ms, 3);
  EXPECT_DOUBLE_EQ(r->memory_size_mb, 1152);
  EXPECT_DOUBLE_EQ(r->max_memory_used_mb, 76);
  EXPECT_FALSE(r->init_duration_ms);
}

TEST(LambdaLogLines, ReportLineStatusTimeoutAndOutOfMemoryAndXRay) {
  auto r = parse_report_line(
      "REPORT RequestId: a1b2c3d4-5678-90ab-cdef-111111111111\tDuration: 900000.00 ms\tBilled Duration: 900000 ms\t"
      "Memory Size: 128 MB\tMax Memory Used: 125 MB\tStatus: timeout");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "timeout");
  EXPECT_DOUBLE_EQ(r->billed_duration_ms, 900000);
  r = parse_report_line(
      "REPORT RequestId: a1b2c3d4-5678-90ab-cdef-222222222222\tDuration: 2500.00 ms\tBilled Duration: 2500 ms\t"
      "Memory Size: 256 MB\tMax Memory Used: 256 MB\tInit Duration: 180.44 ms\tStatus: error\tError Type: Runtime.OutOfMemory\t"
      "XRAY TraceId: 1-5e9f2f2a-1b2c3d4e5f6a7b8c9d0e1f2a\tSegmentId: 0a1b2c3d4e5f6a7b\tSampled: true");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "error");
  EXPECT_EQ(r->error_type, "Runtime.OutOfMemory");
  EXPECT_DOUBLE_EQ(r->max_memory_used_mb, 256);
  EXPECT_DOUBLE_EQ(*r->init_duration_ms, 180.44);
}

TEST(LambdaLogLines, ReportInTheJsonLogFormat) {
  const auto r = parse_report_line(
      R"({"time":"2026-12-03T22:44:31.000Z","type":"platform.report","record":{"requestId":"8f5cfc3b-8a8e-4a1c-9b3e-0c2d1e6f7a90",)"
      R"("metrics":{"durationMs":5000.0,"billedDurationMs":5000,"memorySizeMB":512,"maxMemoryUsedMB":300,"initDurationMs":250.5},)"
      R"("status":"timeout"}})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request_id, kId);
  EXPECT_DOUBLE_EQ(r->billed_duration_ms, 5000);
  EXPECT_DOUBLE_EQ(r->memory_size_mb, 512);
  EXPECT_DOUBLE_EQ(*r->init_duration_ms, 250.5);
  EXPECT_EQ(r->status, "timeout");
}

TEST(LambdaLogLines, OtherLinesAreNoReport) {
  EXPECT_FALSE(parse_report_line("START RequestId: 8f5cfc3b-8a8e-4a1c-9b3e-0c2d1e6f7a90 Version: $LATEST"));
  EXPECT_FALSE(parse_report_line("END RequestId: 8f5cfc3b-8a8e-4a1c-9b3e-0c2d1e6f7a90"));
  EXPECT_FALSE(parse_report_line("[2026-12-03 22:44:31.000] [info] REPORT RequestId: x Duration: 1 ms Memory Size: 1 MB"));
  EXPECT_FALSE(parse_report_line("REPORT RequestId: x"));
  EXPECT_FALSE(parse_report_line(R"({"type":"platform.start","record":{"requestId":"x"}})"));
  EXPECT_FALSE(parse_timeout_line("END RequestId: x"));
  EXPECT_FALSE(parse_runtime_exit_line("START RequestId: x Version: $LATEST"));
  EXPECT_FALSE(parse_granary_line("not json"));
  EXPECT_FALSE(parse_granary_line(R"({"event_type":"something_else","request_id":"x"})"));
  EXPECT_FALSE(parse_granary_line(R"({"event_type":"lambda_invocation"})"));
}

TEST(LambdaLogLines, TimedOutLinesOldAndNew) {
  auto t = parse_timeout_line("2019-02-13T20:12:38.950Z 41a10717-e9af-11e7-892c-5bb1a4054ed6 Task timed out after 300.09 seconds\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->request_id, "41a10717-e9af-11e7-892c-5bb1a4054ed6");
  EXPECT_DOUBLE_EQ(t->seconds, 300.09);
  t = parse_timeout_line("RequestId: 41a10717-e9af-11e7-892c-5bb1a4054ed6 Error: Task timed out after 900.00 seconds");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->request_id, "41a10717-e9af-11e7-892c-5bb1a4054ed6");
  EXPECT_DOUBLE_EQ(t->seconds, 900);
}

TEST(LambdaLogLines, RuntimeExitLines) {
  auto e = parse_runtime_exit_line(
      "RequestId: 16f8d3a2-26fc-11e8-bca6-73dbc61c39e7 Error: Runtime exited with error: signal: killed\nRuntime.ExitError");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->request_id, "16f8d3a2-26fc-11e8-bca6-73dbc61c39e7");
  EXPECT_EQ(e->detail, "Runtime exited with error: signal: killed");
  EXPECT_TRUE(e->killed);
  EXPECT_FALSE(e->out_of_memory);
  e = parse_runtime_exit_line(
      "RequestId: 16f8d3a2-26fc-11e8-bca6-73dbc61c39e7 Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->out_of_memory);
  e = parse_runtime_exit_line("RequestId: b86c93c6-e1d0-11e7-955b-539d8b965ff9 Process exited before completing request");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->detail, "Process exited before completing request");
  EXPECT_FALSE(e->killed);
}

TEST(LambdaLogLines, GranaryLinesBareAndWrapped) {
  auto g = parse_granary_line(
      R"({"event_type":"lambda_invocation","request_id":"r1","kind":"plan_unit","key":"s3://b/p#3","plan":"s3://b/p",)"
      R"("index":3,"jobs":["000006","000007"],"remaining_ms":899000})");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->event_type, "lambda_invocation");
  EXPECT_EQ(g->request_id, "r1");
  EXPECT_EQ(g->plan, "s3://b/p");
  EXPECT_EQ(*g->index, 3u);
  EXPECT_EQ(g->jobs, (std::vector<std::string>{"000006", "000007"}));
  // The JSON log format wraps what a function prints in {"level", "message"}.
  g = parse_granary_line(
      R"({"timestamp":"2026-12-03T22:44:31Z","level":"INFO","requestId":"r2","message":"{\"event_type\":\"processing_complete\",)"
      R"(\"request_id\":\"r2\",\"kind\":\"magg\",\"key\":\"2101\",\"status\":\"FAILED\",\"duration_s\":12.5,\"error\":\"no granules\"}"})");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->event_type, "processing_complete");
  EXPECT_EQ(g->status, "FAILED");
  EXPECT_DOUBLE_EQ(g->duration_s, 12.5);
  EXPECT_EQ(g->error, "no granules");
}

TEST(LambdaLogLines, HowAnInvocationEnded) {
  InvocationLog log;
  // New format: the REPORT says timeout.
  log.add(1000, "REPORT RequestId: t1\tDuration: 60000.00 ms\tBilled Duration: 60000 ms\tMemory Size: 1024 MB\t"
                "Max Memory Used: 200 MB\tStatus: timeout");
  // Old format: the timed-out line, then a REPORT without a status.
  log.add(2000, "2026-12-03T22:44:31.000Z t2 Task timed out after 900.00 seconds");
  log.add(2001, "REPORT RequestId: t2\tDuration: 900000.00 ms\tBilled Duration: 900000 ms\tMemory Size: 1024 MB\t"
                "Max Memory Used: 300 MB\t");
  // New format out of memory.
  log.add(3000, "REPORT RequestId: m1\tDuration: 2500.00 ms\tBilled Duration: 2500 ms\tMemory Size: 512 MB\t"
                "Max Memory Used: 512 MB\tStatus: error\tError Type: Runtime.OutOfMemory");
  // Old format: killed with the memory full.
  log.add(4000, "RequestId: m2 Error: Runtime exited with error: signal: killed\nRuntime.ExitError");
  log.add(4001, "REPORT RequestId: m2\tDuration: 800.00 ms\tBilled Duration: 800 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\t");
  // Killed with memory to spare: an error, not out of memory.
  log.add(5000, "RequestId: k1 Error: Runtime exited with error: signal: killed\nRuntime.ExitError");
  log.add(5001, "REPORT RequestId: k1\tDuration: 800.00 ms\tBilled Duration: 800 ms\tMemory Size: 512 MB\tMax Memory Used: 100 MB\t");
  // Memory full but it ended well.
  log.add(6000, "REPORT RequestId: ok\tDuration: 800.00 ms\tBilled Duration: 800 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB");
  log.add(6001, "[info] some other line");
  const auto& inv = log.invocations();
  ASSERT_EQ(inv.size(), 6u);
  EXPECT_EQ(log.lines_used(), 9u);
  EXPECT_TRUE(inv.at("t1").timed_out());
  EXPECT_EQ(inv.at("t1").end_reason(), "Lambda: timed out after 60.00 s (the function's timeout)");
  EXPECT_TRUE(inv.at("t2").timed_out());
  EXPECT_EQ(inv.at("t2").end_reason(), "Lambda: timed out after 900.00 s (the function's timeout)");
  EXPECT_TRUE(inv.at("m1").out_of_memory());
  EXPECT_FALSE(inv.at("m1").timed_out());
  EXPECT_EQ(inv.at("m1").end_reason(), "Lambda: out of memory (max used 512 of 512 MB)");
  EXPECT_TRUE(inv.at("m2").out_of_memory());
  EXPECT_FALSE(inv.at("k1").out_of_memory());
  EXPECT_TRUE(inv.at("k1").failed());
  EXPECT_EQ(inv.at("k1").end_reason(), "");
  EXPECT_FALSE(inv.at("ok").failed());
  EXPECT_EQ(inv.at("ok").end_reason(), "");
  EXPECT_THAT(log_filter_pattern(), HasSubstr("?REPORT"));
}

}  // namespace
}  // namespace granary::run::lambda
