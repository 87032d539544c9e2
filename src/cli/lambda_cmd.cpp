// granary lambda: the AWS Lambda custom runtime (the bootstrap of a provided.al2023 function
// or a container image's entry point). It serves invocations from the Runtime API
// (run/lambda_runtime_api.hpp) until Lambda stops the process; `--event FILE|-` runs one
// event here instead and prints the answer (tests, debugging, a function's dry run).
//
// Environment: AWS_LAMBDA_RUNTIME_API (set by Lambda), AWS_LAMBDA_FUNCTION_NAME,
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE, GRANARY_LAMBDA_PLAN (a plan to prepare at start-up, so the
// cold start carries the loading), GRANARY_LAMBDA_DEADLINE_MARGIN_MS (jobs stop this long
// before the deadline; default 1500).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/lambda_handler.hpp"
#include "run/lambda_event.hpp"
#include "run/lambda_runtime_api.hpp"
#include "run/report.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace granary::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct LambdaOptions {
  std::string event;
  int workers = 0;
  double timeout_seconds = 0;  // --event: a deadline this far ahead (0: none)
  std::string request_id;      // --event: the request id results record (default: local-<pid>)
};

std::int64_t env_int(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  if (*end != '\0') fail("{}: '{}' is not a whole number", name, v);
  return n;
}

