#!/usr/bin/env bash
# ECCO benchmarks: granary against the Python oracle (and CDO remapnn), in the same run.
#   bash bench/ecco.sh            # REPS=5 by default; writes bench/results/ecco-*.tsv and
#                                 # the ECCO section of BENCHMARKS.md
source "$(dirname "$0")/lib.sh"
need cdo
[ -x "$GRANARY" ] || { echo "bench: build first (bash scripts/check.sh) or set GRANARY" >&2; exit 2; }
GRID="$DATA/ecco/grid_llc90"
[ -d "$GRID" ] || { echo "bench: real data not found at $DATA (set GRANARY_TEST_DATA)" >&2; exit 2; }
ORACLE="$REFERENCE/ecco_reference.py"
export GRANARY_REFERENCE="$REFERENCE"
WORK="$(mktemp -d /tmp/granary-bench-ecco.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ROOT/bench/results"
RESULTS="$ROOT/bench/results/ecco-$(date -u +%Y%m%dT%H%M%S).tsv"
: > "$RESULTS"

# Inputs, made once: oracle factors (for the oracle's latlon), granary factors, a 3D field.
$PY "$ORACLE" factors --grid "$GRID" --out "$WORK/oracle_factors" --levels 50 >/dev/null
"$GRANARY" ecco factors --grid "$GRID" --out "$WORK/factors.bin" --levels 50 >/dev/null 2>&1
$PY "$ORACLE" synth3d --grid "$GRID" --out "$WORK/THETA.0000001428.data" --levels 50
SSH="$DATA/ecco/model_output_r2_mean/SSH.bin"
# CDO reads the same fields as an unstructured grid (cell centres, dry cells missing).
$PY "$ROOT/bench/ecco_cdo_input.py" --grid "$GRID" --field "$SSH" --levels 1 --out "$WORK/ssh_cells.nc"
$PY "$ROOT/bench/ecco_cdo_input.py" --grid "$GRID" --field "$WORK/THETA.0000001428.data" --levels 50 --out "$WORK/theta_cells.nc"
cat > "$WORK/latlon_0p5.txt" <<GRIDDES
gridtype = lonlat
xsize = 720
ysize = 360
xfirst = -179.75
xinc = 0.5
yfirst = -89.75
yinc = 0.5
GRIDDES

# 1. Mapping factors, 50 levels.
measure factors_50_levels oracle $PY "$ORACLE" factors --grid "$GRID" --out "$WORK/o_f" --levels 50
measure factors_50_levels granary "$GRANARY" ecco factors --grid "$GRID" --out "$WORK/g_f.bin" --levels 50

# 2. One 3D granule (50 levels) to a lat-lon netCDF (zlib 5 + shuffle), end to end.
measure granule_3d_latlon_nc oracle $PY "$ORACLE" latlon --grid "$GRID" --factors "$WORK/oracle_factors" \
  --field "$WORK/THETA.0000001428.data" --out "$WORK/o_theta.nc"
measure granule_3d_latlon_nc granary "$GRANARY" ecco regrid --factors "$WORK/factors.bin" --grid "$GRID" \
  --field "$WORK/THETA.0000001428.data" --out "$WORK/g_theta.nc"
# The floor of this product format: level-5 deflate (libdeflate) alone of the same shuffled
# bytes on 2 threads, measured inside granary_bench on granary's own THETA values.
$PY -c "import sys, xarray as xr, numpy as np; xr.open_dataset(sys.argv[1]).THETA.values.astype(np.float32).tofile(sys.argv[2])" \
  "$WORK/g_theta.nc" "$WORK/theta.f32"
GRANARY_BENCH_FLOAT32="$WORK/theta.f32" "$GRANARY_BENCH" \
  --benchmark_filter='BM_DeflateFloorLibdeflate/threads:2/' --benchmark_repetitions="$REPS" \
  --benchmark_report_aggregates_only=false --benchmark_format=json > "$WORK/floor.json"
$PY -c "
import json, sys
runs = [b for b in json.load(open(sys.argv[1]))['benchmarks'] if b.get('run_type') == 'iteration']
for i, b in enumerate(runs, 1):
    print(f'granule_3d_latlon_nc\tdeflate5_floor_2_threads\t{i}\t{b[\"real_time\"] / 1000:.4f}\t0')
" "$WORK/floor.json" >> "$RESULTS"

# 3. The regrid step against CDO remapnn on the same grids (uncompressed output for both).
measure regrid_2d cdo_remapnn cdo -s -f nc4 remapnn,"$WORK/latlon_0p5.txt" "$WORK/ssh_cells.nc" "$WORK/cdo_ssh.nc"
measure regrid_2d granary "$GRANARY" ecco regrid --factors "$WORK/factors.bin" --field "$SSH" --shape 2D \
  --deflate-level 0 --out "$WORK/g_ssh.nc"
measure regrid_50_levels cdo_remapnn cdo -s -f nc4 remapnn,"$WORK/latlon_0p5.txt" "$WORK/theta_cells.nc" "$WORK/cdo_theta.nc"
measure regrid_50_levels granary "$GRANARY" ecco regrid --factors "$WORK/factors.bin" --grid "$GRID" \
  --field "$WORK/THETA.0000001428.data" --deflate-level 0 --out "$WORK/g_theta0.nc"

# Same numbers? (exact float32, land mask included)
$PY "$ORACLE" compare "$WORK/o_theta.nc" "$WORK/g_theta.nc" >&2

$PY "$ROOT/bench/summarize.py" --results "$RESULTS" --section ECCO --baseline oracle \
  --update "$ROOT/BENCHMARKS.md"
