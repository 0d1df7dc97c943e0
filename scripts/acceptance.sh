#!/usr/bin/env bash
# Runs the shared acceptance scenarios that need only the API server (0xx) against this
# checkout, with the bundled kubectl. Usage: scripts/acceptance.sh [SCENARIO.sh ...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
acc=${ACCEPTANCE_DIR:-$here/../shared/acceptance}
[ -x "$acc/run.sh" ] || { echo "no acceptance scenarios at $acc"; exit 0; }
export KUBECTL=$here/.bin-tools/kubectl
export K8TS_SERVER_FLAGS=${K8TS_SERVER_FLAGS:---disable-agent}
if [ $# -eq 0 ]; then set -- "$acc"/scenarios/0*.sh; fi
exec "$acc/run.sh" "$here" "$@"
