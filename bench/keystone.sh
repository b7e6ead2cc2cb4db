# shellcheck shell=bash
# Keystone comparison of scripts/bench.sh (BENCH_KEYSTONE): requests with a
# cached Keystone token against the same requests in noauth mode. Sourced
# after bench/lib.sh, not run.
#
# It starts a private Keystone (scripts/keystone.sh) and two fresh stacks
# that differ only in auth.mode: one in noauth mode and one in keystone mode
# that validates tokens with that Keystone. Both get the same BENCH_READS
# secrets in Keystone's project alpha. One token of alpha-admin, issued
# once, is sent as X-Auth-Token with every request to the keystone stack, so
# after each worker's first request the token comes from the worker's cache
# (keystone.cache_seconds of etc/barbican.conf). The noauth stack gets
# X-Project-Id of alpha instead. Each scenario and concurrency runs
# BENCH_KEYSTONE_ROUNDS times on each stack, in the order noauth, keystone,
# keystone, noauth and so on, so that load that rises or falls during the
# runs affects both stacks alike.
#
# Every run goes to $RESULTS with target noauth or keystone, and the CPU
# time per request of the stack's FastCGI master with its workers, and of
# its nginx, goes to $KEYSTONE_CPU:
#   side scenario concurrency fcgi_ms nginx_ms

readonly KEYSTONE_SCENARIOS="get-metadata post-secret"
# Seconds of get-metadata at 16 connections on each stack before the
# measured runs, not counted. The workers of the keystone stack validate the
# token (and issue their service tokens) during them.
readonly KEYSTONE_WARMUP_SECONDS=3

KEYSTONE_DIR=""
KEYSTONE_NOAUTH_URL=""
KEYSTONE_KEYSTONE_URL=""
KEYSTONE_STARTED=0
KEYSTONE_STACKS=()

# Succeed when the Debian packages that scripts/keystone.sh needs to run
# Keystone are installed, so that its start needs no apt-get.
keystone_installed() {
    local package
    for package in python3-keystone uwsgi-core uwsgi-plugin-python3; do
        [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" == installed ]] || return 1
    done
}

# Print the number of token requests (METHOD is GET: validations, POST:
# issues) in the private Keystone's uWSGI log.
keystone_request_count() {
    local count
    count="$(grep -c "\] $1 /v3/auth/tokens" "$KEYSTONE_DIR/log/uwsgi.log" 2>/dev/null)" || true
    printf '%s\n' "${count:-0}"
}

# start_keystone_stack NAME CONF_OVERRIDES: start scripts/stack.sh in
# $WORK/stack-NAME on a free port and set KEYSTONE_STACK_URL.
start_keystone_stack() {
    local name="$1" overrides="$2" port
    port="$(free_port)"
    KEYSTONE_STACKS+=("$WORK/stack-$name")
    bench_log "keystone: starting the $name stack on port $port (log $WORK/stack-$name.log)"
    PORT="$port" BIN_DIR="$BIN_DIR" CONF_OVERRIDES="$overrides" \
        "$ROOT/scripts/stack.sh" start "$WORK/stack-$name" >>"$WORK/stack-$name.log" 2>&1 \
        || { tail -n 30 "$WORK/stack-$name.log" >&2; bench_die "scripts/stack.sh start $WORK/stack-$name failed"; }
    KEYSTONE_STACK_URL="http://127.0.0.1:$port"
}

# Stop the stacks and the Keystone that bench_keystone started.
stop_keystone_bench() {
    local dir
    for dir in "${KEYSTONE_STACKS[@]}"; do
        "$ROOT/scripts/stack.sh" stop "$dir" >>"$WORK/stack-keystone-stop.log" 2>&1 \
            || bench_log "scripts/stack.sh stop $dir failed; see $WORK/stack-keystone-stop.log"
    done
    KEYSTONE_STACKS=()
    if (( KEYSTONE_STARTED )); then
        "$ROOT/scripts/keystone.sh" stop "$KEYSTONE_DIR" >>"$WORK/keystone.log" 2>&1 \
            || bench_log "scripts/keystone.sh stop $KEYSTONE_DIR failed; see $WORK/keystone.log"
        KEYSTONE_STARTED=0
    fi
}

