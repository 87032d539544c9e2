#!/usr/bin/env bash
# ASan + UBSan in the routine (issue 13): builds the "sanitize" preset (clang, -O1 with line
# tables, libFuzzer instrumentation) in build-sanitize/, runs the tests of every parser and of
# the executors under it (the granary binary they start is sanitized too), then every fuzz
# harness for FUZZ_SECONDS in total (default 60). Any sanitizer report fails the test.
#   scripts/sanitize.sh            what .ci/run does
#   SANITIZE_TESTS=REGEX           another ctest -R selection
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build-sanitize
# Parsers (MDS, HDF5, Zarr, netCDF chunks, JSON/YAML/XML/CSV readers, plans, reports, logs),
# storage and credentials, the executors (local workers, plans, Lambda runtime) and the
# exit codes of both recipes end to end. Slow numerical suites (regrid oracles, real data,
# container images) stay in the main run.
DEFAULT_TESTS='^(Mds|Hdf5|Zarr[A-Z]|NetcdfChunk|NetcdfStoragePlan|NetcdfOrdered|Atl06Catalog|Atl06Cmr|Atl06Event|Atl06Errors|Atl06CellIndex|Ecco(ConfigHostile|Grouping|JobsFile|Timesteps|RunConfig|MetadataDemo|MetadataErrors|PodaacTable|Naming|TimeAxis)|Plan|PlanReport|ReportSummary|RunReport|RunFraming|RunLocalExecutor|LambdaLogLines|LambdaReport|LambdaRuntime\.|JsonInput|Files|Credential|RangeReader|BlockCache|RetryPolicy|S3Transport|S3Store|RegridFactorsFile|RegridFactorsCorrupt|Morton|PackedMorton|GroupStats|NumpyFloat32|ExitCodes|InfoErrors|CliUsage)'
TESTS="${SANITIZE_TESTS:-$DEFAULT_TESTS}"

if [ ! -f "$BUILD/build.ninja" ]; then cmake --preset sanitize >/dev/null; fi
cmake --build "$BUILD" -j "$(nproc)" --target granary granary_tests fuzzers

# Reports also go to files: a finding in a forked worker or a granary the tests start must not
# pass unseen as just one more failed job. Leaks are not checked (libhdf5, yaml-cpp and libcurl
# keep global state to the end of the process).
REPORTS="$PWD/$BUILD/sanitizer-reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan"
export AWS_EC2_METADATA_DISABLED=true
status=0
ctest --test-dir "$BUILD" -R "$TESTS" --output-on-failure -j "$(nproc)" --timeout 900 || status=$?
if compgen -G "$REPORTS/*" >/dev/null; then
  echo "sanitize: sanitizer reports:" >&2
  for f in "$REPORTS"/*; do echo "--- $f" >&2; head -60 "$f" >&2; done
  status=1
fi
[ "$status" -eq 0 ] || exit "$status"
unset ASAN_OPTIONS UBSAN_OPTIONS

bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
