#!/usr/bin/env bash
# `npm test`: every test, in the order that fails fastest. Installs what is missing first.
#   1. the invariants that are cheap to check (every path named in comments and docs exists;
#      only crate/src/sync.rs names std::sync, by clippy), then the native unit tests of the
#      Rust core (stable toolchain, from the workspace root)
#   2. the core on real pool threads in headless Chromium, then Firefox ESR (wasm-pack test)
#   3. the site build, then type checks of the page and the worker code (separate configs;
#      the worker's types come from the generated engine glue in www/pkg)
#   4. the built site, end to end, in Debian's Chromium (with and without isolation)
#   5. every demo of the built site in Debian's Firefox ESR (selenium-webdriver, geckodriver)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/setup.sh --browser
# build.sh need not check again.
export PLAYGROUND_SET_UP=1

say "1/5 paths named in comments and docs exist (scripts/check-paths.mjs)"
node scripts/check-paths.mjs
say "1/5 only crate/src/sync.rs names std::sync (clippy, crate/clippy.toml)"
# Only these two lints are denied; clippy's other advice stays a warning.
cargo clippy --quiet --all-targets -- -D clippy::disallowed_types -D clippy::disallowed_methods
say "1/5 native tests (cargo test), which also write the page's types (ts-rs)"
# The folder is written afresh, so a type that was renamed or removed leaves no stale file.
rm -rf www/src/generated
cargo test --quiet
if [[ -n "$(git status --porcelain -- www/src/generated)" ]]; then
  git status --short -- www/src/generated
  die "www/src/generated/ is stale: the Rust types changed; commit what cargo test wrote there"
fi

say "2/5 wasm tests on real threads in headless Chromium and Firefox"
bash scripts/test-wasm.sh

say "3/5 build and type checks"
bash scripts/build.sh
tsc -p www/tsconfig.json --noEmit
tsc -p www/tsconfig.worker.json --noEmit

say "4/5 end-to-end tests in Chromium"
# One browser at a time: two would compete for the cores the demos measure.
node --test --test-concurrency=1 tests/e2e/

say "5/5 every demo in Firefox ESR"
node --test --test-concurrency=1 tests/firefox/
