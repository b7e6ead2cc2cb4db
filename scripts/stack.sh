#!/usr/bin/env bash
# Local stack: a private PostgreSQL 15 cluster, Redis, barbican-fcgi,
# barbican-job-runner and nginx, all kept under one folder.
#
# Usage:
#   scripts/stack.sh start|stop|status DIR
#   scripts/stack.sh start-one|stop-one DIR pg|redis|fcgi|runner|nginx
#
# Environment:
#   PORT            TCP port nginx listens on at 127.0.0.1 (default 9311)
#   WORKERS         fcgi.workers, 0 = the binary's default (default 0)
#   BIN_DIR         folder of the binaries (default build/bin of the repository)
#   ACCESS_LOG      nginx access_log arguments, or "off"
#                   (default: DIR/log/nginx-access.log, buffered)
#   CONF_OVERRIDES  "section.name=value ..." set in the generated config,
#                   for example "runner.sweep_interval_seconds=1". With
#                   auth.mode=keystone, nginx also drops the identity
#                   headers of clients (nginx/keystone-identity.conf)
#   START_TIMEOUT   seconds to wait for each service to come up (default 30)
#   STOP_TIMEOUT    seconds to wait for each service to stop (default 30)
#
# Every process is started in the background and found again through its
# pid file in DIR/run, checked against /proc/PID/cmdline before it is
# signalled, so `stop` ends exactly what `start` started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly SERVICES=(pg redis fcgi runner nginx)

PORT="${PORT:-9311}"
WORKERS="${WORKERS:-0}"
BIN_DIR="${BIN_DIR:-$ROOT/build/bin}"
START_TIMEOUT="${START_TIMEOUT:-30}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"

# The cluster's port and socket must not follow the caller's libpq settings.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGOPTIONS PGDATA

log() { printf '%s\n' "$*"; }
die() { printf 'stack.sh: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '5,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,3\}//' >&2
    exit 2
}

