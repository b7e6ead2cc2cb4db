#!/usr/bin/env bash
# Install the built binaries, systemd units, nginx site and example
# configuration. `make install` runs it after building.
#
# Environment:
#   PREFIX   installation prefix of the binaries (default /usr)
#   DESTDIR  staging root prepended to every path (default empty: the system)
#   LISTEN   nginx listen address of the site (default 127.0.0.1:9311)
#   BIN_DIR  folder of the built binaries (default build/bin of the repository)
#
# With an empty DESTDIR it also creates the system user and group `barbican`
# and sets the owners of /etc/barbican. It never overwrites an existing
# /etc/barbican/barbican.conf and never starts, enables or reloads a service.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
PREFIX="${PREFIX:-/usr}"
DESTDIR="${DESTDIR:-}"
LISTEN="${LISTEN:-127.0.0.1:9311}"
BIN_DIR="${BIN_DIR:-$ROOT/build/bin}"
readonly BINARIES=(barbican-fcgi barbican-job-runner barbican-admin)
readonly UNITS=(barbican-fcgi.socket barbican-fcgi.service barbican-job-runner.service)
readonly SOCKET=/run/barbican/api.sock
readonly CONF_DIR=/etc/barbican

die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

[[ "$PREFIX" == /* ]] || die "invalid PREFIX '$PREFIX': expected an absolute path"
for binary in "${BINARIES[@]}"; do
    [[ -x "$BIN_DIR/$binary" ]] || die "$BIN_DIR/$binary not found; build it first (make)"
done
if [[ -z "$DESTDIR" && $EUID -ne 0 ]]; then
    die "installing into the system needs root; set DESTDIR to stage the files elsewhere"
fi

# Print a template with its @NAME@ placeholders filled from NAME=VALUE
# arguments, outside comment lines. Values must not contain a newline.
fill() {
    local template="$1" script="" pair name value
    shift
    for pair in "$@"; do
        name="${pair%%=*}"
        value="$(printf '%s' "${pair#*=}" | sed 's/[\\|&]/\\&/g')"
        script+="/^[[:space:]]*#/!s|@${name}@|${value}|g;"
    done
    sed "$script" "$template"
}

# Binaries.
install -d -m 0755 "$DESTDIR$PREFIX/bin"
for binary in "${BINARIES[@]}"; do
    install -m 0755 "$BIN_DIR/$binary" "$DESTDIR$PREFIX/bin/$binary"
done

# systemd units, with ExecStart pointing into PREFIX.
install -d -m 0755 "$DESTDIR/lib/systemd/system"
for unit in "${UNITS[@]}"; do
    sed "s|=/usr/bin/barbican-|=$PREFIX/bin/barbican-|" "$ROOT/systemd/$unit" \
        >"$DESTDIR/lib/systemd/system/$unit"
    chmod 0644 "$DESTDIR/lib/systemd/system/$unit"
done

# nginx site: the socket of barbican-fcgi.socket, access log next to nginx's.
install -d -m 0755 "$DESTDIR/etc/nginx/sites-available"
fill "$ROOT/nginx/barbican-site.conf" \
    "LISTEN=$LISTEN" "SOCKET=$SOCKET" "ACCESS_LOG=/var/log/nginx/barbican-access.log" \
    >"$DESTDIR/etc/nginx/sites-available/barbican"
chmod 0644 "$DESTDIR/etc/nginx/sites-available/barbican"
if grep -n '^[^#]*@[A-Z_]*@' "$DESTDIR/etc/nginx/sites-available/barbican" >&2; then
    die "placeholders left unfilled in $DESTDIR/etc/nginx/sites-available/barbican (listed above)"
fi
# The identity-header filter of keystone mode, included by the site once its
# "# include keystone-identity.conf;" line is enabled.
install -m 0644 "$ROOT/nginx/keystone-identity.conf" "$DESTDIR/etc/nginx/keystone-identity.conf"

# System user, when installing into the system itself.
if [[ -z "$DESTDIR" ]] && ! getent passwd barbican >/dev/null; then
    useradd --system --user-group --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin --comment "Barbican key manager" barbican
    echo "install.sh: created system user barbican"
fi

# Configuration: root owns it, the service group may read it.
install -d -m 0750 "$DESTDIR$CONF_DIR"
if [[ -e "$DESTDIR$CONF_DIR/barbican.conf" ]]; then
    echo "install.sh: kept existing $DESTDIR$CONF_DIR/barbican.conf"
else
    install -m 0640 "$ROOT/etc/barbican.conf" "$DESTDIR$CONF_DIR/barbican.conf"
fi
if [[ -z "$DESTDIR" ]]; then
    chown root:barbican "$CONF_DIR"
    chown root:barbican "$CONF_DIR/barbican.conf"
fi

echo "install.sh: installed into ${DESTDIR:-/} (prefix $PREFIX)"
if [[ -z "$DESTDIR" ]]; then
    if [[ ! -e "$CONF_DIR/master.key" ]]; then
        echo "Create the master key (systemd hands it to the services as a credential):"
        echo "  (umask 077; head -c 32 /dev/urandom | base64 > $CONF_DIR/master.key)"
    fi
    echo "Then: barbican-admin --config $CONF_DIR/barbican.conf db upgrade"
    echo "      ln -s ../sites-available/barbican /etc/nginx/sites-enabled/barbican && systemctl reload nginx"
    echo "      systemctl daemon-reload && systemctl enable --now barbican-fcgi.socket barbican-fcgi.service barbican-job-runner.service"
fi
