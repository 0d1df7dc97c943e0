#!/usr/bin/env bash
# The HA topology of seeds 000/002 on one machine: three `k8ts server`s with stacked (managed)
# etcd, each in its own network namespace on a bridge, and HAProxy in front of them as the TCP
# load balancer on :6443 with health checks on /readyz. Needs root, iproute2 and haproxy
# (Debian package haproxy). Everything lives under $HA_DIR (default /tmp/ha-lb-topo).
#
#   scripts/ha-haproxy.sh up          start the namespaces, 3 servers, haproxy and $HA_AGENTS
#                                     agents; writes $HA_DIR/lb.kubeconfig (https://10.77.0.1:6443)
#   scripts/ha-haproxy.sh kill N      kill -9 server N (1..3)
#   scripts/ha-haproxy.sh start N     start server N again on its data (it rejoins)
#   scripts/ha-haproxy.sh start-agent N   start agent N again on its data
#   scripts/ha-haproxy.sh kubectl ARGS...   kubectl through the LB (from the LB's namespace)
#   scripts/ha-haproxy.sh down        stop everything, delete the namespaces and $HA_DIR
#
# Addresses: bridge and LB 10.77.0.1 in netns $HA_NS, server N at 10.77.0.1N in netns $HA_NS-N,
# agent N (node ha-agent-N, sim runtime, kubelet on :10250) at 10.77.0.2N in netns $HA_NS-aN.
# Agents join through the LB (`k8ts agent --server https://10.77.0.1:6443 --token T`, T from
# `k8ts token create --join`) and then talk to every server through their own loopback balancer.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HA_DIR=${HA_DIR:-/tmp/ha-lb-topo}
HA_NS=${HA_NS:-ha-lb}
LB_IP=10.77.0.1
KUBECTL=${KUBECTL:-$ROOT/.bin-tools/kubectl}
HA_AGENTS=${HA_AGENTS:-1}

in_ns() { local ns=$1; shift; nsenter --net=/var/run/netns/"$ns" "$@"; }
server_ip() { echo "10.77.0.1$1"; }
agent_ip() { echo "10.77.0.2$1"; }

# one namespace on the bridge: name, veth name on the bridge side, address
ns_on_bridge() {
  local ns=$1 veth=$2 ip=$3
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$HA_NS" link add "$veth" type veth peer name eth0 netns "$ns"
  ip -n "$HA_NS" link set "$veth" master br-ha up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$LB_IP"
}

netns_up() {
  ip netns add "$HA_NS"
  ip -n "$HA_NS" link set lo up
  ip -n "$HA_NS" link add br-ha type bridge
  ip -n "$HA_NS" addr add "$LB_IP/24" dev br-ha
  ip -n "$HA_NS" link set br-ha up
  for n in 1 2 3; do ns_on_bridge "$HA_NS-$n" "veth$n" "$(server_ip "$n")"; done
  for n in $(seq 1 "$HA_AGENTS"); do ns_on_bridge "$HA_NS-a$n" "vetha$n" "$(agent_ip "$n")"; done
}

start_server() {
  local n=$1 dir="$HA_DIR/s$1" join=()
  mkdir -p "$dir"
  if [ "$n" = 1 ]; then
    join=(--cluster-init)
  elif [ ! -d "$dir/data/server/db/etcd" ]; then
    join=(--server "https://$(server_ip 1):6443" --token "$(cat "$HA_DIR/s1/data/server/token")")
  fi
  # nsenter execs the server, so $! is its pid (for `kill N` and `down`); nohup: it outlives us
  nsenter --net=/var/run/netns/"$HA_NS-$n" nohup "$ROOT/bin/k8ts" server --data-dir "$dir/data" --node-name "ha-$n" \
    --node-ip "$(server_ip "$n")" --tls-san "$LB_IP" --disable-agent \
    --write-kubeconfig "$dir/admin.kubeconfig" "${join[@]}" ${K8TS_SERVER_FLAGS:-} \
    >>"$dir/server.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  wait_ready "$n"
}

wait_ready() {
  local n=$1 deadline=$((SECONDS + 90))
  until in_ns "$HA_NS" curl -ksf --max-time 2 "https://$(server_ip "$1"):6443/readyz" >/dev/null 2>&1; do
    if [ $SECONDS -gt $deadline ]; then
      echo "server $n not ready in 90 s; its log:" >&2
      tail -20 "$HA_DIR/s$n/server.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "server $n ready at https://$(server_ip "$n"):6443"
}

