#!/bin/sh
# k8ts-test: the multi-purpose test image of k8ts (k8ts.io/test:latest), busybox underneath.
#   k8ts-test serve [--port 8080] [--text "Hello World v1"]
#       HTTP server: GET / answers TEXT (env PORT and TEXT work too); GET /healthz answers ok.
#   k8ts-test stress [--vm-bytes 150M] [--cpus N] [--timeout 60]
#       allocate and hold N bytes of memory (K/M/G suffixes) and/or burn N CPUs; without
#       --timeout it runs until killed. Also accepts polinux/stress's flags (--vm 1 --vm-bytes
#       150M --vm-hang 1 --cpu 2) and vish/stress's (-cpus 2 -mem-total 150Mi), and runs as
#       `stress ...` (a symlink) so those images' commands work unchanged.
#   k8ts-test serve-hostname [--port 9376]
#       HTTP server: GET / answers the pod's hostname (registry.k8s.io/serve_hostname).
#   k8ts-test count [--dir /var/htdocs]
#       every 10 s writes "RUNNING loop seq <i>" (i = 0, 1, ...) to DIR/index.html (gurumee92/count).
#   k8ts-test help
set -eu

say() { echo "k8ts-test: $*"; }

bytes_of() {
  v=$1
  case "$v" in
    *Ki|*Mi|*Gi) v=${v%i} ;;
  esac
  case "$v" in
    *[kK]) echo $(( ${v%?} * 1024 )) ;;
    *[mM]) echo $(( ${v%?} * 1024 * 1024 )) ;;
    *[gG]) echo $(( ${v%?} * 1024 * 1024 * 1024 )) ;;
    *[bB]) echo "${v%?}" ;;
    *) echo "$v" ;;
  esac
}

serve() {
  port=${PORT:-8080}
  text=${TEXT:-Hello World v1}
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port=$2; shift 2 ;;
      --text) text=$2; shift 2 ;;
      *) say "serve: unknown flag $1" >&2; exit 2 ;;
    esac
  done
  dir=/tmp/k8ts-test-www
  mkdir -p "$dir"
  printf '%s\n' "$text" > "$dir/index.html"
  printf 'ok\n' > "$dir/healthz"
  say "serving \"$text\" on :$port"
  exec httpd -f -v -p "$port" -h "$dir"
}

serve_hostname() {
  port=9376
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port=$2; shift 2 ;;
      *) say "serve-hostname: unknown flag $1" >&2; exit 2 ;;
    esac
  done
  dir=/tmp/k8ts-serve-hostname
  mkdir -p "$dir"
  hostname | tr -d '\n' > "$dir/index.html"
  say "serving hostname $(hostname) on :$port"
  exec httpd -f -p "$port" -h "$dir"
}

count() {
  dir=/var/htdocs
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir=$2; shift 2 ;;
      *) say "count: unknown flag $1" >&2; exit 2 ;;
    esac
  done
  mkdir -p "$dir"
  trap 'exit 0' INT TERM
  i=0
  while :; do
    echo "RUNNING loop seq $i" > "$dir/index.html"
    i=$((i + 1))
    sleep 10 & wait $! || true
  done
}

stress() {
  vm_bytes=0
  cpus=0
  timeout=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --vm-bytes|-mem-total) vm_bytes=$(bytes_of "$2"); shift 2 ;;
      --cpus|--cpu|-cpus|-c) cpus=$2; shift 2 ;;
      --timeout|-t) timeout=${2%s}; shift 2 ;;
      --vm|--vm-hang|-m|-mem-alloc-size|-mem-alloc-sleep) shift 2 ;;
      --verbose|-v|-logtostderr) shift ;;
      *) say "stress: unknown flag $1" >&2; exit 2 ;;
    esac
  done
  say "stress: dispatching hogs: $cpus cpu, $vm_bytes bytes of memory"
  i=0
  while [ "$i" -lt "$cpus" ]; do
    (while :; do :; done) &
    i=$((i + 1))
  done
  if [ "$vm_bytes" -gt 0 ]; then
    # The shell itself holds the memory (strings of vm_bytes characters in all), so the process
    # that goes over a memory limit is this one: PID 1 when run as the container's command. In
    # 8 MiB pieces: one $(...) of it all grows its buffer by doubling, and would need up to twice
    # vm_bytes on the way (150M under a 200Mi limit was OOM-killed).
    left=$vm_bytes n=0 held=0
    while [ "$left" -gt 0 ]; do
      c=8388608
      [ "$left" -lt "$c" ] && c=$left
      eval "hog_$n=\$(head -c $c /dev/zero | tr '\\0' x)"
      eval "held=\$((held + \${#hog_$n}))"
      left=$((left - c)) n=$((n + 1))
    done
    say "stress: allocated $held bytes"
  fi
  if [ "$timeout" -gt 0 ]; then
    sleep "$timeout"
    say "stress: done after ${timeout}s"
    kill $(jobs -p) 2>/dev/null || true
    exit 0
  fi
  exec_wait
}

# Waits forever (until SIGTERM), keeping this shell and its memory alive.
exec_wait() {
  trap 'exit 0' TERM INT
  while :; do sleep 3600 & wait $! || true; done
}

cmd=$(basename "$0")
if [ "$cmd" = stress ]; then stress "$@"; fi
sub=${1:-help}
[ $# -gt 0 ] && shift
case "$sub" in
  serve) serve "$@" ;;
  stress) stress "$@" ;;
  serve-hostname) serve_hostname "$@" ;;
  count) count "$@" ;;
  help|--help|-h) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) say "unknown command $sub (serve, serve-hostname, count, stress, help)" >&2; exit 2 ;;
esac
