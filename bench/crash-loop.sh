#!/usr/bin/env bash
# Crash-loop verification: ROUNDS kill -9 rounds of a mixed syscall load on one kernel directory,
# each followed by recovery checks (ember.kernel.durability.CrashLoopTest).
#
#   bench/crash-loop.sh [ROUNDS]          (default 20; SEED=N replays a seed)
#
# Prints name=value lines: rounds, acknowledged syscalls checked, journal records, ... .
# Exits non-zero, with the end of Maven's output, when a round fails.
set -euo pipefail
rounds="${1:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$rounds" in (''|*[!0-9]*) echo "usage: $0 [ROUNDS]" >&2; exit 2;; esac

log="$(mktemp)"
trap 'rm -f "$log"' EXIT INT TERM

args=(-q -pl kernel test -Dtest=CrashLoopTest -Dsurefire.failIfNoSpecifiedTests=false
      -Dember.crashloop.rounds="$rounds")
if [ -n "${SEED:-}" ]; then args+=(-Dember.crashloop.seed="$SEED"); fi

cd "$root"
status=0
mvn -B -o "${args[@]}" > "$log" 2>&1 || status=$?
if [ "$status" != 0 ] && ! grep -q "Tests run:\|CRASHLOOP " "$log"; then
  # Offline resolution failed (not the test): try again with the network.
  status=0
  mvn -B "${args[@]}" > "$log" 2>&1 || status=$?
fi

grep -ao 'CRASHLOOP [A-Za-z_]*=[^[:space:]]*' "$log" | sed 's/^CRASHLOOP //' || true
if [ "$status" = 0 ] && ! grep -aq 'CRASHLOOP rounds=' "$log"; then
  status=1 # the test did not run (or did not finish): no counts
fi
if [ "$status" != 0 ]; then
  echo "crash-loop: FAILED (mvn exit $status); end of the output:" >&2
  grep -av '^\s*at ' "$log" | tail -40 >&2
  exit "$status"
fi
