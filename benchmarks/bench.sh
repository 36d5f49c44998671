#!/usr/bin/env bash
# Runs the load harness: builds benchmarks/target/usher-bench.jar and deploy/target/usher.jar when missing, then
#   benchmarks/bench.sh load [-c 50] [--rate N] [-d 10s] ...      Usher on generated manifests (or --target URL)
#   benchmarks/bench.sh churn [--edits 1000] [--edit-rate 10]      route/endpoint edits under load
#   benchmarks/bench.sh compare --target NAME=URL@PID ...          (benchmarks/compare.sh does the set-up)
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

cd "$root"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of flags on purpose
exec java ${BENCH_JAVA_OPTS:--Xmx512m} -jar "$bench_jar" "$@"
