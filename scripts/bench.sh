#!/usr/bin/env bash
# npm run bench: builds what the benchmark needs, then measures (scripts/bench.mjs).
# Prints a table to stdout and writes bench-results/bench.json; progress goes to stderr.
#   scripts/bench.sh                  build, then measure (a few minutes on 2 cores)
#   BENCH_SKIP_BUILD=1 scripts/bench.sh   measure the current dist/ and example build
# Settings: BENCH_WORK (1000), BENCH_RUNS (3), BENCH_DISPATCH_N (5000), BENCH_CALLS (200);
# see scripts/bench.mjs and scripts/bench-bytes.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

command -v chromium >/dev/null || [[ -x "${CHROMIUM_PATH:-}" ]] ||
  die "chromium is missing; run scripts/setup.sh --browser"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  [[ -x node_modules/.bin/vite ]] || bash scripts/setup.sh
  bash scripts/build-wasm.sh >&2
  say "building the site into dist/" >&2
  vite build --config www/vite.config.ts --logLevel warn >&2
  say "building the native benchmark (stable, release)" >&2
  cargo build --release --example bench_native --example run_demo >&2
fi
say "measuring (progress on stderr, the table on stdout)" >&2
node scripts/bench.mjs
