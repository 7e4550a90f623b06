#!/usr/bin/env bash
# Peak and idle resident memory of the real mend-detector process (`run`, not a benchmark
# harness), as the DaemonSet runs it: against ClusterSim (`mend sim`), with the upstream kernel
# rules on a syslog-style file, through a burst of 1,000,000 lines of which 1 % match.
#
#   Benchmarks/DetectorBenchmarks/rss.sh [DETECTOR_BINARY] [MEND_BINARY]
#
# Defaults: the release build linked as the image links it
# (`scripts/release/build mend-detector`, the image's build) and the debug `mend`.
# Prints VmRSS once idle (rules loaded, node conditions asserted) and VmHWM (peak) after the burst.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
detector="${1:-$root/.build/release/mend-detector}"
mend="${2:-$root/.build/debug/mend}"
work="$(mktemp -d)"
sim_pid=""; det_pid=""
cleanup() { [ -n "$det_pid" ] && kill "$det_pid" 2>/dev/null || true; [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$mend" sim --scenario "$root/examples/scenarios/small.yaml" --kubeconfig "$work/kubeconfig" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
node="$(KUBECONFIG="$work/kubeconfig" python3 - <<'PY'
import json, os, urllib.request, yaml
cfg = yaml.safe_load(open(os.environ["KUBECONFIG"]))
server = cfg["clusters"][0]["cluster"]["server"]
items = json.load(urllib.request.urlopen(server + "/api/v1/nodes"))["items"]
print(items[0]["metadata"]["name"])
PY
)"

# The upstream kernel rules, read from a syslog-style file instead of /dev/kmsg.
python3 - "$root/../shared/fixtures/npd/kernel-monitor.json" "$work" <<'PY'
import json, sys
monitor = json.load(open(sys.argv[1]))
monitor["plugin"] = "filelog"
monitor["logPath"] = sys.argv[2] + "/kern.log"
monitor["pluginConfig"] = {"timestamp": "^.{15}", "message": "kernel: \\[.*\\] (.*)", "timestampFormat": "Jan _2 15:04:05"}
json.dump(monitor, open(sys.argv[2] + "/monitor.json", "w"))
PY
: >"$work/kern.log"

"$detector" run --config "$work/monitor.json" --kubeconfig "$work/kubeconfig" --node-name "$node" \
  --status-address 127.0.0.1:0 --state-dir "$work" --config-reload-interval 0 --log-level warning >"$work/detector.log" 2>&1 &
det_pid=$!
sleep 5
idle="$(awk '/VmRSS/ {print $2}' /proc/$det_pid/status)"
[ -n "${MEND_RSS_DETAIL:-}" ] && { cat /proc/$det_pid/smaps_rollup; awk '/^[0-9a-f]+-/ {hdr=$1" "$2" "$3} /^Rss:/ {if ($2 > 300) print $2" kB", hdr}' /proc/$det_pid/smaps; }

python3 - "$work/kern.log" <<'PY'
import sys, time
# Stamped now: older lines fall outside the monitor's look-back and are skipped, as upstream does.
stamp = time.strftime("%b %e %H:%M:%S")
ordinary = stamp + " node kernel: [12345.678901] eth0: link becomes ready, carrier on, speed 10000 Mbps full duplex"
hung = stamp + " node kernel: [12345.678901] INFO: task docker:7 blocked for more than 120 seconds."
with open(sys.argv[1], "a") as f:
    for i in range(1_000_000):
        f.write((hung if i % 100 == 0 else ordinary) + "\n")
PY
# Wait until the detector has read the whole file (its CPU time stops growing), at most 120 s.
last=-1
for _ in $(seq 1 120); do
  now="$(awk '{print $14+$15}' /proc/$det_pid/stat)"
  [ "$now" = "$last" ] && break
  last="$now"; sleep 1
done
peak="$(awk '/VmHWM/ {print $2}' /proc/$det_pid/status)"
echo "idle VmRSS: $((idle / 1024)) MiB ($idle kB)"
echo "peak VmHWM: $((peak / 1024)) MiB ($peak kB) after 1,000,000 lines"
# Proof the lines were read: the hung-task rule set KernelDeadlock on the node.
KUBECONFIG="$work/kubeconfig" NODE="$node" python3 - <<'PY'
import json, os, urllib.request, yaml
server = yaml.safe_load(open(os.environ["KUBECONFIG"]))["clusters"][0]["cluster"]["server"]
node = json.load(urllib.request.urlopen(server + "/api/v1/nodes/" + os.environ["NODE"]))
status = {c["type"]: c["status"] for c in node["status"].get("conditions", [])}
print("KernelDeadlock on the node:", status.get("KernelDeadlock", "absent"))
PY
grep -i "error" "$work/detector.log" | head -3 || true
