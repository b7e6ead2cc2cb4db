#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ (one per *_fuzz.cpp) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer into build/fuzz/, then runs
# each for FUZZ_SECONDS seconds. Ends with the line "fuzz: N passed, N failed".
# A target passes when it ran for its time without a crash, a sanitizer
# report, a timeout or running out of memory.
#
# Usage: scripts/fuzz.sh [--quick] [TARGET...]
#   --quick        10 seconds per target (for make test)
#   TARGET         e.g. json_body; default: every target
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60; --quick sets 10)
#   FUZZ_JOBS      parallel compile jobs (default 2)
#
# Seeds come from tests/fuzz/corpus/<target>/ and are never written to; inputs
# that reach new code are kept in build/fuzz/corpus/<target>/ and reused by
# the next run. A crashing input is saved as build/fuzz/artifacts/<target>/
# crash-* (or leak-*, timeout-*, oom-*); replay it with
#   build/fuzz/bin/<target> build/fuzz/artifacts/<target>/crash-...
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

seconds="${FUZZ_SECONDS:-60}"
targets=()
for arg in "$@"; do
    case "$arg" in
    --quick) seconds=10 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
    esac
done
if (( ${#targets[@]} == 0 )); then
    for source in tests/fuzz/*_fuzz.cpp; do
        name="${source##*/}"
        targets+=("${name%_fuzz.cpp}")
    done
fi

readonly OUT=build/fuzz
readonly SANITIZE=address,undefined

mkdir -p "$OUT"

fail_all() {
    echo "fuzz.sh: $1" >&2
    echo "fuzz: 0 passed, ${#targets[@]} failed"
    exit 1
}

command -v clang++ >/dev/null || fail_all "clang++ not found; install the clang and libclang-rt-14-dev packages (make deps)"

# Code under test is compiled with clang, the sanitizers and the coverage
# instrumentation libFuzzer needs (-fsanitize=fuzzer-no-link), by the
# Makefile's own rules into $OUT/obj: core/, the router and the request
# reader. The rest of the server is only linked, because registerRoutes()
# names every handler, and no target runs it. It is compiled with the default
# compiler and flags into $OUT/plain, so code that clang 14 cannot compile
# (lambdas capturing structured bindings) does not stop the build.
instrumented=()
for source in core/*.cpp fcgi/router.cpp fcgi/request_reader.cpp; do
    instrumented+=("$OUT/obj/${source%.cpp}.o")
done
plain=()
for source in db/*.cpp fcgi/*.cpp jobs/*.cpp jobs/tasks/*.cpp; do
    [[ -e "$source" ]] || continue
    case "$source" in fcgi/main.cpp | jobs/main.cpp | fcgi/router.cpp | fcgi/request_reader.cpp) continue ;; esac
    plain+=("$OUT/plain/obj/${source%.cpp}.o")
done
plain+=("$OUT/plain/obj/gen/migrations.o")
target_objects=()
for target in "${targets[@]}"; do
    [[ -f "tests/fuzz/${target}_fuzz.cpp" ]] || fail_all "no fuzz target tests/fuzz/${target}_fuzz.cpp"
    target_objects+=("$OUT/obj/tests/fuzz/${target}_fuzz.o")
done

echo "== building fuzz targets into $OUT"
: >"$OUT/build.log"
build() {
    make --no-print-directory -j"${FUZZ_JOBS:-2}" "$@" >>"$OUT/build.log" 2>&1 && return 0
    tail -n 30 "$OUT/build.log" >&2
    fail_all "build failed; the full log is $OUT/build.log"
}
build BUILD="$OUT" CXX=clang++ SANITIZE="fuzzer-no-link,$SANITIZE" "${instrumented[@]}" "${target_objects[@]}"
build BUILD="$OUT/plain" SANITIZE= "${plain[@]}"
rm -f "$OUT/libinstrumented.a" "$OUT/libplain.a"
ar rcs "$OUT/libinstrumented.a" "${instrumented[@]}" && ar rcs "$OUT/libplain.a" "${plain[@]}" || fail_all "ar failed"

readonly LIBS=(-lfcgi -lsoci_postgresql -lsoci_core -lpq -lhiredis -lcryptopp -lboost_json
               -lboost_program_options -lcurl -ldl -pthread)
mkdir -p "$OUT/bin"
for target in "${targets[@]}"; do
    if ! clang++ -fsanitize="fuzzer,$SANITIZE" -o "$OUT/bin/$target" "$OUT/obj/tests/fuzz/${target}_fuzz.o" \
            -Wl,--start-group "$OUT/libinstrumented.a" "$OUT/libplain.a" -Wl,--end-group \
            "${LIBS[@]}" >>"$OUT/build.log" 2>&1; then
        tail -n 30 "$OUT/build.log" >&2
        fail_all "linking $target failed; the full log is $OUT/build.log"
    fi
done

passed=0
failed=0
for target in "${targets[@]}"; do
    corpus="$OUT/corpus/$target"
    artifacts="$OUT/artifacts/$target"
    log="$OUT/$target.log"
    mkdir -p "$corpus" "$artifacts" "tests/fuzz/corpus/$target"
    options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=30000
             -print_final_stats=1 -artifact_prefix="$artifacts/")
    [[ -f "tests/fuzz/$target.dict" ]] && options+=(-dict="tests/fuzz/$target.dict")
    # A leak report from LeakSanitizer fails the target like a crash.
    ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" UBSAN_OPTIONS="print_stacktrace=1" \
        "$OUT/bin/$target" "${options[@]}" "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    if [[ $rc -eq 0 ]]; then
        passed=$((passed + 1))
        echo "$target: passed, ${runs:-?} executions in ${seconds} s"
    else
        failed=$((failed + 1))
        artifact=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
        echo "$target: FAILED (exit status $rc) after ${runs:-?} executions; log $log${artifact:+, input $artifact}"
        grep -m 3 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==[0-9]+== ?ERROR' "$log" | sed 's/^/    /'
    fi
done

echo "fuzz: $passed passed, $failed failed"
(( failed == 0 ))
