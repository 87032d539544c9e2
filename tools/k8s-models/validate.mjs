// Validates Kubernetes objects (a JSON array, from the file given) against the Kubernetes
// OpenAPI schemas that kubernetes-models ships: types, enums and required fields.
// Prints one line per problem and exits 1 when there is any.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
let problems = 0;
for (const [i, obj] of objects.entries()) {
  const where = `object ${i} (${obj.apiVersion} ${obj.kind})`;
  let Model;
  try {
    const module = await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`);
    Model = module[obj.kind];
  } catch {
    console.log(`${where}: no schema for this apiVersion and kind`);
    problems++;
    continue;
  }
  try {
    new Model(obj).validate();
    console.log(`${where}: valid`);
  } catch (e) {
    console.log(`${where}: ${e.message}`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
