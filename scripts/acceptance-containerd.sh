#!/usr/bin/env bash
# Runs the shared acceptance scenarios that need real containers (3xx, 4xx) against this
# checkout: `k8ts server` with its local agent on containerd, bound to the node's address so
# that pods reach the API server through the kubernetes Service. Needs root and what
# scripts/e2e-containerd.sh --install installs. Usage: scripts/acceptance-containerd.sh [SCENARIO.sh ...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
acc=${ACCEPTANCE_DIR:-$here/../shared/acceptance}
[ -x "$acc/run.sh" ] || { echo "no acceptance scenarios at $acc"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "acceptance-containerd: needs root" >&2; exit 1; }
export KUBECTL=$here/.bin-tools/kubectl
shopt -s nullglob
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=("$acc"/scenarios/3*.sh "$acc"/scenarios/4*.sh)
[ ${#scenarios[@]} -gt 0 ] || exit 0
# the scenarios start once /readyz answers; give the node and coredns time to come up first
K8TS_SERVER_FLAGS="--runtime containerd --bind-address 0.0.0.0 ${K8TS_SERVER_FLAGS:-}" \
  "$acc/run.sh" "$here" "$here/scripts/acceptance-wait-node.sh" "${scenarios[@]}"
