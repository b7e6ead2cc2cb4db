#!/usr/bin/env bash
# A private Keystone (OpenStack Identity v3) for tests, kept under one folder
# and served by uWSGI on 127.0.0.1.
#
# Usage:
#   scripts/keystone.sh start DIR PORT
#   scripts/keystone.sh stop DIR
#
# Environment:
#   TOKEN_EXPIRATION  seconds a token issued by this Keystone stays valid
#                     (default 3600); read on the first start in DIR only
#   START_TIMEOUT     seconds to wait for Keystone to respond (default 120)
#   STOP_TIMEOUT      seconds to wait for Keystone to stop (default 20)
#
# The first start in DIR installs the missing Debian packages (as root),
# creates a SQLite database, Fernet and credential keys, runs
# `keystone-manage bootstrap` and creates the test fixture through the REST
# API, all on loopback:
#   roles     admin, member, reader (from bootstrap), creator, observer,
#             service
#   projects  service, alpha, beta (domain Default)
#   users     barbican (role service on project service), alpha-admin,
#             alpha-creator, alpha-observer, alpha-member, beta-admin (each
#             with the role of its name on its project), and nobody (no role)
# DIR/fixture.json lists their ids, the admin's password and the test users'
# password, and DIR/barbican.password contains the service user's password. Later starts in
# the same DIR reuse all of it.
#
# Debian's python3-keystone package contains Keystone itself with
# keystone-manage and the WSGI entry point. The keystone package adds only a
# system service with its own database in /var/lib/keystone, which the tests
# do not use, so it is not installed.
set -euo pipefail

readonly PACKAGES=(python3-keystone uwsgi-core uwsgi-plugin-python3
                   python3-openstackclient python3-barbicanclient python3-castellan)
readonly POLICY=/usr/sbin/policy-rc.d
readonly WSGI_SCRIPT=/usr/bin/keystone-wsgi-public

START_TIMEOUT="${START_TIMEOUT:-120}"
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"
TOKEN_EXPIRATION="${TOKEN_EXPIRATION:-3600}"

log() { printf 'keystone.sh: %s\n' "$*"; }
die() { printf 'keystone.sh: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '5,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,3\}//' >&2
    exit 2
}

show_log_tail() {
    local file="$1"
    [[ -e "$file" ]] || return 0
    printf -- '--- last lines of %s ---\n' "$file" >&2
    tail -n 30 "$file" | cut -c 1-300 >&2 || true
    printf -- '---\n' >&2
}

set_layout() {
    local dir="$1"
    case "$dir" in
        *[[:space:]\'\"\\\;]*) die "invalid DIR '$dir': it must not contain whitespace, quotes, backslashes or ';'" ;;
    esac
    DIR="$(cd "$dir" && pwd)"
    CONF="$DIR/keystone.conf"
    PID_FILE="$DIR/keystone.pid"
    FIXTURE="$DIR/fixture.json"
}

# ---------------------------------------------------------------- packages

# Install the missing packages with one apt-get call. Packaged services are
# kept from starting through policy-rc.d (exit code 101: "do not start"),
# unless the host already has a policy file, which then stays as it is.
ensure_packages() {
    local installed missing=() package
    installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null \
        | awk '$2 == "installed" { print $1 }' || true)"
    for package in "${PACKAGES[@]}"; do
        grep -qxF -- "$package" <<<"$installed" || missing+=("$package")
    done
    (( ${#missing[@]} == 0 )) && return 0

    (( EUID == 0 )) || die "missing packages ${missing[*]}; installing them needs root"
    log "installing ${missing[*]}"
    local created_policy=0
    if [[ ! -e "$POLICY" ]]; then
        printf '#!/bin/sh\n# Written by scripts/keystone.sh during apt-get install.\nexit 101\n' >"$POLICY"
        chmod 0755 "$POLICY"
        created_policy=1
        trap 'rm -f "$POLICY"' EXIT
    fi
    local status=0
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                -o Dpkg::Use-Pty=0 "${missing[@]}"
    } >"$DIR/apt.log" 2>&1 || status=$?
    if (( created_policy )); then
        rm -f "$POLICY"
        trap - EXIT
    fi
    if (( status != 0 )); then
        show_log_tail "$DIR/apt.log"
        die "apt-get install ${missing[*]} failed (exit status $status)"
    fi
}

# ---------------------------------------------------------------- process

# Print the pid of this folder's uWSGI master when it is alive.
keystone_pid() {
    local pid cmdline
    [[ -r "$PID_FILE" ]] || return 0
    pid="$(head -n 1 "$PID_FILE" | tr -dc '0-9')"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 0
    [[ "$cmdline" == *uwsgi*"--ini $DIR/uwsgi.ini"* ]] && printf '%s\n' "$pid"
    return 0
}

wait_exit() {
    local pid="$1" seconds="$2" i
    for (( i = 0; i < seconds * 5; i++ )); do
        [[ -e "/proc/$pid" ]] || return 0
        [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]] && return 0
        sleep 0.2
    done
    [[ ! -e "/proc/$pid" ]]
}

http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true
}

