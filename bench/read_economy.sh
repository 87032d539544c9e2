#!/usr/bin/env bash
# Read economy of the ATL06 cell job on S3: bytes fetched, bytes needed, amplification and
# requests, against a simulated h5coro-like reader (aligned 4 MiB blocks, cached) fed the
# very reads granary's job needed (bench/read_sim.py), on the same files.
#   bash bench/read_economy.sh    # REPS=5 by default; writes bench/results/read-economy-*.json
#                                 # and the read-economy section of BENCHMARKS.md
# Cases (granules served by tests/support/s3_server.py on loopback, SigV4 checked):
#   synthetic   the ATL06 benchmark cell of bench/atl06.sh: parent -4113213, 8 full-size
#               synthetic granules (150,000 segments per beam)
#   real        the 8 parent cells of ../shared/data/atl06/golden/catalog.json, one real
#               granule each (summed over the 8 jobs)
# Each case runs once with GRANARY_READ_TRACE (the trace feeds the simulation; the job's own
# counters are checked against the trace and the server's), then REPS times for the wall
# time from S3 and REPS times locally (pread), medians reported. KEEP_TRACES=DIR keeps the
# traces (DIR/{synthetic,real}-trace/*.trace).
source "$(dirname "$0")/lib.sh"
[ -x "$GRANARY" ] || { echo "bench: build first (bash scripts/check.sh) or set GRANARY" >&2; exit 2; }
CELL=-4113213
SYNTH_ARGS=(--granules 8 --segments-per-beam 150000 --cell "$CELL" --seed 1)
CACHE="${ATL06_BENCH_CACHE:-/tmp/granary-bench-atl06-cache}"
REAL="$DATA/atl06"
WORK="$(mktemp -d /tmp/granary-bench-reads.XXXXXX)"
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$ROOT/bench/results"
STAMP_UTC="$(date -u +%Y%m%dT%H%M%S)"
RESULTS="$ROOT/bench/results/read-economy-$STAMP_UTC.json"

# The synthetic granules of bench/atl06.sh (same cache, same stamp).
STAMP="$(cat "$ROOT"/src/recipes/atl06/synth*.?pp | sha256sum | cut -c1-16) ${SYNTH_ARGS[*]}"
if [ "$(cat "$CACHE/stamp" 2>/dev/null)" != "$STAMP" ]; then
  rm -rf "$CACHE" && mkdir -p "$CACHE/granules"
  "$GRANARY" --log-level warn atl06 synth --out "$CACHE/granules" "${SYNTH_ARGS[@]}" > "$CACHE/summary.json"
  echo "$STAMP" > "$CACHE/stamp"
