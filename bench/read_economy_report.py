#!/usr/bin/python3
"""The read-economy section of BENCHMARKS.md, from bench/read_economy.sh's results JSON.

Usage: read_economy_report.py RESULTS.json [--update BENCHMARKS.md]
Prints the section; with --update, replaces the text between <!-- read-economy:begin -->
and <!-- read-economy:end --> (appended when the markers are missing).
"""
import argparse
import datetime
import os
import platform
import re
import sys

import json


def mb(n):
    return f"{n / 1e6:.2f} MB"


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}"


def section(results, path):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    reps = len(results[0]["seconds_s3"]) if results else 0
    out = ["### Read economy (ATL06 cell job on S3)", "",
           f"Measured {when} on {machine()}; granules served by tests/support/s3_server.py on loopback; "
           f"{reps} repetitions for the times (medians); raw data in {os.path.relpath(path)}.",
           "Bytes and requests are the same on every repetition. *needed* = the distinct bytes the jobs needed "
           "(libhdf5's metadata reads and the stored bytes of every chunk decoded, or the part of a chunk "
           "the decoder consumed); the 4 MiB reader is bench/read_sim.py fed the same needs (aligned 4 MiB "
           "blocks, unbounded cache, a run of missing blocks in one GET). Requests: GETs, plus granary's one "
           "HEAD per granule in parentheses.", "",
           "| case | jobs | granule bytes | needed | granary fetched | granary amplification | granary requests "
           "| 4 MiB reader fetched | 4 MiB amplification | 4 MiB GETs | s3 s (median) | local s (median) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    notes = []
    for r in results:
        g, s = r["granary"], r["simulated_4mib"]
        heads = r["server"]["object_heads"]
        out.append(f"| {r['case']} | {r['jobs']} | {mb(g['granule_bytes'])} | {mb(g['bytes_needed'])} | "
                   f"{mb(g['bytes_fetched'])} | {g['read_amplification']:.2f}x | {r['granary_gets']} (+{heads}) | "
                   f"{mb(s['bytes_fetched'])} | {s['read_amplification']:.2f}x | {s['gets']} | "
                   f"{r['median_s3']:.2f} | {r['median_local']:.2f} |")
        met = g["read_amplification"] <= 1.5 and r["granary_gets"] <= s["gets"]
        bad = [k for k, ok in r["checks"].items() if not ok]
        notes.append(f"* {r['case']}: target (amplification <= 1.5x at no more GETs than the 4 MiB reader): "
                     f"{'met' if met else 'NOT met'} (amplification {g['read_amplification']:.2f}x, "
                     f"{r['granary_gets']} GETs vs {s['gets']}); any reader needs at least "
                     f"{r['fewest_gets_at_1_5x']} GETs to stay within 1.5x on these needs. Counters checked against the server "
                     f"({r['server']['requests']} requests, {mb(r['server']['object_bytes_sent'])} sent) and the trace: "
                     f"{'all equal' if not bad else 'MISMATCH in ' + ', '.join(bad)}.")
    return "\n".join(out + [""] + notes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--update")
    args = ap.parse_args()
    text = section(json.load(open(args.results)), args.results)
    print(text)
    if args.update:
        doc = open(args.update).read()
        block = f"<!-- read-economy:begin -->\n{text}\n<!-- read-economy:end -->"
        pattern = re.compile(r"<!-- read-economy:begin -->.*?<!-- read-economy:end -->", re.S)
        doc = pattern.sub(lambda _: block, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + block + "\n"
        with open(args.update + ".tmp", "w") as f:
            f.write(doc)
        os.replace(args.update + ".tmp", args.update)


if __name__ == "__main__":
    sys.exit(main())
