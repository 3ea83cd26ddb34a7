#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that takes outside input (fuzz/fuzz_targets):
# builds the targets with cargo-fuzz (libFuzzer, --sanitizer none: stable Rust; debug
# assertions on), replays the committed seeds and every past crash (fuzz/regressions), then
# runs each target for SECONDS and prints executions, coverage and crashes per target.
#
# Usage: scripts/fuzz.sh [SECONDS]      (default 60; 0 only replays)
#        scripts/fuzz.sh SECONDS TARGET... (only these targets)
# A crash leaves its input in fuzz/artifacts/TARGET/ and makes the script exit 1; copy it
# into fuzz/regressions/TARGET/ once fixed, so it is replayed for ever after.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"
export CARGO_BUILD_TARGET=x86_64-unknown-linux-gnu
SECONDS_EACH="${1:-60}"
shift || true

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2 >/dev/null
cargo fuzz build --sanitizer none -O --debug-assertions >/dev/null
BIN="$ROOT/fuzz/target/$CARGO_BUILD_TARGET/release"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)

status=0
printf '%-15s %10s %8s %10s %8s %s\n' TARGET EXECS EXEC/S COVERAGE CRASHES REPLAYED
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "regressions/$t" "artifacts/$t"
  # Seeds and past crashes, each run once: any failure is a regression.
  replayed=$(find "corpus/$t" "regressions/$t" -type f | wc -l)
  if ! "$BIN/$t" -runs=0 "corpus/$t" "regressions/$t" >"artifacts/$t/replay.log" 2>&1; then
    echo "$t: a seed or a past crash fails again:" >&2
    tail -30 "artifacts/$t/replay.log" >&2
    status=1
    continue
  fi
  if [ "$SECONDS_EACH" -eq 0 ]; then
    printf '%-15s %10s %8s %10s %8s %s\n' "$t" - - - 0 "$replayed"
    continue
  fi
  # New inputs go to a scratch corpus, so the committed seeds stay small and reviewed.
  scratch="$(mktemp -d)"
  log="artifacts/$t/run.log"
  crashed=0
  "$BIN/$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="artifacts/$t/" "$scratch" "corpus/$t" >"$log" 2>&1 || crashed=1
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-15s %10s %8s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$crashed" "$replayed"
  if [ "$crashed" -ne 0 ]; then
    echo "$t crashed; input and log under fuzz/artifacts/$t/:" >&2
    grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -10 >&2
    status=1
  fi
  rm -rf "$scratch"
done
exit "$status"
