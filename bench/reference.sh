# shellcheck shell=bash
# The reference Barbican for scripts/bench.sh: started (or restarted) with
# Debian's uwsgi settings of 8 processes x 32 threads by its own setup.sh,
# which REFERENCE_DIR must contain. Sourced after bench/lib.sh, not run.

# start_reference: run setup.sh with 8 x 32 and set REF_PORT and REF_URL.
# setup.sh restarts a server that runs with other settings and leaves one
# that already matches alone.
start_reference() {
    [[ -x "$REFERENCE_DIR/setup.sh" ]] \
        || bench_die "REFERENCE=1 needs the reference server's setup.sh in REFERENCE_DIR ($REFERENCE_DIR), which does not exist; set REFERENCE_DIR to the folder that has it"
    REF_PORT="${BARBICAN_REF_PORT:-9312}"
    REF_URL="http://127.0.0.1:$REF_PORT"
    bench_log "reference: running setup.sh with 8 processes x 32 threads (log $WORK/reference-setup.log)"
    BARBICAN_REF_PROCESSES=8 BARBICAN_REF_THREADS=32 BARBICAN_REF_PORT="$REF_PORT" \
        "$REFERENCE_DIR/setup.sh" >>"$WORK/reference-setup.log" 2>&1 \
        || bench_die "the reference's setup.sh failed; see $WORK/reference-setup.log"
    curl -sf -o /dev/null --max-time 10 "$REF_URL/" -H 'Accept: application/json' \
        || bench_die "the reference does not respond on $REF_URL"
}

# Print the pid of the process that listens on 127.0.0.1:PORT.
listener_pid() {
    ss -Hltnp "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1
}

# reference_memory LABEL: append the RSS of the reference's uwsgi master and
# workers to $MEMORY, with the roles ref-master and ref-worker.
reference_memory() {
    local label="$1" master pid values
    master="$(listener_pid "$REF_PORT")"
    [[ -n "$master" ]] || return 0
    # The listening socket is shared: find the process that forked the others.
    local parent
    parent="$(awk '{ print $4 }' "/proc/$master/stat" 2>/dev/null)"
    if [[ -n "$parent" && "$(tr '\0' ' ' <"/proc/$parent/cmdline" 2>/dev/null)" == *uwsgi* ]]; then
        master="$parent"
    fi
    values="$(memory_of "$master")"
    [[ -n "$values" ]] && printf '%s ref-master %s %s\n' "$label" "$master" "$values" >>"$MEMORY"
    for pid in $(ps -o pid= --ppid "$master"); do
        values="$(memory_of "$pid")"
        [[ -n "$values" ]] && printf '%s ref-worker %s %s\n' "$label" "$pid" "$values" >>"$MEMORY"
    done
    return 0
}
