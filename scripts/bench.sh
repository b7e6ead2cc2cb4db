#!/usr/bin/env bash
# Load benchmark of the API through nginx, with the machine's floor and,
# when asked, the reference Barbican side by side. `make bench` builds the
# binaries and runs this script. bench/README.md describes the scenarios.
#
# Environment:
#   BENCH_QUICK=1       short runs: 3 s per run, 30 s soak, 2,000 seeded secrets
#   BENCH_DURATION      seconds per run (default 10)
#   BENCH_SOAK          seconds of the mixed soak for the memory check (default 300)
#   BENCH_CONCURRENCY   connections per run, space-separated (default "1 16 64")
#   BENCH_SEED          secrets seeded for the list scenario (default 10000)
#   BENCH_READS         seeded secrets the read scenarios cycle through (default 100)
#   BENCH_URL           use the stack running there instead of starting one
#   BENCH_STACK_DIR     folder of that stack (scripts/stack.sh), for memory,
#                       pgbench and the second job-runner
#   REFERENCE=1         also run every scenario against the reference Barbican
#   REFERENCE_DIR       folder with the reference's setup.sh
#                       (default: shared/reference next to the repository)
#   BENCH_REF_SEED      secrets seeded into the reference (default 2000)
#   BIN_DIR             folder of the binaries (default BUILD/bin, BUILD=build)
#   BENCH_OUTPUT_DIR    where last-run.txt and results.png go (default bench/)
#   BENCH_KEEP=1        keep the work folder (stack, logs) after the run
#   BENCH_KEYSTONE      1: also compare requests with a cached Keystone token
#                       against noauth (bench/keystone.sh); only: run just
#                       that comparison; 0: skip it. Default: 1 when Keystone's
#                       Debian packages are installed, else 0 (with 1,
#                       scripts/keystone.sh installs them, as root)
#   BENCH_KEYSTONE_ROUNDS  runs of each scenario and concurrency on each
#                       stack of that comparison (default 2)
#
# Exits 1 when a request to our stack or the reference returned a non-2xx
# status or failed, after printing the tables.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly BENCH_LUA_DIR="$ROOT/bench"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
# shellcheck source=bench/floor.sh
source "$ROOT/bench/floor.sh"
# shellcheck source=bench/reference.sh
source "$ROOT/bench/reference.sh"
# shellcheck source=bench/report.sh
source "$ROOT/bench/report.sh"
# shellcheck source=bench/keystone.sh
source "$ROOT/bench/keystone.sh"

if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
    BENCH_DURATION="${BENCH_DURATION:-3}"
    BENCH_SOAK="${BENCH_SOAK:-30}"
    BENCH_SEED="${BENCH_SEED:-2000}"
    BENCH_REF_SEED="${BENCH_REF_SEED:-500}"
fi
BENCH_DURATION="${BENCH_DURATION:-10}"
BENCH_SOAK="${BENCH_SOAK:-300}"
BENCH_SEED="${BENCH_SEED:-10000}"
BENCH_REF_SEED="${BENCH_REF_SEED:-2000}"
BENCH_READS="${BENCH_READS:-100}"
BENCH_CONCURRENCY="${BENCH_CONCURRENCY:-1 16 64}"
BENCH_WRK_THREADS="$(nproc)"
BENCH_OUTPUT_DIR="${BENCH_OUTPUT_DIR:-$ROOT/bench}"
REFERENCE="${REFERENCE:-0}"
if [[ -z "${BENCH_KEYSTONE:-}" ]]; then
    BENCH_KEYSTONE=0
    keystone_installed && BENCH_KEYSTONE=1
fi
[[ "$BENCH_KEYSTONE" =~ ^(0|1|only)$ ]] || bench_die "invalid BENCH_KEYSTONE '$BENCH_KEYSTONE': expected 0, 1 or only"
BENCH_KEYSTONE_ROUNDS="${BENCH_KEYSTONE_ROUNDS:-2}"
[[ "$BENCH_KEYSTONE_ROUNDS" =~ ^[0-9]+$ && "$BENCH_KEYSTONE_ROUNDS" -gt 0 ]] \
    || bench_die "invalid BENCH_KEYSTONE_ROUNDS '$BENCH_KEYSTONE_ROUNDS': expected a positive integer"
