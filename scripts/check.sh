#!/usr/bin/env bash
# Installs everything, builds, and runs every test (the README's test command; CI runs it).
# Tests that need the real data read $GRANARY_TEST_DATA (default ../shared/data) and are
# reported as skipped, with the reason, when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
# Tests never ask the EC2 metadata address; those that test it start their own server.
export AWS_EC2_METADATA_DISABLED=true
# Sanitizers and fuzzing first (issue 13): ASan+UBSan tests of the parsers and executors, and
# about 60 s of every fuzz harness; then the main build, whose ctest summary ends the output.
if [ "${GRANARY_SKIP_SANITIZE:-}" != 1 ]; then bash scripts/sanitize.sh; fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 900
