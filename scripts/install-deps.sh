#!/usr/bin/env bash
# Installs everything granary needs to build, test and benchmark on Debian 12.
# One list, used by the README and by .ci/run. Idempotent; needs root (or sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libnetcdf-dev netcdf-bin libhdf5-dev hdf5-tools
  libnanoflann-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  libdeflate-dev libzstd-dev libblosc-dev zlib1g-dev libtbb-dev
  libcurl4-openssl-dev libssl-dev libchealpix-dev libpng-dev libproj-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# The Python oracles (../shared/reference) and the independent readers used by tests and bench/.
CHECK_PACKAGES=(
  python3-numpy python3-scipy python3-pandas python3-xarray python3-netcdf4 python3-h5py
  python3-healpy python3-zarr python3-numcodecs python3-pyresample cdo hyperfine time
)

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
