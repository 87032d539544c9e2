#pragma once
// Run progress on stderr: a redrawn bar on a terminal (done/total, failures, rate, ETA);
// otherwise periodic info log lines, or JSON lines with --log-format json, so batch logs
// stay readable and machine-parsable.
#include <chrono>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace granary::run {

struct ProgressCounts {
  std::size_t total = 0;
  std::size_t done = 0;       // results received, whatever their status
  std::size_t failed = 0;     // status FAILED
  std::size_t skipped = 0;    // status SKIP (output already there: costs ~nothing)
  double elapsed_seconds = 0;
  // Tasks per second over the tasks that did work (skips excluded, they would flatter it).
  double rate() const;
  // Seconds left at that rate; negative when unknown (nothing worked yet).
  double eta_seconds() const;
};

// "[=========>          ] 12/40  30%  1 failed  0.80 task/s  ETA 35s" (no \r, no newline).
std::string render_progress_bar(const ProgressCounts& c, int width = 24);
// "12/40 tasks (30%), 1 failed, 2 skipped, 0.80 task/s, ETA 35s" for log lines.
std::string render_progress_text(const ProgressCounts& c);
// {"done", "total", "failed", "skipped", "elapsed_seconds", "rate", "eta_seconds"}.
nlohmann::json progress_json(const ProgressCounts& c);
// "35s", "12m05s", "3h02m".
std::string format_duration(double seconds);

class Progress {
 public:
  enum class Style { Auto, Bar, Log, Json, Off };  // Auto: Bar if log::interactive(), else Json or Log
  Progress(std::size_t total, std::string label, Style style = Style::Auto, double log_interval_seconds = 30.0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Counts one result (by its "status") and redraws / logs when due.
  void add(const nlohmann::json& result);
  // Logs a line without tearing the bar: clears it, logs, redraws.
  void log(spdlog::level::level_enum level, const std::string& text);
  // Final draw (the bar gets its newline); idempotent, also done by the destructor.
  void finish();
  ProgressCounts counts() const;
  Style style() const { return style_; }

 private:
  void emit(bool final);
  using Clock = std::chrono::steady_clock;
  std::string label_;
  Style style_;
  double log_interval_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_emit_ = Clock::now();
  ProgressCounts counts_;
  bool finished_ = false;
  std::size_t drawn_ = 0;  // length of the bar line on screen (what a redraw must cover)
};

}  // namespace granary::run