REFERENCE_DIR="${REFERENCE_DIR:-$ROOT/../shared/reference}"
BUILD="${BUILD:-build}"
[[ "$BUILD" == /* ]] || BUILD="$ROOT/$BUILD"
BIN_DIR="${BIN_DIR:-$BUILD/bin}"
# The name filter of the list scenario: LIKE 'bench-0042%' matches the 10
# secrets bench-00420 to bench-00429.
readonly LIST_QUERY='name=bench-0042%25&limit=10'
readonly SEED_CONCURRENCY=32

for number in "$BENCH_DURATION" "$BENCH_SOAK" "$BENCH_SEED" "$BENCH_REF_SEED" "$BENCH_READS" $BENCH_CONCURRENCY; do
    [[ "$number" =~ ^[0-9]+$ && "$number" -gt 0 ]] \
        || bench_die "invalid setting '$number': BENCH_DURATION, BENCH_SOAK, BENCH_SEED, BENCH_REF_SEED, BENCH_READS and BENCH_CONCURRENCY take positive integers"
done
(( BENCH_SEED >= 430 && BENCH_REF_SEED >= 430 )) \
    || bench_die "BENCH_SEED and BENCH_REF_SEED must be at least 430 so that the list filter matches 10 secrets"

# ---------------------------------------------------------------- tools

require_tools() {
    local tool
    for tool in wrk pgbench psql g++ nginx curl python3 ss; do
        command -v "$tool" >/dev/null || bench_die "$tool is not installed; run scripts/deps.sh as root"
    done
    if ! command -v gnuplot >/dev/null; then
        if (( EUID == 0 )); then
            bench_log "installing gnuplot-nox for the chart"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnuplot-nox \
                >"$WORK/apt-gnuplot.log" 2>&1 || bench_log "apt-get install gnuplot-nox failed: no chart"
        else
            bench_log "gnuplot is not installed and installing needs root: no chart"
        fi
    fi
}

build_driver() {
    g++ -std=c++20 -O2 -Wall -Wextra -pthread -I"$ROOT" "$ROOT/bench/driver/bench_driver.cpp" \
        "$ROOT/bench/driver/http_connection.cpp" -o "$WORK/bench_driver" -lboost_json \
        || bench_die "failed to build bench/driver"
}

# ---------------------------------------------------------------- our stack

STACK_STARTED=0
STACK_DIR=""
RUNNER2_PID=""

start_stack() {
    [[ -x "$BIN_DIR/barbican-fcgi" ]] || bench_die "$BIN_DIR/barbican-fcgi not found; build first (make build)"
    STACK_DIR="$WORK/stack"
    OURS_PORT="$(free_port)"
    bench_log "stack: starting in $STACK_DIR on port $OURS_PORT (log $WORK/stack.log)"
    STACK_STARTED=1
    PORT="$OURS_PORT" BIN_DIR="$BIN_DIR" "$ROOT/scripts/stack.sh" start "$STACK_DIR" >>"$WORK/stack.log" 2>&1 \
        || { tail -n 30 "$WORK/stack.log" >&2; bench_die "scripts/stack.sh start failed"; }
    OURS_URL="http://127.0.0.1:$OURS_PORT"
}

use_running_stack() {
    [[ "$BENCH_URL" =~ ^http://127\.0\.0\.1:([0-9]+)/?$ ]] \
        || bench_die "invalid BENCH_URL '$BENCH_URL': expected http://127.0.0.1:PORT"
    OURS_PORT="${BASH_REMATCH[1]}"
    OURS_URL="http://127.0.0.1:$OURS_PORT"
    STACK_DIR="${BENCH_STACK_DIR:-}"
    [[ -z "$STACK_DIR" || -d "$STACK_DIR/run" ]] || bench_die "BENCH_STACK_DIR '$STACK_DIR' has no run/ folder"
    bench_log "stack: using $OURS_URL${STACK_DIR:+ (folder $STACK_DIR)}"
}

# Print the pid in the stack's pid file NAME.pid, or nothing.
stack_pid() {
    [[ -n "$STACK_DIR" && -r "$STACK_DIR/run/$1.pid" ]] || return 0
    head -n 1 "$STACK_DIR/run/$1.pid" | tr -dc '0-9'
}

# Print the socket folder of the stack's PostgreSQL, from its DSN.
stack_pg_socket() {
    [[ -n "$STACK_DIR" ]] || return 0
    sed -n 's/^dsn = .*host=\([^ ]*\).*/\1/p' "$STACK_DIR/etc/barbican.conf" | head -n 1
}

# Refresh the planner statistics of the stack's secrets table after seeding,
# as autovacuum would within a minute. Without it the list query can run
# with the statistics of an empty table and scan the whole project.
analyze_stack() {
    local socket
    socket="$(stack_pg_socket)"
    [[ -n "$socket" ]] || return 0
    psql -X -q -h "$socket" -U barbican -d barbican -c "ANALYZE secrets" \
        || bench_die "ANALYZE secrets failed on the stack's PostgreSQL"
}

# Name the stack's processes whose CPU time per request the runs of ours
# record (see bench/lib.sh). start_second_runner adds the second job-runner.
set_cpu_groups() {
    [[ -n "$STACK_DIR" ]] || return 0
    local postmaster
    postmaster="$(head -n 1 "$STACK_DIR/pg/data/postmaster.pid" 2>/dev/null | tr -dc '0-9')"
    CPU_GROUPS="fcgi:$(stack_pid barbican-fcgi) postgres:$postmaster nginx:$(stack_pid nginx)"
    CPU_GROUPS+=" runner:$(stack_pid barbican-job-runner) redis:$(stack_pid redis)"
}

start_second_runner() {
    setsid "$BIN_DIR/barbican-job-runner" --config "$STACK_DIR/etc/barbican.conf" \
        </dev/null >>"$WORK/runner2.log" 2>&1 &
    RUNNER2_PID=$!
    sleep 0.5
    kill -0 "$RUNNER2_PID" 2>/dev/null || bench_die "the second job-runner exited; see $WORK/runner2.log"
    [[ -n "$CPU_GROUPS" ]] && CPU_GROUPS+=" runner2:$RUNNER2_PID"
    return 0
}

stop_second_runner() {
    [[ -n "$RUNNER2_PID" ]] || return 0
    CPU_GROUPS="${CPU_GROUPS/ runner2:$RUNNER2_PID/}"
    kill -TERM "$RUNNER2_PID" 2>/dev/null || true
    wait "$RUNNER2_PID" 2>/dev/null || true
    RUNNER2_PID=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_second_runner
    stop_floor
    stop_keystone_bench
    if (( STACK_STARTED )); then
        "$ROOT/scripts/stack.sh" stop "$STACK_DIR" >>"$WORK/stack.log" 2>&1 \
            || bench_log "scripts/stack.sh stop $STACK_DIR failed; see $WORK/stack.log"
    fi
    if [[ "${BENCH_KEEP:-0}" == 1 || $status -ne 0 ]]; then
        bench_log "work folder kept: $WORK"
    else
        rm -rf --one-file-system "$WORK"
    fi
    exit "$status"
}

# ---------------------------------------------------------------- scenarios

new_project() { cat /proc/sys/kernel/random/uuid; }

# seed TARGET PORT PROJECT COUNT IDS_FILE
seed() {
    local target="$1" port="$2" project="$3" count="$4" ids="$5" line
    bench_log "$target: seeding $count secrets through POST /v1/secrets, $SEED_CONCURRENCY at a time"
    line="$("$WORK/bench_driver" seed --port "$port" --project "$project" --count "$count" \
        --concurrency "$SEED_CONCURRENCY" --prefix bench- --ids "$ids")" \
        || bench_die "seeding $target failed (the driver's message is above)"
    bench_log "$target: $line"
    printf '%s seed: %s\n' "$target" "$line" >>"$HEADER"
}

# prime_project TARGET URL PROJECT: create one secret in PROJECT before any
# concurrent load, because the reference fails with 500 when concurrent
# requests create the same new project.
prime_project() {
    local target="$1" url="$2" project="$3" status
    status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST "$url/v1/secrets" \
        -H "X-Project-Id: $project" -H 'Content-Type: application/json' \
        -d '{"name": "bench-prime", "payload": "cHJpbWU=", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"}')"
    [[ "$status" == 201 ]] || bench_die "$target: POST /v1/secrets returned HTTP $status, expected 201"
}