std::string env_text(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// One JSON object per line on `out`: what CloudWatch Logs Insights queries.
void log_line(std::FILE* out, json line) {
  line["timestamp"] = run::iso_utc(std::chrono::system_clock::now());
  std::fputs((line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n").c_str(), out);
  std::fflush(out);
}

json invocation_line(const std::string& request_id, const json& event, std::int64_t remaining_ms) {
  std::string kind;
  const auto key = LambdaHandler::describe(event, &kind);
  json line{{"event_type", run::lambda::kInvocationEvent}, {"request_id", request_id}, {"kind", kind}, {"key", key},
            {"remaining_ms", remaining_ms}};
  if (kind == "plan_unit") {
    line["plan"] = event.value("plan", "");
    line["index"] = event.value("index", 0);
  }
  return line;
}

json complete_line(const std::string& request_id, const HandlerAnswer& a, double seconds, const json& event) {
  json line{{"event_type", run::lambda::kCompleteEvent},
            {"request_id", request_id},
            {"kind", a.kind},
            {"key", a.key},
            {"status", a.function_error ? "ERROR" : a.status},
            {"duration_s", seconds}};
  if (a.kind == "plan_unit") {
    line["plan"] = event.value("plan", "");
    line["index"] = event.value("index", 0);
  }
  if (a.function_error) line["error_type"] = a.error_type;
  if (!a.error_message.empty()) line["error"] = a.error_message;
  return line;
}

// Each invocation gets its own TMPDIR, removed afterwards: a job stopped at the deadline
// leaves its temporaries there, and a warm container's /tmp (512 MB by default) must not fill.
class InvocationTmp {
 public:
  explicit InvocationTmp(const std::string& request_id) {
    const char* base = std::getenv("TMPDIR");
    saved_ = base ? base : "";
    std::string safe;
    for (char c : request_id) safe += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
    dir_ = fs::path(saved_.empty() ? "/tmp" : saved_) / ("granary-" + safe.substr(0, 64));
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (!ec) ::setenv("TMPDIR", dir_.c_str(), 1);
  }
  ~InvocationTmp() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (saved_.empty()) ::unsetenv("TMPDIR");
    else ::setenv("TMPDIR", saved_.c_str(), 1);
  }
  InvocationTmp(const InvocationTmp&) = delete;
  InvocationTmp& operator=(const InvocationTmp&) = delete;

 private:
  std::string saved_;
  fs::path dir_;
};

InvocationContext context_for(const std::string& request_id, std::optional<std::chrono::steady_clock::time_point> deadline,
                              int workers) {
  InvocationContext c;
  c.request_id = request_id;
  c.function_name = env_text("AWS_LAMBDA_FUNCTION_NAME");
  c.memory_mb = env_int("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 0);
  c.workers = workers;
  if (deadline) c.deadline = *deadline - std::chrono::milliseconds(env_int("GRANARY_LAMBDA_DEADLINE_MARGIN_MS", 1500));
  return c;
}

json parse_event(const std::string& text, const std::string& source) {
  require_json_depth(text, source);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // Never the text itself: magg's events carry credentials.
    fail("{}: the event is not valid JSON ({})", source, json_error_detail(e));
  }
}

void serve(const LambdaOptions& o) {
  auto api = run::lambda::RuntimeApi::from_environment();
  LambdaHandler handler;
  if (const auto plan = env_text("GRANARY_LAMBDA_PLAN"); !plan.empty()) {
    try {
      handler.preload_plan(plan);
    } catch (const std::exception& e) {
      spdlog::error("lambda: start-up failed: {}", e.what());
      api.init_error({"Granary.InitError", e.what()});
      exit_code = 2;
      return;
    }
  }
  spdlog::info("lambda: runtime ready (function {}, {} MB)", env_text("AWS_LAMBDA_FUNCTION_NAME"),
               env_int("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 0));
  for (;;) {
    const auto invocation = api.next();
    if (!invocation.trace_id.empty()) ::setenv("_X_AMZN_TRACE_ID", invocation.trace_id.c_str(), 1);
    const auto start = std::chrono::steady_clock::now();
    json event;
    try {
      event = parse_event(invocation.body, "invocation " + invocation.request_id);
    } catch (const Error& e) {
      log_line(stdout, {{"event_type", run::lambda::kCompleteEvent}, {"request_id", invocation.request_id},
                        {"status", "ERROR"}, {"error_type", "Granary.BadEvent"}, {"error", e.what()}, {"duration_s", 0.0}});
      api.fail(invocation.request_id, {"Granary.BadEvent", e.what()});
      continue;
    }
    log_line(stdout, invocation_line(invocation.request_id, event, invocation.remaining_ms()));
    HandlerAnswer answer;
    {
      InvocationTmp tmp(invocation.request_id);
      answer = handler.handle(event, context_for(invocation.request_id, invocation.steady_deadline(), o.workers));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log_line(stdout, complete_line(invocation.request_id, answer, seconds, event));
    if (answer.function_error) {
      api.fail(invocation.request_id, {answer.error_type, answer.error_message});
      continue;
    }
    try {
      api.respond(invocation.request_id, answer.response.dump(-1, ' ', false, json::error_handler_t::replace));
    } catch (const Error& e) {
      // Refused (413: over Lambda's 6 MB): the results are in the plan already; say why.
      spdlog::error("lambda: the answer to {} was refused: {}", invocation.request_id, e.what());
      api.fail(invocation.request_id, {"Granary.ResponseRefused", e.what()});
    }
  }
}

void run_one(const LambdaOptions& o) {
  std::string text;
  if (o.event == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(o.event);
    if (!in) fail("{}: cannot open the event file", o.event);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto event = parse_event(text, o.event == "-" ? "stdin" : o.event);
  const std::string request_id = o.request_id.empty() ? fmt::format("local-{}", ::getpid()) : o.request_id;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (o.timeout_seconds > 0)
    deadline = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(o.timeout_seconds));
  log_line(stderr, invocation_line(request_id, event, deadline ? static_cast<std::int64_t>(o.timeout_seconds * 1000) : 0));
  const auto start = std::chrono::steady_clock::now();
  LambdaHandler handler;
  const auto answer = handler.handle(event, context_for(request_id, deadline, o.workers));
  log_line(stderr, complete_line(request_id, answer, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), event));
  if (answer.function_error) {
    fmt::print("{}\n", json{{"errorType", answer.error_type}, {"errorMessage", answer.error_message}}.dump());
    exit_code = answer.error_type == "Granary.BadEvent" ? 2 : 1;
    return;
  }
  fmt::print("{}\n", answer.response.dump(-1, ' ', false, json::error_handler_t::replace));
  exit_code = answer.status == "SUCCESS" ? 0 : 1;
}

}  // namespace

void add_lambda_command(CLI::App& root) {
  auto o = std::make_shared<LambdaOptions>();
  auto* cmd = root.add_subcommand(
      "lambda",
      "The AWS Lambda custom runtime: serves plan units, magg's cell events and ECCO tasks (the function's bootstrap)");
  cmd->add_option("--event", o->event, "Run one event from FILE or - (stdin) here and print the answer, instead of serving Lambda");
  cmd->add_option("--timeout", o->timeout_seconds, "With --event: stop the jobs as Lambda would at this many seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--request-id", o->request_id, "With --event: the request id the results record (default: local-PID)");
  cmd->add_option("-j,--workers", o->workers, "Job worker processes (default: every core Lambda gives the function)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o] {
    if (o->event.empty()) serve(*o);
    else run_one(*o);
  });
}

}  // namespace granary::cli
