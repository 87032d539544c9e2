#!/usr/bin/env bash
# Installs everything, builds granary, and runs the main job of each recipe on built-in demo
# data, with run reports. Outputs go to ./demo (or $DEMO_DIR).
#   ECCO:  a synthetic LLC grid with model output and metadata -> mapping factors -> native
#          and lat-lon netCDF products
#   ATL06: synthetic granules crossing an Antarctic cell -> catalog -> per-cell statistics
#          in a Zarr v3 store
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target granary
G="$BUILD_DIR/src/granary"
DEMO="${DEMO_DIR:-demo}"
rm -rf "$DEMO/ecco/products" "$DEMO/atl06"

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

echo "== 5. ATL06: synthetic granules (real layout) whose tracks cross cell -4113213 (80S 120E)"
"$G" --log-level warn atl06 synth --out "$DEMO/atl06/granules" --granules 4 --segments-per-beam 30000 --cell -4113213 >/dev/null
ls "$DEMO/atl06/granules"
echo "== 6. the catalog: which parent cells each granule's segments fall in"
"$G" atl06 catalog --granules "$DEMO/atl06/granules" --out "$DEMO/atl06/catalog.json"
echo "== 7. every parent cell -> Zarr v3 store (dggs convention), with a run report"
"$G" atl06 run --catalog "$DEMO/atl06/catalog.json" --out "$DEMO/atl06/atl06.zarr" --extra-stats \
  --report "$DEMO/atl06/report.json"
echo "store: $DEMO/atl06/atl06.zarr  report: $DEMO/atl06/report.json"
