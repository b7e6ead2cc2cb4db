# shellcheck shell=bash
# Shared functions of scripts/bench.sh: free ports, wrk runs, result
# records and process memory. Sourced, not run.
#
# Every measurement appends one tab-separated line to $RESULTS:
#   target scenario concurrency rps p50_ms p99_ms p999_ms non2xx errors
# target is ours, reference or floor. For the order scenarios rps is orders
# completed per second and the latencies are POST-to-ACTIVE times.
# The wrk runs of ours also append "scenario concurrency group cpu_ms" lines
# to $CPU_RESULTS: CPU milliseconds per request of each group in CPU_GROUPS.

bench_log() { printf '[bench] %s\n' "$*" >&2; }
bench_die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# Print a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Print the value of KEY in a line of key=value pairs.
field_of() {
    local key="$1" line="$2"
    sed -n "s/.*[[:space:]]$key=\([^[:space:]]*\).*/\1/p" <<<" $line"
}

# Append one result line and echo it in readable form.
record_result() {
    local target="$1" scenario="$2" concurrency="$3" rps="$4" p50="$5" p99="$6" p999="$7" non2xx="$8" errors="$9"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$target" "$scenario" "$concurrency" "$rps" "$p50" "$p99" "$p999" "$non2xx" "$errors" >>"$RESULTS"
    printf '[bench] %-9s %-14s c=%-3s %10s/s  p50 %8s ms  p99 %8s ms  p99.9 %8s ms  non-2xx %s  errors %s\n' \
        "$target" "$scenario" "$concurrency" "$rps" "$p50" "$p99" "$p999" "$non2xx" "$errors" >&2
}

# CPU_GROUPS: "NAME:PID ..." of the processes whose CPU time run_wrk
# records per request for target ours; each PID counts with its children.
CPU_GROUPS=""

# Print the CPU time, in clock ticks, that PID and its children have used.
cpu_ticks_of() {
    local pid total=0 ticks
    for pid in "$1" $(ps -o pid= --ppid "$1"); do
        ticks="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null)" || continue
        total=$(( total + ${ticks:-0} ))
    done
    printf '%s\n' "$total"
}

