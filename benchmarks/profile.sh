#!/usr/bin/env bash
# Where Usher's event loop spends its CPU under a plain-HTTP keep-alive load: a CPU profile by async-profiler (from
# Maven Central, loaded into the running JVM after its warm-up), summed as kernel / Java / other native time, with the
# Java methods that use the most. The split says whether a gap to nginx is system calls or Java work per request.
#
#   benchmarks/profile.sh                        Usher from this tree, wrk -c 50
#   CONNECTIONS=200 JAR=/tmp/old/usher.jar benchmarks/profile.sh
#   PROTOCOL=h2 benchmarks/profile.sh            HTTP/2 over TLS (h2c: prior knowledge), h2load -c 50 -m 10
#   PROTOCOL=https1 benchmarks/profile.sh        HTTP/1.1 over TLS, keep-alive, h2load --h1 -c 50 (one request at a time)
#   EVENT=alloc benchmarks/profile.sh            heap allocation instead of CPU: bytes per request by class and site
#
# Needs wrk (PROTOCOL=h1) or h2load (https1, h2, h2c), Maven (fetches tools.profiler:async-profiler once), a JDK with jcmd, and perf events for root or
# kernel.perf_event_paranoid <= 1 (async-profiler falls back to itimer without kernel frames otherwise). Settings:
# EVENT=cpu (or alloc) PROTOCOL=h1 CONNECTIONS=50 STREAMS=10 (h2load -m) DURATION=20 (seconds profiled) JVM_WARMUP=20 (seconds) BASE_PORT=18280 INTERVAL=500us JAR USHER_JAVA_OPTS (default '-Xms128m -Xmx128m -XX:+UseParallelGC'). Writes
# $OUT/profile.collapsed (one line per stack), $OUT/flame.html and the summary; every process it starts runs on
# 127.0.0.1 and is stopped on exit.
# shellcheck source=benchmarks/proxies.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prog=profile
PROTOCOL="${PROTOCOL:-h1}"
EVENT="${EVENT:-cpu}"
CONNECTIONS="${CONNECTIONS:-50}"
STREAMS="${STREAMS:-10}"
DURATION="${DURATION:-20}"
JVM_WARMUP="${JVM_WARMUP:-20}"
BASE_PORT="${BASE_PORT:-18280}"
INTERVAL="${INTERVAL:-500us}"
AP_VERSION=4.1
OUT="${OUT:-$root/benchmarks/target/profile-$(date -u +%Y%m%d-%H%M%S)}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC}"
USHER_EVENT_LOOPS=1
usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
tls_port=$((BASE_PORT + 3))

source "$root/benchmarks/proxies.sh"
case $EVENT in
    cpu | alloc) ;;
    *) echo "$prog: EVENT is cpu or alloc, not '$EVENT'" >&2 && exit 2 ;;
esac
case $PROTOCOL in
    h1) require_tools "apt-get install -y wrk maven" wrk mvn java jcmd curl unzip ;;
    h2 | h2c | https1) require_tools "apt-get install -y nghttp2-client maven" h2load mvn java jcmd curl unzip ;;
    *) echo "$prog: PROTOCOL is h1, https1, h2c or h2, not '$PROTOCOL'" >&2 && exit 2 ;;
esac
require_jars
jar="${JAR:-$usher_jar}"
require_free_ports $usher_port $origin_port $admin_port $tls_port

ap_jar="$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-linux-x64.jar"
if [[ ! -f $ap_jar ]]; then
    mvn -B -q -ntp dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION:jar:linux-x64" >&2
fi

start_session usher-profile
unzip -q -o "$ap_jar" 'linux-x64/*' -d "$tmp/ap"
lib="$tmp/ap/linux-x64/libasyncProfiler.so"
start_origin
write_manifests
start_usher "$jar" "$usher_port" "$admin_port" "Usher" "$OUT/usher.log" --https-port "$tls_port"
usher_pid=$started_pid

load() { # seconds -> requests the client completed
    case $PROTOCOL in
        h1) wrk -t1 -c"$CONNECTIONS" -d"$1"s -H 'Host: h0.bench.test' "http://127.0.0.1:$usher_port/p0" |
            awk '/requests in/ {print $1}' ;;
        # bounded: h2load -D never stops a client whose TLS handshake ends after the duration (a cold JVM)
        h2c) timeout "$(($1 + 30))" h2load -c "$CONNECTIONS" -m "$STREAMS" -t 1 -D "$1" \
            -H ':authority: h0.bench.test' "http://127.0.0.1:$usher_port/p0" | awk '/^requests:/ {print $8}' ;;
        h2) timeout "$(($1 + 30))" h2load -c "$CONNECTIONS" -m "$STREAMS" -t 1 -D "$1" \
            -H ':authority: h0.bench.test' "https://127.0.0.1:$tls_port/p0" | awk '/^requests:/ {print $8}' ;;
        https1) timeout "$(($1 + 30))" h2load --h1 -c "$CONNECTIONS" -m 1 -t 1 -D "$1" \
            -H ':authority: h0.bench.test' "https://127.0.0.1:$tls_port/p0" | awk '/^requests:/ {print $8}' ;;
    esac
}

profiler() { # async-profiler command
    # jcmd would read the '=' in the options as a named argument of its own unless they are quoted
    jcmd "$usher_pid" JVMTI.agent_load "$lib" "\"$1\"" >>"$OUT/profiler.log"
    if [[ $(tail -1 "$OUT/profiler.log") != "return code: 0" ]]; then
        echo "$prog: async-profiler refused '$1' (see $OUT/profiler.log and $OUT/usher.log)" >&2
        exit 1
    fi
}

