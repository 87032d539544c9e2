#!/usr/bin/env bash
# ATL06 benchmarks: granary against the Python oracle, in the same run, on 8 full-size
# synthetic granules (150,000 segments per beam) whose tracks cross one Antarctic cell.
#   bash bench/atl06.sh     # REPS=5 by default; writes bench/results/atl06-*.tsv and the
#                           # atl06 section of BENCHMARKS.md
# Cases:
#   synth_8_granules          granary atl06 synth vs shared/reference/atl06_synth.py
#                             (SYNTH_REPS=1 by default: the Python generator takes ~15 s)
#   morton_18_1M_points       points/s of healpix::geo_to_morton (granary_bench) vs healpy's
#                             ang2pix and the oracle's geo2mort, on the same track positions
#   cell_1_parent_8_granules  granary atl06 cell (default and --numerics magg) vs
#                             atl06_reference.py cell (magg's algorithm); then checks that
#                             magg numerics equal the oracle's rows bit for bit
# The granules are generated once into $ATL06_BENCH_CACHE (regenerated when the generator's
# sources or options change).
source "$(dirname "$0")/lib.sh"
[ -x "$GRANARY" ] || { echo "bench: build first (bash scripts/check.sh) or set GRANARY" >&2; exit 2; }
[ -x "$GRANARY_BENCH" ] || { echo "bench: $GRANARY_BENCH missing (build with -DGRANARY_BUILD_BENCH=ON, libbenchmark-dev)" >&2; exit 2; }
ORACLE="$REFERENCE/atl06_reference.py"
PY_SYNTH="$REFERENCE/atl06_synth.py"
if [ ! -f "$ORACLE" ] || [ ! -f "$PY_SYNTH" ]; then
  echo "bench: oracle not found in $REFERENCE (set GRANARY_REFERENCE)" >&2; exit 2
fi
$PY -c 'import h5py, healpy, pandas' || { echo "bench: $PY needs h5py, healpy and pandas" >&2; exit 2; }
SYNTH_REPS="${SYNTH_REPS:-1}"
CELL=-4113213
SYNTH_ARGS=(--granules 8 --segments-per-beam 150000 --cell "$CELL" --seed 1)
CACHE="${ATL06_BENCH_CACHE:-/tmp/granary-bench-atl06-cache}"
WORK="$(mktemp -d /tmp/granary-bench-atl06.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ROOT/bench/results"
RESULTS="$ROOT/bench/results/atl06-$(date -u +%Y%m%dT%H%M%S).tsv"
: > "$RESULTS"

# FRESH OUT LOG cmd...: runs cmd after removing its output OUT (so no repetition finds the
# previous one's output) with stdout to LOG; the same thin wrapper around both tools of a case.
FRESH=(bash -c 'out="$1" log="$2"; shift 2; rm -rf "$out"; exec "$@" > "$log"' fresh)

# 0. Inputs, made once: 8 granules x 6 beams x 150,000 segments crossing $CELL.
STAMP="$(cat "$ROOT"/src/recipes/atl06/synth*.?pp | sha256sum | cut -c1-16) ${SYNTH_ARGS[*]}"
if [ "$(cat "$CACHE/stamp" 2>/dev/null)" != "$STAMP" ]; then
  rm -rf "$CACHE" && mkdir -p "$CACHE/granules"
  "$GRANARY" --log-level warn atl06 synth --out "$CACHE/granules" "${SYNTH_ARGS[@]}" > "$CACHE/summary.json"
  echo "$STAMP" > "$CACHE/stamp"
