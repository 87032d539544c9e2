// node validate.mjs SCHEMA.json DOC.json...: validates each document as zarr-conventions/dggs's
// own validate.js does (ajv, allErrors). Prints one JSON line per document:
// {"file", "valid", "errors"}; exits 1 when any is invalid, 2 on bad usage or unreadable input.
import Ajv from "ajv";
import fs from "fs";

const [schemaPath, ...docs] = process.argv.slice(2);
if (!schemaPath || docs.length === 0) {
  console.error("usage: node validate.mjs SCHEMA.json DOC.json...");
  process.exit(2);
}
let validate;
try {
  validate = new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
} catch (e) {
  console.error(`${schemaPath}: ${e.message}`);
  process.exit(2);
}
let allValid = true;
for (const file of docs) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  const valid = validate(doc);
  allValid &&= valid;
  console.log(JSON.stringify({ file, valid, errors: valid ? [] : validate.errors }));
}
process.exit(allValid ? 0 : 1);
