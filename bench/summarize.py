#!/usr/bin/python3
"""Turns a bench TSV (case, tool, rep, seconds, peak_kb) into medians and ratios, and
replaces one section of BENCHMARKS.md (between <!-- NAME:begin --> and <!-- NAME:end -->)."""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
from collections import OrderedDict


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem_gb:.0f} GiB, {platform.system()} {platform.release()}"


def load(path):
    rows = OrderedDict()
    with open(path) as f:
        for line in f:
            case, tool, _rep, secs, kb = line.rstrip("\n").split("\t")
            rows.setdefault(case, OrderedDict()).setdefault(tool, []).append((float(secs), int(kb)))
    return rows


def render(rows, baseline, reps_note, title):
    out = [f"### {title}", "",
           f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine()}; {reps_note}.",
           "Whole commands timed with /usr/bin/time; medians of the repetitions; ratio = "
           f"{baseline} median / this median (higher is faster than {baseline}).", "",
           "| case | tool | median s | min s | max s | peak RSS MB (median) | speed-up vs baseline | memory vs baseline |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for case, tools in rows.items():
        base = tools.get(baseline) or next(iter(tools.values()))
        base_name = baseline if baseline in tools else next(iter(tools))
        b_sec = statistics.median(s for s, _ in base)
        b_kb = statistics.median(k for _, k in base)
        for tool, vals in tools.items():
            secs = [s for s, _ in vals]
            kb = statistics.median(k for _, k in vals)
            med = statistics.median(secs)
            ratio = "—" if tool == base_name else f"{b_sec / med:.1f}x" if med > 0 else "∞"
            mem = "—" if tool == base_name or not kb or not b_kb else f"{kb / b_kb:.2f}x"
            rss = f"{kb / 1024:.0f}" if kb else "—"
            out.append(f"| {case} | {tool} | {med:.3f} | {min(secs):.3f} | {max(secs):.3f} | {rss} | {ratio} | {mem} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--section", required=True)
    ap.add_argument("--baseline", default="oracle")
    ap.add_argument("--update", help="BENCHMARKS.md to update in place")
    ap.add_argument("--extra", default="", help="markdown appended to the section")
    a = ap.parse_args()
    rows = load(a.results)
    reps = max(len(v) for t in rows.values() for v in t.values())
    text = render(rows, a.baseline, f"{reps} repetitions per command, raw data in bench/results/{os.path.basename(a.results)}",
                  a.section)
    if a.extra:
        text += "\n" + a.extra + "\n"
    print(text)
    if a.update:
        begin, end = f"<!-- {a.section}:begin -->", f"<!-- {a.section}:end -->"
        doc = open(a.update).read() if os.path.exists(a.update) else "# Benchmarks\n"
        block = f"{begin}\n{text}{end}"
        if begin in doc:
            doc = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
        else:
            doc = doc.rstrip("\n") + "\n\n" + block + "\n"
        tmp = a.update + ".part"
        with open(tmp, "w") as f:
            f.write(doc)
        os.replace(tmp, a.update)


if __name__ == "__main__":
    main()
