#!/usr/bin/env bash
# What one proxied request costs Usher and nginx: user and system CPU time (an untraced run) and which threads used it
# (Usher's event loop, its JIT compilers, its collector, the rest), system calls (strace -c
# over a fixed load) and, for Usher, bytes allocated by its event loop (JFR's per-thread allocation counter). The
# counts are per request and do not depend on how busy the machine is, unlike the timings of compare.sh; the CPU
# split does, a little, but tells whether a difference is in the kernel or in the process's own code.
#
#   benchmarks/per-request.sh                     Usher from this tree and nginx
#   EXTRA_JARS="/tmp/old/usher.jar" benchmarks/per-request.sh   also older builds of Usher, one after the other
#   PROTOCOL=h2 benchmarks/per-request.sh          HTTP/2 over TLS 1.3 (h2c: prior knowledge), h2load -c 50 -m 10
#   PROTOCOL=https1 benchmarks/per-request.sh      HTTP/1.1 over TLS 1.3, keep-alive (h2load --h1 -c 50 -m 1)
#   SITES=1 benchmarks/per-request.sh              also the event loop's top allocation sites (JFR samples)
#
# Needs nginx, wrk (h1) or h2load (h2, h2c), strace and a JDK with jcmd/jfr (apt-get install -y nginx wrk
# nghttp2-client strace); installs nothing. Settings: PROTOCOL=h1 STREAMS=10 (h2load -m) CONNECTIONS=50 DURATION=10 (seconds, wrk, per measurement) JVM_WARMUP=10 (seconds) BASE_PORT=18180 USHER_JAVA_OPTS. Every process it
# starts runs on 127.0.0.1 and is stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prog=per-request
PROTOCOL="${PROTOCOL:-h1}"
STREAMS="${STREAMS:-10}"
CONNECTIONS="${CONNECTIONS:-50}"
DURATION="${DURATION:-10}"
JVM_WARMUP="${JVM_WARMUP:-10}"
BASE_PORT="${BASE_PORT:-18180}"
EXTRA_JARS="${EXTRA_JARS:-}"
OUT="${OUT:-$root/benchmarks/target/per-request-$(date -u +%Y%m%d-%H%M%S)}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC}"
USHER_EVENT_LOOPS=1
usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
nginx_port=$((BASE_PORT + 3))
usher_tls_port=$((BASE_PORT + 4))
nginx_tls_port=$((BASE_PORT + 5))

# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
case $PROTOCOL in
    h1) require_tools "apt-get install -y nginx wrk strace" nginx wrk strace java jcmd jfr curl ;;
    h2 | h2c | https1) require_tools "apt-get install -y nginx nghttp2-client strace" nginx h2load strace java jcmd jfr curl openssl ;;
    *) echo "$prog: PROTOCOL is h1, h2c, h2 or https1, not '$PROTOCOL'" >&2 && exit 2 ;;
esac
require_jars
require_free_ports $usher_port $origin_port $admin_port $nginx_port $usher_tls_port $nginx_tls_port
start_session usher-per-request
start_origin
write_manifests

load() { # plain port, TLS port, seconds -> number of requests the client completed
    case $PROTOCOL in
        h1) wrk -t1 -c"$CONNECTIONS" -d"$3"s -H 'Host: h0.bench.test' "http://127.0.0.1:$1/p0" |
            awk '/requests in/ {print $1}' ;;
        h2c | h2 | https1)
            local url="http://127.0.0.1:$1/p0" h1=()
            [[ $PROTOCOL != h2c ]] && url="https://127.0.0.1:$2/p0"
            [[ $PROTOCOL == https1 ]] && h1=(--h1 -m 1) # HTTP/1.1 has no streams; -m above 1 would pipeline
            # bounded: h2load -D never stops a client whose TLS handshake ends after the duration (a cold JVM)
            timeout "$(($3 + 30))" h2load -c "$CONNECTIONS" -m "$STREAMS" "${h1[@]}" -t 1 -D "$3" \
                -H ':authority: h0.bench.test' "$url" | awk '/^requests:/ {print $8}' ;;
    esac
}

