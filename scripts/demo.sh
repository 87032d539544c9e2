#!/usr/bin/env bash
# Installs everything, builds granary, and runs the main ECCO job on built-in demo data:
# a synthetic LLC grid with model output and metadata -> mapping factors -> native and
# lat-lon netCDF products, with a run report. Outputs go to ./demo (or $DEMO_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target granary
G="$BUILD_DIR/src/granary"
DEMO="${DEMO_DIR:-demo}"
rm -rf "$DEMO/ecco/products"

echo "== 1. synthetic ECCO inputs (grid, model output, metadata, config, jobs) -> $DEMO/ecco"
"$G" ecco synth --out "$DEMO/ecco"
echo "== 2. mapping factors (built once, one file)"
"$G" ecco factors --grid "$DEMO/ecco/grid" --out "$DEMO/ecco/factors.bin" | tail -n 3
echo "== 3. the jobs: every grouping x frequency, native and lat-lon"
cat "$DEMO/ecco/jobs.txt"
"$G" ecco run --config "$DEMO/ecco/config.yaml" --jobs "$DEMO/ecco/jobs.txt" --report "$DEMO/ecco/report.json"
echo "== 4. what was made"
find "$DEMO/ecco/products" -name '*.nc' | sort
echo "report: $DEMO/ecco/report.json"
