#!/usr/bin/env bash
# New HTTPS connections per CPU-second: Usher and nginx side by side, one request per connection (a TLS 1.3 handshake,
# then one proxied request to the same echo origin), with an ECDSA P-256 and an RSA-2048 server certificate in turn,
# and two kinds of client:
#   full     every connection a full handshake (certificate, signature, key exchange): h2load --h1, rounds of
#            CONNECTIONS new clients with one request each (h2load keeps no session between runs)
#   resumed  every connection resumes the session of the one before (no certificate, no signature), as a browser's
#            do: wrk with `Connection: close`, which offers its last session when it reconnects
#
#   benchmarks/handshakes.sh                    ROUNDS x DURATION per target, mode and key type, Usher and nginx alternating
#   ROUNDS=3 DURATION=10 CONNECTIONS=50 KEYS="ecdsa rsa" MODES="full resumed" benchmarks/handshakes.sh
#
# Usher serves the key type's certificate as its default certificate (`--default-ssl-certificate` from a Secret in the
# manifests folder); nginx (one worker, its default session cache) serves the same certificate and key; the script
# checks that both present it. Per run: connections answered 2xx per second and per CPU-second of the proxy process
# (utime + stime from /proc/<pid>/stat around the run). Results go to $OUT (default
# benchmarks/target/handshakes-<time>), a table on stdout.
#
# Needs nginx, wrk, h2load, openssl, java, curl (apt-get install -y nginx wrk nghttp2-client); installs nothing. Every
# process it starts runs on 127.0.0.1 and is stopped on exit, also on failure or Ctrl-C.
#
# Settings (environment):
#   ROUNDS=2 DURATION=10 (seconds) JVM_WARMUP=20 (seconds, per key type and mode before round 1) CONNECTIONS=50
#   KEYS="ecdsa rsa" MODES="full resumed"
#   USHER_JAVA_OPTS='-Xms128m -Xmx128m -XX:+UseParallelGC'  USHER_EVENT_LOOPS=1
#   BASE_PORT=18380 (origin +1, Usher admin +2, nginx +3, Usher TLS +4, nginx TLS +5)
set -euo pipefail

prog=handshakes.sh
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10}"
JVM_WARMUP="${JVM_WARMUP:-20}"
CONNECTIONS="${CONNECTIONS:-50}"
KEYS="${KEYS:-ecdsa rsa}"
MODES="${MODES:-full resumed}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC}"
USHER_EVENT_LOOPS="${USHER_EVENT_LOOPS:-1}"
BASE_PORT="${BASE_PORT:-18380}"
OUT="${OUT:-$root/benchmarks/target/handshakes-$(date -u +%Y%m%d-%H%M%S)}"


# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
tls_ports # usher_port, origin_port, admin_port, nginx_port, usher_tls_port, nginx_tls_port from BASE_PORT
require_tools "apt-get install -y nginx wrk nghttp2-client" nginx wrk h2load java curl openssl base64
require_jars
require_free_ports $usher_port $origin_port $admin_port $nginx_port $usher_tls_port $nginx_tls_port
start_session usher-handshakes

# A self-signed certificate for h0.bench.test of a key type, as PEM files and as a kubernetes.io/tls Secret manifest.
make_certificate() { # ecdsa | rsa
    local key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
    [[ $1 == rsa ]] && key=(-newkey rsa:2048)
    openssl req -x509 "${key[@]}" -nodes -days 2 -subj /CN=h0.bench.test -addext subjectAltName=DNS:h0.bench.test \
        -keyout "$tmp/$1.key" -out "$tmp/$1.crt" >/dev/null 2>&1
    cat >"$tmp/manifests/tls-$1.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: bench-$1
  namespace: default
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$tmp/$1.crt")
  tls.key: $(base64 -w0 "$tmp/$1.key")
YAML
}

