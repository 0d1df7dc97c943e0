#!/bin/sh
# wget with busybox's -T SEC / --timeout=SEC, which the seed documents use
# (`wget --spider --timeout=1 nginx`). Debian's busybox-static is built without that option
# (and crashes on -T), so this runs its wget under `timeout` and reports a timeout as busybox's
# wget does: "wget: download timed out", exit status 1. Without a timeout it is busybox's wget.
secs=
n=$#
while [ "$n" -gt 0 ]; do
  a=$1
  shift
  n=$((n - 1))
  case $a in
    --timeout=*) secs=${a#--timeout=} ;;
    --timeout | -T)
      secs=${1:-}
      [ "$n" -gt 0 ] && shift && n=$((n - 1))
      ;;
    -T*) secs=${a#-T} ;;
    *) set -- "$@" "$a" ;;
  esac
done
[ -n "$secs" ] || exec busybox wget "$@"
start=$(date +%s)
# SIGPIPE rather than TERM: a shell reports a child killed by TERM ("Terminated"), which
# busybox's wget never prints, and keeps quiet about PIPE.
busybox timeout -s PIPE "$secs" busybox wget "$@"
rc=$?
# 141 is also what a wget writing into a closed pipe gets; only a full wait is a timeout
if [ "$rc" -eq 141 ] && [ $(($(date +%s) - start)) -ge "$secs" ]; then
  echo "wget: download timed out" >&2
  exit 1
fi
exit "$rc"
