#!/usr/bin/env bash
# Runs the load harness: builds benchmarks/target/usher-bench.jar and deploy/target/usher.jar when missing, then
#   benchmarks/bench.sh load [-c 50] [--rate N] [-d 10s] ...      Usher on generated manifests (or --target URL)
#   benchmarks/bench.sh churn [--edits 1000] [--edit-rate 10]      route/endpoint edits under load
#   benchmarks/bench.sh compare --target NAME=URL@PID ...          interleaved rounds against running targets
#   benchmarks/bench.sh compare                                    no --target: the whole comparison, set up here:
#       benchmarks/compare.sh (HTTP/1.1: Usher in both configurations, nginx, HAProxy; table, JSON, SVG), then
#       benchmarks/h2load.sh with PROTOCOLS="https1 h2c h2" when h2load is installed (HTTPS and HTTP/2 against
#       nginx; table, JSON, SVG); settings go in their environment variables (ROUNDS, DURATION, ...), H2LOAD=0 skips
#       the second
#   benchmarks/bench.sh --help
# Run it from anywhere; paths in arguments are relative to the repository root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_jar="$root/benchmarks/target/usher-bench.jar"
usher_jar="$root/deploy/target/usher.jar"

if [[ ! -f "$bench_jar" || ! -f "$usher_jar" ]]; then
    command -v mvn >/dev/null || { echo "bench: Maven (mvn) is needed to build the jars" >&2; exit 1; }
    echo "bench: building usher-bench.jar and usher.jar (takes a few minutes)..." >&2
    (cd "$root" && mvn -B -q -pl benchmarks,deploy -am package -DskipTests) >&2
fi

# `compare` without a --target: the scripts start the origin, Usher, nginx and HAProxy themselves.
if [[ "${1:-}" == compare && " $* " != *" --target"* ]]; then
    if [[ $# -gt 1 ]]; then
        echo "bench: compare without --target takes no arguments; its settings are environment variables" \
            "(ROUNDS=3 DURATION=10s CONNECTIONS=50,200 ...: see benchmarks/compare.sh and benchmarks/h2load.sh)" >&2
        exit 2
    fi
    "$root/benchmarks/compare.sh"
    if [[ "${H2LOAD:-1}" == 0 ]]; then
        exit 0
    elif ! command -v h2load >/dev/null; then
        echo "bench: h2load is not installed (apt-get install -y nghttp2-client): HTTPS and HTTP/2 left out" >&2
        exit 0
    fi
    # compare.sh takes durations as wrk does ("10s"), h2load.sh in seconds
    for name in DURATION WARMUP JVM_WARMUP; do
        if [[ -n "${!name:-}" ]]; then export "$name=${!name%s}"; fi
    done
    PROTOCOLS="${PROTOCOLS:-https1 h2c h2}" exec "$root/benchmarks/h2load.sh"
fi

cd "$root"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags on purpose
exec java ${BENCH_JAVA_OPTS:--Xmx512m} -jar "$bench_jar" "$@"
