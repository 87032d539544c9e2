#pragma once
// Synthetic ECCO model output on the synthetic LLC grid (synth_grid.hpp), for demos and
// tests: the files and formats of a real ECCO V4r4 run, smooth analytic values.
//
// DIR/grid/                        the grid (write_synthetic_grid)
// DIR/model_output/diags_monthly/{FIELD}_mon_mean/{FIELD}_mon_mean.{10-digit timestep}.data/.meta
//     SSH, oceTAUX, oceTAUY (2D); THETA, SALT, UVEL, VVEL (3D); timesteps 732, 1428, 2172, ...
//     (hours since 1992-01-01T12:00 at each month's end)
// DIR/model_output/diags_daily/SSH_day_mean/SSH_day_mean.{timestep}.data/.meta
//     timesteps 36, 60, 84, ... (daily means ending at 00:00)
// Records are big-endian float32 compact, 0.0 on dry cells (maskC for tracers, maskW/maskS
// for x/y components); the .meta gives timeStepNumber and the averaging period in seconds.
// UVEL/VVEL and oceTAUX/oceTAUY are the model-grid components of analytic eastward/northward
// fields (synthetic_velocity, synthetic_stress) at the u and v points, so that rotating them
// back (ops/vector/east_north.hpp) recovers those fields. Same bytes every run.
#include <cstdint>
#include <string>
#include <vector>

namespace granary::ecco::synth {

struct SynthOptions {
  int nx = 30;      // tile size (LLC90 has 90)
  int levels = 15;  // vertical levels
  int months = 3;   // monthly records from January 1992
  int days = 3;     // daily SSH records from 2 January 1992
};

void write_synthetic_ecco(const std::string& out_dir, const SynthOptions& options);

// Month ends in hours since 1992-01-01T12:00: 732, 1428, 2172, ...
std::vector<std::int64_t> monthly_timesteps(int months);
// Day ends: 36, 60, 84, ...
std::vector<std::int64_t> daily_timesteps(int days);

struct EastNorth {
  double east = 0, north = 0;
};
// Ocean current (m/s) at (lon, lat) and depth z (m, negative down, MITgcm's RC sign).
EastNorth synthetic_velocity(double lon, double lat, double z);
// Ocean surface stress (N/m2) at (lon, lat) in month `month` (0 = January 1992).
EastNorth synthetic_stress(double lon, double lat, int month);

}  // namespace granary::ecco::synth
