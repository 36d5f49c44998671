#!/usr/bin/env bash
# Usher and nginx side by side over HTTP/2 cleartext (h2c, prior knowledge), on loopback, with the same echo origin
# (HTTP/1.1 upstream with keep-alive on both) and the same client, h2load (Debian nghttp2-client).
#
#   benchmarks/h2load.sh                        ROUNDS x DURATION per target, alternating, -c 50 -m 10
#   ROUNDS=3 DURATION=10 CLIENTS=50 STREAMS=10 benchmarks/h2load.sh
#
# Needs nginx (built with http_v2, as Debian's is), h2load, java, curl; installs nothing. Every process it starts
# (echo origin, Usher, nginx) runs on 127.0.0.1 with its own config in a temporary folder and is stopped on exit,
# also on failure or Ctrl-C. Per run: requests/s and p99 latency (from h2load's per-request log) and requests per
# CPU-second of the proxy process (utime + stime from /proc/<pid>/stat around the run). Results go to $OUT
# (default benchmarks/target/h2load-<time>), a table on stdout.
#
# Settings (environment):
#   ROUNDS=2 DURATION=10 (seconds) WARMUP=2 (seconds, h2load --warm-up-time) JVM_WARMUP=10 (seconds, before round 1)
#   CLIENTS=50 STREAMS=10 THREADS=1 (h2load -c -m -t)
#   USHER_JAVA_OPTS='-Xms128m -Xmx128m -XX:+UseSerialGC'  USHER_EVENT_LOOPS=1
#   BASE_PORT=18180 (origin +1, Usher admin +2, nginx +3)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin"
bench_jar="$root/benchmarks/target/usher-bench.jar"
usher_jar="$root/deploy/target/usher.jar"

ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
JVM_WARMUP="${JVM_WARMUP:-10}"
CLIENTS="${CLIENTS:-50}"
STREAMS="${STREAMS:-10}"
THREADS="${THREADS:-1}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseSerialGC}"
USHER_EVENT_LOOPS="${USHER_EVENT_LOOPS:-1}"
BASE_PORT="${BASE_PORT:-18180}"
OUT="${OUT:-$root/benchmarks/target/h2load-$(date -u +%Y%m%d-%H%M%S)}"

usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
nginx_port=$((BASE_PORT + 3))

missing=()
for tool in nginx h2load java curl; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "h2load.sh: missing ${missing[*]}; install them with: apt-get install -y nginx nghttp2-client" >&2
    exit 2
fi
if [[ ! -f "$bench_jar" || ! -f "$usher_jar" ]]; then
    echo "h2load.sh: build the jars first: mvn -B -o -q -pl benchmarks,deploy -am package -DskipTests" >&2
    exit 2
fi
for port in $usher_port $origin_port $admin_port $nginx_port; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "h2load.sh: port $port is in use; set BASE_PORT to a free range" >&2
        exit 2
    fi
done

tmp="$(mktemp -d /tmp/usher-h2load.XXXXXX)"
mkdir -p "$OUT"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url, what, pid, log, [curl flag]
    local i
    for ((i = 0; i < 600; i++)); do
        curl -fsS ${5:-} -o /dev/null -H 'Host: h0.bench.test' "$1" 2>/dev/null && return 0
        if ! kill -0 "$3" 2>/dev/null; then
            echo "h2load.sh: $2 exited; its output ($4):" >&2
            tail -20 "$4" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "h2load.sh: $2 did not answer on $1 within 120 s" >&2
    return 1
}

cpu_ticks() { # utime + stime of a pid, in clock ticks (fields 14 and 15 of /proc/pid/stat, after the comm field)
    local stat
    stat="$(cat "/proc/$1/stat")"
    stat="${stat##*) }"
    # shellcheck disable=SC2086 # split the fields on purpose
    set -- $stat
    echo $((${12} + ${13}))
}

java -Xms64m -Xmx128m -XX:+UseSerialGC -jar "$usher_jar" echo --port "$origin_port" --name origin-0 \
    --event-loops 1 >"$OUT/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
wait_http "http://127.0.0.1:$origin_port/health" "the echo origin" "$origin_pid" "$OUT/origin.log"

