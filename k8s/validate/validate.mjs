#!/usr/bin/env node
// Schema-checks rendered Kubernetes manifests against the kubernetes-models package.
//
// Usage (from the repository root, after `npm ci` in k8s/validate):
//   kubectl kustomize k8s/overlays/cpu | node k8s/validate/validate.mjs
//   node k8s/validate/validate.mjs rendered.yaml
//
// Reads a multi-document YAML stream (the file named by the first argument, or stdin),
// and validates each object with the kubernetes-models class for its apiVersion and kind.
// Prints `valid <kind>/<name>` or `invalid <kind>/<name>: <message>` per object.
// Exits 0 only when there is at least one object and every object is valid; 1 otherwise.

import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";

async function readInput(path) {
  if (path) return readFile(path, "utf8");
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

// apiVersion and kind become part of a module path, so accept only the shapes Kubernetes uses.
const GROUP_VERSION = /^(?:([a-z0-9]([a-z0-9.-]*[a-z0-9])?)\/)?(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const classCache = new Map();

// Maps "apps/v1" + "Deployment" to kubernetes-models/apps/v1/Deployment, and the core
// group's "v1" + "Service" to kubernetes-models/v1/Service.
async function modelClass(apiVersion, kind) {
  if (typeof apiVersion !== "string" || !GROUP_VERSION.test(apiVersion)) {
    throw new Error(`unsupported apiVersion ${JSON.stringify(apiVersion)}`);
  }
  if (typeof kind !== "string" || !KIND.test(kind)) {
    throw new Error(`unsupported kind ${JSON.stringify(kind)}`);
  }
  const key = `${apiVersion}/${kind}`;
  if (!classCache.has(key)) {
    classCache.set(key, (async () => {
      let mod;
      try {
        mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
      } catch (err) {
        if (err?.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || err?.code === "ERR_MODULE_NOT_FOUND") {
          throw new Error(`unknown apiVersion/kind ${apiVersion} ${kind}`);
        }
        throw err;
      }
      const cls = mod[kind];
      // The module must describe exactly this apiVersion and kind (not, say, a nested type).
      if (typeof cls !== "function" || cls.apiVersion !== apiVersion || cls.kind !== kind) {
        throw new Error(`unknown apiVersion/kind ${apiVersion} ${kind}`);
      }
      return cls;
    })());
  }
  return classCache.get(key);
}

function describe(obj) {
  const kind = typeof obj?.kind === "string" && obj.kind ? obj.kind : "<no kind>";
  const name = typeof obj?.metadata?.name === "string" && obj.metadata.name ? obj.metadata.name : "<no name>";
  return `${kind}/${name}`;
}

function message(err) {
  return String(err?.message ?? err).replace(/\s+/g, " ").trim();
}

async function main() {
  const text = await readInput(process.argv[2]);
  const docs = parseAllDocuments(text);
  let objects = 0;
  let failures = 0;

  for (const [index, doc] of docs.entries()) {
    if (doc.errors.length > 0) {
      console.log(`invalid document ${index + 1}: ${message(doc.errors[0])}`);
      failures++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue; // an empty document, e.g. a trailing `---`
    objects++;
    const label = describe(obj);
    if (typeof obj !== "object" || Array.isArray(obj)) {
      console.log(`invalid ${label}: document is not a mapping`);
      failures++;
      continue;
    }
    try {
      const Cls = await modelClass(obj.apiVersion, obj.kind);
      new Cls(obj).validate();
      // The schemas allow generateName instead, but applied manifests need a fixed name.
      if (typeof obj.metadata?.name !== "string" || obj.metadata.name === "") {
        throw new Error("metadata.name is required");
      }
      console.log(`valid ${label}`);
    } catch (err) {
      console.log(`invalid ${label}: ${message(err)}`);
      failures++;
    }
  }

  if (objects === 0) {
    if (failures === 0) console.log("invalid input: no Kubernetes objects found");
    return 1;
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`error: ${message(err)}`);
    process.exitCode = 1;
  },
);