# One load run against a port for DURATION seconds; prints the number of requests answered with 2xx.
#   resumed: wrk with Connection: close; wrk keeps each connection's TLS session and offers it when it reconnects, so
#            after the first one every handshake is a resumption (no certificate, no signature)
#   full:    h2load --h1 in a loop, CONNECTIONS new clients per round with one request each and nothing to resume:
#            every handshake is a full one (certificate, signature, key exchange)
load() { # mode, port, log
    local mode=$1 port=$2 log=$3 end n
    if [[ $mode == resumed ]]; then
        wrk -t1 -c"$CONNECTIONS" -d"$DURATION"s -H 'Host: h0.bench.test' -H 'Connection: close' \
            "https://127.0.0.1:$port/p0" >"$log" 2>&1
        awk '/requests in/ { n = $1 } /Non-2xx/ { n -= $NF } END { print n + 0 }' "$log"
        return
    fi
    : >"$log"
    end=$((SECONDS + DURATION))
    while ((SECONDS < end)); do
        h2load --h1 -c "$CONNECTIONS" -n "$CONNECTIONS" -H ':authority: h0.bench.test' \
            "https://127.0.0.1:$port/p0" >>"$log" 2>&1 || true
    done
    sed -n 's/^status codes: \([0-9]*\) 2xx.*/\1/p' "$log" | awk '{ n += $1 } END { print n + 0 }'
}

run() { # name, mode, key type, port, pid, round -> one result line
    local name=$1 mode=$2 key=$3 port=$4 pid=$5 round=$6 before after ticks hz start n
    hz="$(getconf CLK_TCK)"
    before="$(cpu_ticks "$pid")"
    start=$SECONDS
    n="$(load "$mode" "$port" "$OUT/$name-$mode-$key-$round.txt")"
    after="$(cpu_ticks "$pid")"
    ticks=$((after - before))
    awk -v n="$name" -v m="$mode" -v k="$key" -v r="$round" -v t="$ticks" -v hz="$hz" -v span="$((SECONDS - start))" \
        -v ok="$n" 'BEGIN {
            cpu = t / hz
            printf "%-6s %-7s %-5s round %d  %8.0f conn/s  cpu %6.2f s  %8.0f conn/cpu-s  (%d requests, 2xx)\n",
                n, m, k, r, ok / span, cpu, (cpu > 0 ? ok / cpu : 0), ok
        }'
}

start_origin
write_manifests
echo "handshakes.sh: results in $OUT"
{
    echo "# $MODES, $CONNECTIONS connections, ${DURATION}s per run: full = h2load --h1 rounds of one request per new" \
        "connection; resumed = wrk -t1 with Connection: close, resuming its TLS sessions"
    echo "# usher: $(java -version 2>&1 | head -1), $USHER_JAVA_OPTS, --event-loops $USHER_EVENT_LOOPS;" \
        "nginx $(nginx -v 2>&1 | sed 's/.*: //') with $(openssl version | cut -d' ' -f1-2), 1 process; $(nproc) cores," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/summary.txt"
for key in $KEYS; do
    make_certificate "$key"
    start_usher "$usher_jar" "$usher_port" "$admin_port" "Usher ($key)" "$OUT/usher-$key.log" \
        --https-port "$usher_tls_port" --default-ssl-certificate "default/bench-$key"
    usher_pid=$started_pid
    start_nginx "backlog=4096" "listen 127.0.0.1:$nginx_tls_port ssl backlog=4096;
        ssl_certificate $tmp/$key.crt;
        ssl_certificate_key $tmp/$key.key;
        ssl_protocols TLSv1.2 TLSv1.3;"
    # the served certificate must be the key type's, and the protocol TLS 1.3 (nginx 1.22 offers it only when told
    # to), or the comparison is void
    for port in $usher_tls_port $nginx_tls_port; do
        if ! openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null | grep -q "^New, TLSv1.3"; then
            echo "$prog: port $port does not negotiate TLS 1.3" >&2
            exit 1
        fi
        if ! openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null | openssl x509 -noout -pubkey |
            openssl pkey -pubin -noout -text 2>/dev/null | grep -q -i "$([[ $key == rsa ]] && echo 'Public-Key: (2048 bit)' || echo 'NIST CURVE: P-256')"; then
            echo "$prog: port $port does not serve the $key certificate" >&2
            exit 1
        fi
    done
    for mode in $MODES; do # the JIT compiles what each mode runs, at the rate it runs it
        DURATION=$JVM_WARMUP load "$mode" "$usher_tls_port" "$OUT/jvm-warmup-$mode-$key.txt" >/dev/null
    done
    for ((round = 1; round <= ROUNDS; round++)); do
        for mode in $MODES; do
            run usher "$mode" "$key" "$usher_tls_port" "$usher_pid" "$round"
            run nginx "$mode" "$key" "$nginx_tls_port" "$nginx_pid" "$round"
        done
    done | tee -a "$OUT/summary.txt"
    stop_pid "$usher_pid"
    stop_pid "$nginx_pid"
done
