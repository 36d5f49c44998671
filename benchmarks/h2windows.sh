#!/usr/bin/env bash
# Upload throughput over h2c through Usher builds that differ only in HTTP/2 receive windows (H2Pipeline's
# STREAM_WINDOW and CONNECTION_WINDOW: edit, build, copy each usher.jar aside), with a round trip of 20 ms between
# h2load and Usher (benchmarks/delay_relay.py on loopback, DELAY=0.010 each way): windows matter only once a round trip
# is longer than loopback's.
#
#   JARS="w64k=/tmp/a.jar w256k=/tmp/b.jar" benchmarks/h2windows.sh
#
# Per jar and round: 1 MB uploads (buffered, the bench Ingress), h2load -c 1 -m 10 (one connection's window shared),
# -c 10 -m 1 (ten connections) and -c 1 -m 1 (one upload at a time: the stream window); prints uploads per second and
# the proxy's CPU time. Needs h2load, python3, java; installs nothing; every process it starts is stopped on exit.
# Settings: ROUNDS=3 DELAY=0.010 BASE_PORT=18380.
set -euo pipefail
prog=h2windows.sh
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE_PORT="${BASE_PORT:-18380}"
OUT="${OUT:-$root/benchmarks/target/h2windows-$(date -u +%Y%m%d-%H%M%S)}"
USHER_JAVA_OPTS="-Xms128m -Xmx128m -XX:+UseParallelGC"
USHER_EVENT_LOOPS=1
usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
relay_port=$((BASE_PORT + 5))
# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
require_tools "apt-get install -y nghttp2-client python3" h2load python3 java
require_jars
[[ -n "${JARS:-}" ]] || { echo "$prog: set JARS=\"name=/path/usher.jar ...\"" >&2; exit 2; }
require_free_ports $usher_port $origin_port $admin_port $relay_port
start_session usher-h2windows
start_origin
write_manifests
head -c 1000000 /dev/urandom >"$tmp/body.bin"
python3 "$root/benchmarks/delay_relay.py" "$relay_port" "$usher_port" "${DELAY:-0.010}" &
pids+=($!)
sleep 1
url="http://127.0.0.1:$relay_port/p0"
# Everything below also goes to h2windows.txt (not a pipeline: a subshell's processes would escape the trap).
exec > >(tee "$OUT/h2windows.txt")
for round in $(seq "${ROUNDS:-3}"); do
    for spec in $JARS; do
        name=${spec%%=*}
        jar=${spec#*=}
        start_usher "$jar" "$usher_port" "$admin_port" "$name" "$OUT/$name.log"
        pid=$started_pid
        h2load -c 1 -m 10 -n 50 -d "$tmp/body.bin" -H ':authority: h0.bench.test' "$url" >/dev/null 2>&1 || true
        for shape in "-c 1 -m 10 -n 50" "-c 10 -m 1 -n 50" "-c 1 -m 1 -n 20"; do
            t0=$(cpu_ticks "$pid")
            # shellcheck disable=SC2086 # the shape is a list of flags
            res=$(h2load $shape -d "$tmp/body.bin" -H ':authority: h0.bench.test' "$url" 2>&1)
            t1=$(cpu_ticks "$pid")
            awk -v round="$round" -v name="$name" -v shape="$shape" -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '
                /^finished in/ { took = $3; rate = $4 } /^status codes:/ { ok = $3 }
                END { printf "round %d %-8s %-20s %s %s uploads/s, %s 2xx, cpu %.2f s\n", round, name, shape, took, rate, ok, ticks / hz }' <<<"$res"
        done
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    done
done
