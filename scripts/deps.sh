#!/usr/bin/env bash
# Install the Debian 12 packages needed to build, run and test the server,
# if any is missing. Prints nothing and exits 0 when all are installed.
#
# Installing needs root. The services packaged with postgresql-15,
# redis-server and nginx-light are kept from starting during the install
# (policy-rc.d), because the local stack runs private instances of its own
# and never uses the system ones. Services that already run are left alone.
set -euo pipefail

readonly PACKAGES=(
    g++ make pkg-config
    libfcgi-dev libsoci-dev libcrypto++-dev
    libboost-json1.81-dev libboost-program-options1.81-dev
    libhiredis-dev catch2 libcurl4-openssl-dev
    postgresql-15 redis-server nginx-light
    curl wrk python3-barbicanclient openssl ccache clang libclang-rt-14-dev
)
readonly POLICY=/usr/sbin/policy-rc.d

# Query all packages with one dpkg-query call. Unknown names are not listed.
installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null \
    | awk '$2 == "installed" { print $1 }' || true)"
missing=()
for package in "${PACKAGES[@]}"; do
    grep -qxF -- "$package" <<<"$installed" || missing+=("$package")
done
(( ${#missing[@]} == 0 )) && exit 0

echo "deps.sh: missing packages: ${missing[*]}"
if (( EUID != 0 )); then
    echo "deps.sh: installing needs root; run: sudo $0" >&2
    exit 1
fi

# invoke-rc.d runs policy-rc.d before a package starts its service, and exit
# code 101 means "do not start". An existing policy file is the admin's
# choice and stays as it is.
if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\n# Written by scripts/deps.sh during apt-get install.\nexit 101\n' >"$POLICY"
    chmod 0755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
fi
# NOTE: on a host booted with systemd, the installed postgresql, redis-server
# and nginx units stay enabled and start at the next boot, with their
# packaged defaults: PostgreSQL and Redis on localhost, nginx's default site
# on port 80 of every address.

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "${missing[@]}"
echo "deps.sh: installed ${missing[*]}"
