#!/usr/bin/env bash
# End-to-end tests with real containers (root, Debian packages). Installs what they need when
# run with --install (CI does), builds, then runs test/e2e with K8TS_E2E=1.
#   bash scripts/e2e-containerd.sh [--install]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(containerd runc containernetworking-plugins busybox-static iptables iproute2 conntrack nginx-light gcc libc6-dev)

if [ "$(id -u)" != 0 ]; then
  echo "e2e-containerd: needs root (containerd, network namespaces, iptables)" >&2
  exit 1
fi
if [ "${1:-}" = --install ]; then
  missing=()
  for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
for bin in containerd ctr runc busybox nginx iptables ip; do
  command -v "$bin" >/dev/null || { echo "e2e-containerd: $bin missing (run with --install)" >&2; exit 1; }
done
[ -x /usr/lib/cni/bridge ] || { echo "e2e-containerd: /usr/lib/cni/bridge missing (containernetworking-plugins)" >&2; exit 1; }

[ -d dist ] || npm run build
K8TS_E2E=1 node --test --test-concurrency=1 dist/test/e2e/
