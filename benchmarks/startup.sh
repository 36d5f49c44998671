#!/usr/bin/env bash
# Time from process start to /readyz 200, with and without a class-data sharing (AppCDS) archive, interleaved rounds.
#   benchmarks/startup.sh [ROUNDS]          (default 5; JAR=..., JVM_OPTS=..., BASE_PORT=... to override)
#   AOT_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java benchmarks/startup.sh
#       also runs Usher on that JDK (24 or newer) without and with an AOT cache (JEP 483/514/515: classes loaded and
#       linked, and method profiles, from the same training run; -XX:AOTCacheOutput, then -XX:AOTCache)
# JVM flags default to the Deployment's pod configuration (1 CPU visible, ParallelGC, 128 MiB heap). The archive is
# made the way deploy/Dockerfile makes it: one training run of `usher warmup`.
# Prints one line per round and the medians; loopback only; every process it starts is stopped on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
jar="${JAR:-$root/deploy/target/usher.jar}"
opts="${JVM_OPTS:--XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xmx128m -XX:-UsePerfData}"
port="${BASE_PORT:-18380}"
work="$(mktemp -d)"
pid=""
elapsed=0
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

[[ -f "$jar" ]] || { echo "startup.sh: $jar missing (mvn -pl deploy -am package -DskipTests)" >&2; exit 1; }
command -v curl >/dev/null || { echo "startup.sh: curl is needed" >&2; exit 1; }

now_ms() { date +%s%3N; }

# start JVM_FLAGS...: starts Usher on the examples, sets $elapsed to the ms from exec to the first /readyz 200 and
# leaves $pid running (no subshell, so that stop can signal it).
start() {
    local t0 deadline
    t0=$(now_ms)
    # shellcheck disable=SC2086
    "${java_bin:-java}" $opts "$@" -jar "$jar" run --manifests "$root/deploy/examples" --bind 127.0.0.1 \
        --http-port "$port" --https-port "$((port + 1))" --admin-port "$((port + 2))" --access-log off \
        >"$work/usher.log" 2>&1 &
    pid=$!
    deadline=$((t0 + 60000))
    until curl -fso /dev/null "http://127.0.0.1:$((port + 2))/readyz"; do
        kill -0 "$pid" 2>/dev/null || { echo "startup.sh: usher exited; log:" >&2; cat "$work/usher.log" >&2; exit 1; }
        (( $(now_ms) < deadline )) || { echo "startup.sh: not ready within 60 s" >&2; exit 1; }
        sleep 0.01
    done
    elapsed=$(( $(now_ms) - t0 ))
}

stop() {
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
}

# Training run, as deploy/Dockerfile does it: `usher warmup` (the demo on free loopback ports, a fixed set of HTTP/1.1,
# HTTPS and HTTP/2 requests, a clean stop) with the same JVM flags writes the archive at exit.
archive="$work/usher.jsa"
# shellcheck disable=SC2086
java $opts -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error -jar "$jar" warmup >"$work/warmup.log" 2>&1 \
    || { echo "startup.sh: the training run failed; log:" >&2; cat "$work/warmup.log" >&2; exit 1; }
[[ -s "$archive" ]] || { echo "startup.sh: no archive written; log:" >&2; cat "$work/warmup.log" >&2; exit 1; }

aot_java="${AOT_JAVA:-}"
if [[ -n "$aot_java" ]]; then
    aot="$work/usher.aot"
    aot_flags=(--enable-native-access=ALL-UNNAMED)
    # shellcheck disable=SC2086
    "$aot_java" $opts "${aot_flags[@]}" -XX:AOTCacheOutput="$aot" -Xlog:aot=error -jar "$jar" warmup \
        >"$work/aot-warmup.log" 2>&1 \
        || { echo "startup.sh: the AOT training run failed; log:" >&2; cat "$work/aot-warmup.log" >&2; exit 1; }
    [[ -s "$aot" ]] || { echo "startup.sh: no AOT cache written; log:" >&2; cat "$work/aot-warmup.log" >&2; exit 1; }
fi

plain=(); cds=(); aplain=(); acache=()
for ((r = 1; r <= rounds; r++)); do
    start; stop; p=$elapsed
    start -XX:SharedArchiveFile="$archive"; stop; c=$elapsed
    plain+=("$p"); cds+=("$c")
    line="round $r: no archive ${p} ms, AppCDS ${c} ms"
    if [[ -n "$aot_java" ]]; then
        java_bin="$aot_java" start "${aot_flags[@]}"; stop; ap=$elapsed
        java_bin="$aot_java" start "${aot_flags[@]}" -XX:AOTCache="$aot"; stop; ac=$elapsed
        aplain+=("$ap"); acache+=("$ac")
        line+="; $("$aot_java" -version 2>&1 | head -1 | cut -d'"' -f2): no cache ${ap} ms, AOT cache ${ac} ms"
    fi
    echo "$line"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
mp=$(median "${plain[@]}"); mc=$(median "${cds[@]}")
echo "archive: $(du -k "$archive" | cut -f1) KiB; JVM flags: $opts"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "median time to /readyz 200: no archive ${mp} ms, AppCDS ${mc} ms ($(ratio "$mc" "$mp")x)"
if [[ -n "$aot_java" ]]; then
    map=$(median "${aplain[@]}"); mac=$(median "${acache[@]}")
    echo "AOT cache: $(du -k "$aot" | cut -f1) KiB; $aot_java"
    echo "median time to /readyz 200 on it: no cache ${map} ms, AOT cache ${mac} ms ($(ratio "$mac" "$map")x;" \
        "$(ratio "$mac" "$mc")x the JDK above with AppCDS)"
fi
