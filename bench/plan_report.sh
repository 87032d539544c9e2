#!/usr/bin/env bash
# How long `granary report` takes on a plan of 5,000 jobs (the issue's target: under 1 s):
# a synthetic plan written here (5,000 jobs in 100 units, 4,500 results, 47 failed, 500
# missing), the report timed REPS times; prints the median and every time.
#   bash bench/plan_report.sh [build/src/granary]
set -euo pipefail
G="${1:-${BUILD_DIR:-build}/src/granary}"
REPS="${REPS:-5}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
/usr/bin/python3 - "$DIR/plan" <<'PY'
import json, os, sys
p = sys.argv[1]
os.makedirs(p + "/units"); os.makedirs(p + "/results")
jobs = [{"id": f"{i:06d}", "label": f"job {i % 50}", "payload": {"n": i}} for i in range(5000)]
for u in range(100):
    with open(f"{p}/units/{u:06d}.json", "w") as f:
        json.dump({"unit": u, "jobs": jobs[u * 50:(u + 1) * 50]}, f)
for i in range(5000):
    if i % 10 == 0: continue
    r = {"status": "FAILED" if i % 97 == 0 else "SUCCESS", "error": "x", "elapsed_seconds": 0.001 * (i % 1000),
         "peak_rss_bytes": 100000000 + i, "finished": "2026-12-03T10:00:00Z", "bytes": 1000}
    with open(f"{p}/results/{i:06d}.json", "w") as f:
        json.dump(r, f)
with open(p + "/plan.json", "w") as f:
    json.dump({"format": "granary-plan/1", "recipe": "atl06", "parameters": {}, "jobs": 5000, "units": 100,
               "command": "bench", "created": "2026-12-03T10:00:00Z", "log_name": "", "attempt": 1}, f)
PY
times=()
for _ in $(seq "$REPS"); do
  s=$(date +%s.%N)
  "$G" report "$DIR/plan" > /dev/null
  e=$(date +%s.%N)
  times+=("$(echo "$e - $s" | bc -l)")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "granary report, 5000-job plan: median %.3f s over %d runs (all: ", a[int((NR+1)/2)], NR; for (i=1;i<=NR;i++) printf "%.3f%s", a[i], i<NR?" ":")\n"}'
