#!/usr/bin/env bash
# make preview-gcp|up|destroy STACK=<stack>: the Pulumi CLI against GCP, after
# checking that what it needs is there and saying exactly what is missing.
# The one deploy path, for people and for CI (.github/actions/pulumi-up):
#   PULUMI_STACK     the stack's full name (default: <stack>, the CLI's current org)
#   PULUMI_UP_FLAGS  extra flags for the final `pulumi up` (CI: --yes --skip-preview)
set -euo pipefail
action=${1:?usage: scripts/pulumi.sh preview|up|destroy <stack>}
stack=${2:?usage: scripts/pulumi.sh preview|up|destroy <stack>}
cd "$(dirname "$0")/.."

missing=()
if [[ ! -f "Pulumi.${stack}.yaml" ]]; then
  stacks=()
  for f in Pulumi.*.yaml; do
    stacks+=("${f#Pulumi.}")
  done
  missing+=("Pulumi.${stack}.yaml: no such stack file (stacks: ${stacks[*]%.yaml})")
fi
if ! command -v pulumi >/dev/null 2>&1; then
  missing+=("the Pulumi CLI: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)")
fi
if ! command -v gcloud >/dev/null 2>&1; then
  missing+=("the gcloud CLI: https://cloud.google.com/sdk/docs/install")
fi
if ! command -v gke-gcloud-auth-plugin >/dev/null 2>&1; then
  missing+=("gke-gcloud-auth-plugin (the Kubernetes provider authenticates with it): gcloud components install gke-gcloud-auth-plugin")
fi
if [[ -z "${GOOGLE_APPLICATION_CREDENTIALS:-}" && -z "${GOOGLE_CREDENTIALS:-}" ]] &&
  ! (command -v gcloud >/dev/null 2>&1 && gcloud auth application-default print-access-token >/dev/null 2>&1); then
  missing+=("GCP credentials: gcloud auth application-default login (or GOOGLE_APPLICATION_CREDENTIALS, or Workload Identity Federation in CI)")
fi
# Stacks with env dev (the default) build the app image with pulumi-docker on `up`.
if [[ "$action" == "up" ]] && ! grep -Eq '^\s*django-gke:env:\s*(stg|prd)\s*$' "Pulumi.${stack}.yaml" 2>/dev/null; then
  if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
    missing+=("a running Docker engine: this stack builds the app image with pulumi-docker")
  fi
fi
if (( ${#missing[@]} > 0 )); then
  echo "make ${action} STACK=${stack} cannot run; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "Offline, without any of these: make plan STACK=${stack}" >&2
  exit 2
fi

full=${PULUMI_STACK:-$stack}
pulumi stack select "$full" --create

# A stack that promotes runs the source's digest from its own registry: the
# registry first (a targeted up with what it depends on), then the copy
# (cmd/promote, digest unchanged), then everything; pods never wait for an
# image that is not there yet.
promote_first() {
  local targets=()
  # The registry and what it waits for: the gcp provider and the project's APIs.
  mapfile -t targets < <(go run ./cmd/plan -stack "$stack" -json -out build/plan | python3 -c '
import json, sys
res = json.load(sys.stdin)["resources"]
registry = [r["urn"] for r in res if r["type"] == "gcp:artifactregistry/repository:Repository"]
if len(registry) != 1:
    sys.exit("expected one registry in the plan, found %d" % len(registry))
for r in res:
    if r["type"] in ("pulumi:providers:gcp", "gcp:projects/service:Service") or r["urn"] in registry:
        print("--target=" + r["urn"])')
  pulumi up --stack "$full" "${targets[@]}" --yes
  go run ./cmd/promote -stack "$stack"
}

case "$action" in
  preview) exec pulumi preview --diff --stack "$full" ;;
  up)
    if grep -Eq '^\s*django-gke:env:\s*(stg|prd)\s*$' "Pulumi.${stack}.yaml"; then
      promote_first
    fi
    # shellcheck disable=SC2086 # PULUMI_UP_FLAGS is a list of flags
    exec pulumi up --stack "$full" ${PULUMI_UP_FLAGS:-} ;;
  destroy) exec pulumi destroy --stack "$full" ;;
  *) echo "unknown action: $action (preview, up, destroy)" >&2; exit 2 ;;
esac
