#!/usr/bin/python3
"""Seed corpora for the harnesses in fuzz/, made by granary's own generators (ecco synth,
atl06 synth, catalog, plan, work, run) plus recorded CMR pages and S3 answers in the
documented formats. Usage: make_seeds.py GRANARY_BINARY SOURCE_DIR OUT_DIR"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

granary, source, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])


def run(*args):
    subprocess.run([granary, "--log-level", "warn", *args], check=True, stdout=subprocess.DEVNULL)


def seed(harness, name, data):
    d = out / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


with tempfile.TemporaryDirectory() as tmp:
    t = pathlib.Path(tmp)
    # ECCO: .meta files, jobs.txt, config.yaml, a plan.
    run("ecco", "synth", "--out", str(t / "ecco"), "--nx", "6", "--levels", "2", "--timesteps", "2", "--days", "2")
    metas = sorted((t / "ecco").rglob("*.meta"))
    for m in metas[:: max(1, len(metas) // 6)]:
        seed("meta_fuzz", m.name, m.read_bytes())
    seed("jobs_fuzz", "jobs.txt", (t / "ecco" / "jobs.txt").read_bytes())
    seed("jobs_fuzz", "ranges.txt", "0,native,AVG_MON,all\n1,latlon,AVG_MON,[1, 2]\n# comment\n")
    seed("config_fuzz", "config.yaml", (t / "ecco" / "config.yaml").read_bytes())

    # ATL06: granules, catalog, events, a plan and its results, v2 and v3 stores.
    run("atl06", "synth", "--out", str(t / "granules"), "--granules", "2", "--segments-per-beam", "100",
        "--surface", "antarctica", "--cell", "-3121311")
    for g in sorted((t / "granules").glob("*.h5"))[:1]:
        seed("hdf5_granule_fuzz", g.name, g.read_bytes())
    run("atl06", "catalog", "--granules", str(t / "granules"), "--out", str(t / "catalog.json"))
    catalog = (t / "catalog.json").read_text()
    seed("atl06_json_fuzz", "catalog.json", catalog)
    cells = json.loads(catalog)["catalog"]
    parent, urls = next(iter(cells.items()))
    seed("atl06_json_fuzz", "magg_event.json", json.dumps({
        "parent_morton": int(parent), "parent_order": 6, "child_order": 12, "granule_urls": urls,
        "s3_bucket": "bucket", "s3_prefix": "prefix", "store": "s3://bucket/store.zarr",
        "s3_credentials": {"accessKeyId": "AKID", "secretAccessKey": "secret", "sessionToken": "token"}}))
    seed("atl06_json_fuzz", "unit_event.json", json.dumps({"plan": "s3://bucket/plan", "index": 3,
                                                           "s3_credentials": {"accessKeyId": "AKID"}}))
    for fmt in ("3", "2"):
        store = t / f"store{fmt}.zarr"
        plan = t / f"plan{fmt}"
        run("plan", "atl06", "--catalog", str(t / "catalog.json"), "--out", str(store), "--plan", str(plan),
            "--zarr-format", fmt)
        run("work", str(plan), "--index", "0", "-j", "1")
        results = sorted((plan / "results").glob("*.json"))
        seed("plan_fuzz", f"plan{fmt}", (plan / "plan.json").read_bytes() + b"\0" +
             (plan / "units" / "000000.json").read_bytes() + b"\0" + (results[0].read_bytes() if results else b""))
        for meta in list(store.rglob("zarr.json" if fmt == "3" else ".zarray")):
            if meta.name == "zarr.json" and json.loads(meta.read_text()).get("node_type") != "array":
                continue
            chunks = [p for p in meta.parent.rglob("*") if p.is_file() and not p.name.startswith((".", "zarr.json"))]
            chunk = chunks[0].read_bytes() if chunks else b""
            name = "_".join(meta.relative_to(store).parts[:-1]) or "root"
            seed("zarr_metadata_fuzz", f"v{fmt}_{name}", (b"\1" if fmt == "3" else b"\0") + meta.read_bytes() + b"\0" + chunk)
    ecco_plan = t / "ecco_plan"
    run("plan", "ecco", "--config", str(t / "ecco" / "config.yaml"), "--jobs", str(t / "ecco" / "jobs.txt"),
        "--plan", str(ecco_plan))
    seed("plan_fuzz", "ecco_plan", (ecco_plan / "plan.json").read_bytes() + b"\0" +
         (ecco_plan / "units" / "000000.json").read_bytes() + b"\0" +
         json.dumps({"status": "SUCCESS", "duration_s": 1.5}).encode())

# CMR: pages recorded from the real CMR (tests/data/cmr).
for page in sorted((source / "tests" / "data" / "cmr").glob("*.json")):
    seed("cmr_fuzz", page.name, page.read_bytes())

# S3's answers, in the formats of the S3 API reference.
seed("s3_xml_fuzz", "list.xml", """<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>a/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
<Contents><Key>a/b&amp;c.json</Key><LastModified>2026-12-04T10:00:00.000Z</LastModified><ETag>"e1"</ETag>
<Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>a/d</Key><Size>0</Size></Contents></ListBucketResult>""")
seed("s3_xml_fuzz", "error.xml", """<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message>
<Region>us-west-2</Region><ActualObjectSize>100</ActualObjectSize><RequestId>4442587FB7D0A2F9</RequestId></Error>""")
seed("s3_xml_fuzz", "upload.xml", """<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key>
<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId></InitiateMultipartUploadResult>""")
