#!/usr/bin/env bash
# Static checks of docker/ (no Docker engine needed): every YAML file parses, Kubernetes manifests are well-formed
# and namespace-less, the compose file has its four services, and each Dockerfile has FROM and CMD lines and drops
# root. Lists every problem found and exits non-zero if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/js-yaml/package.json ]; then
  echo 'check-docker: node_modules/js-yaml is missing (it comes with the dev dependencies): run npm ci' >&2
  exit 1
fi

status=0

# --- Dockerfiles ---
for dockerfile in docker/*.Dockerfile; do
  problems=()
  grep -qiE '^FROM[[:space:]]+[^[:space:]]+' "$dockerfile" || problems+=('no FROM line')
  grep -qiE '^CMD[[:space:]]+' "$dockerfile" || problems+=('no CMD line')
  last_user=$(grep -iE '^USER[[:space:]]+' "$dockerfile" | tail -1 | awk '{print $2}' || true)
  case "${last_user%%:*}" in
    '' ) problems+=('no USER line: the image would run as root') ;;
    0 | root) problems+=("runs as root (USER $last_user)") ;;
  esac
  if [ "${#problems[@]}" -gt 0 ]; then
    joined=$(printf '%s; ' "${problems[@]}")
    printf 'FAIL %s: %s\n' "$dockerfile" "${joined%; }"
    status=1
  else
    printf 'ok   %s\n' "$dockerfile"
  fi
done

# --- YAML ---
yaml_files=(docker/compose.yml docker/k8s/*.yaml)
# shellcheck disable=SC2016 # JavaScript, not shell: ${...} are template literals
node -e '
const fs = require("node:fs");
const yaml = require("js-yaml");
let failed = false;
for (const file of process.argv.slice(1)) {
  const problems = [];
  let docs = [];
  try {
    docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d !== null && d !== undefined);
  } catch (err) {
    problems.push(`does not parse: ${err.message.split("\n")[0]}`);
  }
  if (problems.length === 0 && docs.length === 0) problems.push("is empty");
  for (const [i, doc] of docs.entries()) {
    const where = docs.length > 1 ? `document ${i + 1}: ` : "";
    if (typeof doc !== "object" || Array.isArray(doc)) {
      problems.push(`${where}is not a mapping`);
      continue;
    }
    if (file.endsWith("compose.yml")) {
      for (const name of ["postgres", "redis", "api", "runner"]) {
        if (!doc.services || !doc.services[name]) problems.push(`no service "${name}"`);
      }
      if (doc.services && doc.services.api && !doc.services.api.healthcheck) problems.push("api has no healthcheck");
      continue;
    }
    for (const key of ["apiVersion", "kind"]) if (!doc[key]) problems.push(`${where}no ${key}`);
    if (!doc.metadata || !doc.metadata.name) problems.push(`${where}no metadata.name`);
    if (doc.metadata && doc.metadata.namespace) problems.push(`${where}sets metadata.namespace (keep manifests namespace-less)`);
    const containers = (doc.spec && doc.spec.template && doc.spec.template.spec && doc.spec.template.spec.containers) || [];
    for (const c of containers) {
      if (!c.name || !c.image) problems.push(`${where}container without name or image`);
    }
    if (doc.kind === "Secret") {
      for (const [key, value] of Object.entries(doc.stringData || {})) {
        if (!/^CHANGE_ME|^redis:\/\/[^:@]*$|^redis:\/\/[^:@/]+:\d+$/.test(String(value))) {
          problems.push(`${where}stringData.${key} is not a placeholder (examples must not hold real secrets)`);
        }
      }
      if (doc.data) problems.push(`${where}uses data: write placeholders in stringData`);
    }
  }
  if (problems.length > 0) {
    failed = true;
    console.log(`FAIL ${file}: ${problems.join("; ")}`);
  } else {
    console.log(`ok   ${file} (${docs.length} document${docs.length === 1 ? "" : "s"})`);
  }
}
process.exit(failed ? 1 : 0);
' "${yaml_files[@]}" || status=1

if [ "$status" -ne 0 ]; then
  echo 'check-docker: FAILED' >&2
else
  echo 'check-docker: all checks passed'
fi
exit "$status"
