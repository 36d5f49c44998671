# Sourced by compare.sh and h2load.sh (not run on its own): the set-up they share. Each script sets `prog` (its name
# in messages), `root`, `OUT`, `origin_port`, and the settings USHER_JAVA_OPTS and USHER_EVENT_LOOPS first.
# USHER_JAVA (default `java` on the PATH) is the JVM Usher runs on; the origin and the client keep `java`.
# shellcheck shell=bash

USHER_JAVA="${USHER_JAVA:-java}"

bench_jar="$root/benchmarks/target/usher-bench.jar"
usher_jar="$root/deploy/target/usher.jar"
export PATH="$PATH:/usr/sbin:/sbin"

require_tools() { # install hint, tool... -> exits 2 naming the missing ones
    local hint=$1 tool missing=()
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if ((${#missing[@]})); then
        echo "$prog: missing ${missing[*]}; install them with: $hint" >&2
        exit 2
    fi
}

require_jars() {
    if [[ ! -f "$bench_jar" || ! -f "$usher_jar" ]]; then
        echo "$prog: build the jars first: mvn -B -o -q -pl benchmarks,deploy -am package -DskipTests" >&2
        exit 2
    fi
}

require_free_ports() { # port...
    local port
    for port in "$@"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$prog: port $port is in use; set BASE_PORT to a free range" >&2
            exit 2
        fi
    done
}

# A temporary folder ($tmp) and $OUT; every pid added to `pids` is stopped on exit, also on failure or Ctrl-C.
start_session() { # temporary folder name prefix
    tmp="$(mktemp -d "/tmp/$1.XXXXXX")"
    mkdir -p "$OUT"
    pids=()
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

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

# The ports of a run with TLS listeners, from BASE_PORT: Usher +0, the origin +1, Usher's admin +2, nginx +3, Usher's
# HTTPS +4, nginx's HTTPS +5.
tls_ports() {
    usher_port=$BASE_PORT
    origin_port=$((BASE_PORT + 1))
    admin_port=$((BASE_PORT + 2))
    nginx_port=$((BASE_PORT + 3))
    usher_tls_port=$((BASE_PORT + 4))
    nginx_tls_port=$((BASE_PORT + 5))
}

# utime + stime of a pid, in clock ticks (fields 14 and 15 of /proc/pid/stat, after the comm field).
cpu_ticks() { # pid
    local stat
    stat="$(cat "/proc/$1/stat")"
    stat="${stat##*) }"
    # shellcheck disable=SC2086 # split the fields on purpose
    set -- $stat
    echo $((${12} + ${13}))
}

# The machine's busy CPU time so far, in clock ticks (all CPUs: user, nice, system, irq, softirq, steal).
machine_busy_ticks() {
    local _ user nice system idle iowait irq softirq steal
    read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
    echo $((user + nice + system + irq + softirq + steal))
}

# Stops one started process before the session ends (cleanup's kill of it later does nothing).
stop_pid() { # pid
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

wait_http() { # url, what, pid, log, [curl flag]
    local i
    for ((i = 0; i < 600; i++)); do
        # shellcheck disable=SC2086 # the optional curl flag is absent or one word
        curl -fsS ${5:-} -o /dev/null -H 'Host: h0.bench.test' "$1" 2>/dev/null && return 0
        if ! kill -0 "$3" 2>/dev/null; then
            echo "$prog: $2 exited; its output ($4):" >&2
            tail -20 "$4" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$prog: $2 did not answer on $1 within 120 s" >&2
    return 1
}

# The echo origin every proxy forwards to (a separate process, one event loop) -> origin_pid.
start_origin() {
    java -Xms64m -Xmx128m -XX:+UseSerialGC -jar "$usher_jar" echo --port "$origin_port" --name origin-0 \
        --event-loops 1 >"$OUT/origin.log" 2>&1 &
    origin_pid=$!
    pids+=("$origin_pid")
    wait_http "http://127.0.0.1:$origin_port/health" "the echo origin" "$origin_pid" "$OUT/origin.log"
}

# Writes $tmp/manifests: host h0.bench.test, Prefix /p0 -> Service origin-0 -> the echo origin.
write_manifests() {
    java -jar "$bench_jar" manifests --out "$tmp/manifests" --origin-port "$origin_port" >/dev/null
}

# Usher on $tmp/manifests, no access log; plain HTTP only unless the first extra flag is --https-port (then HTTPS on
# that port too, with Usher's generated default certificate); waits for /readyz -> started_pid.
start_usher() { # jar, http port, admin port, what, log, [more `usher run` flags]
    local jar=$1 port=$2 admin=$3 what=$4 log=$5 https=(--disable-https) stop=()
    shift 5
    [[ ${1:-} == --https-port ]] && https=()
    # stopping it need not wait out the default 15 s shutdown delay; older builds (a BASELINE_JAR) lack the flag
    "$USHER_JAVA" -jar "$jar" run --help 2>/dev/null | grep -q -- --shutdown-delay && stop=(--shutdown-delay 0s)
    # shellcheck disable=SC2086 # USHER_JAVA_OPTS is a list of flags on purpose
    "$USHER_JAVA" $USHER_JAVA_OPTS -jar "$jar" run --manifests "$tmp/manifests" --bind 127.0.0.1 \
        --http-port "$port" --admin-port "$admin" "${https[@]}" --event-loops "$USHER_EVENT_LOOPS" \
        --access-log off "${stop[@]}" --drain-timeout 1s "$@" >"$log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    wait_http "http://127.0.0.1:$admin/readyz" "$what" "$started_pid" "$log"
}

# nginx for HTTP/2: h2c with prior knowledge on nginx_port (nginx 1.22's `http2` there speaks only HTTP/2, so the
# probe uses prior knowledge) and h2 over TLS on nginx_tls_port, with a self-signed P-256 certificate (Usher's
# generated default is ECDSA P-256 too). nginx 1.22 offers TLS 1.3 only when told to (it joined the default list in
# 1.23.4), so it is, as ingress-nginx's ssl-protocols default does: both proxies then negotiate TLS 1.3 with h2load.
start_nginx_h2() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=h0.bench.test \
        -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
    start_nginx "http2 backlog=4096" "listen 127.0.0.1:$nginx_tls_port ssl http2 backlog=4096;
        ssl_certificate $tmp/cert.pem;
        ssl_certificate_key $tmp/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        http2_max_concurrent_streams 100;" --http2-prior-knowledge
}

# nginx: one process (master_process off: the single worker's work, one pid to measure), upstream keep-alive, the
# same forwarding headers Usher adds, no access log; waits until it answers -> nginx_pid.
start_nginx() { # listen parameters (after the address), extra server directives or "", [curl flag for the probe]
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
        listen 127.0.0.1:$nginx_port $1;
        $2
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
    wait_http "http://127.0.0.1:$nginx_port/p0" "nginx" "$nginx_pid" "$OUT/nginx.log" ${3:+"$3"}
}
