#!/usr/bin/python3
"""Points per second of the morton step's Python peers, on the same points as
bench/morton_bench.cpp (raw little-endian float64 (lat, lon) pairs), in the same run:

  healpy_ang2pix    healpy.ang2pix(2**18, lon, lat, lonlat=True, nest=True)  (nested id only)
  oracle_geo2mort   atl06_reference.geo2mort(lat, lon, 18): ang2pix + morton digits, the
                    oracle's whole morton step

Prints one bench TSV row per repetition: case, tool, rep, seconds per pass over all points, 0.
  healpy_rate.py --points FILE --case NAME [--reps N] [--reference DIR]
"""
import argparse
import os
import sys
import time

import healpy
import numpy as np


def timed(fn, reps):
    fn()  # warm-up: page in the arrays and healpy's tables
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", required=True, help="raw float64 (lat, lon) pairs")
    ap.add_argument("--case", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--reference", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "..", "..", "shared", "reference"))
    a = ap.parse_args()
    pairs = np.fromfile(a.points, dtype="<f8").reshape(-1, 2)
    lat, lon = np.ascontiguousarray(pairs[:, 0]), np.ascontiguousarray(pairs[:, 1])
    sys.path.insert(0, a.reference)
    import atl06_reference as ref

    tools = {
        "healpy_ang2pix": lambda: healpy.ang2pix(1 << 18, lon, lat, lonlat=True, nest=True),
        "oracle_geo2mort": lambda: ref.geo2mort(lat, lon, 18),
    }
    for tool, fn in tools.items():
        for rep, secs in enumerate(timed(fn, a.reps), 1):
            print(f"{a.case}\t{tool}\t{rep}\t{secs:.6f}\t0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