# Write a token of alpha-admin, scoped to project alpha, to FILE (mode
# 0600). The password goes to curl on standard input, never as an argument.
issue_keystone_token() {
    local url="$1" file="$2" token
    token="$(python3 -c '
import json, sys
fixture = json.load(open(sys.argv[1]))
user = {"name": "alpha-admin", "domain": {"id": "default"}, "password": fixture["password"]}
print(json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                           "scope": {"project": {"name": "alpha", "domain": {"id": "default"}}}}}))
' "$KEYSTONE_DIR/fixture.json" \
        | curl -s --max-time 60 -o /dev/null -D - -X POST -H 'Content-Type: application/json' \
            --data-binary @- "$url/v3/auth/tokens" \
        | tr -d '\r' | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *//p')"
    [[ -n "$token" ]] || bench_die "keystone: POST $url/v3/auth/tokens for alpha-admin returned no token"
    (umask 077 && printf '%s\n' "$token" >"$file")
}

# seed_by_curl NAME URL IDS_FILE HEADER: create BENCH_READS secrets, one
# request at a time, sending HEADER ("X-Project-Id: ..." or "@FILE" of
# headers for curl), and write their ids to IDS_FILE.
seed_by_curl() {
    local name="$1" url="$2" ids="$3" header="$4" i response id
    : >"$ids"
    for (( i = 0; i < BENCH_READS; i++ )); do
        response="$(curl -s --max-time 30 -X POST "$url/v1/secrets" -H "$header" \
            -H 'Content-Type: application/json' -H 'Accept: application/json' \
            -d "{\"name\": \"bench-$(printf '%05d' "$i")\", \"payload\": \"$(head -c 32 /dev/urandom | base64)\", \"payload_content_type\": \"application/octet-stream\", \"payload_content_encoding\": \"base64\"}")" \
            || bench_die "keystone: POST /v1/secrets to the $name stack failed"
        id="$(sed -n 's|.*"secret_ref": *"[^"]*/v1/secrets/\([0-9a-f-]*\)".*|\1|p' <<<"$response")"
        [[ -n "$id" ]] || bench_die "keystone: POST /v1/secrets to the $name stack returned no secret_ref: $(head -c 300 <<<"$response")"
        printf '%s\n' "$id" >>"$ids"
    done
}

# Print the CPU ticks of the FastCGI master (with its workers) and of the
# nginx master (with its workers) of the stack in DIR: "FCGI NGINX".
stack_cpu_ticks() {
    local dir="$1" fcgi nginx
    fcgi="$(head -n 1 "$dir/run/barbican-fcgi.pid" | tr -dc '0-9')"
    nginx="$(head -n 1 "$dir/run/nginx.pid" | tr -dc '0-9')"
    printf '%s %s\n' "$(cpu_ticks_of "$fcgi")" "$(cpu_ticks_of "$nginx")"
}

# run_keystone_side SIDE SCENARIO CONCURRENCY: one recorded wrk run on the
# noauth or the keystone stack, plus its CPU line in $KEYSTONE_CPU.
run_keystone_side() {
    local side="$1" scenario="$2" concurrency="$3"
    local dir="$WORK/stack-$side" script=read.lua before after requests
    [[ "$scenario" == post-secret ]] && script=post_secret.lua
    local settings=(BENCH_PROJECT="$KEYSTONE_PROJECT" BENCH_WRITE_PROJECT="$KEYSTONE_PROJECT"
        BENCH_IDS="$WORK/$side-ids.txt" BENCH_READS="$BENCH_READS" BENCH_ACCEPT=application/json)
    before="$(stack_cpu_ticks "$dir")"
    if [[ "$side" == keystone ]]; then
        run_wrk "$side" "$scenario" "$concurrency" "$KEYSTONE_KEYSTONE_URL" keystone_token.lua "${settings[@]}" \
            BENCH_SCENARIO="$script" BENCH_TOKEN_FILE="$WORK/keystone-token"
    else
        run_wrk "$side" "$scenario" "$concurrency" "$KEYSTONE_NOAUTH_URL" "$script" "${settings[@]}"
    fi
    after="$(stack_cpu_ticks "$dir")"
    requests="$(grep '^RESULT ' "$WORK/wrk.log" | tail -n 1)"
    requests="$(field_of requests "$requests")"
    (( ${requests:-0} > 0 )) || return 0
    awk -v side="$side" -v scenario="$scenario" -v concurrency="$concurrency" -v requests="$requests" \
        -v hz="$(getconf CLK_TCK)" -v before="$before" -v after="$after" 'BEGIN {
            split(before, b, " "); split(after, a, " ")
            printf "%s\t%s\t%s\t%.3f\t%.3f\n", side, scenario, concurrency,
                (a[1] - b[1]) * 1000 / hz / requests, (a[2] - b[2]) * 1000 / hz / requests
        }' >>"$KEYSTONE_CPU"
}