java -jar "$bench_jar" manifests --out "$tmp/manifests" --origin-port "$origin_port" >/dev/null
# shellcheck disable=SC2086 # USHER_JAVA_OPTS is a list of flags on purpose
java $USHER_JAVA_OPTS -jar "$usher_jar" run --manifests "$tmp/manifests" --bind 127.0.0.1 \
    --http-port "$usher_port" --admin-port "$admin_port" --disable-https --event-loops "$USHER_EVENT_LOOPS" \
    --access-log off --drain-timeout 1s >"$OUT/usher.log" 2>&1 &
usher_pid=$!
pids+=("$usher_pid")
wait_http "http://127.0.0.1:$admin_port/readyz" "Usher" "$usher_pid" "$OUT/usher.log"

# nginx: one process, h2c with prior knowledge on its listener, upstream keep-alive, Usher's forwarding headers.
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    upstream origin {
        server 127.0.0.1:$origin_port;
        keepalive 512;
    }
    server {
        listen 127.0.0.1:$nginx_port http2 backlog=4096;
        http2_max_concurrent_streams 100;
        keepalive_requests 1000000;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Request-ID \$request_id;
        }
    }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$OUT/nginx.log" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
# a plain listener with http2 speaks only HTTP/2 in nginx 1.22: probe it with prior knowledge
wait_http "http://127.0.0.1:$nginx_port/p0" "nginx" "$nginx_pid" "$OUT/nginx.log" --http2-prior-knowledge

run() { # name, port, pid, round -> one result line
    local name=$1 port=$2 pid=$3 round=$4 log="$OUT/$1-$4" before after ticks reqs rps p99 hz
    hz="$(getconf CLK_TCK)"
    before="$(cpu_ticks "$pid")"
    h2load -c "$CLIENTS" -m "$STREAMS" -t "$THREADS" -D "$DURATION" --warm-up-time "$WARMUP" \
        -H ':authority: h0.bench.test' --log-file "$log.requests" "http://127.0.0.1:$port/p0" >"$log.txt" 2>&1
    after="$(cpu_ticks "$pid")"
    ticks=$((after - before))
    reqs="$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$log.txt")"
    rps="$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$log.txt")"
    # the log's third column is each request's time in microseconds
    p99="$(awk '{print $3}' "$log.requests" | sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}')"
    # CPU counted over warm-up + measurement, so requests per CPU-second use the same span's requests (rps x span)
    awk -v n="$name" -v r="$round" -v rps="$rps" -v ok="$reqs" -v p="$p99" -v t="$ticks" -v hz="$hz" \
        -v span="$((DURATION + WARMUP))" 'BEGIN {
            cpu = t / hz; printf "%-6s round %d  %10.0f req/s  p99 %7s ms  cpu %6.2f s  %8.0f req/cpu-s  (%s ok)\n",
            n, r, rps, p, cpu, (cpu > 0 ? rps * span / cpu : 0), ok }'
}

echo "h2load.sh: usher pid $usher_pid, nginx pid $nginx_pid; results in $OUT"
echo "warming the JVM for $JVM_WARMUP s"
h2load -c "$CLIENTS" -m "$STREAMS" -t "$THREADS" -D "$JVM_WARMUP" -H ':authority: h0.bench.test' \
    "http://127.0.0.1:$usher_port/p0" >"$OUT/jvm-warmup.txt" 2>&1
{
    echo "# h2c, h2load -c $CLIENTS -m $STREAMS -t $THREADS, ${DURATION}s + ${WARMUP}s warm-up per run"
    echo "# usher: $(java -version 2>&1 | head -1), $USHER_JAVA_OPTS, --event-loops $USHER_EVENT_LOOPS;" \
        "nginx $(nginx -v 2>&1 | sed 's/.*: //'), 1 process; $(h2load --version | head -1); $(nproc) cores," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for ((round = 1; round <= ROUNDS; round++)); do
        run usher "$usher_port" "$usher_pid" "$round"
        run nginx "$nginx_port" "$nginx_pid" "$round"
    done
} | tee "$OUT/summary.txt"
