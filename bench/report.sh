# shellcheck shell=bash
# Tables and chart of scripts/bench.sh, made from $RESULTS and $MEMORY (see
# bench/lib.sh for their format). Sourced after bench/lib.sh, not run.

# The floor that bounds each scenario: HTTP is nginx in front of the FastCGI
# hello world, DB is pgbench. Reads do one SELECT; writes also commit.
readonly REPORT_AWK_FLOORS='
    function db_floor(scenario) {
        if (scenario ~ /^(get-metadata|get-payload|list-filter)$/) return "pg-select"
        return "pg-select-insert"
    }
    # The reference processes orders inside the request, so every order
    # scenario of ours compares with its one order scenario.
    function reference_scenario(scenario) {
        if (scenario ~ /^order-/) return "order-inline"
        return scenario
    }
    function ratio(a, b) {
        if (a == "" || b == "" || b + 0 == 0) return "-"
        return sprintf("%.2f", a / b)
    }
    function value(x) { return x == "" ? "-" : x }
'

# The performance goals checked in the "Targets" table: throughput as a
# multiple of the reference's, p99 at 16 connections, and worker RSS.
readonly TARGET_READ_RATIO=50
readonly TARGET_WRITE_RATIO=30
readonly TARGET_READ_P99_MS=5
readonly TARGET_WRITE_P99_MS=10
readonly TARGET_WORKER_RSS_KB=20480
# Reads at 16 connections against the floor of one request that does one
# query: nginx + FastCGI hello world and a prepared pgbench SELECT, whose
# per-request costs add up on the same CPUs (1 / (1/http + 1/db)).
readonly TARGET_READ_FLOOR_SHARE=0.5
# Key orders completed end to end per second, as a multiple of the
# reference's, and p99 at 64 connections.
readonly TARGET_ORDER_RATIO=20
readonly TARGET_P99_AT_64_MS=25

# print_targets: one line per goal with the measured value and met or missed.
print_targets() {
    printf '\n== Targets (reads: get-metadata, get-payload, list-filter; writes: post-secret)\n'
    awk -F'\t' -v read_ratio="$TARGET_READ_RATIO" -v write_ratio="$TARGET_WRITE_RATIO" \
        -v read_p99="$TARGET_READ_P99_MS" -v write_p99="$TARGET_WRITE_P99_MS" \
        -v floor_share="$TARGET_READ_FLOOR_SHARE" -v order_ratio="$TARGET_ORDER_RATIO" \
        -v p99_at_64="$TARGET_P99_AT_64_MS" '
        function verdict(ok) { return ok ? "met" : "MISSED" }
        $1 == "reference" { ref[$2 SUBSEP $3] = $4 }
        $1 == "floor" { floor[$2 SUBSEP $3] = $4 }
        $1 == "ours" {
            order[++n] = $2 SUBSEP $3; rps[$2 SUBSEP $3] = $4; p99[$2 SUBSEP $3] = $6
            failed[$2 SUBSEP $3] = $8 + $9
        }
        END {
            for (i = 1; i <= n; i++) {
                split(order[i], key, SUBSEP)
                read = key[1] ~ /^(get-metadata|get-payload|list-filter)$/
                write = key[1] == "post-secret"
                if (key[1] ~ /^order-/ && key[2] == 16 && ref["order-inline" SUBSEP 16] + 0 > 0) {
                    ratio = rps[order[i]] / ref["order-inline" SUBSEP 16]
                    printf "%-14s c=%-3s ours/reference %7.1fx  goal >= %sx  %s\n", key[1], key[2], ratio,
                        order_ratio, verdict(ratio >= order_ratio)
                }
                if (!read && !write) continue
                if (key[2] == 64) {
                    printf "%-14s c=%-3s p99 %10.3f ms  goal < %s ms, no failures (%d)  %s\n", key[1], key[2],
                        p99[order[i]], p99_at_64, failed[order[i]],
                        verdict(p99[order[i]] < p99_at_64 && failed[order[i]] == 0)
                }
                http = floor["nginx-fcgi" SUBSEP key[2]]
                db = floor["pg-select" SUBSEP key[2]]
                if (read && key[2] == 16 && http + 0 > 0 && db + 0 > 0) {
                    both = 1 / (1 / http + 1 / db)
                    printf "%-14s c=%-3s of HTTP+DB floor %5.2f (%.0f/s)  goal >= %s  %s\n", key[1], key[2],
                        rps[order[i]] / both, both, floor_share, verdict(rps[order[i]] / both >= floor_share)
                }
                goal = read ? read_ratio : write_ratio
                if (ref[order[i]] + 0 > 0) {
                    ratio = rps[order[i]] / ref[order[i]]
                    printf "%-14s c=%-3s ours/reference %7.1fx  goal >= %sx  %s\n", key[1], key[2], ratio, goal,
                        verdict(ratio >= goal)
                }
                if (key[2] == 16) {
                    limit = read ? read_p99 : write_p99
                    printf "%-14s c=%-3s p99 %10.3f ms  goal < %s ms  %s\n", key[1], key[2], p99[order[i]], limit,
                        verdict(p99[order[i]] < limit)
                }
            }
        }' "$RESULTS"
    if [[ -s "$MEMORY" ]]; then
        awk -v limit="$TARGET_WORKER_RSS_KB" '
            $2 == "fcgi-worker" && $4 > max { max = $4 }
            END {
                if (max == "") exit
                printf "fcgi-worker   max RSS %d kB  goal < %d kB  %s\n", max, limit, max < limit ? "met" : "MISSED"
            }' "$MEMORY"
    fi
}