# ---------------------------------------------------------------- setup

write_config() {
    mkdir -p "$DIR/fernet-keys" "$DIR/credential-keys" "$DIR/log"
    chmod 0700 "$DIR/fernet-keys" "$DIR/credential-keys"
    cat >"$CONF" <<EOF
# Generated by scripts/keystone.sh for the test Keystone in $DIR.
[DEFAULT]
log_file = $DIR/log/keystone.log
[database]
connection = sqlite:///$DIR/keystone.db
# No fsync per commit: the database is thrown away with DIR.
sqlite_synchronous = false
[fernet_tokens]
key_repository = $DIR/fernet-keys
[fernet_receipts]
key_repository = $DIR/fernet-keys
[credential]
key_repository = $DIR/credential-keys
[token]
expiration = $TOKEN_EXPIRATION
[cache]
enabled = false
[identity]
# bcrypt's minimum cost: test passwords need no slow hashing.
password_hash_rounds = 4
EOF
    cat >"$DIR/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$PORT
wsgi-file = $WSGI_SCRIPT
env = OS_KEYSTONE_CONFIG_FILES=$CONF
master = true
# One process: SQLite lets one writer in at a time, and two processes
# failed with "database is locked" while the fixture was created.
processes = 1
threads = 4
lazy-apps = true
die-on-term = true
no-orphans = true
buffer-size = 65535
# uWSGI closes the connection after each response anyway; saying so keeps
# clients from sending the next request on a connection being closed.
add-header = Connection: close
chdir = $DIR
logto = $DIR/log/uwsgi.log
EOF
}

manage() {
    keystone-manage --config-file "$CONF" "$@" >>"$DIR/log/keystone-manage.log" 2>&1 \
        || { show_log_tail "$DIR/log/keystone-manage.log"; die "keystone-manage $1 failed"; }
}

initialize() {
    local owner group
    owner="$(id -un)"
    group="$(id -gn)"
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$DIR/admin.password")
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$DIR/barbican.password")
    log "creating the database and keys in $DIR"
    manage db_sync
    # oslo.db opens a transaction for every read, so in SQLite's default
    # rollback-journal mode a write waits for readers and fails with
    # "database is locked". In WAL mode readers do not block the writer.
    /usr/bin/python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' \
        "$DIR/keystone.db"
    manage fernet_setup --keystone-user "$owner" --keystone-group "$group"
    manage credential_setup --keystone-user "$owner" --keystone-group "$group"
    manage bootstrap --bootstrap-password "$(cat "$DIR/admin.password")" \
        --bootstrap-admin-url "http://127.0.0.1:$PORT/v3/" \
        --bootstrap-internal-url "http://127.0.0.1:$PORT/v3/" \
        --bootstrap-public-url "http://127.0.0.1:$PORT/v3/" \
        --bootstrap-region-id RegionOne
}

# Create the roles, projects and users of the header through the REST API.
create_fixture() {
    log "creating the test projects, users and roles"
    KEYSTONE_URL="http://127.0.0.1:$PORT" KEYSTONE_DIR="$DIR" /usr/bin/python3 - <<'PYTHON'
import json
import os
import secrets
import urllib.error
import urllib.request

base = os.environ["KEYSTONE_URL"] + "/v3"
folder = os.environ["KEYSTONE_DIR"]


def send(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
        return response.headers, (json.loads(text) if text else None)


with open(os.path.join(folder, "admin.password")) as f:
    admin_password = f.read().strip()


def admin_token():
    headers, _ = send("POST", "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": admin_password}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})
    return headers["X-Subject-Token"]


current = {"token": admin_token()}


# Sends a request as admin. With a short TOKEN_EXPIRATION the admin token can
# expire during the fixture, so a 401 gets one retry with a new token.
def call(method, path, body=None):
    try:
        return send(method, path, body, current["token"])
    except urllib.error.HTTPError as error:
        if error.code != 401:
            raise
    current["token"] = admin_token()
    return send(method, path, body, current["token"])

roles = {}
_, listed = call("GET", "/roles")
for role in listed["roles"]:
    roles[role["name"]] = role["id"]
