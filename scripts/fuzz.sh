#!/usr/bin/env bash
# Runs every libFuzzer harness in fuzz/ for SECONDS in total (default 60), split evenly, and
# fails if any of them finds a crash in granary. Builds the "sanitize" preset (clang, ASan,
# UBSan, libFuzzer) in build-sanitize/ first if needed.
#   scripts/fuzz.sh [SECONDS] [HARNESS ...]      e.g. scripts/fuzz.sh 600 meta_fuzz
#   FUZZ_PER_HARNESS=600 scripts/fuzz.sh         SECONDS per harness instead of in total
#   FUZZ_JOBS=2                                  harnesses run side by side (default: cores)
#   FUZZ_BUILD=0                                 use the harnesses as built (no cmake --build)
# Corpora grow in build-sanitize/fuzz-corpus/<harness> (kept between runs); the inputs of
# crashes found and fixed stay in fuzz/regressions/<harness>/ and are run every time; a run's
# crashes are saved in build-sanitize/fuzz-crashes/<harness>/. A summary line per harness gives executions,
# coverage (libFuzzer's cov/ft), corpus size and crashes.
#
# libhdf5 (Debian's, not instrumented) is known to crash on crafted files: hdf5_granule_fuzz
# runs with -fork so the run goes on after such a crash. A crash whose stack is inside libhdf5
# is recorded and counted apart; granary confines it to one job's worker process. Any other
# crash fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
TOTAL="${1:-60}"
shift || true
BUILD=build-sanitize
JOBS="${FUZZ_JOBS:-$(nproc)}"

if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  if [ ! -f "$BUILD/build.ninja" ]; then cmake --preset sanitize >/dev/null; fi
  cmake --build "$BUILD" --target fuzzers granary >/dev/null
fi

HARNESSES=("$@")
if [ "${#HARNESSES[@]}" -eq 0 ]; then
  for f in fuzz/*_fuzz.cpp; do HARNESSES+=("$(basename "$f" .cpp)"); done
fi
PER="${FUZZ_PER_HARNESS:-$(( (TOTAL * JOBS + ${#HARNESSES[@]} - 1) / ${#HARNESSES[@]} ))}"
[ "$PER" -ge 2 ] || PER=2

SEEDS="$BUILD/fuzz-seeds"
if [ ! -d "$SEEDS" ]; then
  rm -rf "$SEEDS.tmp"
  /usr/bin/python3 fuzz/make_seeds.py "$BUILD/src/granary" "$PWD" "$SEEDS.tmp"
  mv "$SEEDS.tmp" "$SEEDS"
fi

dict_of() {
  case "$1" in
    meta_fuzz) echo fuzz/dicts/meta.dict ;;
    config_fuzz) echo fuzz/dicts/yaml.dict ;;
    s3_xml_fuzz) echo fuzz/dicts/xml.dict ;;
    jobs_fuzz|hdf5_granule_fuzz) echo "" ;;
    *) echo fuzz/dicts/json.dict ;;
  esac
}

# ASan: no leak check (libhdf5 and yaml-cpp keep global state); UBSan: stop at the first report.
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:handle_abort=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_one() {
  local h="$1" corpus="$BUILD/fuzz-corpus/$1" crashes="$BUILD/fuzz-crashes/$1" log="$BUILD/fuzz-logs/$1.log"
  rm -rf "$crashes"
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  local dict; dict="$(dict_of "$h")"
  local args=(-max_total_time="$PER" -timeout=20 -rss_limit_mb=2560 -malloc_limit_mb=2048 -max_len=65536
              -print_final_stats=1 -artifact_prefix="$crashes/")
  [ -n "$dict" ] && args+=(-dict="$dict")
  # The seed granule is ~150 KB: a shorter -max_len would cut it.
  if [ "$h" = hdf5_granule_fuzz ]; then args+=(-max_len=262144 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi
  local dirs=("$corpus" "$SEEDS/$h")
  [ -d "fuzz/regressions/$h" ] && dirs+=("fuzz/regressions/$h")
  "$BUILD/fuzz/$h" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 || true
}

export -f run_one dict_of
export BUILD PER SEEDS
printf '%s\n' "${HARNESSES[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

# A crash is libhdf5's when its first stack frame outside the sanitizer, libFuzzer, the
# allocator, the C library (memcpy into the NULL a failed malloc returned) and its abort path
# is in libhdf5. The artifact is rerun with the same limits, so an allocation beyond
# -malloc_limit_mb inside libhdf5 counts as libhdf5's.
in_libhdf5() {
  local h="$1" artifact="$2" out
  # The harness exits non-zero on the crash it reproduces: capture first, so that pipefail
  # does not take its exit status (or a SIGPIPE from an early head) for "not libhdf5".
  out="$("$BUILD/fuzz/$h" -rss_limit_mb=2560 -malloc_limit_mb=2048 "$artifact" 2>&1 || true)"
  awk '/^ +#[0-9]+ 0x[0-9a-f]+ in / &&
       !/ in (__sanitizer|__asan|__ubsan|__interceptor|__lsan|fuzzer::|malloc|calloc|realloc|free|operator new|__pthread_kill|pthread_kill|raise|abort|std::terminate|__cxa|__gnu_cxx|__mem|__str|mem(cpy|move|set) )/ && !/(sysdeps\/|\/libc\.so)/ {
         found = 1; exit !/libhdf5/ }
       END { if (!found) exit 1 }' <<<"$out"
}

failed=0
printf '%-20s %12s %8s %8s %8s %s\n' harness executions cov ft corpus crashes
for h in "${HARNESSES[@]}"; do
  log="$BUILD/fuzz-logs/$h.log"
  last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: [0-9]+' | tail -1 || true)
  execs=$(grep -oE '^#[0-9]+' <<<"$last" | tr -d '#' || echo 0)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || echo 0)
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || echo 0)
  corpus=$(find "$BUILD/fuzz-corpus/$h" -type f | wc -l)
  ours=0; theirs=0
  while IFS= read -r -d '' a; do
    if [ "$h" = hdf5_granule_fuzz ] && in_libhdf5 "$h" "$a"; then theirs=$((theirs + 1)); else ours=$((ours + 1)); fi
  done < <(find "$BUILD/fuzz-crashes/$h" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' \) -print0)
  note="$ours"
  [ "$theirs" -gt 0 ] && note="$ours (+$theirs inside libhdf5, recorded)"
  printf '%-20s %12s %8s %8s %8s %s\n' "$h" "$execs" "$cov" "$ft" "$corpus" "$note"
  if [ "${execs:-0}" -eq 0 ]; then
    failed=1
    echo "  $h: did not run (log: $log)" >&2
  fi
  if [ "$ours" -gt 0 ]; then
    failed=1
    echo "  $h: crash inputs in $BUILD/fuzz-crashes/$h (reproduce: $BUILD/fuzz/$h FILE); log: $log" >&2
  fi
done
exit "$failed"
