#!/usr/bin/python3
"""Read economy of granary against a simulated block reader, on the same reads.

granary records, per granule, every range its job needed and every range it fetched when
GRANARY_READ_TRACE=DIR is set (DIR/<parent>-<granule>.trace: "# object NAME size N", then
"need OFFSET LENGTH" and "fetch OFFSET LENGTH" lines in the order they happened). This
script replays the needs through a reader like h5coro's: every read is served from aligned
blocks of --block-size bytes (4 MiB by default), a missing block is fetched with one ranged
GET (a run of adjacent missing blocks in one read: one GET), and fetched blocks are kept
(unbounded cache by default, --max-blocks for LRU).

For each granule and in total it prints, as JSON:
  needed: bytes of the union of the needs (what any reader must fetch at least);
  granary: bytes fetched and GETs, from the fetch lines;
  simulated: bytes fetched and GETs of the block reader;
  and each one's amplification = fetched / needed;
  fewest_gets_at_1_5x: the fewest GETs any reader needs to fetch every need at an
  amplification of 1.5 or less (knowing all needs in advance: a lower bound).
GETs only: an S3 reader also needs the object's size (granary: one HEAD per granule, counted
in its read_requests), which either reader pays once.

Usage: read_sim.py TRACE... [--block-size BYTES] [--max-blocks N]
"""
import argparse
import collections
import json
import os
import sys


def parse(path):
    size, name, needs, fetches = None, path, [], []
    with open(path) as f:
        for line in f:
            if line.startswith("# object "):
                head = line.split()
                name, size = " ".join(head[2:-2]), int(head[-1])
                continue
            kind, offset, length = line.split()
            (needs if kind == "need" else fetches).append((int(offset), int(length)))
    if size is None:
        sys.exit(f"{path}: not a granary read trace (no '# object' line)")
    return name, size, needs, fetches


def union_bytes(ranges):
    total, end = 0, -1
    for lo, n in sorted(ranges):
        hi = lo + n
        if hi <= end:
            continue
        total += hi - max(lo, end)
        end = hi
    return total


def fewest_gets(needs, size, budget):
    """The fewest ranged GETs that cover every need while fetching at most `budget` x the
    needed bytes, for a reader that knew every need in advance: fill the smallest gaps
    between needed ranges first (optimal for a byte budget). A lower bound for any reader."""
    merged = []
    for lo, n in sorted((o, min(n, size - o)) for o, n in needs if o < size and n > 0):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], lo + n)
        else:
            merged.append([lo, lo + n])
    needed = sum(hi - lo for lo, hi in merged)
    spare, gets = (budget - 1) * needed, len(merged)
    for gap in sorted(b[0] - a[1] for a, b in zip(merged, merged[1:])):
        if gap > spare:
            break
        spare -= gap
        gets -= 1
    return gets


def simulate(size, needs, block, max_blocks):
    cache = collections.OrderedDict()  # block index -> None, most recent last
    gets = fetched = 0
    for offset, length in needs:
        if length == 0 or offset >= size:
            continue
        first, last = offset // block, (min(offset + length, size) - 1) // block
        b = first
        while b <= last:  # each run of adjacent missing blocks: one GET
            if b in cache:
                b += 1
                continue
            run_end = b
            while run_end + 1 <= last and run_end + 1 not in cache:
                run_end += 1
            gets += 1
            fetched += min((run_end + 1) * block, size) - b * block
            for m in range(b, run_end + 1):
                cache[m] = None
            b = run_end + 1
        for b in range(first, last + 1):
            cache.move_to_end(b)
        while max_blocks and len(cache) > max_blocks:
            cache.popitem(last=False)
    return fetched, gets


def ratio(a, b):
    return round(a / b, 4) if b else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("traces", nargs="+")
    ap.add_argument("--block-size", type=int, default=4 << 20)
    ap.add_argument("--max-blocks", type=int, default=0, help="LRU cache size in blocks (0: unbounded)")
    args = ap.parse_args()
    rows, total = [], collections.Counter()
    for path in args.traces:
        name, size, needs, fetches = parse(path)
        needed = union_bytes([(o, min(n, size - o)) for o, n in needs if o < size])
        sim_bytes, sim_gets = simulate(size, needs, args.block_size, args.max_blocks)
        row = {"granule": os.path.basename(name), "size_bytes": size, "needs": len(needs), "bytes_needed": needed,
               "granary_bytes": sum(n for _, n in fetches), "granary_gets": len(fetches),
               "sim_bytes": sim_bytes, "sim_gets": sim_gets, "fewest_gets_at_1_5x": fewest_gets(needs, size, 1.5)}
        total.update({k: v for k, v in row.items() if isinstance(v, int)})
        rows.append(row)
    for r in rows + [total]:
        r["granary_amplification"] = ratio(r["granary_bytes"], r["bytes_needed"])
        r["sim_amplification"] = ratio(r["sim_bytes"], r["bytes_needed"])
    out = {"block_size": args.block_size, "max_blocks": args.max_blocks, "granules": rows, "total": dict(total)}
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
