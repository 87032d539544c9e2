#!/usr/bin/env bash
# Installs everything granary needs to build, test and benchmark on Debian 12.
# One list, used by the README and by .ci/run. Idempotent; needs root (or sudo).
#   --build-only: just what building granary needs (the container image's build stage).
# The container image's runtime packages are listed in scripts/runtime-packages.txt.
set -euo pipefail
BUILD_ONLY=false
if [ "${1:-}" = "--build-only" ]; then BUILD_ONLY=true; fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libnetcdf-dev netcdf-bin libhdf5-dev hdf5-tools
  libnanoflann-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libdeflate-dev libzstd-dev libblosc-dev zlib1g-dev libtbb-dev
  libcurl4-openssl-dev libssl-dev libpugixml-dev libchealpix-dev libpng-dev libproj-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gmt-gshhg-low  # coastlines for granary quicklook (GSHHG, read directly; GMT itself is not needed)
  zip unzip binutils  # granary package lambda: function.zip, objcopy --strip-debug
)
# The Python oracles (../shared/reference) and the independent readers used by tests and bench/.
CHECK_PACKAGES=(
  python3-numpy python3-scipy python3-pandas python3-xarray python3-netcdf4 python3-h5py
  python3-healpy python3-zarr python3-numcodecs python3-pyresample cdo hyperfine time
  awscli  # the AWS CLI lists and reads granary's S3 outputs in the tests, as users will
  gdal-bin  # gdal_translate/gdalinfo read the CRS of lat-lon products made with --grid-mapping
  # A real single-node Slurm cluster the tests start under a temp dir (tests/support/slurm_cluster):
  # slurmctld, slurmd, the client commands and munged. Their system services are not used.
  slurm-wlm munge
  # The sanitizer build and the fuzz harnesses (issue 13; scripts/sanitize.sh, scripts/fuzz.sh):
  # clang with ASan/UBSan and libFuzzer runtimes.
  clang libclang-rt-14-dev libfuzzer-14-dev
)

if $BUILD_ONLY; then CHECK_PACKAGES=(); fi
want=()
for p in "${BUILD_PACKAGES[@]}" "${CHECK_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want+=("$p")
done
if [ "${#want[@]}" -gt 0 ]; then
  echo "install-deps: installing ${#want[@]} packages: ${want[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi
if $BUILD_ONLY; then exit 0; fi

# The .debs of the container image's runtime packages and their dependencies, which
# tests/cli/container_tree_test.cpp unpacks into the image's file tree (no Docker, no network).
$SUDO bash "$(dirname "$0")/runtime-debs.sh"

# Node.js (>= 18) and npm: Debian's nodejs + npm, unless a node with its own npm is installed
# already (e.g. NodeSource's nodejs, which conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: installing nodejs npm"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# zarrita: an independent Zarr v3 reader (JavaScript) the tests read granary's v3 stores with.
# Pinned by tools/zarrita/package-lock.json; node_modules stays out of git.
ZARRITA="$(cd "$(dirname "$0")/.." && pwd)/tools/zarrita"
if [ ! -d "$ZARRITA/node_modules/zarrita" ] || [ "$ZARRITA/package-lock.json" -nt "$ZARRITA/node_modules" ]; then
  echo "install-deps: npm ci (tools/zarrita)"
  npm ci --prefix "$ZARRITA" --no-audit --no-fund --loglevel=error >/dev/null
fi

# ajv: the JSON-schema validator zarr-conventions/dggs validates its convention with; the tests
# check every ATL06 v3 store against that schema (tests/data/dggs). Pinned by its package-lock.
DGGS_SCHEMA="$(cd "$(dirname "$0")/.." && pwd)/tools/dggs-schema"
if [ ! -d "$DGGS_SCHEMA/node_modules/ajv" ] || [ "$DGGS_SCHEMA/package-lock.json" -nt "$DGGS_SCHEMA/node_modules" ]; then
  echo "install-deps: npm ci (tools/dggs-schema)"
  npm ci --prefix "$DGGS_SCHEMA" --no-audit --no-fund --loglevel=error >/dev/null
fi

# kubernetes-models: the Kubernetes OpenAPI schemas (with ajv) that the tests check
# deploy/kubernetes/*.yaml against. Pinned by its package-lock.
K8S_MODELS="$(cd "$(dirname "$0")/.." && pwd)/tools/k8s-models"
if [ ! -d "$K8S_MODELS/node_modules/kubernetes-models" ] || [ "$K8S_MODELS/package-lock.json" -nt "$K8S_MODELS/node_modules" ]; then
  echo "install-deps: npm ci (tools/k8s-models)"
  npm ci --prefix "$K8S_MODELS" --no-audit --no-fund --loglevel=error >/dev/null
fi

# @20minutes/s3rver: a third-party S3 implementation (verifies SigV4) that the S3 tests run
# both recipes against, beside the project's own strict server. Pinned by its package-lock.
S3RVER="$(cd "$(dirname "$0")/.." && pwd)/tools/s3rver"
if [ ! -d "$S3RVER/node_modules/@20minutes/s3rver" ] || [ "$S3RVER/package-lock.json" -nt "$S3RVER/node_modules" ]; then
  echo "install-deps: npm ci (tools/s3rver)"
  npm ci --prefix "$S3RVER" --no-audit --no-fund --loglevel=error >/dev/null
fi