# Goal of the Keystone comparison (BENCH_KEYSTONE): requests with a cached
# token reach at least this share of the noauth requests/s.
readonly TARGET_KEYSTONE_RATIO=0.90

# print_keystone_comparison: the keystone and noauth runs of
# bench/keystone.sh side by side. Each value is the mean over the rounds
# (BENCH_KEYSTONE_ROUNDS) of that scenario and concurrency: requests/s, p99,
# and CPU time per request from $KEYSTONE_CPU. Prints nothing when the run
# had no keystone runs.
print_keystone_comparison() {
    awk -F'\t' '$1 == "keystone" { found = 1 } END { exit !found }' "$RESULTS" || return 0
    printf '\n== Keystone (cached X-Auth-Token) / noauth: two stacks that differ only in auth.mode, means over the rounds\n'
    printf 'scenario            c  rounds  noauth req/s  keystone req/s   ratio  noauth p99  keystone p99  fcgi CPU ms/req  nginx CPU ms/req  goal >= %s\n' \
        "$TARGET_KEYSTONE_RATIO"
    awk -F'\t' -v goal="$TARGET_KEYSTONE_RATIO" "$REPORT_AWK_FLOORS"'
        FILENAME == cpu_file {
            run = $1 SUBSEP $2 SUBSEP $3
            fcgi[run] += $4; nginx[run] += $5; cpu_runs[run]++
            next
        }
        $1 == "noauth" || $1 == "keystone" {
            run = $1 SUBSEP $2 SUBSEP $3
            if ($1 == "keystone" && !(($2 SUBSEP $3) in seen)) { seen[$2 SUBSEP $3] = 1; order[++n] = $2 SUBSEP $3 }
            rps[run] += $4; p99[run] += $6; runs[run]++
        }
        function mean(table, counts, name, digits) {
            return counts[name] ? sprintf("%." digits "f", table[name] / counts[name]) : "-"
        }
        function pair(table, name) {
            return mean(table, cpu_runs, "noauth" SUBSEP name, 3) " / " mean(table, cpu_runs, "keystone" SUBSEP name, 3)
        }
        END {
            for (i = 1; i <= n; i++) {
                split(order[i], key, SUBSEP)
                noauth = mean(rps, runs, "noauth" SUBSEP order[i], 1)
                keystone = mean(rps, runs, "keystone" SUBSEP order[i], 1)
                verdict = (noauth + 0 > 0) ? ((keystone / noauth >= goal) ? "met" : "MISSED") : "-"
                printf "%-16s %4s %7s %13s %15s %7s %11s %13s %16s %17s  %s\n", key[1], key[2],
                    runs["keystone" SUBSEP order[i]], noauth, keystone, ratio(keystone, noauth),
                    mean(p99, runs, "noauth" SUBSEP order[i], 3), mean(p99, runs, "keystone" SUBSEP order[i], 3),
                    pair(fcgi, order[i]), pair(nginx, order[i]), verdict
            }
        }' cpu_file="$KEYSTONE_CPU" "$KEYSTONE_CPU" "$RESULTS"
}

