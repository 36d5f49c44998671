#!/usr/bin/env bash
# A rolling update of Usher under load, on loopback: does any request fail?
#
#   benchmarks/rollout.sh [-c 20] [-d 150s] [--shutdown-delay 3s] [--drain-timeout 5s] [--mode http|tcp]
#
# Starts one echo origin, two Usher processes (A and B) on a generated manifests folder, and HAProxy in front of
# them, health-checking GET /readyz on each admin port (option httpchk, inter 500ms, fall 2, rise 2). While the load
# harness (usher-bench.jar load --target HAProxy) runs, it replaces A, then B, as a Deployment's rolling update does:
# SIGTERM, wait for the process to exit (shutdown delay, then drain), start a new one on the same ports, wait until
# its /readyz is 200 and HAProxy sees it up. Prints the harness's figures; exits 1 if any request failed.
# Bounded: every wait has a deadline; every process it starts is stopped on exit. Not part of `mvn verify`.
set -euo pipefail

connections=10
duration=150s
shutdown_delay=3s
drain_timeout=5s
mode=http
while [[ $# -gt 0 ]]; do
    case "$1" in
        -c|--connections) connections="$2"; shift 2 ;;
        -d|--duration) duration="$2"; shift 2 ;;
        --shutdown-delay) shutdown_delay="$2"; shift 2 ;;
        --drain-timeout) drain_timeout="$2"; shift 2 ;;
        --mode) mode="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "rollout: unknown argument $1" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_jar="$root/benchmarks/target/usher-bench.jar"
usher_jar="$root/deploy/target/usher.jar"
command -v haproxy >/dev/null || { echo "rollout: haproxy is needed (apt-get install -y haproxy)" >&2; exit 1; }
if [[ ! -f "$bench_jar" || ! -f "$usher_jar" ]]; then
    echo "rollout: building usher-bench.jar and usher.jar..." >&2
    (cd "$root" && mvn -B -q -pl benchmarks,deploy -am package -DskipTests) >&2
fi

work="$(mktemp -d /tmp/usher-rollout.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        # A JVM in its shutdown delay ignores a second TERM; KILL whatever is left after a bounded wait.
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
    done
    echo "rollout: logs and results kept in $work" >&2
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits up to $2 tenths of a second for command $1 to succeed.
wait_for() {
    local tries="$2"
    until eval "$1" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [[ $tries -gt 0 ]] || { echo "rollout: timed out waiting for: $1" >&2; return 1; }
        sleep 0.1
    done
}

ready() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" == 200 ]]; }

origin_port="$(free_port)"
java -Xmx64m -jar "$usher_jar" echo --port "$origin_port" --name origin >"$work/origin.log" 2>&1 &
pids+=($!)
java -jar "$bench_jar" manifests --out "$work/manifests" --origin-port "$origin_port" >/dev/null
host="h0.bench.test"

declare -A http_port admin_port usher_pid
for name in a b; do
    http_port[$name]="$(free_port)"
    admin_port[$name]="$(free_port)"
done

start_usher() {
    local name="$1" generation="$2"
    java -Xms128m -Xmx128m -XX:+UseSerialGC -jar "$usher_jar" run --manifests "$work/manifests" \
        --bind 127.0.0.1 --http-port "${http_port[$name]}" --https-port -1 --admin-port "${admin_port[$name]}" \
        --event-loops 1 --access-log off \
        --shutdown-delay "$shutdown_delay" --drain-timeout "$drain_timeout" \
        >"$work/usher-$name-$generation.log" 2>&1 &
    usher_pid[$name]=$!
    pids+=($!)
    wait_for "ready ${admin_port[$name]}" 1200
}

frontend_port="$(free_port)"
stats_port="$(free_port)"
cat >"$work/haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode $mode
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 2
    option redispatch
frontend usher
    bind 127.0.0.1:$frontend_port
    default_backend ushers
frontend stats
    mode http
    bind 127.0.0.1:$stats_port
    http-request return status 200 content-type text/plain lf-string "%[nbsrv(ushers)]"
backend ushers
    balance roundrobin
    option httpchk GET /readyz
    default-server check inter 500ms fall 2 rise 2
    server a 127.0.0.1:${http_port[a]} port ${admin_port[a]}
    server b 127.0.0.1:${http_port[b]} port ${admin_port[b]}
EOF

echo "rollout: origin :$origin_port, usher a :${http_port[a]}, b :${http_port[b]}, haproxy :$frontend_port ($mode)" >&2
start_usher a 1
start_usher b 1
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
up() { [[ "$(curl -s "http://127.0.0.1:$stats_port/")" == "$1" ]]; }
wait_for "up 2" 100

java -Xmx512m -jar "$bench_jar" load --target "http://127.0.0.1:$frontend_port/p0" --host "$host" \
    -c "$connections" -d "$duration" --warmup 10s --timeout 30s --out "$work/load" >"$work/load.log" 2>&1 &
load_pid=$!
pids+=($load_pid)
sleep 15

for name in a b; do
    echo "rollout: replacing usher $name (pid ${usher_pid[$name]})" >&2
    kill -TERM "${usher_pid[$name]}"
    wait_for "up 1" 100
    wait_for "! kill -0 ${usher_pid[$name]}" 600
    start_usher "$name" 2
    wait_for "up 2" 100
    echo "rollout: usher $name replaced (pid ${usher_pid[$name]})" >&2
done

if ! kill -0 "$load_pid" 2>/dev/null; then
    echo "rollout: the load ended before the rollout did; run again with a longer -d" >&2
    exit 1
fi
echo "rollout: rollout done at $(date -u +%T), waiting for the load to end" >&2
wait "$load_pid" || true
grep -E "usher-bench c=" "$work/load.log"
python3 - "$work/load/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
e = r["errors"]
failed = sum(e["statuses"].values()) + e["connect"] + e["resets"] + e["timeouts"] + e["other"]
print(f"rollout: {r['responses']} responses in {r['seconds']:.0f} s counted, {failed} failed "
      f"(statuses {e['statuses']}, connect {e['connect']}, resets {e['resets']}, timeouts {e['timeouts']}, "
      f"other {e['other']})")
sys.exit(1 if failed else 0)
PY
