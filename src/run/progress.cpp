#include "run/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/log.hpp"

namespace granary::run {
using nlohmann::json;

double ProgressCounts::rate() const {
  std::size_t worked = done - std::min(done, skipped);
  return elapsed_seconds > 0 && worked > 0 ? static_cast<double>(worked) / elapsed_seconds : 0.0;
}

double ProgressCounts::eta_seconds() const {
  if (done >= total) return 0.0;
  double r = rate();
  return r > 0 ? static_cast<double>(total - done) / r : -1.0;
}

std::string format_duration(double seconds) {
  if (seconds < 0) return "--";
  auto s = static_cast<long long>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

namespace {

std::string percent(const ProgressCounts& c) {
  return c.total ? fmt::format("{}%", c.done * 100 / c.total) : "100%";
}

std::string rate_text(const ProgressCounts& c) {
  double r = c.rate();
  if (r <= 0) return "-- task/s";
  return r >= 1 ? fmt::format("{:.1f} task/s", r) : fmt::format("{:.1f} s/task", 1.0 / r);
}

}  // namespace

std::string render_progress_bar(const ProgressCounts& c, int width) {
  const double fraction = c.total ? static_cast<double>(c.done) / static_cast<double>(c.total) : 1.0;
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < width) bar += '>';
  bar.resize(static_cast<std::size_t>(width), ' ');
  std::string line = fmt::format("[{}] {}/{} {:>4}", bar, c.done, c.total, percent(c));
  if (c.failed) line += fmt::format("  {} failed", c.failed);
  if (c.skipped) line += fmt::format("  {} skipped", c.skipped);
  line += "  " + rate_text(c);
  line += c.done >= c.total ? fmt::format("  {}", format_duration(c.elapsed_seconds))
                            : fmt::format("  ETA {}", format_duration(c.eta_seconds()));
  return line;
}

std::string render_progress_text(const ProgressCounts& c) {
  std::string text = fmt::format("{}/{} tasks ({})", c.done, c.total, percent(c));
  if (c.failed) text += fmt::format(", {} failed", c.failed);
  if (c.skipped) text += fmt::format(", {} skipped", c.skipped);
  text += ", " + rate_text(c);
  text += c.done >= c.total ? fmt::format(", elapsed {}", format_duration(c.elapsed_seconds))
                            : fmt::format(", ETA {}", format_duration(c.eta_seconds()));
  return text;
}

json progress_json(const ProgressCounts& c) {
  return json{{"done", c.done},     {"total", c.total}, {"failed", c.failed},
              {"skipped", c.skipped}, {"elapsed_seconds", c.elapsed_seconds}, {"rate", c.rate()},
              {"eta_seconds", c.eta_seconds()}};
}

Progress::Progress(std::size_t total, std::string label, Style style, double log_interval_seconds)
    : label_(std::move(label)), style_(style), log_interval_(log_interval_seconds) {
  counts_.total = total;
  if (style_ == Style::Auto) {
    if (log::interactive()) style_ = Style::Bar;
    else style_ = log::format() == log::Format::Json ? Style::Json : Style::Log;
  }
  if (total > 0) emit(false);
}

Progress::~Progress() { finish(); }

void Progress::add(const json& result) {
  ++counts_.done;
  auto status = result.is_object() ? result.value("status", std::string()) : std::string();
  if (status == "FAILED") ++counts_.failed;
  if (status == "SKIP") ++counts_.skipped;
  counts_.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  const double since = std::chrono::duration<double>(Clock::now() - last_emit_).count();
  const double interval = style_ == Style::Bar ? 0.1 : log_interval_;
  // The last result is drawn by finish(), once.
  if (counts_.done < counts_.total && since >= interval) emit(false);
}

void Progress::log(spdlog::level::level_enum level, const std::string& text) {
  const bool bar = style_ == Style::Bar && !finished_;
  if (bar) {
    const std::string clear = log::colour() ? std::string("\r\x1b[K") : "\r" + std::string(drawn_, ' ') + "\r";
    std::fputs(clear.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = 0;
  }
  spdlog::log(level, "{}", text);
  if (bar) emit(false);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  counts_.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  if (counts_.total > 0) emit(true);
}

ProgressCounts Progress::counts() const { return counts_; }

void Progress::emit(bool final) {
  last_emit_ = Clock::now();
  switch (style_) {
    case Style::Bar: {
      // \r + erase-to-end-of-line redraws in place (with NO_COLOR, no escape sequence: spaces
      // cover what is left of a longer previous line); the final draw keeps its line.
      const std::string text = fmt::format("{} {}", label_, render_progress_bar(counts_));
      const std::string erase =
          log::colour() ? std::string("\x1b[K") : std::string(drawn_ > text.size() ? drawn_ - text.size() : 0, ' ');
      std::string line = "\r" + text + erase + (final ? "\n" : "");
      drawn_ = final ? 0 : text.size();
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fflush(stderr);
      break;
    }
    case Style::Log:
      spdlog::info("{}: {}", label_, render_progress_text(counts_));
      break;
    case Style::Json: {
      // A structured line in the same shape as the JSON log sink, with the counts as fields.
      auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
      json line = progress_json(counts_);
      line["time"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
      line["level"] = "info";
      line["pid"] = static_cast<long>(::getpid());
      line["event"] = "progress";
      line["label"] = label_;
      line["final"] = final;
      line["msg"] = fmt::format("{}: {}", label_, render_progress_text(counts_));
      std::string text = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
      break;
    }
    case Style::Auto:
    case Style::Off:
      break;
  }
}

}  // namespace granary::run