for name in ("creator", "observer", "service"):
    if name not in roles:
        _, created = call("POST", "/roles", {"role": {"name": name}})
        roles[name] = created["role"]["id"]

projects = {}
for name in ("service", "alpha", "beta"):
    _, created = call("POST", "/projects", {"project": {"name": name, "domain_id": "default"}})
    projects[name] = created["project"]["id"]

with open(os.path.join(folder, "barbican.password")) as f:
    service_password = f.read().strip()
test_password = secrets.token_hex(16)
assignments = [
    ("barbican", "service", "service", service_password),
    ("alpha-admin", "alpha", "admin", test_password),
    ("alpha-creator", "alpha", "creator", test_password),
    ("alpha-observer", "alpha", "observer", test_password),
    ("alpha-member", "alpha", "member", test_password),
    ("beta-admin", "beta", "admin", test_password),
    ("nobody", None, None, test_password),
]
users = {}
for name, project, role, password in assignments:
    _, created = call("POST", "/users", {"user": {
        "name": name, "domain_id": "default", "password": password}})
    user_id = created["user"]["id"]
    users[name] = {"id": user_id, "project": project,
                   "project_id": projects.get(project), "role": role}
    if role:
        call("PUT", "/projects/%s/users/%s/roles/%s" % (projects[project], user_id, roles[role]))

fixture = {"auth_url": os.environ["KEYSTONE_URL"], "admin_password": admin_password,
           "password": test_password, "projects": projects, "roles": roles, "users": users}
path = os.path.join(folder, "fixture.json")
descriptor = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(descriptor, "w") as f:
    json.dump(fixture, f, indent=1)
os.replace(path + ".tmp", path)
PYTHON
}

start_server() {
    local pid i
    rm -f "$PID_FILE"
    log "starting on 127.0.0.1:$PORT"
    setsid uwsgi --ini "$DIR/uwsgi.ini" </dev/null >>"$DIR/log/uwsgi.log" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    for (( i = 0; i < START_TIMEOUT * 5; i++ )); do
        if [[ "$(http_status "http://127.0.0.1:$PORT/v3")" == 200 ]]; then
            return 0
        fi
        if [[ -z "$(keystone_pid)" ]]; then
            show_log_tail "$DIR/log/uwsgi.log"
            die "uWSGI (pid $pid) exited during start-up"
        fi
        sleep 0.2
    done
    show_log_tail "$DIR/log/uwsgi.log"
    show_log_tail "$DIR/log/keystone.log"
    stop_server
    die "Keystone did not respond on http://127.0.0.1:$PORT/v3 within ${START_TIMEOUT}s"
}

stop_server() {
    local pid
    pid="$(keystone_pid)"
    if [[ -z "$pid" ]]; then
        log "not running"
        rm -f "$PID_FILE"
        return 0
    fi
    log "stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_exit "$pid" "$STOP_TIMEOUT"; then
        log "still running after ${STOP_TIMEOUT}s, sending SIGKILL to process group $pid"
        kill -KILL -- "-$pid" 2>/dev/null || true
        wait_exit "$pid" 5 || die "uWSGI (pid $pid) did not stop"
    fi
    rm -f "$PID_FILE"
}

cmd_start() {
    [[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT >= 1 && PORT <= 65535 )) || die "invalid PORT '$PORT': expected 1-65535"
    [[ "$TOKEN_EXPIRATION" =~ ^[0-9]+$ ]] || die "invalid TOKEN_EXPIRATION '$TOKEN_EXPIRATION': expected seconds"
    local pid
    pid="$(keystone_pid)"
    if [[ -n "$pid" ]]; then
        log "already running (pid $pid)"
        return 0
    fi
    ensure_packages
    if [[ -s "$FIXTURE" ]]; then
        # The endpoints registered by bootstrap name the first port.
        grep -q "^http-socket = 127.0.0.1:$PORT\$" "$DIR/uwsgi.ini" \
            || die "$DIR was set up for another port; use a new DIR or the port in $DIR/uwsgi.ini"
        start_server
    else
        write_config
        initialize
        start_server
        create_fixture
    fi
    log "Keystone: http://127.0.0.1:$PORT/v3 (fixture in $FIXTURE)"
}

main() {
    (( $# >= 2 )) || usage
    local command="$1"
    case "$command" in
        start)
            (( $# == 3 )) || usage
            mkdir -p "$2"
            set_layout "$2"
            PORT="$3"
            cmd_start
            ;;
        stop)
            (( $# == 2 )) || usage
            [[ -d "$2" ]] || { log "$2 does not exist: nothing to stop"; exit 0; }
            set_layout "$2"
            stop_server
            ;;
        *) usage ;;
    esac
}

main "$@"
