#!/usr/bin/env bash
# Close-ordering check: RUNS short shells attached to one service, each `printf 'getpid\n' | bin/ember shell`
# (a client JVM that attaches, answers, and closes while its handler pump runs). Counts wrong answers,
# non-zero exits and JVM crash logs (hs_err_pid*.log: a ring read after unmapping would leave one).
#
#   bench/shell-close-loop.sh [RUNS]      (default 1000)
#
# Prints name=value lines; exits non-zero when any run went wrong.
set -euo pipefail
runs="${1:-1000}"
case "$runs" in (''|*[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2;; esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$(mktemp -d)/kernel"
work="$(mktemp -d)"
serve_pid=""
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$(dirname "$dir")" "$work"; }
trap cleanup EXIT INT TERM

"$root/bin/ember" serve --dir "$dir" --idle backoff > "$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 1 200); do grep -q "listening" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q "listening" "$work/serve.out" || { echo "ember serve did not start:" >&2; cat "$work/serve.out" >&2; exit 1; }

wrong=0; failed=0
cd "$work"
for i in $(seq 1 "$runs"); do
  out="$(printf 'getpid\n' | "$root/bin/ember" shell --dir "$dir" 2>>"$work/shell.err")" || failed=$((failed + 1))
  [ "$out" = "1" ] || wrong=$((wrong + 1))
done
crashes="$(find "$work" "$root" -maxdepth 2 -name 'hs_err_pid*.log' -newer "$work/serve.out" 2>/dev/null | wc -l)"
echo "runs=$runs"
echo "wrong_answers=$wrong"
echo "failed_exits=$failed"
echo "jvm_crash_logs=$crashes"
[ "$wrong" = 0 ] && [ "$failed" = 0 ] && [ "$crashes" = 0 ]