# Print the last lines of a log file to stderr, labelled.
show_log_tail() {
    local file="$1"
    [[ -e "$file" ]] || return 0
    printf -- '--- last lines of %s ---\n' "$file" >&2
    tail -n 30 "$file" | cut -c 1-300 >&2 || true
    printf -- '---\n' >&2
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# ---------------------------------------------------------------- layout

# Set every path of the stack in DIR, creating DIR when CREATE is 1.
set_layout() {
    local dir="$1" create="$2"
    case "$dir" in
        *[[:space:]\'\"\\]*) die "invalid DIR '$dir': it must not contain whitespace, quotes or backslashes (it ends up in a libpq connection string)" ;;
    esac
    if (( create )); then
        mkdir -p "$dir"
    elif [[ ! -d "$dir" ]]; then
        log "$dir does not exist: no stack there"
        exit 0
    fi
    DIR="$(cd "$dir" && pwd)"

    ETC="$DIR/etc"
    RUN="$DIR/run"
    LOG="$DIR/log"
    NGINX_PREFIX="$DIR/nginx"
    REDIS_DIR="$DIR/redis"
    CONF="$ETC/barbican.conf"
    MASTER_KEY="$ETC/master.key"
    API_SOCK="$RUN/api.sock"
    REDIS_SOCK="$RUN/redis.sock"

    # A unix socket path must fit sun_path (108 bytes with its NUL).
    (( ${#API_SOCK} <= 107 && ${#REDIS_SOCK} <= 107 )) \
        || die "DIR '$DIR' is too long: socket paths under it exceed 107 bytes"

    if (( EUID == 0 )); then
        PG_USER=postgres
    else
        PG_USER="$(id -un)"
    fi
    set_pg_layout
}

# Run a PostgreSQL server program as PG_USER, because initdb and postgres
# reject root.
run_pg() {
    if (( EUID == 0 )); then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        (cd / && "$@")
    fi
}

# Succeed when PG_USER can reach PATH (search permission on every folder).
pg_user_reaches() {
    if (( EUID == 0 )); then
        (cd / && runuser -u "$PG_USER" -- test -x "$1")
    else
        test -x "$1"
    fi
}

# Choose where the cluster lives. It is DIR/pg itself when PG_USER can reach
# it. Otherwise it is a folder in /var/tmp named after DIR, and DIR/pg is a
# symlink to it. DIR/pg records the choice for later runs.
set_pg_layout() {
    local hash
    hash="$(printf '%s' "$DIR" | sha256sum | cut -c1-12)"
    PG_FALLBACK="/var/tmp/barbican-cpp-$hash"

    if [[ -L "$DIR/pg" ]]; then
        PG_BASE="$PG_FALLBACK"
        [[ "$(readlink "$DIR/pg")" == "$PG_FALLBACK" ]] \
            || die "$DIR/pg points to $(readlink "$DIR/pg"), expected $PG_FALLBACK; remove the symlink"
    elif [[ -d "$DIR/pg" ]]; then
        PG_BASE="$DIR/pg"
    elif pg_user_reaches "$DIR" && (( ${#DIR} <= 80 )); then
        PG_BASE="$DIR/pg"
    else
        PG_BASE="$PG_FALLBACK"
    fi
    PG_DATA="$PG_BASE/data"
    PG_SOCK_DIR="$PG_BASE/socket"
    PG_LOG="$PG_BASE/postgresql.log"
}

# Create the cluster's folders with the right owner (see set_pg_layout).
make_pg_dirs() {
    if [[ "$PG_BASE" == "$PG_FALLBACK" ]]; then
        if [[ ! -L "$DIR/pg" && -e "$PG_FALLBACK" ]]; then
            remove_stale_fallback
        fi
        if [[ ! -e "$PG_FALLBACK" ]]; then
            log "pg: $DIR is not reachable by user $PG_USER (or too long for a socket path); the cluster goes to $PG_FALLBACK"
            mkdir -m 0700 "$PG_FALLBACK"
            chown "$PG_USER:" "$PG_FALLBACK"
        fi
        [[ -d "$PG_FALLBACK" && ! -L "$PG_FALLBACK" && "$(stat -c %U "$PG_FALLBACK")" == "$PG_USER" ]] \
            || die "$PG_FALLBACK exists but is not a folder owned by $PG_USER; remove it"
        [[ -L "$DIR/pg" ]] || ln -s "$PG_FALLBACK" "$DIR/pg"
    elif [[ ! -d "$PG_BASE" ]]; then
        mkdir -m 0700 "$PG_BASE"
        chown "$PG_USER:" "$PG_BASE"
    fi
    run_pg mkdir -p -m 0700 "$PG_SOCK_DIR"
    ln -sfn "$PG_LOG" "$LOG/postgresql.log"
}

# Remove a fallback folder that has no DIR/pg symlink. An earlier stack in a
# DIR of the same path left it, and that DIR was deleted since. Its data was
# encrypted with a master key that no longer exists.
remove_stale_fallback() {
    local pid
    pid="$(pg_pid)"
    if [[ -n "$pid" ]]; then
        log "pg: stopping the PostgreSQL of an earlier stack in $DIR (pid $pid)"
        run_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" -s
    fi
    log "pg: removing $PG_FALLBACK, left by an earlier stack in $DIR"
    rm -rf --one-file-system "$PG_FALLBACK"
}

# ---------------------------------------------------------------- processes

# Print the pid in FILE (first line) when that process is alive and its
# command line contains every PATTERN. Print nothing otherwise.
live_pid() {
    local file="$1" pid cmdline pattern
    shift
    [[ -r "$file" ]] || return 0
    pid="$(head -n 1 "$file" 2>/dev/null | tr -dc '0-9')"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 0
    for pattern in "$@"; do
        [[ "$cmdline" == *"$pattern"* ]] || return 0
    done
    printf '%s\n' "$pid"
}

# Wait up to SECONDS for PID to exit, and fail if it is still running.
wait_exit() {
    local pid="$1" seconds="$2" i
    for (( i = 0; i < seconds * 5; i++ )); do
        [[ -e "/proc/$pid" ]] || return 0
        # A zombie child of this shell counts as gone.
        [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]] && return 0
        sleep 0.2
    done
    [[ ! -e "/proc/$pid" ]]
}

# Print the pids of the live (not zombie) processes in process group PGID.
group_members() {
    ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

# SIGTERM the process PID, wait, then SIGKILL its whole process group (which
# setsid made it lead) and any member left behind, such as orphaned workers.
terminate_group_leader() {
    local name="$1" pid="$2"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_exit "$pid" "$STOP_TIMEOUT"; then
        log "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL to process group $pid"
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait_exit "$pid" 5 || log "$name: pid $pid did not exit after SIGKILL"
    fi
    if [[ -n "$(group_members "$pid")" ]]; then
        sleep 1
        if [[ -n "$(group_members "$pid")" ]]; then
            log "$name: killing processes left in process group $pid: $(group_members "$pid" | tr '\n' ' ')"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    fi
}

# Start a barbican binary in its own session, output appended to its log.
spawn_binary() {
    local name="$1"
    shift
    local binary="$BIN_DIR/$name"
    [[ -x "$binary" ]] || die "$binary not found; build it first (make)"
    setsid env -u LISTEN_FDS -u LISTEN_PID -u LISTEN_FDNAMES \
        "$binary" --config "$CONF" "$@" </dev/null >>"$LOG/$name.log" 2>&1 &
    printf '%s\n' "$!" >"$RUN/$name.pid"
}

# ---------------------------------------------------------------- config

# Write a file from a template, replacing @NAME@ outside comment lines with
# values given as NAME=VALUE arguments. Values must not contain a newline.
render_template() {
    local template="$1" output="$2"
    shift 2
    local script="" pair name value
    for pair in "$@"; do
        name="${pair%%=*}"
        value="${pair#*=}"
        value="$(printf '%s' "$value" | sed 's/[\\|&]/\\&/g')"
        script+="/^[[:space:]]*#/!s|@${name}@|${value}|g;"
    done
    sed "$script" "$template" >"$output.tmp"
    if grep -n '^[^#]*@[A-Z_]*@' "$output.tmp" >&2; then
        rm -f "$output.tmp"
        die "placeholders left unfilled in $output (listed above)"
    fi
    mv -f "$output.tmp" "$output"
}

# Create the development master key: 32 random bytes, base64, mode 0600.
ensure_master_key() {
    [[ -s "$MASTER_KEY" ]] && return 0
    (umask 077 && head -c 32 /dev/urandom | base64 >"$MASTER_KEY.tmp")
    mv -f "$MASTER_KEY.tmp" "$MASTER_KEY"
    log "key: created development master key $MASTER_KEY"
}

# Generate DIR/etc/barbican.conf from etc/barbican.conf with the paths of
# this stack, then apply CONF_OVERRIDES. An option missing from the example
# is appended to its section.
write_config() {
    local settings
    settings="database.dsn=host=$PG_SOCK_DIR dbname=barbican user=barbican
redis.socket=$REDIS_SOCK
crypto.master_key_file=$MASTER_KEY
fcgi.socket=$API_SOCK
fcgi.socket_mode=0660
fcgi.workers=$WORKERS"
    local item
    for item in ${CONF_OVERRIDES:-}; do
        [[ "$item" =~ ^[a-z_]+\.[a-z_]+=.*$ ]] || die "invalid CONF_OVERRIDES item '$item': expected section.name=value"
        settings+=$'\n'"$item"
    done

    mkdir -p "$ETC"
    {
        printf '# Generated by scripts/stack.sh from etc/barbican.conf for the stack in\n'
        printf '# %s. Every start rewrites it: set options through CONF_OVERRIDES.\n\n' "$DIR"
        STACK_SETTINGS="$settings" awk '
            function flush(section,   key, name) {
                for (key in wanted) {
                    if (key in written) continue
                    if (substr(key, 1, length(section) + 1) != section ".") continue
                    name = substr(key, length(section) + 2)
                    print name " = " wanted[key]
                    written[key] = 1
                }
            }
            BEGIN {
                count = split(ENVIRON["STACK_SETTINGS"], lines, "\n")
                for (i = 1; i <= count; i++) {
                    eq = index(lines[i], "=")
                    wanted[substr(lines[i], 1, eq - 1)] = substr(lines[i], eq + 1)
                }
            }
            /^\[[a-z_]+\][[:space:]]*$/ {
                if (section != "") flush(section)
                section = $0
                sub(/^\[/, "", section)
                sub(/\][[:space:]]*$/, "", section)
                print
                next
            }
            /^[a-z_]+[[:space:]]*=/ {
                name = $0
                sub(/[[:space:]]*=.*/, "", name)
                key = section "." name
                if (key in wanted) {
                    print name " = " wanted[key]
                    written[key] = 1
                    next
                }
            }
            { print }
            END {
                if (section != "") flush(section)
                for (key in wanted) {
                    if (!(key in written)) {
                        print "etc/barbican.conf has no section for option " key > "/dev/stderr"
                        failed = 1
                    }
                }
                exit failed
            }
        ' "$ROOT/etc/barbican.conf"
    } >"$CONF.tmp" || { rm -f "$CONF.tmp"; die "failed to generate $CONF"; }
    chmod 0600 "$CONF.tmp"
    mv -f "$CONF.tmp" "$CONF"
}

# ---------------------------------------------------------------- PostgreSQL

pg_pid() { live_pid "$PG_DATA/postmaster.pid" "-D $PG_DATA"; }

# Size max_connections for one session per worker, twice over because a
# SIGHUP replaces workers one by one while the old ones finish, plus the
# job-runner, barbican-admin and psql.
pg_max_connections() {
    local workers="$WORKERS" wanted
    (( workers > 0 )) || workers=$(( 4 * $(nproc) ))
    wanted=$(( 2 * workers + 20 ))
    (( wanted >= 200 )) || wanted=200
    printf '%s\n' "$wanted"
}

start_pg() {
    local pid
    pid="$(pg_pid)"
    if [[ -n "$pid" ]]; then
        log "pg: already running (pid $pid)"
        return 0
    fi
    make_pg_dirs

    if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
        log "pg: creating cluster in $PG_DATA"
        if ! run_pg "$PG_BIN/initdb" -D "$PG_DATA" -U barbican --auth=trust \
                --encoding=UTF8 --locale=C >"$LOG/initdb.log" 2>&1; then
            show_log_tail "$LOG/initdb.log"
            die "initdb failed"
        fi
        printf "\ninclude_if_exists = 'barbican-stack.conf'\n" \
            | run_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
    fi
    # Rewritten on every start so that WORKERS changes take effect.
    run_pg tee "$PG_DATA/barbican-stack.conf" >/dev/null <<EOF
# Written by scripts/stack.sh on every start.
listen_addresses = ''
unix_socket_directories = '$PG_SOCK_DIR'
max_connections = $(pg_max_connections)
EOF

    log "pg: starting (socket folder $PG_SOCK_DIR)"
    if ! run_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" -s; then
        show_log_tail "$PG_LOG"
        die "PostgreSQL did not start"
    fi

    local exists
    exists="$("$PG_BIN/psql" -h "$PG_SOCK_DIR" -U barbican -d postgres -XtAc \
        "SELECT 1 FROM pg_database WHERE datname = 'barbican'")" \
        || die "failed to query PostgreSQL at $PG_SOCK_DIR"
    if [[ "$exists" != 1 ]]; then
        "$PG_BIN/psql" -h "$PG_SOCK_DIR" -U barbican -d postgres -Xqc "CREATE DATABASE barbican" \
            || die "failed to create database barbican"
        log "pg: created database barbican"
    fi
}

stop_pg() {
    local pid
    pid="$(pg_pid)"
    if [[ -z "$pid" ]]; then
        log "pg: not running"
        return 0
    fi
    log "pg: stopping (pid $pid)"
    if ! run_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" -s; then
        log "pg: fast shutdown timed out, using immediate shutdown"
        run_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t "$STOP_TIMEOUT" -s || true
    fi
    wait_exit "$pid" 5 || die "PostgreSQL (pid $pid) did not stop"
}

# ---------------------------------------------------------------- Redis

redis_pid() { live_pid "$RUN/redis.pid" "redis-server unixsocket:$REDIS_SOCK"; }

start_redis() {
    local pid i
    pid="$(redis_pid)"
    if [[ -n "$pid" ]]; then
        log "redis: already running (pid $pid)"
        return 0
    fi
    mkdir -p "$REDIS_DIR"
    rm -f "$RUN/redis.pid"
    log "redis: starting (socket $REDIS_SOCK)"
    # AOF: a crash loses at most about a second of queued order ids, which
    # the job-runner's sweep finds again. noeviction: a full Redis rejects
    # pushes instead of dropping queued ids.
    redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 \
        --dir "$REDIS_DIR" --daemonize yes --pidfile "$RUN/redis.pid" \
        --logfile "$LOG/redis.log" --appendonly yes --maxmemory-policy noeviction \
        </dev/null || { show_log_tail "$LOG/redis.log"; die "redis-server did not start"; }
    for (( i = 0; i < START_TIMEOUT * 5; i++ )); do
        if [[ "$(redis-cli -s "$REDIS_SOCK" ping 2>/dev/null)" == PONG && -n "$(redis_pid)" ]]; then
            return 0
        fi
        sleep 0.2
    done
    show_log_tail "$LOG/redis.log"
    die "Redis did not respond to PING on $REDIS_SOCK within ${START_TIMEOUT}s"
}

stop_redis() {
    local pid
    pid="$(redis_pid)"
    if [[ -z "$pid" ]]; then
        log "redis: not running"
        rm -f "$RUN/redis.pid"
        return 0
    fi
    log "redis: stopping (pid $pid)"
    kill -TERM "$pid"
    if ! wait_exit "$pid" "$STOP_TIMEOUT"; then
        log "redis: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_exit "$pid" 5 || die "Redis (pid $pid) did not stop"
    fi
    rm -f "$RUN/redis.pid"
}

# ---------------------------------------------------------------- barbican

fcgi_pid() { live_pid "$RUN/barbican-fcgi.pid" "barbican-fcgi --config $CONF"; }
runner_pid() { live_pid "$RUN/barbican-job-runner.pid" "barbican-job-runner --config $CONF"; }

migrate_db() {
    local admin="$BIN_DIR/barbican-admin"
    [[ -x "$admin" ]] || die "$admin not found; build it first (make)"
    log "db: applying migrations"
    if ! "$admin" --config "$CONF" db upgrade </dev/null >>"$LOG/barbican-admin.log" 2>&1; then
        show_log_tail "$LOG/barbican-admin.log"
        die "barbican-admin db upgrade failed"
    fi
}

start_fcgi() {
    local pid i
    pid="$(fcgi_pid)"
    if [[ -n "$pid" ]]; then
        log "fcgi: already running (pid $pid)"
        return 0
    fi
    # Nothing serves a socket file left by a killed server.
    rm -f "$API_SOCK"
    log "fcgi: starting (socket $API_SOCK)"
    spawn_binary barbican-fcgi
    pid="$(cat "$RUN/barbican-fcgi.pid")"
    for (( i = 0; i < START_TIMEOUT * 5; i++ )); do
        [[ -S "$API_SOCK" ]] && return 0
        if [[ -z "$(fcgi_pid)" ]]; then
            show_log_tail "$LOG/barbican-fcgi.log"
            die "barbican-fcgi (pid $pid) exited during start-up"
        fi
        sleep 0.2
    done
    show_log_tail "$LOG/barbican-fcgi.log"
    die "barbican-fcgi (pid $pid) did not create $API_SOCK within ${START_TIMEOUT}s"
}

stop_fcgi() {
    local pid
    pid="$(fcgi_pid)"
    if [[ -z "$pid" ]]; then
        log "fcgi: not running"
    else
        log "fcgi: stopping (pid $pid)"
        terminate_group_leader fcgi "$pid"
    fi
    rm -f "$RUN/barbican-fcgi.pid" "$API_SOCK"
}

start_runner() {
    local pid
    pid="$(runner_pid)"
    if [[ -n "$pid" ]]; then
        log "runner: already running (pid $pid)"
        return 0
    fi
    log "runner: starting"
    spawn_binary barbican-job-runner
    pid="$(cat "$RUN/barbican-job-runner.pid")"
    # A runner that cannot reach its database or Redis exits soon after start.
    sleep 0.5
    if [[ -z "$(runner_pid)" ]]; then
        show_log_tail "$LOG/barbican-job-runner.log"
        die "barbican-job-runner (pid $pid) exited during start-up"
    fi
}

stop_runner() {
    local pid
    pid="$(runner_pid)"
    if [[ -z "$pid" ]]; then
        log "runner: not running"
    else
        log "runner: stopping (pid $pid)"
        terminate_group_leader runner "$pid"
    fi
    rm -f "$RUN/barbican-job-runner.pid"
}

# ---------------------------------------------------------------- nginx

# The pid file alone could name another nginx, so the configuration path in
# the master's command line must match too.
nginx_pid() { live_pid "$RUN/nginx.pid" "nginx: master process" "-c $NGINX_PREFIX/nginx.conf"; }

# Print auth.mode of the generated config, or keystone (barbican-fcgi's
# default) when it sets none. A "#" starts a comment, as in barbican-fcgi's
# parser.
config_auth_mode() {
    [[ -r "$CONF" ]] || die "$CONF does not exist; start fcgi first, which generates it"
    awk '
        /^[[:space:]]*\[/ { section = $0; gsub(/[][[:space:]]/, "", section); next }
        section == "auth" && /^[[:space:]]*mode[[:space:]]*=/ {
            value = $0
            sub(/#.*/, "", value)
            sub(/^[^=]*=[[:space:]]*/, "", value)
            sub(/[[:space:]]+$/, "", value)
            mode = value
        }
        END { print (mode == "" ? "keystone" : mode) }
    ' "$CONF"
}

# In keystone mode, copy nginx/keystone-identity.conf into DIR/nginx and
# enable its include in the site, so nginx drops the identity headers that
# clients send. noauth mode keeps the include commented out.
enable_identity_filter() {
    local site="$NGINX_PREFIX/barbican-site.conf" mode
    mode="$(config_auth_mode)"
    [[ "$mode" == keystone ]] || return 0
    cp "$ROOT/nginx/keystone-identity.conf" "$NGINX_PREFIX/keystone-identity.conf"
    sed -i 's|^\([[:space:]]*\)# include keystone-identity\.conf;$|\1include keystone-identity.conf;|' "$site"
    grep -q '^[[:space:]]*include keystone-identity\.conf;$' "$site" \
        || die "nginx/barbican-site.conf has no line '# include keystone-identity.conf;' to enable"
    log "nginx: auth.mode = keystone, client identity headers are dropped (keystone-identity.conf)"
}

# Write DIR/nginx/nginx.conf and DIR/nginx/barbican-site.conf.
write_nginx_config() {
    local access_log="${ACCESS_LOG:-$LOG/nginx-access.log combined buffer=32k flush=1s}"
    mkdir -p "$NGINX_PREFIX/tmp"
    render_template "$ROOT/nginx/nginx-dev.conf" "$NGINX_PREFIX/nginx.conf" \
        "RUN_DIR=$RUN" "LOG_DIR=$LOG"
    if (( EUID != 0 )); then
        sed -i '/^user root;$/d' "$NGINX_PREFIX/nginx.conf"
    fi
    render_template "$ROOT/nginx/barbican-site.conf" "$NGINX_PREFIX/barbican-site.conf" \
        "LISTEN=127.0.0.1:$PORT" "SOCKET=$API_SOCK" "ACCESS_LOG=$access_log"
    rm -f "$NGINX_PREFIX/keystone-identity.conf"
    enable_identity_filter
}

# nginx with the prefix, configuration and early error log of this stack.
run_nginx() {
    nginx -p "$NGINX_PREFIX/" -c "$NGINX_PREFIX/nginx.conf" -e "$LOG/nginx-error.log" "$@"
}

start_nginx() {
    local pid i output
    pid="$(nginx_pid)"
    if [[ -n "$pid" ]]; then
        log "nginx: already running (pid $pid)"
        return 0
    fi
    write_nginx_config
    rm -f "$RUN/nginx.pid"
    if ! output="$(run_nginx -t -q 2>&1)"; then
        printf '%s\n' "$output" >&2
        die "nginx rejected $NGINX_PREFIX/nginx.conf"
    fi
    log "nginx: starting on 127.0.0.1:$PORT"
    run_nginx </dev/null || { show_log_tail "$LOG/nginx-error.log"; die "nginx did not start"; }
    for (( i = 0; i < START_TIMEOUT * 5; i++ )); do
        [[ -n "$(nginx_pid)" ]] && return 0
        sleep 0.2
    done
    show_log_tail "$LOG/nginx-error.log"
    die "nginx wrote no pid file within ${START_TIMEOUT}s"
}

stop_nginx() {
    local pid
    pid="$(nginx_pid)"
    if [[ -z "$pid" ]]; then
        log "nginx: not running"
        rm -f "$RUN/nginx.pid"
        return 0
    fi
    log "nginx: stopping (pid $pid)"
    # SIGQUIT: graceful shutdown, open requests are completed.
    kill -QUIT "$pid"
    if ! wait_exit "$pid" "$STOP_TIMEOUT"; then
        log "nginx: still running after ${STOP_TIMEOUT}s, sending SIGTERM"
        kill -TERM "$pid" 2>/dev/null || true
        wait_exit "$pid" 5 || { kill -KILL -- "-$pid" 2>/dev/null || true; }
    fi
    rm -f "$RUN/nginx.pid"
}

# ---------------------------------------------------------------- commands

# Print the HTTP status of GET / through nginx, or 000 when no response arrives.
api_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/" || true
}

# Wait until barbican-fcgi responds through nginx. 502, 503 and 504 come from
# nginx itself while the FastCGI side is not ready.
wait_api() {
    local i code=000
    printf 'api: waiting for http://127.0.0.1:%s/ ' "$PORT"
    for (( i = 0; i < START_TIMEOUT; i++ )); do
        code="$(api_status)"
        case "$code" in
            000|502|503|504) printf '.'; sleep 1 ;;
            *) printf ' HTTP %s\n' "$code"; return 0 ;;
        esac
    done
    printf ' no answer (last status %s)\n' "$code"
    show_log_tail "$LOG/barbican-fcgi.log"
    show_log_tail "$LOG/nginx-error.log"
    die "the API did not respond within ${START_TIMEOUT}s"
}

prepare() {
    mkdir -p "$ETC" "$RUN" "$LOG"
    if ! is_uint "$PORT" || (( PORT < 1 || PORT > 65535 )); then
        die "invalid PORT '$PORT': expected 1-65535"
    fi
    is_uint "$WORKERS" || die "invalid WORKERS '$WORKERS': expected a number, 0 for the default"
    if [[ -d "$BIN_DIR" ]]; then
        BIN_DIR="$(cd "$BIN_DIR" && pwd)"
    fi
}

start_service() {
    case "$1" in
        pg) start_pg ;;
        redis) start_redis ;;
        fcgi) ensure_master_key; write_config; start_fcgi ;;
        runner) ensure_master_key; write_config; start_runner ;;
        nginx) start_nginx ;;
        *) die "unknown service '$1': expected one of ${SERVICES[*]}" ;;
    esac
}

stop_service() {
    case "$1" in
        pg) stop_pg ;;
        redis) stop_redis ;;
        fcgi) stop_fcgi ;;
        runner) stop_runner ;;
        nginx) stop_nginx ;;
        *) die "unknown service '$1': expected one of ${SERVICES[*]}" ;;
    esac
}

