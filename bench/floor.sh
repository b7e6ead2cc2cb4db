# shellcheck shell=bash
# The machine's floor for scripts/bench.sh: nginx returning a static JSON
# body, nginx in front of a FastCGI hello world with as many workers as
# barbican-fcgi, and pgbench against the stack's PostgreSQL. Sourced after
# bench/lib.sh, not run.

FLOOR_NGINX_PID=""
FLOOR_HELLO_PID=""

# start_floor WORKERS: build the hello world, start it and a private nginx
# on a free port. Sets FLOOR_URL.
start_floor() {
    local workers="$1" port
    local floor_dir="$WORK/floor"
    mkdir -p "$floor_dir/tmp"
    g++ -std=c++20 -O2 -Wall -Wextra "$ROOT/bench/floor/hello_fcgi.cpp" -o "$WORK/hello_fcgi" -lfcgi \
        || bench_die "failed to build bench/floor/hello_fcgi.cpp"

    setsid "$WORK/hello_fcgi" "$floor_dir/hello.sock" "$workers" </dev/null >>"$floor_dir/hello.log" 2>&1 &
    FLOOR_HELLO_PID=$!
    local i
    for (( i = 0; i < 50; i++ )); do
        [[ -S "$floor_dir/hello.sock" ]] && break
        sleep 0.1
    done
    [[ -S "$floor_dir/hello.sock" ]] || bench_die "hello_fcgi did not create $floor_dir/hello.sock"

    port="$(free_port)"
    sed -e "s|@PREFIX@|$floor_dir|g" -e "s|@LISTEN@|127.0.0.1:$port|g" -e "s|@SOCKET@|$floor_dir/hello.sock|g" \
        "$ROOT/bench/floor/nginx.conf" >"$floor_dir/nginx.conf"
    # nginx started by root switches its workers to nobody, which may not
    # open the socket of a hello world that runs as root.
    (( EUID == 0 )) && sed -i '1i user root;' "$floor_dir/nginx.conf"
    nginx -p "$floor_dir/" -c "$floor_dir/nginx.conf" -e "$floor_dir/error.log" </dev/null \
        || bench_die "the floor nginx did not start (see $floor_dir/error.log)"
    for (( i = 0; i < 50; i++ )); do
        [[ -s "$floor_dir/nginx.pid" ]] && break
        sleep 0.1
    done
    FLOOR_NGINX_PID="$(cat "$floor_dir/nginx.pid" 2>/dev/null)"
    [[ -n "$FLOOR_NGINX_PID" ]] || bench_die "the floor nginx wrote no pid file"
    FLOOR_URL="http://127.0.0.1:$port"
    bench_log "floor: nginx on $FLOOR_URL (pid $FLOOR_NGINX_PID), hello_fcgi with $workers workers (pid $FLOOR_HELLO_PID)"
}

# Stop the floor nginx and hello world, if they run. Safe to call twice.
stop_floor() {
    local i
    if [[ -n "$FLOOR_NGINX_PID" ]]; then
        kill -QUIT "$FLOOR_NGINX_PID" 2>/dev/null || true
        for (( i = 0; i < 100; i++ )); do
            kill -0 "$FLOOR_NGINX_PID" 2>/dev/null || break
            sleep 0.1
        done
        # Still running after 10 s: fast shutdown.
        kill -TERM "$FLOOR_NGINX_PID" 2>/dev/null || true
        FLOOR_NGINX_PID=""
    fi
    if [[ -n "$FLOOR_HELLO_PID" ]]; then
        kill -TERM "$FLOOR_HELLO_PID" 2>/dev/null || true
        wait "$FLOOR_HELLO_PID" 2>/dev/null || true
        FLOOR_HELLO_PID=""
    fi
}

# run_http_floor CONCURRENCY: wrk against /static and /fcgi.
run_http_floor() {
    local concurrency="$1"
    run_wrk floor nginx-static "$concurrency" "$FLOOR_URL" static.lua BENCH_PATH=/static
    run_wrk floor nginx-fcgi "$concurrency" "$FLOOR_URL" static.lua BENCH_PATH=/fcgi
}

# prepare_pg_floor SOCKET_DIR: create the database bench_floor with its tables.
prepare_pg_floor() {
    local socket_dir="$1"
    local psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -U barbican)
    if [[ "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'bench_floor'")" != 1 ]]; then
        "${psql[@]}" -d postgres -c "CREATE DATABASE bench_floor" || bench_die "failed to create database bench_floor"
    fi
    "${psql[@]}" -d bench_floor -f "$ROOT/bench/floor/pg_setup.sql" >/dev/null \
        || bench_die "bench/floor/pg_setup.sql failed"
}

# run_pg_floor SOCKET_DIR SCENARIO SCRIPT CONCURRENCY: pgbench with prepared
# statements; the latency percentiles come from its per-transaction log.
run_pg_floor() {
    local socket_dir="$1" scenario="$2" script="$3" concurrency="$4"
    local threads=$(( concurrency < BENCH_WRK_THREADS ? concurrency : BENCH_WRK_THREADS ))
    local log_dir="$WORK/pgbench-$scenario-$concurrency" output tps failed
    mkdir -p "$log_dir"
    output="$(cd "$log_dir" && pgbench -n -M prepared -h "$socket_dir" -U barbican -c "$concurrency" -j "$threads" \
        -T "$BENCH_DURATION" -f "$ROOT/bench/floor/$script" --log --log-prefix=tx bench_floor 2>&1)" \
        || bench_die "pgbench failed for $scenario c=$concurrency: $output"
    printf '%s\n' "$output" >>"$WORK/pgbench.log"
    tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$output" | head -n 1)"
    failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$output")"
    # Field 3 of each log line is the transaction's latency in microseconds.
    local percentiles
    percentiles="$(cat "$log_dir"/tx.* | awk '{ print $3 }' | sort -n | awk '
        function at(fraction,   index_) {
            index_ = int(NR * fraction) + 1
            if (index_ > NR) index_ = NR
            return latency[index_] / 1000
        }
        { latency[NR] = $1 }
        END {
            if (NR == 0) { print "0 0 0"; exit }
            printf "%.3f %.3f %.3f\n", at(0.50), at(0.99), at(0.999)
        }')"
    rm -rf "$log_dir"
    # shellcheck disable=SC2086
    record_result floor "$scenario" "$concurrency" "$(printf '%.1f' "$tps")" $percentiles "${failed:-0}" 0
}
