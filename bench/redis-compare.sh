#!/usr/bin/env bash
# Ember vs Redis on the same workloads, side by side in one run.
#
# Redis (from Debian's packages, installed if missing) runs on 127.0.0.1 with appendonly yes and
# appendfsync everysec; Ember runs as its service, with the idle strategy README documents (busy-spin,
# also with fewer cores than busy threads). Both are driven by the
# same Java client harness (HdrHistogram, warm-up then a measured phase) with one list / one process
# per client: RPUSH + BLPOP against Redis, queueEvent + pullEvent against Ember; then pipelined in
# batches of 64 (Jedis pipelines of 32 RPUSH + 32 LPOP, Ember pipelines of 32 queueEvent + 32
# pullEvent), and Redis's own C client: redis-benchmark -t rpush,lpop -P 64 -c CLIENTS.
#
#   bench/redis-compare.sh [SECONDS] [CLIENTS] [shared|split]
#
# PLACEMENT (the same for both servers): shared (default) lets the scheduler put the server and
# its client JVMs anywhere; split pins the server (redis-server, or the JVM hosting Ember's
# service) to the last CPU and every client (the Java harness's JVMs, redis-benchmark) to the
# others with taskset, as README advises when there are fewer cores than busy threads.
#
# Prints name=value lines; stops every process it started.
set -euo pipefail
seconds="${1:-3}"
clients="${2:-4}"
placement="${3:-shared}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bin/ember-env.sh"

server_pin=()
client_pin=()
client_cpus_opt=()
case "$placement" in
  shared) ;;
  split)
    cpus="$(nproc)"
    if [ "$cpus" -lt 2 ]; then echo "redis-compare: split needs at least 2 CPUs, this machine has $cpus" >&2; exit 2; fi
    server_cpu=$((cpus - 1))
    client_cpus="0-$((cpus - 2))"
    server_pin=(taskset -c "$server_cpu")
    client_pin=(taskset -c "$client_cpus")
    client_cpus_opt=("-Dember.bench.clientCpus=$client_cpus")
    ;;
  *) echo "redis-compare: placement must be shared or split, not '$placement'" >&2; exit 2 ;;
esac

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
  echo "redis-compare: installing redis-server from Debian's packages..." >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools) >&2
  else
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools) >&2
  fi
fi

if [ -n "${EMBER_CLASSPATH:-}" ]; then cp="$EMBER_CLASSPATH"; else ember_build_if_needed; cp="$(ember_classpath bench)"; fi

work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
redis_pid=""
cleanup() {
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"${server_pin[@]}" redis-server --bind 127.0.0.1 --port "$port" --dir "$work" --appendonly yes --appendfsync everysec \
  --save "" --daemonize no --protected-mode yes --loglevel warning > "$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 1 100); do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then break; fi
  sleep 0.05
done

# redis-benchmark's figure for one test (requests per second), from its CSV output.
redis_benchmark() {
  "${client_pin[@]}" redis-benchmark -h 127.0.0.1 -p "$port" -t "$1" -P 64 -c "$clients" -n "${REDIS_BENCHMARK_N:-2000000}" -q --csv \
    | awk -F'","' -v t="$(echo "$1" | tr a-z A-Z)" '$1 == "\"" t { printf "%.0f\n", $2 }'
}
rpush_rps="$(redis_benchmark rpush)"
lpop_rps="$(redis_benchmark lpop)"
redis-cli -p "$port" flushall >/dev/null

echo "placement=$placement"
"${server_pin[@]}" java "${EMBER_JAVA_FLAGS[@]}" ${EMBER_JAVA_OPTS:-} "${client_cpus_opt[@]}" -cp "$cp" \
  ember.kernel.bench.RedisCompare "$port" "$seconds" "$clients" "${rpush_rps:-0}" "${lpop_rps:-0}"