# check_list TARGET URL PROJECT: warn when the list filter does not match 10.
check_list() {
    local target="$1" url="$2" project="$3" total
    total="$(curl -s --max-time 10 "$url/v1/secrets?$LIST_QUERY" -H "X-Project-Id: $project" \
        -H 'Accept: application/json' | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')"
    [[ "$total" == 10 ]] \
        || bench_log "warning: $target: GET /v1/secrets?$LIST_QUERY returned total '${total:-none}', expected 10"
}

# run_api_scenarios TARGET URL PROJECT WRITE_PROJECT IDS [NAME=VALUE...]
run_api_scenarios() {
    local target="$1" url="$2" project="$3" write_project="$4" ids="$5"
    shift 5
    local common=(BENCH_PROJECT="$project" BENCH_WRITE_PROJECT="$write_project" BENCH_IDS="$ids"
        BENCH_READS="$BENCH_READS" BENCH_LIST_QUERY="$LIST_QUERY" "$@")
    local c
    for c in $BENCH_CONCURRENCY; do
        run_wrk "$target" get-metadata "$c" "$url" read.lua "${common[@]}" BENCH_ACCEPT=application/json
        run_wrk "$target" get-payload "$c" "$url" read.lua "${common[@]}" \
            BENCH_SUFFIX=/payload BENCH_ACCEPT=application/octet-stream
        run_wrk "$target" list-filter "$c" "$url" list.lua "${common[@]}"
        run_wrk "$target" post-secret "$c" "$url" post_secret.lua "${common[@]}"
        run_wrk "$target" mix "$c" "$url" mix.lua "${common[@]}"
    done
}

