#!/usr/bin/env bash
# Builds the servers and the test binary with AddressSanitizer (LeakSanitizer
# included) and UndefinedBehaviorSanitizer, `make build SANITIZE=...` into
# build/san/, and runs the tests against that build. Unit tests run inside the
# sanitized test binary, and integration tests against a private stack whose
# barbican-fcgi and barbican-job-runner are the sanitized binaries. Ends with
# the line "N passed, N failed", which counts test cases plus one failure per
# sanitizer report written by any of these processes.
#
# Usage: scripts/sanitize_tests.sh [Catch2 test spec...]
#   default: every test; e.g. '[unit],[hostile]' runs the unit tests and the
#   hostile-input catalog only.
# Environment:
#   JOBS   parallel compile jobs (default 2)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

readonly SAN=build/san
# UBSan's vptr check needs the typeinfo of every polymorphic class it checks,
# and libsoci 4.0.3 of Debian 12 does not export it for soci::details
# classes, so linking fails with vptr on. The Makefile does not track flags,
# so objects built with other flags are removed first.
readonly SANITIZE="address,undefined -fno-sanitize=vptr"
mkdir -p "$SAN"
if [[ "$(cat "$SAN/sanitize-flags" 2>/dev/null)" != "$SANITIZE" ]]; then
    rm -rf "$SAN/obj" "$SAN/bin"
    printf '%s\n' "$SANITIZE" >"$SAN/sanitize-flags"
fi
echo "== building with SANITIZE=$SANITIZE into $SAN"
if ! make --no-print-directory -j"${JOBS:-2}" build SANITIZE="$SANITIZE" >"$SAN/build.log" 2>&1; then
    tail -n 30 "$SAN/build.log"
    echo "sanitize_tests.sh: build failed; the full log is $SAN/build.log"
    echo "0 passed, 1 failed"
    exit 1
fi

state=$(mktemp -d /tmp/barbican-san-XXXXXX)
reports="$state.reports"
out="$state.out"
mkdir -p "$reports"

# Each sanitized process writes its reports to its own file,
# <reports>/asan.<pid> or ubsan.<pid>, instead of the stack's log files.
# UBSan findings are fatal: the build sets -fno-sanitize-recover=all.
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"

echo "== running tests with sanitized binaries (stack in $state)"
started=$(date +%s)
BARBICAN_TEST_STATE="$state" BARBICAN_BIN_DIR="$ROOT/$SAN/bin" BARBICAN_ROOT="$ROOT" \
    "$SAN/bin/barbican-tests" "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
BIN_DIR="$ROOT/$SAN/bin" scripts/stack.sh stop "$state" >/dev/null 2>&1 || true
elapsed=$(( $(date +%s) - started ))

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
if [[ -z "$summary" ]]; then
    echo "sanitize_tests.sh: no summary line from the test binary (exit status $rc)"
    passed=0
    failed=1
else
    passed=${summary%% passed*}
    failed=${summary#*, }
    failed=${failed%% failed*}
    # A sanitizer report at exit (a leak) changes only the exit status.
    if [[ $rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
fi

found=0
for report in "$reports"/*; do
    [[ -e "$report" ]] || continue
    found=$((found + 1))
    echo "== sanitizer report $report"
    grep -m 1 -E 'ERROR: |runtime error:|SUMMARY:' "$report" || head -n 3 "$report"
done
failed=$((failed + found))
echo "sanitize_tests.sh: $found sanitizer report(s); tests ran for ${elapsed} s"

rm -f "$out"
if [[ $failed -eq 0 ]]; then
    [[ -L "$state/pg" ]] && rm -rf "$(readlink "$state/pg")"
    rm -rf "$state" "$reports"
else
    echo "sanitize_tests.sh: kept $state (stack logs) and $reports"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