fi
SYNTH=("$CACHE"/granules/*.h5)

# The S3 server, holding every granule under s3://bench/{synthetic,real}/.
KEY=AKIDBENCHREADS01 SECRET=bench/Secret+reads
OBJECTS=()
for g in "${SYNTH[@]}"; do OBJECTS+=(--object "bench/synthetic/$(basename "$g")=$g"); done
for g in "$REAL"/*.h5; do OBJECTS+=(--object "bench/real/$(basename "$g")=$g"); done
coproc SERVER { exec $PY "$ROOT/tests/support/s3_server.py" --bucket bench --credential "$KEY:$SECRET" "${OBJECTS[@]}"; }
SERVER_PID=$SERVER_PID
read -r PORT <&"${SERVER[0]}"
export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$PORT"
stats() { curl -s "$AWS_ENDPOINT_URL_S3/_control/stats"; }

# cell NAME PARENT GRANULE...: one job into $WORK/NAME.zarr; prints nothing.
cell() {
  local name="$1" parent="$2"; shift 2
  rm -rf "$WORK/$name.zarr"
  "$GRANARY" --log-level warn atl06 cell --parent "$parent" --granules "$@" --out "$WORK/$name.zarr" > /dev/null
}
# run_jobs JOBS remote|local: every job of the case, one after the other; prints the seconds.
run_jobs() {
  local t0 t1 remote local_
  t0=$(date +%s.%N)
  while IFS='|' read -r remote local_; do
    # shellcheck disable=SC2086
    if [ "$2" = remote ]; then cell timed $remote; else cell timed $local_; fi
  done <<< "$1"
  t1=$(date +%s.%N)
  awk "BEGIN { print $t1 - $t0 }"
}

# run_case NAME: runs the jobs of case NAME ("synthetic" or "real") from S3 (traced once, then
# timed) and locally; writes $WORK/NAME.json.
case_jobs() {
  if [ "$1" = synthetic ]; then
    local uris=() paths=()
    for g in "${SYNTH[@]}"; do uris+=("s3://bench/synthetic/$(basename "$g")"); paths+=("$g"); done
    echo "$CELL ${uris[*]}|$CELL ${paths[*]}"
  else
    $PY - "$REAL" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1] + "/golden/catalog.json"))["catalog"]
for parent, names in cat.items():
    print(parent, " ".join("s3://bench/real/" + n for n in names) + "|" + parent + " " +
          " ".join(sys.argv[1] + "/" + n for n in names))
PY
  fi
}
run_case() {
  local name="$1" jobs; jobs="$(case_jobs "$name")"
  mkdir -p "$WORK/$name-trace"
  local before after; before="$(stats)"
  local results=()
  while IFS='|' read -r remote local_; do
    # shellcheck disable=SC2086
    GRANARY_READ_TRACE="$WORK/$name-trace" cell "$name-job" $remote
    results+=("$($PY -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
                 "$WORK/$name-job.zarr/.granary/cells/12/${remote%% *}.json")")
  done <<< "$jobs"
  after="$(stats)"
  printf '%s\n' "${results[@]}" > "$WORK/$name-results.jsonl"
  $PY "$ROOT/bench/read_sim.py" "$WORK/$name-trace"/*.trace > "$WORK/$name-sim.json"
  [ -n "${KEEP_TRACES:-}" ] && mkdir -p "$KEEP_TRACES" && cp -r "$WORK/$name-trace" "$KEEP_TRACES/"
  local s3_times=() local_times=()
  for _ in $(seq 1 "$REPS"); do
    s3_times+=("$(run_jobs "$jobs" remote)")
    local_times+=("$(run_jobs "$jobs" local)")
  done
  $PY - "$name" "$WORK/$name-results.jsonl" "$WORK/$name-sim.json" "$before" "$after" \
    "${s3_times[*]}" "${local_times[*]}" > "$WORK/$name.json" <<'PY'
import json, statistics, sys
name, results, sim = sys.argv[1], [json.loads(l) for l in open(sys.argv[2])], json.load(open(sys.argv[3]))
before, after = json.loads(sys.argv[4]), json.loads(sys.argv[5])
s = lambda k: sum(r[k] for r in results)
granary = {k: s(k) for k in ("granule_bytes", "bytes_fetched", "bytes_needed", "read_requests")}
granary["read_amplification"] = round(granary["bytes_fetched"] / granary["bytes_needed"], 4)
server = {k: after[k] - before[k] for k in ("requests", "object_gets", "object_heads", "object_bytes_sent")}
t = sim["total"]
# The job's counters are the server's (requests, bytes), and the trace's needs are its bytes_needed.
checks = {"requests_match_server": granary["read_requests"] == server["requests"],
          "bytes_match_server": granary["bytes_fetched"] == server["object_bytes_sent"],
          "needed_matches_trace": granary["bytes_needed"] == t["bytes_needed"]}
print(json.dumps({"case": name, "jobs": len(results), "granary": granary, "server": server, "simulated_4mib": {
    "bytes_fetched": t["sim_bytes"], "gets": t["sim_gets"], "read_amplification": t["sim_amplification"]},
    "fewest_gets_at_1_5x": t["fewest_gets_at_1_5x"],
    "granary_gets": t["granary_gets"], "checks": checks,
    "seconds_s3": [float(x) for x in sys.argv[6].split()], "seconds_local": [float(x) for x in sys.argv[7].split()],
    "median_s3": statistics.median([float(x) for x in sys.argv[6].split()] or [0]),
    "median_local": statistics.median([float(x) for x in sys.argv[7].split()] or [0]), "per_granule": sim["granules"]}))
PY
  echo "bench: read economy, $name done" >&2
}

run_case synthetic
[ -d "$REAL" ] && run_case real
cat "$WORK"/synthetic.json $( [ -f "$WORK/real.json" ] && echo "$WORK/real.json") | $PY -c '
import json, sys; print(json.dumps([json.loads(l) for l in sys.stdin], indent=1))' > "$RESULTS"
$PY "$ROOT/bench/read_economy_report.py" "$RESULTS" --update "$ROOT/BENCHMARKS.md"