# run_mix_for TARGET SECONDS CONCURRENCY URL PROJECT WRITE_PROJECT IDS [NAME=VALUE...]
run_mix_for() {
    local target="$1" seconds="$2" concurrency="$3" url="$4" project="$5" write_project="$6" ids="$7"
    shift 7
    BENCH_DURATION="$seconds" run_wrk "$target" mix "$concurrency" "$url" mix.lua BENCH_PROJECT="$project" \
        BENCH_WRITE_PROJECT="$write_project" BENCH_IDS="$ids" BENCH_READS="$BENCH_READS" \
        BENCH_LIST_QUERY="$LIST_QUERY" "$@"
}

bench_ours() {
    local project write_project ids="$WORK/ours-ids.txt" c
    project="$(new_project)"
    write_project="$(new_project)"
    seed ours "$OURS_PORT" "$project" "$BENCH_SEED" "$ids"
    analyze_stack
    check_list ours "$OURS_URL" "$project"
    prime_project ours "$OURS_URL" "$write_project"

    bench_log "ours: warm-up, 5 s of the mix"
    run_mix_for warmup 5 16 "$OURS_URL" "$project" "$write_project" "$ids"
    local master runner
    master="$(stack_pid barbican-fcgi)"
    runner="$(stack_pid barbican-job-runner)"
    [[ -n "$master" ]] && memory_snapshot warm "$master" "$runner"
    set_cpu_groups

    run_api_scenarios ours "$OURS_URL" "$project" "$write_project" "$ids"

    local order_project
    order_project="$(new_project)"
    prime_project ours "$OURS_URL" "$order_project"
    if [[ -n "$STACK_DIR" ]]; then
        for c in $BENCH_CONCURRENCY; do
            run_orders ours order-1runner "$c" "$OURS_PORT" "$order_project"
        done
        start_second_runner
        for c in $BENCH_CONCURRENCY; do
            run_orders ours order-2runners "$c" "$OURS_PORT" "$order_project"
        done
        stop_second_runner
    else
        for c in $BENCH_CONCURRENCY; do
            run_orders ours order-1runner "$c" "$OURS_PORT" "$order_project"
        done
    fi

    bench_floor

    bench_log "ours: soak, $BENCH_SOAK s of the mix at c=16"
    run_mix_for soak "$BENCH_SOAK" 16 "$OURS_URL" "$project" "$write_project" "$ids"
    [[ -n "$master" ]] && memory_snapshot soak "$master" "$runner"
    return 0
}