# Print "NAME TICKS" for every group of CPU_GROUPS.
cpu_snapshot() {
    local group
    for group in $CPU_GROUPS; do
        printf '%s %s\n' "${group%%:*}" "$(cpu_ticks_of "${group#*:}")"
    done
}

# record_cpu SCENARIO CONCURRENCY REQUESTS BEFORE AFTER: append the CPU
# milliseconds per request of each group to $CPU_RESULTS.
record_cpu() {
    local scenario="$1" concurrency="$2" requests="${3:-0}" before="$4" after="$5"
    (( requests > 0 )) || return 0
    awk -v scenario="$scenario" -v concurrency="$concurrency" -v requests="$requests" \
        -v hz="$(getconf CLK_TCK)" -v before="$before" '
        BEGIN {
            count = split(before, lines, "\n")
            for (i = 1; i <= count; i++) { split(lines[i], f, " "); start[f[1]] = f[2] }
        }
        { printf "%s\t%s\t%s\t%.3f\n", scenario, concurrency, $1, ($2 - start[$1]) * 1000 / hz / requests }
    ' <<<"$after" >>"$CPU_RESULTS"
}

# run_wrk TARGET SCENARIO CONCURRENCY URL SCRIPT [NAME=VALUE...]
# Run wrk with bench/SCRIPT for BENCH_DURATION seconds and record its
# result line. The NAME=VALUE pairs become the script's environment.
run_wrk() {
    local target="$1" scenario="$2" concurrency="$3" url="$4" script="$5"
    shift 5
    local threads=$(( concurrency < BENCH_WRK_THREADS ? concurrency : BENCH_WRK_THREADS ))
    local output line cpu_before=""
    [[ "$target" == ours && -n "$CPU_GROUPS" ]] && cpu_before="$(cpu_snapshot)"
    output="$(env "$@" BENCH_DIR="$BENCH_LUA_DIR" wrk -t "$threads" -c "$concurrency" \
        -d "${BENCH_DURATION}s" --timeout 10s -s "$BENCH_LUA_DIR/$script" "$url" 2>&1)" \
        || bench_die "wrk failed for $target $scenario c=$concurrency: $output"
    printf '%s\n' "$output" >>"$WORK/wrk.log"
    line="$(grep '^RESULT ' <<<"$output" | tail -n 1)"
    [[ -n "$line" ]] || bench_die "wrk printed no result for $target $scenario c=$concurrency: $output"
    if [[ -n "$cpu_before" ]]; then
        record_cpu "$scenario" "$concurrency" "$(field_of requests "$line")" "$cpu_before" "$(cpu_snapshot)"
    fi
    record_result "$target" "$scenario" "$concurrency" \
        "$(field_of rps "$line")" "$(field_of p50_ms "$line")" "$(field_of p99_ms "$line")" \
        "$(field_of p999_ms "$line")" "$(field_of non2xx "$line")" "$(field_of socket_errors "$line")"
    local last_bad
    last_bad="$(field_of last_bad_status "$line")"
    if [[ "$last_bad" != 0 ]]; then
        bench_log "  $target $scenario c=$concurrency: some responses were not 2xx, the last one HTTP $last_bad"
    fi
}

# run_orders TARGET SCENARIO CONCURRENCY PORT PROJECT
# Run the order driver for BENCH_DURATION seconds and record its result.
run_orders() {
    local target="$1" scenario="$2" concurrency="$3" port="$4" project="$5"
    local line status=0 cpu_before=""
    [[ "$target" == ours && -n "$CPU_GROUPS" ]] && cpu_before="$(cpu_snapshot)"
    line="$("$WORK/bench_driver" orders --port "$port" --project "$project" \
        --concurrency "$concurrency" --duration "$BENCH_DURATION" 2>>"$WORK/driver.log")" || status=$?
    printf '%s %s c=%s: %s\n' "$target" "$scenario" "$concurrency" "$line" >>"$WORK/driver.log"
    [[ "$line" == orders* ]] || bench_die "the order driver printed no result for $target c=$concurrency"
    if [[ -n "$cpu_before" ]]; then
        record_cpu "$scenario" "$concurrency" "$(field_of completed "$line")" "$cpu_before" "$(cpu_snapshot)"
    fi
    (( status == 0 )) \
        || bench_log "  $target $scenario c=$concurrency: $(field_of failed "$line") orders failed or stayed PENDING"
    record_result "$target" "$scenario" "$concurrency" \
        "$(field_of rate "$line")" "$(field_of p50_ms "$line")" "$(field_of p99_ms "$line")" \
        "$(field_of p999_ms "$line")" "$(field_of non2xx "$line")" "$(field_of failed "$line")"
}

# Print "RSS_KB PRIVATE_KB" of PID (resident set size, and the part of it
# not shared with any other process), or nothing when it is gone.
memory_of() {
    local pid="$1" rss private
    rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" || return 0
    private="$(awk '/^Private_(Clean|Dirty):/ { sum += $2 } END { print sum + 0 }' \
        "/proc/$pid/smaps_rollup" 2>/dev/null)" || return 0
    [[ -n "$rss" ]] && printf '%s %s\n' "$rss" "$private"
}

# memory_snapshot LABEL FCGI_MASTER_PID RUNNER_PID
# Append "LABEL role pid rss_kb private_kb" lines for the FastCGI master,
# each of its workers and the job-runner to $MEMORY.
memory_snapshot() {
    local label="$1" master="$2" runner="$3" pid values
    values="$(memory_of "$master")"
    [[ -n "$values" ]] && printf '%s fcgi-master %s %s\n' "$label" "$master" "$values" >>"$MEMORY"
    for pid in $(ps -o pid= --ppid "$master"); do
        values="$(memory_of "$pid")"
        [[ -n "$values" ]] && printf '%s fcgi-worker %s %s\n' "$label" "$pid" "$values" >>"$MEMORY"
    done
    values="$(memory_of "$runner")"
    [[ -n "$values" ]] && printf '%s job-runner %s %s\n' "$label" "$runner" "$values" >>"$MEMORY"
    return 0
}

# Print how many worker processes the FastCGI master PID has.
worker_count() {
    ps -o pid= --ppid "$1" | wc -l
}