fi
GRANULES=("$CACHE"/granules/*.h5)
[ "${#GRANULES[@]}" -eq 8 ] || { echo "bench: expected 8 granules in $CACHE/granules" >&2; exit 1; }

# 1. Generating the granules: granary (parallel chunk compression) vs the Python generator.
REPS="$SYNTH_REPS" measure synth_8_granules atl06_synth.py "${FRESH[@]}" "$WORK/py_synth" "$WORK/py_synth.json" \
  $PY "$PY_SYNTH" --out "$WORK/py_synth" "${SYNTH_ARGS[@]}"
REPS="$SYNTH_REPS" measure synth_8_granules granary "${FRESH[@]}" "$WORK/g_synth" "$WORK/g_synth.json" \
  "$GRANARY" --log-level warn atl06 synth --out "$WORK/g_synth" "${SYNTH_ARGS[@]}"

# 2. The morton step on 1,000,000 real track positions (the first segments of the granules).
$PY - "$WORK/points.f64" "${GRANULES[@]}" <<'PY'
import sys, h5py, numpy as np
lat, lon, need = [], [], 1_000_000
for path in sys.argv[2:]:
    with h5py.File(path, "r") as f:
        for beam in ("gt1l", "gt1r", "gt2l", "gt2r", "gt3l", "gt3r"):
            g = f[f"{beam}/land_ice_segments"]
            lat.append(g["latitude"][:]); lon.append(g["longitude"][:])
lat, lon = np.concatenate(lat)[:need], np.concatenate(lon)[:need]
np.stack([lat, lon], axis=1).astype("<f8").tofile(sys.argv[1])
PY
$PY "$ROOT/bench/healpy_rate.py" --points "$WORK/points.f64" --case morton_18_1M_points --reps "$REPS" \
  --reference "$REFERENCE" >> "$RESULTS"
GRANARY_BENCH_POINTS="$WORK/points.f64" "$GRANARY_BENCH" --benchmark_filter='^BM_GeoToMorton18' \
  --benchmark_repetitions="$REPS" --benchmark_format=json > "$WORK/morton.json"
$PY -c "
import json, sys
runs = [b for b in json.load(open(sys.argv[1]))['benchmarks'] if b.get('run_type') == 'iteration']
for i, b in enumerate(runs, 1):
    print(f'morton_18_1M_points\tgranary_geo_to_morton\t{i}\t{b[\"real_time\"] / 1000:.6f}\t0')
" "$WORK/morton.json" >> "$RESULTS"
echo "bench: morton_18_1M_points done" >&2

# Medians, points/s and the targets, for the notes under the table.
notes() {
  $PY - "$RESULTS" "$CACHE/summary.json" "$WORK/py_synth.json" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    case, tool, _rep, secs, kb = line.rstrip("\n").split("\t")
    rows.setdefault(case, {}).setdefault(tool, []).append((float(secs), int(kb)))
med = lambda case, tool, i=0: statistics.median(r[i] for r in rows[case][tool])
ours, theirs = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
n = 8 * 6 * 150000
out = [f"Inputs: 8 synthetic granules x 6 beams x 150,000 segments ({n:,} segments) crossing cell {ours['cell']}; "
       f"{ours['total_points_in_cell']:,} segments in the cell with granary's generator "
       f"({100 * ours['total_points_in_cell'] / n:.1f} %), {theirs['total_points_in_cell']:,} with the Python one "
       f"({100 * theirs['total_points_in_cell'] / n:.1f} %).", ""]
c = "morton_18_1M_points"
rate = {t: 1e6 / med(c, t) for t in rows[c]}
out.append("Morton step (order 18, one thread, 1,000,000 real track positions), points per second: " +
           ", ".join(f"{t} {r / 1e6:.1f} M/s" for t, r in rate.items()) +
           f"; granary / healpy ang2pix = {rate['granary_geo_to_morton'] / rate['healpy_ang2pix']:.1f}x.")
if "cell_1_parent_8_granules" in rows:
    c = "cell_1_parent_8_granules"
    speed = med(c, "oracle") / med(c, "granary")
    memory = med(c, "granary", 1) / med(c, "oracle", 1)
    out.append("")
    out.append(f"Targets, one parent cell: speed-up {speed:.1f}x (target >= 30x: {'met' if speed >= 30 else 'NOT met'}), "
               f"peak memory {memory:.2f}x the oracle's (target <= 0.25x: {'met' if memory <= 0.25 else 'NOT met'}).")
print("\n".join(out))
PY
}

# 3. One parent cell, end to end (read, filter, aggregate, write), against magg's algorithm.
if ! "$GRANARY" atl06 cell --help 2>/dev/null | grep -q -- '--parent'; then
  $PY "$ROOT/bench/summarize.py" --results "$RESULTS" --section atl06 --baseline oracle --extra "$(notes)"
  echo "bench: FAILED: '$GRANARY atl06 cell' does not exist yet (no --parent option), so the cell case" \
       "cannot run; the results above are in $RESULTS and BENCHMARKS.md was not updated" >&2
  exit 1
fi
measure cell_1_parent_8_granules oracle "${FRESH[@]}" "$WORK/o_cell.csv" "$WORK/o_cell.json" \
  $PY "$ORACLE" cell --parent "$CELL" "${GRANULES[@]}" --out "$WORK/o_cell.csv"
measure cell_1_parent_8_granules granary "${FRESH[@]}" "$WORK/g_cell.zarr" "$WORK/g_cell.json" \
  "$GRANARY" --log-level warn atl06 cell --parent "$CELL" --granules "${GRANULES[@]}" --out "$WORK/g_cell.zarr"
measure cell_1_parent_8_granules granary_numerics_magg "${FRESH[@]}" "$WORK/m_cell.zarr" "$WORK/m_cell.json" \
  "$GRANARY" --log-level warn atl06 cell --parent "$CELL" --granules "${GRANULES[@]}" --out "$WORK/m_cell.zarr" \
  --numerics magg

# Same numbers? magg numerics must equal the oracle bit for bit.
"$GRANARY" --log-level warn atl06 cell --parent "$CELL" --granules "${GRANULES[@]}" --out "$WORK/check.zarr" \
  --numerics magg --csv "$WORK/check.csv" > /dev/null
$PY "$ORACLE" compare "$WORK/o_cell.csv" "$WORK/check.csv" --ulp 0 --ulp-mean 0 >&2

$PY "$ROOT/bench/summarize.py" --results "$RESULTS" --section atl06 --baseline oracle \
  --extra "$(notes)" --update "$ROOT/BENCHMARKS.md"