# print_report HEADER_FILE: print every table to stdout.
print_report() {
    local header="$1"
    cat "$header"

    printf '\n== Results: requests/s (orders completed/s for order-*), latency in ms\n'
    awk -F'\t' '$1 != "warmup" {
        printf "%-9s %-16s %4s %11s %9s %9s %9s %8s %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9
    }' "$RESULTS" | sed '1i target    scenario            c       req/s   p50 ms   p99 ms  p99.9 ms  non-2xx  errors'

    printf '\n== Ours / reference, from the same run\n'
    printf 'scenario            c   ours req/s    ref req/s   ratio   ours p99    ref p99\n'
    awk -F'\t' "$REPORT_AWK_FLOORS"'
        $1 == "reference" { ref_rps[$2 SUBSEP $3] = $4; ref_p99[$2 SUBSEP $3] = $6 }
        $1 == "ours" { order[++n] = $2 SUBSEP $3; rps[$2 SUBSEP $3] = $4; p99[$2 SUBSEP $3] = $6 }
        END {
            for (i = 1; i <= n; i++) {
                split(order[i], key, SUBSEP)
                ref = reference_scenario(key[1]) SUBSEP key[2]
                printf "%-16s %4s %12s %12s %7s %10s %10s\n", key[1], key[2], rps[order[i]],
                    value(ref_rps[ref]), ratio(rps[order[i]], ref_rps[ref]), p99[order[i]], value(ref_p99[ref])
            }
        }' "$RESULTS"

    printf '\n== Ours / floor (HTTP: nginx + FastCGI hello world; DB: pgbench, see bench/README.md)\n'
    printf 'scenario            c   ours req/s   HTTP floor   ratio     DB floor  DB scenario        ratio\n'
    awk -F'\t' "$REPORT_AWK_FLOORS"'
        $1 == "floor" { floor[$2 SUBSEP $3] = $4 }
        $1 == "ours" { order[++n] = $2 SUBSEP $3; rps[$2 SUBSEP $3] = $4 }
        END {
            for (i = 1; i <= n; i++) {
                split(order[i], key, SUBSEP)
                http = floor["nginx-fcgi" SUBSEP key[2]]
                db = floor[db_floor(key[1]) SUBSEP key[2]]
                printf "%-16s %4s %12s %12s %7s %12s  %-16s %7s\n", key[1], key[2], rps[order[i]],
                    value(http), ratio(rps[order[i]], http), value(db), db_floor(key[1]), ratio(rps[order[i]], db)
            }
        }' "$RESULTS"

    print_keystone_comparison

    if [[ -s "$CPU_RESULTS" ]]; then
        printf '\n== CPU time of ours per request in ms, from /proc (order-*: per completed order, polls included)\n'
        printf 'scenario            c     fcgi  postgres    nginx   runner  runner2    redis    total\n'
        awk -F'\t' '
            !(($1 SUBSEP $2) in seen) { seen[$1 SUBSEP $2] = 1; order[++n] = $1 SUBSEP $2 }
            { ms[$1 SUBSEP $2 SUBSEP $3] = $4; total[$1 SUBSEP $2] += $4 }
            function show(key) { return (key in ms) ? sprintf("%.3f", ms[key]) : "-" }
            END {
                for (i = 1; i <= n; i++) {
                    split(order[i], key, SUBSEP)
                    printf "%-16s %4s %8s %9s %8s %8s %8s %8s %8.3f\n", key[1], key[2],
                        show(order[i] SUBSEP "fcgi"), show(order[i] SUBSEP "postgres"), show(order[i] SUBSEP "nginx"),
                        show(order[i] SUBSEP "runner"), show(order[i] SUBSEP "runner2"), show(order[i] SUBSEP "redis"),
                        total[order[i]]
                }
            }' "$CPU_RESULTS"
    fi

    printf '\n== Memory in kB: RSS and its private part (not shared with other processes)\n'
    if [[ ! -s "$MEMORY" ]]; then
        printf 'not measured: the stack was not started by this run\n'
        print_targets
        return 0
    fi
    printf 'role          pid   RSS warm   RSS soak   growth  private warm  private soak   growth\n'
    awk '
        $1 == "warm" || $1 == "ref-warm" { key = $2 " " $3; order[++n] = key; rss_warm[key] = $4; private_warm[key] = $5 }
        $1 == "soak" { key = $2 " " $3; rss_soak[key] = $4; private_soak[key] = $5; if (!(key in rss_warm)) order[++n] = key }
        function show(x) { return x == "" ? "-" : x }
        function growth(a, b) { return (a == "" || b == "") ? "-" : sprintf("%+d", b - a) }
        END {
            for (i = 1; i <= n; i++) {
                key = order[i]
                if (seen[key]++) continue
                split(key, part, " ")
                printf "%-12s %6s %10s %10s %8s %13s %13s %8s\n", part[1], part[2], show(rss_warm[key]),
                    show(rss_soak[key]), growth(rss_warm[key], rss_soak[key]), show(private_warm[key]),
                    show(private_soak[key]), growth(private_warm[key], private_soak[key])
            }
        }' "$MEMORY"
    print_targets
}

# write_chart OUTPUT: requests/s and p99 of every scenario and concurrency,
# ours beside the reference, drawn by bench/plot.gp.
write_chart() {
    local output="$1" data="$WORK/chart.dat"
    awk -F'\t' "$REPORT_AWK_FLOORS"'
        $1 == "reference" { ref_rps[$2 SUBSEP $3] = $4; ref_p99[$2 SUBSEP $3] = $6 }
        $1 == "ours" { order[++n] = $2 SUBSEP $3; rps[$2 SUBSEP $3] = $4; p99[$2 SUBSEP $3] = $6 }
        function number(x) { return x == "" ? "NaN" : x }
        END {
            print "# label ours_rps ref_rps ours_p99 ref_p99"
            for (i = 1; i <= n; i++) {
                split(order[i], key, SUBSEP)
                ref = reference_scenario(key[1]) SUBSEP key[2]
                printf "\"%s c=%s\" %s %s %s %s\n", key[1], key[2], rps[order[i]], number(ref_rps[ref]),
                    p99[order[i]], number(ref_p99[ref])
            }
        }' "$RESULTS" >"$data"
    local with_reference=0
    awk -F'\t' '$1 == "reference" { found = 1 } END { exit !found }' "$RESULTS" && with_reference=1
    if gnuplot -e "datafile='$data'; outfile='$output'; with_reference=$with_reference" "$ROOT/bench/plot.gp" \
            2>"$WORK/gnuplot.log"; then
        bench_log "chart: $output"
    else
        bench_log "gnuplot failed, no chart: $(head -c 500 "$WORK/gnuplot.log")"
    fi
}