bench_floor() {
    local master workers socket c
    master="$(stack_pid barbican-fcgi)"
    if [[ -n "$master" ]]; then
        workers="$(worker_count "$master")"
    else
        workers="${WORKERS:-$(( 4 * $(nproc) ))}"
    fi
    start_floor "$workers"
    printf 'floor: nginx-fcgi runs %s FastCGI workers, as many as barbican-fcgi\n' "$workers" >>"$HEADER"
    for c in $BENCH_CONCURRENCY; do
        run_http_floor "$c"
    done
    stop_floor

    socket="$(stack_pg_socket)"
    if [[ -z "$socket" ]]; then
        bench_log "floor: no stack folder, so no pgbench (set BENCH_STACK_DIR)"
        return 0
    fi
    prepare_pg_floor "$socket"
    for c in $BENCH_CONCURRENCY; do
        run_pg_floor "$socket" pg-select pg_select.sql "$c"
        run_pg_floor "$socket" pg-select-insert pg_select_insert.sql "$c"
    done
}

bench_reference() {
    start_reference
    local project write_project ids="$WORK/reference-ids.txt" c
    project="$(new_project)"
    write_project="$(new_project)"
    # Concurrent first requests to a uwsgi process that has not served any
    # yet can fail with 500 while it loads its policy rules ("Policy ... has
    # not been registered"). So 5 s of list requests at a concurrency above
    # its 8 x 32 threads, which keeps every process busy, come first and are
    # not counted.
    prime_project reference "$REF_URL" "$project"
    bench_log "reference: start-up warm-up, 5 s of list requests at c=320"
    BENCH_DURATION=5 run_wrk warmup list-filter 320 "$REF_URL" list.lua BENCH_PROJECT="$project" \
        BENCH_LIST_QUERY="$LIST_QUERY" BENCH_CLOSE_DELIMITED=1
    seed reference "$REF_PORT" "$project" "$BENCH_REF_SEED" "$ids"
    check_list reference "$REF_URL" "$project"
    prime_project reference "$REF_URL" "$write_project"
    bench_log "reference: warm-up, 5 s of the mix"
    run_mix_for warmup 5 16 "$REF_URL" "$project" "$write_project" "$ids" BENCH_CLOSE_DELIMITED=1
    reference_memory ref-warm
    run_api_scenarios reference "$REF_URL" "$project" "$write_project" "$ids" BENCH_CLOSE_DELIMITED=1
    local order_project
    order_project="$(new_project)"
    prime_project reference "$REF_URL" "$order_project"
    for c in $BENCH_CONCURRENCY; do
        run_orders reference order-inline "$c" "$REF_PORT" "$order_project"
    done
}

# ---------------------------------------------------------------- report

