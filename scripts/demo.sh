#!/usr/bin/env bash
# Installs everything, builds granary, and runs the main job of each recipe on built-in demo
# data, with run reports. Outputs go to ./demo (or $DEMO_DIR).
#   ECCO:  a synthetic LLC grid with model output and metadata -> mapping factors -> native
#          and lat-lon netCDF products
#   ATL06: synthetic granules across the Antarctic ice sheet -> catalog -> per-cell
#          statistics in a Zarr v3 store
# and ends with quick-look maps of both (PNG, in $DEMO/quicklooks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target granary
G="$BUILD_DIR/src/granary"
DEMO="${DEMO_DIR:-demo}"
rm -rf "$DEMO/ecco/products" "$DEMO/atl06" "$DEMO/quicklooks"

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

# Order-6 parents spread over the Antarctic ice sheet (lat, lon): each gets one track.
ANTARCTIC_CELLS=(
  -3131311 -3131223 -3114114 -3114242 -3121311 -3112214 -3111232  # (-75,0) (-72,25) (-76,45) (-71,55) (-74,70) (-79,80) (-84,60)
  -4131334 -4113341 -4131244 -4114312 -4113213 -4114242 -4112324  # (-72,95) (-77,105) (-70,115) (-74,130) (-80,120) (-71,145) (-77,150)
  -4111243 -4111311 -6111123 -5112114 -5112322 -5114114 -6113312  # (-83,150) (-86,100) (-87,-30) (-82,-100) (-78,-115) (-76,-135) (-80,-80)
  -3113111 -3113144 -3114433 -3122143 -5121124 -5111421 -3113211  # (-84,0) (-79,20) (-70,40) (-68,80) (-75,-95) (-82,-130) (-81,30)
)
echo "== 5. ATL06: synthetic granules (real layout), one ground track across each of ${#ANTARCTIC_CELLS[@]} Antarctic cells"
"$G" --log-level warn atl06 synth --out "$DEMO/atl06/granules" --granules "${#ANTARCTIC_CELLS[@]}" \
  --segments-per-beam 50000 --surface antarctica --cell "$(IFS=,; echo "${ANTARCTIC_CELLS[*]}")" >/dev/null
ls "$DEMO/atl06/granules" | head -n 3; echo "... ($(ls "$DEMO/atl06/granules" | wc -l) granules)"
echo "== 6. the catalog: which parent cells each granule's segments fall in"
"$G" atl06 catalog --granules "$DEMO/atl06/granules" --out "$DEMO/atl06/catalog.json"
echo "== 7. every parent cell -> Zarr v3 store (dggs convention), with a run report"
"$G" atl06 run --catalog "$DEMO/atl06/catalog.json" --out "$DEMO/atl06/atl06.zarr" --extra-stats \
  --report "$DEMO/atl06/report.json"
echo "store: $DEMO/atl06/atl06.zarr  report: $DEMO/atl06/report.json"

echo "== 8. what the run made, and quick looks at it"
"$G" report "$DEMO/atl06/report.json" --top 3
SSH_LATLON=$(find "$DEMO/ecco/products/latlon/mon_mean/SEA_SURFACE_HEIGHT" -name '*1992-01*.nc')
SSH_NATIVE=$(find "$DEMO/ecco/products/native/mon_mean/SEA_SURFACE_HEIGHT" -name '*1992-01*.nc')
mkdir -p "$DEMO/quicklooks"
Q="$DEMO/quicklooks"
"$G" info "$SSH_LATLON" | head -n 12
"$G" quicklook "$SSH_LATLON" --cmap balance --out "$Q/ssh_latlon.png"
"$G" quicklook "$SSH_LATLON" --cmap balance --projection south-polar --out "$Q/ssh_latlon_south_polar.png"
"$G" quicklook "$SSH_NATIVE" --cmap balance --out "$Q/ssh_native_mosaic.png"
"$G" info "$DEMO/atl06/atl06.zarr" --no-stats | head -n 12
"$G" quicklook "$DEMO/atl06/atl06.zarr" --var h_mean --out "$Q/atl06_h_mean.png"
"$G" quicklook "$DEMO/atl06/atl06.zarr" --var count --out "$Q/atl06_count.png"
echo "quick looks: $(ls "$Q"/*.png | tr '\n' ' ')"