echo "$prog: warming the JVM for $JVM_WARMUP s, then profiling $DURATION s of $PROTOCOL at -c $CONNECTIONS" >&2
load "$JVM_WARMUP" >/dev/null
if [[ $EVENT == alloc ]]; then
    # every 4 KiB allocated is sampled; the collapsed counts are bytes ("total"), the leaf frame the allocated class
    profiler "start,event=alloc,alloc=4k,threads"
else
    profiler "start,event=cpu,interval=$INTERVAL,threads"
fi
ticks0=$(cpu_ticks "$usher_pid")
requests=$(load "$DURATION")
ticks1=$(cpu_ticks "$usher_pid")
# alloc: the counts are bytes ("total"); cpu: samples, as the summary below counts them
profiler "dump,collapsed$([[ $EVENT == alloc ]] && echo ,total),file=$OUT/profile.collapsed"
profiler "stop,file=$OUT/flame.html"

if [[ $EVENT == alloc ]]; then
    {
        client="wrk -t1 -c $CONNECTIONS"
        [[ $PROTOCOL == h2* ]] && client="$PROTOCOL, h2load -t1 -c $CONNECTIONS -m $STREAMS"
        [[ $PROTOCOL == https1 ]] && client="https1, h2load --h1 -t1 -c $CONNECTIONS"
        echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), heap allocation, $client, $DURATION s, $jar"
        # A line: "[thread];frame;...;class_[i] bytes" (_[i] in a TLAB, _[o] outside). Per request: bytes / requests.
        awk -v n="$requests" -v javaframe='^[A-Za-z_][A-Za-z0-9_$]*/' '$0 ~ /^\[usher-proxy/ {
                b = $NF; line = substr($0, 1, length($0) - length(b) - 1)
                k = split(line, f, ";"); cls = f[k]; sub(/_\[[io]\]$/, "", cls); total += b; byclass[cls] += b
                site = "(no Java frame)"
                for (i = k - 1; i > 1; i--) if (f[i] ~ javaframe) { site = f[i]; break }
                bysite[site " -> " cls] += b
            }
            END {
                printf "%d requests, event loop allocation %.0f B per request\nby class:\n", n, total / n
                fflush()
                for (c in byclass) printf "%8.0f B  %s\n", byclass[c] / n, c | "sort -rn | head -15"
                close("sort -rn | head -15")
                printf "by allocating frame -> class:\n"
                fflush()
                for (s in bysite) printf "%8.0f B  %s\n", bysite[s] / n, s | "sort -rn | head -40"
            }' "$OUT/profile.collapsed"
    } | tee "$OUT/summary.txt"
    echo "wrote $OUT/summary.txt, profile.collapsed and flame.html" >&2
    exit 0
fi

{
    client="wrk -t1 -c $CONNECTIONS"
    [[ $PROTOCOL == h2* ]] && client="$PROTOCOL, h2load -t1 -c $CONNECTIONS -m $STREAMS"
    [[ $PROTOCOL == https1 ]] && client="https1, h2load --h1 -t1 -c $CONNECTIONS"
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $client, $DURATION s, $jar"
    awk -v n="$requests" -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {
        printf "%d requests, Usher CPU %.1f ms per 1k requests\n", n, t * 1000 / hz * 1000 / n }'
    # A collapsed line: "[thread];frame;...;leaf count". Kernel frames end in _[k]; Java frames are package/Class.
    awk -v javaframe='^[A-Za-z_][A-Za-z0-9_$]*/' '$0 ~ /^\[usher-proxy/ {
            n = $NF; line = substr($0, 1, length($0) - length(n) - 1)
            k = split(line, f, ";"); leaf = f[k]; total += n
            if (leaf ~ /_\[k\]$/) kind["kernel"] += n
            else if (leaf ~ javaframe) kind["Java"] += n
            else kind["other native (libc, JNI, BoringSSL)"] += n
            for (i = k; i > 1; i--) if (f[i] ~ javaframe && f[i] !~ /_\[k\]$/) { java[f[i]] += n; break }
            # Whose code a user-space sample is in: the deepest frame of Usher, Netty or Micrometer (the JDK methods
            # and native code they call count for them), with the buffer allocator of Netty apart.
            if (leaf ~ /_\[k\]$/) owner["kernel"] += n
            else {
                who = "other"
                for (i = k; i > 1; i--) {
                    if (f[i] ~ /^dev\/usher\//) { who = "Usher"; break }
                    if (f[i] ~ /^io\/micrometer\//) { who = "Micrometer"; break }
                    if (f[i] ~ /^io\/netty\/buffer\/(Adaptive|Pool|AbstractByteBufAllocator)|^io\/netty\/util\/(Recycler|internal\/shaded\/.*Mpsc|concurrent\/MpscIntQueue)/) {
                        who = "Netty allocator"; break
                    }
                    if (f[i] ~ /^io\/netty\//) { who = "Netty"; break }
                }
                owner[who] += n
            }
        }
        END {
            printf "event loop samples %d:", total
            for (x in kind) printf "  %s %.1f %%", x, 100 * kind[x] / total
            printf "\nby owner:"
            for (x in owner) printf "  %s %.1f %%", x, 100 * owner[x] / total
            printf "\ndeepest Java frame of each sample (system calls count for the JNI method that made them):\n"
            fflush()
            for (m in java) printf "%6.1f %%  %s\n", 100 * java[m] / total, m | "sort -rn | head -25"
        }' "$OUT/profile.collapsed"
} | tee "$OUT/summary.txt"
echo "wrote $OUT/summary.txt, profile.collapsed and flame.html" >&2
