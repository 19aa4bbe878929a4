#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests in docker/k8s/ against the Kubernetes API's OpenAPI schemas, with
# the validators of the npm package kubernetes-models (generated from those schemas), installed into a temporary
# folder from the npm registry; no cluster is needed. Then proves that the validator catches mistakes: manifests
# broken on purpose (a wrong type, a missing required field, an unknown kind) must fail. Also checks that the
# Grafana ConfigMaps are up to date with docker/grafana/.
# Needs node and npm (Debian packages nodejs and npm). K8S_VALIDATE_MODULES=DIR uses an existing installation.
set -euo pipefail

# kubernetes-models 4.5.1: the last line whose engine is Node >= 14 (5.x needs Node 22; Debian 12 ships Node 18).
KUBERNETES_MODELS_VERSION=4.5.1
YAML_VERSION=2.9.1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/resilientgrpc-k8s.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "validate: $tool is not installed (Debian packages nodejs, npm)" >&2; exit 1; }
done

bash "$HERE/generate-grafana-configmaps.sh" --check
# ...and the check catches drift: a dashboard ConfigMap that differs from docker/grafana/ by one title must fail it.
sed '0,/"title": "Endpoint ejections"/s//"title": "Endpoint ejection"/' "$HERE/grafana-provisioning.yaml" >"$WORK/drifted.yaml"
if GRAFANA_CONFIGMAPS=$WORK/drifted.yaml bash "$HERE/generate-grafana-configmaps.sh" --check >/dev/null 2>&1; then
  echo "FAIL  generate-grafana-configmaps.sh --check accepted a ConfigMap that differs from docker/grafana/" >&2
  exit 1
fi
echo "ok    a drifted Grafana ConfigMap fails generate-grafana-configmaps.sh --check"

modules=${K8S_VALIDATE_MODULES:-}
if [[ -z $modules ]]; then
  modules=$WORK/modules
  mkdir -p "$modules"
  echo '{"private": true}' >"$modules/package.json"
  echo "validate: installing kubernetes-models@$KUBERNETES_MODELS_VERSION and yaml@$YAML_VERSION from the npm registry"
  (cd "$modules" && npm install --no-save --no-audit --no-fund --loglevel=error \
    "kubernetes-models@$KUBERNETES_MODELS_VERSION" "yaml@$YAML_VERSION" >/dev/null)
fi
installed=$(node -p "require('$modules/node_modules/kubernetes-models/package.json').version")
echo "validate: kubernetes-models $installed, node $(node --version)"

mapfile -t manifests < <(find "$HERE" -maxdepth 1 -name '*.yaml' | sort)
node "$HERE/validate.mjs" --modules "$modules" "${manifests[@]}"

# Negative checks: each broken manifest must fail, with the validator's message.
negative() {
  local name=$1 expected=$2 file=$WORK/$1.yaml
  cat >"$file"
  if node "$HERE/validate.mjs" --modules "$modules" "$file" >"$WORK/out" 2>&1; then
    echo "FAIL  the validator accepted a broken manifest ($name):" >&2
    sed 's/^/      /' "$WORK/out" >&2
    exit 1
  fi
  if ! grep -q -- "$expected" "$WORK/out"; then
    echo "FAIL  the validator rejected the broken manifest ($name) without '$expected':" >&2
    sed 's/^/      /' "$WORK/out" >&2
    exit 1
  fi
  echo "ok    broken manifest rejected ($name): $(grep '^FAIL' "$WORK/out" | head -n 1)"
}

# The server Deployment with replicas as a string.
sed 's/^  replicas: 3$/  replicas: "three"/' "$HERE/server.yaml" | negative wrong-type 'spec/replicas must be integer'
# A gRPC probe without its port (a service name instead).
sed '0,/^              port: 5000$/s//              service: unstable/' "$HERE/server.yaml" | negative missing-required 'readinessProbe/grpc must have required property'
# A container without its name.
sed 's/^        - name: server$/        - stdin: false/' "$HERE/server.yaml" | negative missing-name 'containers/0 must have required property'
# A container port given as a name where the schema wants an integer.
sed 's/^              containerPort: 9464$/              containerPort: metrics/' "$HERE/server.yaml" | negative wrong-port-type 'containerPort must be integer\|containerPort must be'

# A kind the API does not have.
sed 's/^kind: Service$/kind: Servise/' "$HERE/server.yaml" | negative unknown-kind 'unknown apiVersion/kind v1/Servise'

echo "validate: the manifests are valid and the validator rejects broken ones"