bench_keystone() {
    KEYSTONE_DIR="$WORK/keystone"
    mkdir -p "$KEYSTONE_DIR"
    local keystone_port keystone_url
    keystone_port="$(free_port)"
    keystone_url="http://127.0.0.1:$keystone_port"
    bench_log "keystone: starting Keystone on port $keystone_port (log $WORK/keystone.log)"
    KEYSTONE_STARTED=1
    START_TIMEOUT=180 "$ROOT/scripts/keystone.sh" start "$KEYSTONE_DIR" "$keystone_port" >>"$WORK/keystone.log" 2>&1 \
        || { tail -n 30 "$WORK/keystone.log" >&2; bench_die "scripts/keystone.sh start failed"; }

    start_keystone_stack noauth ""
    KEYSTONE_NOAUTH_URL="$KEYSTONE_STACK_URL"
    start_keystone_stack keystone "auth.mode=keystone keystone.auth_url=$keystone_url keystone.username=barbican keystone.password_file=$KEYSTONE_DIR/barbican.password keystone.project_name=service"
    KEYSTONE_KEYSTONE_URL="$KEYSTONE_STACK_URL"

    KEYSTONE_PROJECT="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["projects"]["alpha"])' \
        "$KEYSTONE_DIR/fixture.json")"
    issue_keystone_token "$keystone_url" "$WORK/keystone-token"
    (umask 077 && printf 'X-Auth-Token: %s\n' "$(cat "$WORK/keystone-token")" >"$WORK/keystone-token-header")

    bench_log "keystone: seeding $BENCH_READS secrets into project alpha of each stack"
    seed_by_curl noauth "$KEYSTONE_NOAUTH_URL" "$WORK/noauth-ids.txt" "X-Project-Id: $KEYSTONE_PROJECT"
    seed_by_curl keystone "$KEYSTONE_KEYSTONE_URL" "$WORK/keystone-ids.txt" "@$WORK/keystone-token-header"

    bench_log "keystone: warm-up, $KEYSTONE_WARMUP_SECONDS s of get-metadata at c=16 on each stack"
    BENCH_DURATION="$KEYSTONE_WARMUP_SECONDS" run_wrk warmup get-metadata 16 "$KEYSTONE_NOAUTH_URL" read.lua \
        BENCH_PROJECT="$KEYSTONE_PROJECT" BENCH_IDS="$WORK/noauth-ids.txt" BENCH_READS="$BENCH_READS" \
        BENCH_ACCEPT=application/json
    BENCH_DURATION="$KEYSTONE_WARMUP_SECONDS" run_wrk warmup get-metadata 16 "$KEYSTONE_KEYSTONE_URL" \
        keystone_token.lua BENCH_SCENARIO=read.lua BENCH_TOKEN_FILE="$WORK/keystone-token" \
        BENCH_PROJECT="$KEYSTONE_PROJECT" BENCH_IDS="$WORK/keystone-ids.txt" BENCH_READS="$BENCH_READS" \
        BENCH_ACCEPT=application/json

    local validations issues c scenario round sides side
    validations="$(keystone_request_count GET)"
    issues="$(keystone_request_count POST)"
    for c in $BENCH_CONCURRENCY; do
        for scenario in $KEYSTONE_SCENARIOS; do
            for (( round = 1; round <= BENCH_KEYSTONE_ROUNDS; round++ )); do
                sides="noauth keystone"
                (( round % 2 == 0 )) && sides="keystone noauth"
                for side in $sides; do
                    run_keystone_side "$side" "$scenario" "$c"
                done
            done
        done
    done
    validations=$(( $(keystone_request_count GET) - validations ))
    issues=$(( $(keystone_request_count POST) - issues ))

    local workers cache_seconds
    workers="$(worker_count "$(head -n 1 "$WORK/stack-keystone/run/barbican-fcgi.pid" | tr -dc '0-9')")"
    cache_seconds="$(sed -n 's/^cache_seconds *= *\([0-9]*\).*/\1/p' "$WORK/stack-keystone/etc/barbican.conf" | head -n 1)"
    printf 'keystone: python3-keystone %s under uWSGI on loopback; %s FastCGI workers per stack; keystone.cache_seconds %s; %s token validations and %s token issues reached Keystone during the measured runs\n' \
        "$(dpkg-query -W -f='${Version}' python3-keystone 2>/dev/null || echo unknown)" "$workers" \
        "${cache_seconds:-unknown}" "$validations" "$issues" >>"$HEADER"
    stop_keystone_bench
}
