// Reads a Zarr v3 store with zarrita (an independent JavaScript implementation) and prints
// what it sees as JSON, for tests/formats/zarr_test.cpp to check.
//
//   GRANARY_ZARRITA_DIR=tools/zarrita node tests/formats/zarrita_read.mjs <store>
//
// The node listing comes from the root's inline consolidated metadata; every node is then
// opened through its own zarr.json, and each array is read a second time through the
// consolidated metadata to check that both agree.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

// zarrita lives in GRANARY_ZARRITA_DIR/node_modules, not beside this script, so resolve the
// package's ESM entry point from its manifest.
async function load(dir, name, subpath = ".") {
  const root = path.join(dir, "node_modules", name);
  const manifest = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
  const entry = manifest.exports[subpath];
  const file = typeof entry === "string" ? entry : (entry.import ?? entry.default);
  return import(pathToFileURL(path.join(root, file)).href);
}

// JSON has no 64-bit integers, NaN or infinities: write those as strings.
function jsonable(v) {
  if (typeof v === "bigint") return v.toString();
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

const dir = process.env.GRANARY_ZARRITA_DIR;
const storePath = process.argv[2];
if (!dir || !storePath) {
  console.error("usage: GRANARY_ZARRITA_DIR=<dir with node_modules/zarrita> node zarrita_read.mjs <store>");
  process.exit(2);
}
const zarr = await load(dir, "zarrita");
const { default: FileSystemStore } = await load(dir, "@zarrita/storage", "./fs");

const raw = new FileSystemStore(storePath);
const consolidated = await zarr.withConsolidatedMetadata(raw, { format: "v3" });
const listing = consolidated.contents();
const nodes = {};
for (const { path: nodePath } of listing) {
  const node = await zarr.open(zarr.root(raw).resolve(nodePath));
  const entry = { kind: node instanceof zarr.Array ? "array" : "group", attrs: node.attrs };
  if (entry.kind === "array") {
    const data = Array.from((await zarr.get(node)).data, jsonable);
    const viaConsolidated = await zarr.open(zarr.root(consolidated).resolve(nodePath), { kind: "array" });
    const again = Array.from((await zarr.get(viaConsolidated)).data, jsonable);
    Object.assign(entry, {
      dtype: node.dtype,
      shape: node.shape,
      chunks: node.chunks,
      data,
      same_via_consolidated: JSON.stringify(again) === JSON.stringify(data),
    });
  }
  nodes[nodePath] = entry;
}
const contents = listing.map((c) => `${c.path} ${c.kind}`).sort();
console.log(JSON.stringify({ contents, nodes }));
