#!/usr/bin/env bash
# Validates the Kubernetes manifests offline: against the JSON schemas that the PyPI package
# kubernetes-validate bundles (strict: an unknown or misspelt field is an error), for the
# oldest and the newest Kubernetes it knows, then against what README.md promises about
# privileges (hostPaths read-only but the two output directories, no host namespaces, no
# API token). Exit 0: valid; 1: invalid (the reason on stderr); 2: the validator is missing.
#   deploy/kubernetes/validate.sh [manifest.yaml...]      (default: every *.yaml here)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ $# -eq 0 ]; then set -- "$here"/*.yaml; fi
command -v kubernetes-validate >/dev/null || { echo "kubernetes-validate is not installed (scripts/ensure-pip-deps kubernetes-validate)" >&2; exit 2; }
for version in 1.25.0 1.37.0; do
  kubernetes-validate --strict --quiet -k "$version" "$@" >&2
done
python3 - "$@" <<'PY'
import sys, yaml
writable = {"/etc/kubernetes/node-feature-discovery/features.d", "/var/lib/node_exporter/textfile_collector"}
problems = []
for path in sys.argv[1:]:
    for doc in yaml.safe_load_all(open(path)):
        if not doc or doc.get("kind") not in ("DaemonSet", "Deployment", "Pod", "Job", "CronJob"):
            continue
        name = f"{path}: {doc['kind']}/{doc['metadata']['name']}"
        spec = doc["spec"]["template"]["spec"] if "template" in doc.get("spec", {}) else doc["spec"]
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(key):
                problems.append(f"{name}: {key} is on; virtcheck needs no host namespace")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: automountServiceAccountToken must be false; virtcheck never calls the API")
        host_paths = {v["name"]: v["hostPath"]["path"] for v in spec.get("volumes", []) if "hostPath" in v}
        for c in spec.get("containers", []) + spec.get("initContainers", []):
            for m in c.get("volumeMounts", []):
                hp = host_paths.get(m["name"])
                if hp is not None and hp not in writable and not m.get("readOnly"):
                    problems.append(f"{name}: container {c['name']} mounts hostPath {hp} writable; only {sorted(writable)} may be")
            sc = c.get("securityContext", {})
            if not sc.get("readOnlyRootFilesystem"):
                problems.append(f"{name}: container {c['name']} needs readOnlyRootFilesystem: true")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