# System calls of every thread of pid during one load run, per request: "name calls/request" for the frequent ones.
syscalls() { # pid, plain port, TLS port, what
    local trace="$OUT/strace-$4.txt" tracer n
    strace -c -f -p "$1" -o "$trace" 2>/dev/null &
    tracer=$!
    sleep 1 # strace attaches to every thread first
    n="$(load "$2" "$3" "$DURATION")"
    kill -INT "$tracer"
    wait "$tracer" 2>/dev/null || true
    # strace -c lines: % time, seconds, usecs/call, calls, [errors], syscall
    awk -v n="$n" -v what="$4" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" && $4 / n >= 0.01 {
            printf "%s %s %.3f\n", what, $NF, $4 / n
        }' "$trace" | sort -k3 -rn
    echo "$4 requests $n"
}

# Every thread of pid: "tid utime+stime group", the group a thread's name falls in.
thread_times() { # pid
    local task stat name
    for task in /proc/"$1"/task/*; do
        stat="$(cat "$task/stat" 2>/dev/null)" || continue
        name="${stat#*(}" && name="${name%%)*}"
        case $name in
            usher-proxy*) name=event-loop ;;
            C2* | C1*) name=jit ;;
            GC* | "VM Thread" | "ParGC"*) name=gc ;;
            *) name=other ;;
        esac
        echo "${task##*/} $(echo "${stat##*) }" | awk '{print $12 + $13}') $name"
    done
}

# User and system CPU time of pid per request over one untraced load run (utime and stime of /proc/pid/stat): which
# side of the system call boundary a difference in CPU per request is on.
cpu_split() { # pid, plain port, TLS port, what
    local stat n u0 s0 u1 s1
    stat="$(cat "/proc/$1/stat")" && read -r u0 s0 < <(echo "${stat##*) }" | awk '{print $12, $13}')
    thread_times "$1" >"$tmp/threads-before"
    n="$(load "$2" "$3" "$DURATION")"
    thread_times "$1" >"$tmp/threads-after"
    stat="$(cat "/proc/$1/stat")" && read -r u1 s1 < <(echo "${stat##*) }" | awk '{print $12, $13}')
    # Which threads the CPU went to: the event loop, the JIT compilers, the collector, the rest.
    awk -v n="$n" -v hz="$(getconf CLK_TCK)" -v what="$4" '
        NR == FNR { before[$1] = $2; next }
        { used[$3] += $2 - before[$1]; all += $2 - before[$1] }
        END { for (g in used) if (used[g] > 0) printf "%s cpu %s %.1f us per request (%.0f %%)\n", what, g,
                  used[g] / hz * 1e6 / n, 100 * used[g] / all | "sort -k4 -rn" }' \
        "$tmp/threads-before" "$tmp/threads-after"
    awk -v n="$n" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" -v what="$4" 'BEGIN {
        printf "%s cpu user %.1f us, system %.1f us per request (%d requests)\n", what, u / hz * 1e6 / n,
            s / hz * 1e6 / n, n }'
}

# Bytes the event loop thread allocated per request over one load run (JFR's jdk.ThreadAllocationStatistics).
allocation() { # pid, plain port, TLS port, what
    local jfc="$tmp/alloc.jfc" rec="$OUT/alloc-$4.jfr" n
    cat >"$jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
JFC
    jcmd "$1" JFR.start name=alloc settings="$jfc" filename="$rec" >/dev/null
    n="$(load "$2" "$3" "$DURATION")"
    jcmd "$1" JFR.stop name=alloc >/dev/null
    jfr print --events jdk.ThreadAllocationStatistics "$rec" | awk -v n="$n" -v what="$4" '
        /thread = "usher-proxy/ { loop = 1 } # the allocated field comes before the thread field
        /allocated = / { value = $3; unit = $4; if (unit == "kB") value *= 1e3; else if (unit == "MB") value *= 1e6;
                         else if (unit == "GB") value *= 1e9 }
        /thread = / { if (loop) { if (min == "" || value < min) min = value; if (value > max) max = value } loop = 0 }
        END { printf "%s allocation %.0f B/request (%d requests)\n", what, (max - min) / n, n }'
}

