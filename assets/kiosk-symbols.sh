#!/bin/sh
# Regenerates assets/kiosk-symbols.order: every function of `tapin` that the
# kiosk runs (start, roster load, drawing, search, a PIN check, the sync worker
# retrying offline, SIGTERM), in the order callgrind first lists them. src/build.rs
# hands the file to lld (--symbol-ordering-file), which puts those functions
# together at the start of .text: the kernel maps a binary's pages in 64 KiB
# windows around each one touched, so scattered kiosk code costs megabytes of
# resident memory and gathered code a fraction of it.
#
# Regenerate when the symbol names change: a new Rust toolchain, a Cargo.lock
# change, a profile change in Cargo.toml, or the kiosk's code paths renamed or
# added to. Stale names are harmless (lld skips them, unwarned) but leave their
# functions scattered: compare the benchmark's file-backed figure before/after.
#
# Usage (from the repository, valgrind installed, a release build at hand):
#   CARGO_TARGET_DIR=... assets/kiosk-symbols.sh
set -eu
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target="$PWD/$target" ;; esac
bin="$target/release/tapin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo bench --bench kiosk_process --no-run
cat > "$work/tapin" <<WRAP
#!/bin/sh
exec valgrind --tool=callgrind --demangle=no --dump-instr=no --compress-strings=no \
  --compress-pos=no --callgrind-out-file="$work/cg.%p.out" "$bin" "\$@"
WRAP
chmod +x "$work/tapin"
# Once from the roster's snapshot, once from its JSON (the first start after a
# roster arrives); the timings are valgrind's and mean nothing.
TAPIN_BENCH_NO_FAIL=1 TAPIN_BENCH_RUNS=1 TAPIN_BENCH_BIN="$work/tapin" \
  cargo bench --bench kiosk_process >/dev/null
TAPIN_BENCH_NO_FAIL=1 TAPIN_BENCH_RUNS=1 TAPIN_BENCH_BIN="$work/tapin" TAPIN_BENCH_JSON_START=1 \
  cargo bench --bench kiosk_process >/dev/null

# Functions executed (fn=) or called (cfn=), kept when they are the binary's own.
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$work/text"
grep -h -E '^c?fn=' "$work"/cg.*.out | sed -E 's/^c?fn=(\([0-9]+\) )?//' |
  awk '!seen[$0]++' | awk 'NR == FNR { t[$0] = 1; next } ($0 in t)' "$work/text" - \
  >assets/kiosk-symbols.order
wc -l assets/kiosk-symbols.order
