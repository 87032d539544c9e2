# Shared helpers for the bench/ scripts (sourced). Every measurement is a whole command,
# repeated REPS times; /usr/bin/time gives wall seconds and peak RSS. Results go to a TSV
# (case, tool, rep, seconds, peak_kb) that summarize.py turns into medians and ratios.
set -euo pipefail
REPS="${REPS:-5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${GRANARY_TEST_DATA:-$ROOT/../shared/data}"
REFERENCE="${GRANARY_REFERENCE:-$ROOT/../shared/reference}"
BUILD="${BUILD_DIR:-$ROOT/build}"
[[ "$BUILD" = /* ]] || BUILD="$ROOT/$BUILD"
GRANARY="${GRANARY:-$BUILD/src/granary}"
GRANARY_BENCH="${GRANARY_BENCH:-$BUILD/bench/granary_bench}"
PY=/usr/bin/python3

need() { command -v "$1" >/dev/null || { echo "bench: $1 is required (bash scripts/install-deps.sh)" >&2; exit 2; }; }

# measure CASE TOOL command...: runs the command REPS times, appending rows to $RESULTS.
measure() {
  local case_name="$1" tool="$2"; shift 2
  for rep in $(seq 1 "$REPS"); do
    local tf; tf=$(mktemp)
    if ! /usr/bin/time -f "%e %M" -o "$tf" "$@" >/dev/null 2>"$tf.err"; then
      echo "bench: $case_name/$tool failed:" >&2; cat "$tf.err" >&2; exit 1
    fi
    read -r secs kb < <(tail -n 1 "$tf")
    printf '%s\t%s\t%s\t%s\t%s\n' "$case_name" "$tool" "$rep" "$secs" "$kb" >> "$RESULTS"
    rm -f "$tf" "$tf.err"
  done
  echo "bench: $case_name/$tool done" >&2
}