cmd_start() {
    prepare
    start_service pg
    start_service redis
    ensure_master_key
    write_config
    migrate_db
    start_service fcgi
    start_service runner
    start_service nginx
    wait_api
    log ""
    log "Barbican API: http://127.0.0.1:$PORT/"
    log "Config:       $CONF"
    log "Logs:         $LOG/"
    log "Stop with:    $ROOT/scripts/stack.sh stop $DIR"
}

cmd_stop() {
    local service
    for service in nginx fcgi runner redis pg; do
        stop_service "$service"
    done
}

# Print the state of every service, and exit 3 unless all of them run.
cmd_status() {
    local service pid all_running=1
    for service in "${SERVICES[@]}"; do
        case "$service" in
            pg) pid="$(pg_pid)" ;;
            redis) pid="$(redis_pid)" ;;
            fcgi) pid="$(fcgi_pid)" ;;
            runner) pid="$(runner_pid)" ;;
            nginx) pid="$(nginx_pid)" ;;
        esac
        if [[ -n "$pid" ]]; then
            printf '%-7s running (pid %s)\n' "$service:" "$pid"
        else
            printf '%-7s stopped\n' "$service:"
            all_running=0
        fi
    done
    printf '%-7s GET http://127.0.0.1:%s/ -> %s\n' "api:" "$PORT" "$(api_status)"
    (( all_running )) || exit 3
}

main() {
    (( $# >= 2 )) || usage
    local command="$1" create=0
    [[ "$command" == start || "$command" == start-one ]] && create=1
    set_layout "$2" "$create"
    case "$command" in
        start) (( $# == 2 )) || usage; cmd_start ;;
        stop) (( $# == 2 )) || usage; cmd_stop ;;
        status) (( $# == 2 )) || usage; cmd_status ;;
        start-one) (( $# == 3 )) || usage; prepare; start_service "$3" ;;
        stop-one) (( $# == 3 )) || usage; stop_service "$3" ;;
        *) usage ;;
    esac
}

main "$@"
