// Validates every document of the given YAML files against the JSON schemas compiled into
// kubernetes-models (Kubernetes core/apps/policy), @kubernetes-models/keda (ScaledObject) and
// @kubernetes-models/prometheus-operator (PrometheusRule, ServiceMonitor in deploy/monitoring/).
// Nothing is downloaded at validation time. Kinds with no bundled schema must be listed in
// NO_SCHEMA, so a new kind cannot slip through unchecked; DeployManifestsTest covers them.
//
// Limits: these schemas accept unknown fields (a misspelt key passes); DeployManifestsTest checks
// the fields that matter by name.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseAllDocuments } from "yaml";

const NO_SCHEMA = new Set(["Kustomization", "KafkaTopic", "KafkaUser"]);

function modulePath(apiVersion, kind) {
  if (!apiVersion.includes("/")) return `kubernetes-models/${apiVersion}/${kind}`;
  const [group] = apiVersion.split("/");
  if (group === "keda.sh") return `@kubernetes-models/keda/${apiVersion}/${kind}`;
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  if (!group.includes(".") || group.endsWith(".k8s.io")) return `kubernetes-models/${apiVersion}/${kind}`;
  return null;
}

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true, prettyErrors: true });
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const where = `${basename(file)}#${i + 1}`;
    if (doc.errors.length > 0) {
      console.log(`FAIL ${where}: ${doc.errors.map((e) => e.message).join("; ")}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (obj == null) continue; // empty document
    const { apiVersion = "", kind = "" } = obj;
    const label = `${where} ${kind} ${obj.metadata?.name ?? ""}`.trim();
    if (NO_SCHEMA.has(kind)) {
      console.log(`SKIP ${label}: no bundled schema (DeployManifestsTest checks it)`);
      skipped++;
      continue;
    }
    const path = modulePath(apiVersion, kind);
    let Model;
    try {
      Model = path && (await import(path))[kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      console.log(`FAIL ${label}: no schema for ${apiVersion} ${kind}; add one or list it in NO_SCHEMA`);
      failed++;
      continue;
    }
    try {
      new Model(obj).validate();
      console.log(`ok   ${label}`);
      passed++;
    } catch (e) {
      console.log(`FAIL ${label}: ${e.message}`);
      failed++;
    }
  }
}
console.log(`manifests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
