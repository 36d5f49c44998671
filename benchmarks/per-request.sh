#!/usr/bin/env bash
# What one proxied request costs Usher and nginx beyond CPU time: system calls (strace -c over a fixed load) and, for
# Usher, bytes allocated by its event loop (JFR's per-thread allocation counter). The counts are per request and do
# not depend on how busy the machine is, unlike the timings of compare.sh.
#
#   benchmarks/per-request.sh                     Usher from this tree and nginx
#   EXTRA_JARS="/tmp/old/usher.jar" benchmarks/per-request.sh   also older builds of Usher, one after the other
#
# Needs nginx, wrk, strace and a JDK with jcmd/jfr (apt-get install -y nginx wrk strace); installs nothing. Settings:
# CONNECTIONS=50 DURATION=10 (seconds, wrk, per measurement) JVM_WARMUP=10 (seconds) BASE_PORT=18180. Every process it
# starts runs on 127.0.0.1 and is stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prog=per-request
CONNECTIONS="${CONNECTIONS:-50}"
DURATION="${DURATION:-10}"
JVM_WARMUP="${JVM_WARMUP:-10}"
BASE_PORT="${BASE_PORT:-18180}"
EXTRA_JARS="${EXTRA_JARS:-}"
OUT="${OUT:-$root/benchmarks/target/per-request-$(date -u +%Y%m%d-%H%M%S)}"
USHER_JAVA_OPTS="-Xms128m -Xmx128m -XX:+UseParallelGC"
USHER_EVENT_LOOPS=1
usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
nginx_port=$((BASE_PORT + 3))

# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
require_tools "apt-get install -y nginx wrk strace" nginx wrk strace java jcmd jfr curl
require_jars
require_free_ports $usher_port $origin_port $admin_port $nginx_port
start_session usher-per-request
start_origin
write_manifests

load() { # port, seconds -> number of requests wrk completed
    wrk -t1 -c"$CONNECTIONS" -d"$2"s -H 'Host: h0.bench.test' "http://127.0.0.1:$1/p0" | awk '/requests in/ {print $1}'
}

# System calls of every thread of pid during one load run, per request: "name calls/request" for the frequent ones.
syscalls() { # pid, port, what
    local trace="$OUT/strace-$3.txt" tracer n
    strace -c -f -p "$1" -o "$trace" 2>/dev/null &
    tracer=$!
    sleep 1 # strace attaches to every thread first
    n="$(load "$2" "$DURATION")"
    kill -INT "$tracer"
    wait "$tracer" 2>/dev/null || true
    # strace -c lines: % time, seconds, usecs/call, calls, [errors], syscall
    awk -v n="$n" -v what="$3" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" && $4 / n >= 0.01 {
            printf "%s %s %.3f\n", what, $NF, $4 / n
        }' "$trace" | sort -k3 -rn
    echo "$3 requests $n"
}

# Bytes the event loop thread allocated per request over one load run (JFR's jdk.ThreadAllocationStatistics).
allocation() { # pid, port, what
    local jfc="$tmp/alloc.jfc" rec="$OUT/alloc-$3.jfr" n
    cat >"$jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
JFC
    jcmd "$1" JFR.start name=alloc settings="$jfc" filename="$rec" >/dev/null
    n="$(load "$2" "$DURATION")"
    jcmd "$1" JFR.stop name=alloc >/dev/null
    jfr print --events jdk.ThreadAllocationStatistics "$rec" | awk -v n="$n" -v what="$3" '
        /thread = "usher-proxy/ { loop = 1 } # the allocated field comes before the thread field
        /allocated = / { value = $3; unit = $4; if (unit == "kB") value *= 1e3; else if (unit == "MB") value *= 1e6;
                         else if (unit == "GB") value *= 1e9 }
        /thread = / { if (loop) { if (min == "" || value < min) min = value; if (value > max) max = value } loop = 0 }
        END { printf "%s allocation %.0f B/request (%d requests)\n", what, (max - min) / n, n }'
}

measure_usher() { # jar, what
    start_usher "$1" "$usher_port" "$admin_port" "$2" "$OUT/$2.log"
    local pid=$started_pid
    load "$usher_port" "$JVM_WARMUP" >/dev/null
    syscalls "$pid" "$usher_port" "$2"
    allocation "$pid" "$usher_port" "$2"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

# Everything below also goes to per-request.txt (not a pipeline: a subshell's processes would escape the trap).
exec > >(tee "$OUT/per-request.txt")
echo "# per request, $CONNECTIONS connections, ${DURATION}s per measurement; $(date -u +%FT%TZ)"
measure_usher "$usher_jar" usher
i=0
for jar in $EXTRA_JARS; do
    i=$((i + 1))
    measure_usher "$jar" "usher-extra-$i"
done
start_nginx "" ""
load "$nginx_port" 2 >/dev/null
syscalls "$nginx_pid" "$nginx_port" nginx