haproxy_up() {
  local bin
  bin=$(command -v haproxy || echo /usr/sbin/haproxy)
  # seed 000's load balancer: TCP on 6443, round robin over the three API servers; the health
  # check asks each for /readyz over TLS (anonymous, as kube-apiserver allows) every second
  cat >"$HA_DIR/haproxy.cfg" <<EOF
global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  # a connection refused by a dead server (before its health check failed) goes to another
  retries 2
  option redispatch
frontend k8ts-api
  bind $LB_IP:6443
  default_backend k8ts-servers
backend k8ts-servers
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server check check-ssl verify none inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
  server ha-1 $(server_ip 1):6443
  server ha-2 $(server_ip 2):6443
  server ha-3 $(server_ip 3):6443
listen stats
  mode http
  bind $LB_IP:9000
  stats enable
  stats uri /haproxy_stats
EOF
  in_ns "$HA_NS" "$bin" -f "$HA_DIR/haproxy.cfg" -D -p "$HA_DIR/haproxy.pid"
  sed "s#server: https://[^ ]*#server: https://$LB_IP:6443#" "$HA_DIR/s1/admin.kubeconfig" >"$HA_DIR/lb.kubeconfig"
  echo "haproxy on https://$LB_IP:6443 (stats http://$LB_IP:9000/haproxy_stats); kubeconfig $HA_DIR/lb.kubeconfig"
}

start_agent() {
  local n=$1 dir="$HA_DIR/a$1"
  mkdir -p "$dir"
  if [ ! -s "$HA_DIR/agent-token" ]; then
    in_ns "$HA_NS" "$ROOT/bin/k8ts" token create --join --kubeconfig "$HA_DIR/lb.kubeconfig" >"$HA_DIR/agent-token"
  fi
  nsenter --net=/var/run/netns/"$HA_NS-a$n" nohup "$ROOT/bin/k8ts" agent --server "https://$LB_IP:6443" \
    --token "$(cat "$HA_DIR/agent-token")" --data-dir "$dir/data" --node-name "ha-agent-$n" \
    --node-ip "$(agent_ip "$n")" --runtime sim ${K8TS_AGENT_FLAGS:-} >>"$dir/agent.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  local deadline=$((SECONDS + 90))
  until [ "$(in_ns "$HA_NS" "$KUBECTL" --kubeconfig "$HA_DIR/lb.kubeconfig" get node "ha-agent-$n" \
    -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; do
    if [ $SECONDS -gt $deadline ]; then
      echo "agent $n not Ready in 90 s; its log:" >&2
      tail -20 "$dir/agent.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "agent $n: node ha-agent-$n Ready at $(agent_ip "$n")"
}

kill_server() {
  local pid
  pid=$(cat "$HA_DIR/s$1/pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -f "$HA_DIR/s$1/pid"
}

down() {
  for d in "$HA_DIR"/a*/; do
    pid=$(cat "$d/pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  [ -f "$HA_DIR/haproxy.pid" ] && kill "$(cat "$HA_DIR/haproxy.pid")" 2>/dev/null || true
  for n in 1 2 3; do
    pid=$(cat "$HA_DIR/s$n/pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  sleep 2
  for n in 1 2 3; do kill_server "$n"; done
  for d in "$HA_DIR"/a*/; do
    pid=$(cat "$d/pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  for n in 1 2 3; do ip netns del "$HA_NS-$n" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$HA_NS-a[0-9]+$" || true); do ip netns del "$ns"; done
  ip netns del "$HA_NS" 2>/dev/null || true
  rm -rf "$HA_DIR"
}

case ${1:-} in
  up)
    if ip netns list | grep -qw "$HA_NS"; then echo "netns $HA_NS exists: run '$0 down' first" >&2; exit 1; fi
    command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || {
      echo "haproxy is not installed (apt-get install -y haproxy)" >&2
      exit 1
    }
    mkdir -p "$HA_DIR"
    netns_up
    for n in 1 2 3; do start_server "$n"; done
    haproxy_up
    for n in $(seq 1 "$HA_AGENTS"); do start_agent "$n"; done
    ;;
  start-agent) start_agent "$2" ;;
  kill) kill_server "$2" ;;
  start) start_server "$2" ;;
  kubectl) shift; in_ns "$HA_NS" "$KUBECTL" --kubeconfig "$HA_DIR/lb.kubeconfig" "$@" ;;
  down) down ;;
  *) sed -n '2,18p' "$0" >&2; exit 2 ;;
esac
