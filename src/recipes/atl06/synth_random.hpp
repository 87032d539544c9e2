#pragma once
// The random draws of the synthetic ATL06 generator, named as numpy's Generator names them
// (uniform, normal, exponential, integers, standard_t) so the C++ reads like the Python
// reference (shared/reference/atl06_synth.py). The engine differs from numpy's PCG64, so the
// numbers differ; the distributions are the same. libstdc++'s distributions are
// deterministic, so one seed always gives the same granules.
#include <cstdint>
#include <random>

namespace granary::atl06::synth {

class Random {
 public:
  explicit Random(std::seed_seq& seeds) : engine_(seeds) {}
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(engine_); }
  double normal(double mean, double sigma) { return std::normal_distribution<double>(mean, sigma)(engine_); }
  double exponential(double mean) { return std::exponential_distribution<double>(1.0 / mean)(engine_); }
  double standard_t(double dof) { return std::student_t_distribution<double>(dof)(engine_); }
  // A uniform integer in [lo, hi), as numpy's integers(lo, hi).
  std::int64_t integers(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi - 1)(engine_);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace granary::atl06::synth