# Where the event loop's bytes come from (SITES=1): JFR's allocation samples (jdk.ObjectAllocationSample, no throttle)
# over one load run, each weighted by the bytes it stands for, summed per allocated class and allocating frame and
# printed per request: the sites worth removing first. Estimates (JFR samples at TLAB refills), so read the ranking and
# the order of magnitude, and allocation() for the total.
allocation_sites() { # pid, plain port, TLS port, what
    local jfc="$tmp/sites.jfc" rec="$OUT/sites-$4.jfr" n
    cat >"$jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ObjectAllocationSample"><setting name="enabled">true</setting><setting name="throttle">off</setting><setting name="stackTrace">true</setting></event>
</configuration>
JFC
    jcmd "$1" JFR.start name=sites settings="$jfc" filename="$rec" >/dev/null
    n="$(load "$2" "$3" "$DURATION")"
    jcmd "$1" JFR.stop name=sites >/dev/null
    # An event: objectClass, weight, eventThread, then stackTrace = [ frames ]; the site is the allocated class, the
    # allocating frame and the first of Usher's own frames below it.
    jfr print --events jdk.ObjectAllocationSample --stack-depth 32 "$rec" | awk -v n="$n" -v what="$4" '
        /^jdk.ObjectAllocationSample/ { cls = ""; w = 0; loop = 0; top = ""; own = ""; depth = -1 }
        /objectClass = / { cls = $3 }
        /weight = / { w = $3; if ($4 == "kB") w *= 1e3; else if ($4 == "MB") w *= 1e6; else if ($4 == "GB") w *= 1e9 }
        /eventThread = "usher-proxy/ { loop = 1; thread = $3 }
        /stackTrace = \[/ { depth = 0; next }
        depth >= 0 && /^[[:space:]]+[a-zA-Z_$][[:alnum:]_$.]*\(/ {
            f = $1; sub(/\(.*/, "", f)
            if (depth == 0) top = f
            else if (own == "" && f ~ /^dev\.usher\./) own = f
            depth++
        }
        # A thread'"'"'s first sample weighs everything it allocated since before the recording: left out.
        /^}/ && loop && depth >= 0 && !(thread in seen) { seen[thread] = 1; next }
        /^}/ { if (loop && depth >= 0) { key = cls " " top (own == "" || own == top ? "" : " <- " own); sum[key] += w; all += w } }
        END {
            printf "%s allocation sites: %.0f B/request sampled (%d requests)\n", what, all / n, n
            for (k in sum) printf "%s site %8.1f B/request  %s\n", what, sum[k] / n, k | "sort -k3 -rn | head -25"
        }'
}

measure_usher() { # jar, what
    start_usher "$1" "$usher_port" "$admin_port" "$2" "$OUT/$2.log" --https-port "$usher_tls_port"
    local pid=$started_pid
    load "$usher_port" "$usher_tls_port" "$JVM_WARMUP" >/dev/null
    cpu_split "$pid" "$usher_port" "$usher_tls_port" "$2"
    syscalls "$pid" "$usher_port" "$usher_tls_port" "$2"
    allocation "$pid" "$usher_port" "$usher_tls_port" "$2"
    [[ "${SITES:-0}" == 1 ]] && allocation_sites "$pid" "$usher_port" "$usher_tls_port" "$2"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

# Everything below also goes to per-request.txt (not a pipeline: a subshell's processes would escape the trap).
exec > >(tee "$OUT/per-request.txt")
echo "# per request, $PROTOCOL, $CONNECTIONS connections, ${DURATION}s per measurement; $(date -u +%FT%TZ)"
measure_usher "$usher_jar" usher
i=0
for jar in $EXTRA_JARS; do
    i=$((i + 1))
    measure_usher "$jar" "usher-extra-$i"
done
case $PROTOCOL in
    h1) start_nginx "" "" ;;
    h2c | h2 | https1) start_nginx_h2 ;;
esac
load "$nginx_port" "$nginx_tls_port" 2 >/dev/null
cpu_split "$nginx_pid" "$nginx_port" "$nginx_tls_port" nginx
syscalls "$nginx_pid" "$nginx_port" "$nginx_tls_port" nginx
