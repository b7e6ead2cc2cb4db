#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed" summed
# over the suites (test cases, not assertions). Each suite gets its own
# private stack folder, stopped afterwards even when the suite crashes.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

total_passed=0
total_failed=0
suites_failed=0

# run_suite NAME BIN_DIR [catch2 arguments...]
run_suite() {
    local name=$1 bin_dir=$2
    shift 2
    local state out
    state=$(mktemp -d /tmp/barbican-test-XXXXXX)
    out="$state.out"
    echo "== $name"
    BARBICAN_TEST_STATE="$state" BARBICAN_BIN_DIR="$bin_dir" BARBICAN_ROOT="$ROOT" \
        "$bin_dir/barbican-tests" "$@" 2>&1 | tee "$out"
    local rc=${PIPESTATUS[0]}
    BIN_DIR="$bin_dir" scripts/stack.sh stop "$state" >/dev/null 2>&1 || true
    local summary passed failed
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
    if [[ -z "$summary" ]]; then
        echo "$name: no summary line (exit status $rc); counted as one failure"
        passed=0
        failed=1
    else
        passed=${summary%% passed*}
        failed=${summary#*, }
        failed=${failed%% failed*}
        if [[ $rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    [[ $failed -eq 0 ]] || suites_failed=$((suites_failed + 1))
    rm -rf "$out"
    if [[ $failed -eq 0 ]]; then
        # The cluster may live in a fallback folder that state/pg links to.
        [[ -L "$state/pg" ]] && rm -rf "$(readlink "$state/pg")"
        rm -rf "$state"
    fi
}

# add_counts NAME OUTPUT_FILE EXIT_STATUS: adds the last "N passed, N failed"
# line of a step's output (one word and a colon may precede it) to the totals.
add_counts() {
    local name=$1 out=$2 rc=$3 summary passed failed
    summary=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
    summary=${summary#*: }
    if [[ -z "$summary" ]]; then
        echo "$name: no summary line (exit status $rc); counted as one failure"
        passed=0
        failed=1
    else
        passed=${summary%% passed*}
        failed=${summary#*, }
        failed=${failed%% failed*}
        if [[ $rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
}

# run_step NAME COMMAND...: runs a script that prints its own summary line.
run_step() {
    local name=$1 out
    shift
    out=$(mktemp /tmp/barbican-step-XXXXXX)
    echo "== $name"
    "$@" 2>&1 | tee "$out"
    add_counts "$name" "$out" "${PIPESTATUS[0]}"
    rm -f "$out"
}

run_suite "unit and integration tests" "$ROOT/build/bin"

# Each libFuzzer target for about 10 seconds (FUZZ=0 skips them).
if [[ "${FUZZ:-1}" != 0 ]]; then
    run_step "fuzz targets (quick)" scripts/fuzz.sh --quick
fi

# Unit tests and the integration tests again, with the servers and the tests
# built with AddressSanitizer and UndefinedBehaviorSanitizer (build/san/).
# SANITIZER_TESTS=0 skips this pass; SANITIZER_SPEC picks other tests. The
# tests against a real Keystone, the wrk fault tests and the authorization
# table run in the plain pass only, because they take the longest. The
# Keystone client code runs sanitized in the [fcgi] tests against a fake
# Keystone, and the request paths of the others run in the listed groups.
if [[ "${SANITIZER_TESTS:-1}" != 0 ]]; then
    run_step "sanitizer build" scripts/sanitize_tests.sh \
        "${SANITIZER_SPEC:-[unit],[db],[fcgi],[stack],[secrets],[metadata],[containers],[consumers],[acls],[quotas],[orders],[hostile],[canary],[limits],[stores],[transport_keys],[client]}"
fi

echo "$total_passed passed, $total_failed failed"
[[ $total_failed -eq 0 ]]
