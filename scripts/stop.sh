#!/usr/bin/env bash
# Stops the api and runner started by scripts/start.sh (SIGTERM: clean shutdown).
set -uo pipefail
cd "$(dirname "$0")/.."
for name in runner api; do
  pidfile=.semaphore/$name.pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
done
