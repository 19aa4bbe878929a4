// Validates Kubernetes manifests offline against the Kubernetes API's OpenAPI schemas, with the validators the
// kubernetes-models package generates from them. Every YAML document must be a known apiVersion/kind and valid;
// kustomization.yaml must list exactly the manifests.
//   node validate.mjs [--modules DIR] FILE...
// DIR is where kubernetes-models and yaml are installed (validate.sh installs them). Exit status 1 on any problem.
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
let modules = process.cwd();
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--modules") modules = args[++i];
  else files.push(args[i]);
}
if (files.length === 0) {
  console.error("validate: no manifest given");
  process.exit(2);
}

const require = createRequire(join(modules, "package.json"));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);
const YAML = await load("yaml");

// apiVersion "v1" is the core group (kubernetes-models/v1/Kind); "group/version" is kubernetes-models/group/version/Kind.
async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9]+$/.test(kind)) return null;
  const path = `kubernetes-models/${apiVersion}/${kind}`;
  let mod;
  try {
    mod = await load(path);
  } catch {
    return null;
  }
  const Model = mod[kind] ?? mod.default?.[kind];
  if (typeof Model !== "function" || typeof Model.prototype.validate !== "function") return null;
  // The model must really be that kind at that version (not a nested type such as apps/v1/DeploymentSpec).
  const probe = new Model({});
  if (probe.apiVersion !== apiVersion || probe.kind !== kind) return null;
  return Model;
}

let problems = 0;
let valid = 0;
const fail = (where, message) => {
  problems++;
  console.log(`FAIL  ${where}: ${message}`);
};

const manifests = [];
let kustomization = null;
for (const file of files) {
  if (basename(file) === "kustomization.yaml") {
    kustomization = file;
    continue;
  }
  manifests.push(file);
  let docs;
  try {
    docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  } catch (e) {
    fail(file, `cannot be read: ${e.message}`);
    continue;
  }
  let index = 0;
  for (const doc of docs) {
    index++;
    if (doc.errors.length > 0) {
      fail(`${file} document ${index}`, `not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue; // an empty document (a leading ---)
    const name = obj?.metadata?.name ?? "(no name)";
    const where = `${file} document ${index} (${obj?.kind ?? "no kind"} ${name})`;
    if (typeof obj !== "object" || Array.isArray(obj)) {
      fail(where, "is not a mapping");
      continue;
    }
    const Model = await modelOf(obj.apiVersion, obj.kind);
    if (Model === null) {
      fail(where, `unknown apiVersion/kind ${obj.apiVersion}/${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
      valid++;
      console.log(`ok    ${file} document ${index}: ${obj.apiVersion} ${obj.kind} ${name}`);
    } catch (e) {
      fail(where, `${obj.apiVersion} ${obj.kind}: ${e.message}`);
    }
  }
}

if (kustomization !== null) {
  const k = YAML.parse(readFileSync(kustomization, "utf8"));
  const listed = [...(k?.resources ?? [])].sort();
  const present = manifests.filter((f) => dirname(f) === dirname(kustomization)).map((f) => basename(f)).sort();
  if (k?.kind !== "Kustomization" || JSON.stringify(listed) !== JSON.stringify(present)) {
    fail(kustomization, `resources ${JSON.stringify(listed)} must list exactly the manifests ${JSON.stringify(present)}`);
  } else {
    console.log(`ok    ${kustomization}: lists the ${present.length} manifests`);
  }
}

console.log(`validate: ${valid} valid documents, ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