write_header() {
    local reference_version
    reference_version="$(dpkg-query -W -f='${Version}' barbican-api 2>/dev/null || echo 'not installed')"
    {
        printf 'Barbican benchmark, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'commit: %s%s\n' "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
            "$([[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]] && echo ' (with uncommitted changes)')"
        printf 'machine: %s CPUs, %s, %s MiB memory, load average at start %s\n' "$(nproc)" \
            "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
            "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"
        printf 'versions: %s; nginx %s; PostgreSQL %s; Redis %s; wrk %s; reference barbican-api %s\n' \
            "$(g++ --version | head -n 1)" "$(nginx -v 2>&1 | sed 's|.*nginx/||')" \
            "$(/usr/lib/postgresql/15/bin/postgres --version | awk '{ print $3 }')" \
            "$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')" \
            "$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }')" "$reference_version"
        printf 'settings: %s s per run, concurrency %s, wrk threads %s, soak %s s, %s secrets seeded (reference: %s), reads cycle through %s secrets\n' \
            "$BENCH_DURATION" "$BENCH_CONCURRENCY" "$BENCH_WRK_THREADS" "$BENCH_SOAK" "$BENCH_SEED" \
            "$(( REFERENCE == 1 ? BENCH_REF_SEED : 0 ))" "$BENCH_READS"
        printf 'list-filter: GET /v1/secrets?%s (LIKE prefix, 10 matches)\n' "$LIST_QUERY"
    } >"$HEADER"
}

main() {
    WORK="$(mktemp -d /tmp/barbican-bench.XXXXXX)"
    # PostgreSQL runs as user postgres when this runs as root and must reach
    # its cluster under the work folder.
    chmod 0755 "$WORK"
    RESULTS="$WORK/results.tsv"
    MEMORY="$WORK/memory.txt"
    HEADER="$WORK/header.txt"
    CPU_RESULTS="$WORK/cpu.tsv"
    KEYSTONE_CPU="$WORK/keystone-cpu.tsv"
    : >"$RESULTS"
    : >"$KEYSTONE_CPU"
    : >"$MEMORY"
    : >"$CPU_RESULTS"
    trap cleanup EXIT
    trap 'exit 130' INT TERM

    require_tools
    if [[ "$REFERENCE" == 1 && ! -x "$REFERENCE_DIR/setup.sh" ]]; then
        bench_die "REFERENCE=1 needs the reference server's setup.sh in REFERENCE_DIR ($REFERENCE_DIR), which does not exist; set REFERENCE_DIR to the folder that has it"
    fi
    build_driver
    write_header
    local load
    load="$(cut -d' ' -f1 /proc/loadavg)"
    if awk -v load="$load" 'BEGIN { exit !(load > 1.0) }'; then
        bench_log "warning: load average $load: other work on this machine lowers the numbers"
    fi

    if [[ "$BENCH_KEYSTONE" != only ]]; then
        if [[ -n "${BENCH_URL:-}" ]]; then
            use_running_stack
        else
            start_stack
        fi
        bench_ours
        if (( STACK_STARTED )); then
            "$ROOT/scripts/stack.sh" stop "$STACK_DIR" >>"$WORK/stack.log" 2>&1 || true
            STACK_STARTED=0
        fi
    fi
    if [[ "$BENCH_KEYSTONE" != 0 ]]; then
        bench_keystone
    else
        bench_log "keystone: comparison skipped (BENCH_KEYSTONE=0, or Keystone's packages are not installed)"
    fi

    if [[ "$REFERENCE" == 1 ]]; then
        bench_reference
    fi

    mkdir -p "$BENCH_OUTPUT_DIR"
    print_report "$HEADER" >"$BENCH_OUTPUT_DIR/last-run.txt"
    cat "$BENCH_OUTPUT_DIR/last-run.txt"
    # The chart shows the runs of ours, which BENCH_KEYSTONE=only skips.
    if command -v gnuplot >/dev/null && [[ "$BENCH_KEYSTONE" != only ]]; then
        write_chart "$BENCH_OUTPUT_DIR/results.png"
    fi
    bench_log "table: $BENCH_OUTPUT_DIR/last-run.txt"

    local failures
    failures="$(awk -F'\t' '($1 ~ /^(ours|reference|soak|noauth|keystone)$/) && ($8 + $9 > 0)' "$RESULTS" | wc -l)"
    if (( failures > 0 )); then
        bench_log "error: $failures runs had non-2xx responses or failed requests (columns non-2xx and errors)"
        exit 1
    fi
}

main "$@"
