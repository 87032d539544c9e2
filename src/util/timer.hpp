#pragma once
// Wall-clock phase timing for job results ("durations per phase") and peak RSS.
#include <chrono>
#include <map>
#include <string>

namespace granary {

class PhaseTimer {
 public:
  PhaseTimer() : last_(Clock::now()) {}
  // Adds the seconds since the previous mark (or construction) to `phase`.
  void mark(const std::string& phase) {
    auto now = Clock::now();
    seconds_[phase] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }
  void restart() { last_ = Clock::now(); }
  const std::map<std::string, double>& seconds() const { return seconds_; }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_;
  std::map<std::string, double> seconds_;
};

// Peak resident set size of this process in bytes (getrusage).
long peak_rss_bytes();

}  // namespace granary
