#!/usr/bin/env bash
# Runs the shared acceptance scenarios against this checkout with the bundled kubectl:
# 0xx and 1xx against the control plane alone (--disable-agent), 2xx with simulated nodes
# (the local agent on the sim runtime). Usage: scripts/acceptance.sh [SCENARIO.sh ...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
acc=${ACCEPTANCE_DIR:-$here/../shared/acceptance}
[ -x "$acc/run.sh" ] || { echo "no acceptance scenarios at $acc"; exit 0; }
export KUBECTL=$here/.bin-tools/kubectl
if [ $# -gt 0 ]; then exec "$acc/run.sh" "$here" "$@"; fi
status=0
K8TS_SERVER_FLAGS=${K8TS_SERVER_FLAGS:---disable-agent} "$acc/run.sh" "$here" "$acc"/scenarios/0*.sh "$acc"/scenarios/1*.sh || status=1
shopt -s nullglob
sim=("$acc"/scenarios/2*.sh)
if [ ${#sim[@]} -gt 0 ]; then
  K8TS_SERVER_FLAGS="--runtime sim" "$acc/run.sh" "$here" "${sim[@]}" || status=1
fi
exit $status
