#!/usr/bin/env bash
# Runs every fuzz target for N seconds (default 60), one after the other with one worker, and
# prints per target the executions, exec/s, final coverage and whether it crashed. Exits
# non-zero when any target crashed, timed out or ran out of memory.
#
#   tests/fuzz/run.sh [seconds-per-target]          FUZZ_TARGETS="a b" to run only some
#
# The corpus each run grows is kept outside the repository ($FUZZ_WORK_DIR); the seeds in
# corpus/<target>/ and the inputs of regressions/<target>/ are read, never written.
set -euo pipefail

secs="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mutualis-fuzz-target}"
work="${FUZZ_WORK_DIR:-$CARGO_TARGET_DIR/fuzz-work}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Release with debug assertions, so integer overflow panics as it does in debug builds.
# No sanitizer: every crate of ours forbids `unsafe`, and on two cores the uninstrumented
# build runs about twice as many inputs (see README.md).
flags=(--fuzz-dir "$here" -O -a --sanitizer none)
cargo +nightly fuzz build "${flags[@]}"

read -r -a targets <<<"${FUZZ_TARGETS:-$(cargo +nightly fuzz list --fuzz-dir "$here" | tr '\n' ' ')}"
mkdir -p "$work/logs"
failed=()
printf '%-22s %12s %9s %7s %8s  %s\n' target executions exec/s cov ft result
for t in "${targets[@]}"; do
    dirs=("$work/corpus/$t" "$here/corpus/$t")
    [[ -d "$here/regressions/$t" ]] && dirs+=("$here/regressions/$t")
    mkdir -p "$work/corpus/$t"
    extra=()
    [[ -f "$here/dict/$t.dict" ]] && extra+=(-dict="$here/dict/$t.dict")
    log="$work/logs/$t.log"
    status=0
    # -timeout: an input taking 10 s is a finding; -rss_limit_mb: so is one needing 2 GB.
    cargo +nightly fuzz run "${flags[@]}" "$t" "${dirs[@]}" -- \
        -max_total_time="$secs" -workers=1 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${extra[@]}" >"$log" 2>&1 || status=$?
    stat() { grep -E "^stat::$1:" "$log" | grep -oE '[0-9]+$' || true; }
    runs=$(stat number_of_executed_units)
    rate=$(stat average_exec_per_sec)
    last=$(grep -E '(NEW|REDUCE|pulse|DONE|INITED) +cov: ' "$log" | tail -n 1 || true)
    cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+$' || true)
    ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+$' || true)
    if [[ $status -eq 0 ]]; then
        result=ok
    else
        kind=$(grep -oE -m1 'ERROR: libFuzzer: [a-z-]+( signal)?' "$log" | sed 's/ERROR: libFuzzer: //' || true)
        result="CRASH (${kind:-exit $status})"
        failed+=("$t")
    fi
    printf '%-22s %12s %9s %7s %8s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
    if [[ $status -ne 0 ]]; then
        grep -E 'panicked at|Test unit written to|SUMMARY' "$log" | sed 's/^/    /' || true
    fi
done
echo "logs: $work/logs"
if ((${#failed[@]})); then
    echo "crashed: ${failed[*]} (inputs in $here/artifacts/<target>/, see README.md)" >&2
    exit 1
fi
