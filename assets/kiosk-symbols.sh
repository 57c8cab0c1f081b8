#!/bin/sh
# Regenerates assets/kiosk-symbols.order: every function of `tapin` that the
# kiosk runs, as callgrind lists them: first those of the kiosk_process
# benchmark (start, roster load, drawing, search, a PIN check, the sync worker
# retrying offline, SIGTERM), then those an online session adds (the roster
# from the demo hub, a PIN, a punch and its confirmation, a badge, the sync
# worker sending the punch; kiosk-symbols-drive.py). src/build.rs
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
# Not covered (their functions stay scattered): TLS to an https hub, the
# admin and supervisor screens, crews, enrollment.
#
# Usage (from the repository, valgrind and python3 installed, port 8090 or
# another free for the demo hub):
#   CARGO_TARGET_DIR=... assets/kiosk-symbols.sh [OUTPUT]
# OUTPUT defaults to assets/kiosk-symbols.order (which rebuilds the binary).
set -eu
cd "$(dirname "$0")/.."
out=${1:-assets/kiosk-symbols.order}
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target="$PWD/$target" ;; esac
bin="$target/release/tapin"
work=$(mktemp -d)
hub=
trap '[ -z "$hub" ] || kill "$hub"; rm -rf "$work"' EXIT

cargo bench --bench kiosk_process --no-run
cat > "$work/tapin" <<WRAP
#!/bin/sh
exec valgrind --tool=callgrind --demangle=no --dump-instr=no --compress-strings=no \
  --compress-pos=no --callgrind-out-file="$work/cg.\$CG_PHASE.%p.out" "$bin" "\$@"
WRAP
chmod +x "$work/tapin"
# Once from the roster's snapshot, once from its JSON (the first start after a
# roster arrives); the timings are valgrind's and mean nothing.
export CG_PHASE=1bench
TAPIN_BENCH_NO_FAIL=1 TAPIN_BENCH_RUNS=1 TAPIN_BENCH_BIN="$work/tapin" \
  cargo bench --bench kiosk_process >/dev/null
TAPIN_BENCH_NO_FAIL=1 TAPIN_BENCH_RUNS=1 TAPIN_BENCH_BIN="$work/tapin" TAPIN_BENCH_JSON_START=1 \
  cargo bench --bench kiosk_process >/dev/null

# Online: the demo hub (not profiled), a kiosk enrolled to it with four people.
CG_PHASE=2online
"$bin" --data-dir "$work/hub" demo --hub-only >"$work/hub.log" 2>&1 &
hub=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/hub.log" && break; sleep 1; done
url=$(sed -n 's/^listening on //p' "$work/hub.log")
token=$("$bin" --data-dir "$work/hub" demo --info | awk '/admin token/ { print $3 }')
code=$(TAPIN_HUB=$url TAPIN_ADMIN_TOKEN=$token "$bin" admin device add Profiled --json |
  sed -n 's/.*"enrollment_code": "\(.*\)".*/\1/p')
TAPIN_HUB=$url TAPIN_ADMIN_TOKEN=$token "$bin" admin device roster set Profiled --group Office \
  --people "Ana María López,Ben Carter,Morgan Reyes,Chloé Dubois" >/dev/null
sed "s|^secret_store = .*|secret_store = \"file\"\nhub_url = \"$url\"|" kiosk.toml.example \
  >"$work/kiosk.toml"
"$bin" --config "$work/kiosk.toml" --data-dir "$work/kiosk" enroll --hub "$url" --code "$code" \
  --secret-store file >/dev/null
python3 assets/kiosk-symbols-drive.py "$work/screen.log" "$work/tapin" \
  --config "$work/kiosk.toml" --data-dir "$work/kiosk"

# Functions executed (fn=) or called (cfn=), kept when they are the binary's own.
nm --defined-only "$bin" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u >"$work/text"
# (cg.1bench.* before cg.2online.*: the glob sorts.)
grep -h -E '^c?fn=' "$work"/cg.*.out | sed -E 's/^c?fn=(\([0-9]+\) )?//' |
  awk '!seen[$0]++' | awk 'NR == FNR { t[$0] = 1; next } ($0 in t)' "$work/text" - \
  >"$out"
wc -l "$out"
