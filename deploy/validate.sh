#!/usr/bin/env bash
# Validates deploy/k8s offline: renders every variant with kustomize and checks each resource
# against the Kubernetes OpenAPI schemas, for unknown fields, and against Offload's own rules
# (deploy/validate/check.mjs says which). Needs kubectl (its built-in kustomize) or kustomize,
# Node 20, and once the npm registry: `npm ci` in deploy/validate (after that, nothing from
# the network). yamllint (Debian: apt-get install yamllint) is used when present.
#   deploy/validate.sh            # exit status 0 when everything passed
set -euo pipefail
DEPLOY="$(cd "$(dirname "$0")" && pwd)"
cd "$DEPLOY"
# Renders go outside the checkout (the repository's biome formats YAML too and would walk
# into them); VALIDATE_KEEP=1 keeps them and says where.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/offload-validate.XXXXXX")"
if [ "${VALIDATE_KEEP:-}" = 1 ]; then trap 'echo "renders kept in $WORK"' EXIT
else trap 'rm -rf "$WORK"' EXIT; fi
mkdir -p "$WORK/render" "$WORK/kt"

# Tools.
if command -v kustomize >/dev/null; then KUSTOMIZE=(kustomize build)
elif command -v kubectl >/dev/null; then KUSTOMIZE=(kubectl kustomize)
else echo "validate: needs kubectl or kustomize" >&2; exit 2; fi
if [ ! -d validate/node_modules/kubernetes-models ] ||
  [ validate/package-lock.json -nt validate/node_modules/.package-lock.json ]; then
  (cd validate && npm ci --silent --no-audit --no-fund --prefer-offline)
fi

# 1. YAML style and syntax of the sources.
if command -v yamllint >/dev/null; then
  yamllint -s -c .yamllint k8s && echo "ok   yamllint k8s/ ($(find k8s -name '*.yaml' | wc -l) files)"
else
  echo "skip yamllint (not installed)"
fi

# 2. Render: the base, the example overlay, the example with each component, the optional HPA.
render() { # label kustomization-dir
  "${KUSTOMIZE[@]}" "$2" >"$WORK/render/$1.yaml"
  echo "ok   rendered $1 ($(grep -c '^kind:' "$WORK/render/$1.yaml") resources)"
}
render base k8s/base
render example k8s/overlays/example
for c in k8s/components/*/; do
  c="$(basename "$c")"
  # The example overlay with the component enabled, as its comment says to do: a copy of it
  # whose paths point back (kustomize takes only relative paths) and a components: list.
  cp -r k8s/overlays/example "$WORK/kt/$c"
  back="$(realpath --relative-to="$WORK/kt/$c" "$DEPLOY/k8s")"
  sed -i "s#\.\./\.\./base#$back/base#" "$WORK/kt/$c/kustomization.yaml"
  printf 'components:\n  - %s/components/%s\n' "$back" "$c" >>"$WORK/kt/$c/kustomization.yaml"
  render "example+$c" "$WORK/kt/$c"
done
cp k8s/optional/hpa.yaml "$WORK/render/optional-hpa.yaml"

# 3. Schemas, unknown fields, Offload's rules, the server's own config parser.
args=()
for f in "$WORK"/render/*.yaml; do args+=("$(basename "$f" .yaml)=$f"); done
node validate/check.mjs "${args[@]}"

# 4. The checks themselves: each of a dozen breakages of the example must be caught.
node validate/selftest.mjs "$WORK/render/example.yaml"
