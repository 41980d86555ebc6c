#!/usr/bin/env bash
# The replicated kernel (3 Aeron Cluster members on loopback) vs etcd (3 members on loopback),
# side by side in one run, driven by the same Java harness (ember.kernel.bench.ClusterCompare:
# one thread per client, one request at a time, warm-up then a measured phase, HdrHistogram).
#
# Like with like: etcd fsyncs its Raft log before it acknowledges a put, so the headline Ember
# figures are with --file-sync-level 1 (the archive forces the log's data to disk before a member
# counts the entry); the unsynced cluster (--file-sync-level 0, the default) is printed too,
# labelled unsynced_. Also failover_ms: leader kill -9 until the next syscall is answered.
#
#   bench/cluster-compare.sh [SECONDS] [CLIENTS]
#
# EMBER_JAVA_OPTS passes -Dember.cluster.* settings (ClusterTuning: maxParkNs, clientMaxParkNs, spins,
# yields, driverThreading, archiveThreading) and -Daeron.* to the harness and to every member; the
# settings in effect are printed as tuning=.
#
# Installs Debian's etcd-server if missing. Prints name=value lines; stops every process it started.
set -euo pipefail
seconds="${1:-3}"
clients="${2:-4}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bin/ember-env.sh"

if ! command -v etcd >/dev/null 2>&1; then
  echo "cluster-compare: installing etcd-server from Debian's packages..." >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server) >&2
  else
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server) >&2
  fi
fi

if [ -n "${EMBER_CLASSPATH:-}" ]; then cp="$EMBER_CLASSPATH"; else
  ember_build_if_needed
  # this checkout's own modules first: target/lib holds copies from the local Maven repository,
  # which another checkout on the machine may have installed since
  cp="$root/cluster/target/classes:$root/kernel/target/classes:$root/journal/target/classes:$(ember_classpath bench)"
fi

work="$(mktemp -d)"
base=$((40000 + RANDOM % 20000))
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

cluster=""
endpoints=""
for i in 0 1 2; do
  cluster="${cluster:+$cluster,}e$i=http://127.0.0.1:$((base + 2 * i + 1))"
  endpoints="${endpoints:+$endpoints,}http://127.0.0.1:$((base + 2 * i))"
done
for i in 0 1 2; do
  etcd --name "e$i" --data-dir "$work/e$i" \
    --listen-client-urls "http://127.0.0.1:$((base + 2 * i))" --advertise-client-urls "http://127.0.0.1:$((base + 2 * i))" \
    --listen-peer-urls "http://127.0.0.1:$((base + 2 * i + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((base + 2 * i + 1))" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token ember-bench \
    --logger zap --log-level error > "$work/e$i.log" 2>&1 &
  pids+=($!)
done
echo "etcd $(etcd --version | head -1 | awk '{print $3}'): members on $endpoints" >&2

java "${EMBER_JAVA_FLAGS[@]}" ${EMBER_JAVA_OPTS:-} -cp "$cp" ember.kernel.bench.ClusterCompare "$endpoints" "$seconds" "$clients"
