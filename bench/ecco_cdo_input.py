#!/usr/bin/python3
"""Writes a compact LLC field as an unstructured-grid netCDF that CDO understands
(cell centres XC/YC as lon/lat, dry cells as missing), for the remapnn comparison."""
import argparse
import os
import sys

import numpy as np
import xarray as xr

sys.path.insert(0, os.environ.get("GRANARY_REFERENCE",
                                  os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", required=True)
    ap.add_argument("--field", required=True)
    ap.add_argument("--levels", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    import ecco_reference as ref
    grid = ref.read_grid(a.grid)
    field, _ = ref.read_field(a.field, None, a.levels)
    wet = ref.wet_masks(grid, a.levels)
    values = np.where(wet, field, np.nan).reshape(a.levels, -1).astype(np.float32)
    coords = {"lon": ("ncells", grid.XC.ravel(), {"units": "degrees_east", "standard_name": "longitude"}),
              "lat": ("ncells", grid.YC.ravel(), {"units": "degrees_north", "standard_name": "latitude"})}
    if a.levels > 1:
        coords["depth"] = ("depth", -grid.RC[:a.levels], {"units": "m", "axis": "Z", "positive": "down",
                                                          "standard_name": "depth"})
        var = (("depth", "ncells"), values, {"coordinates": "lat lon"})
    else:
        var = (("ncells",), values[0], {"coordinates": "lat lon"})
    ds = xr.Dataset({"v": var}, coords=coords)
    ds.to_netcdf(a.out, encoding={"v": {"_FillValue": np.float32(9.969209968386869e36)}})


if __name__ == "__main__":
    main()
