#!/usr/bin/env bash
# Runs the browser tests of the threaded wasm build (crate/tests/web.rs) in headless Chromium.
#   scripts/test-wasm.sh                 all tests
#   scripts/test-wasm.sh -- --nocapture  extra arguments go to the test runner (after `--`)
# Needs what `scripts/setup.sh --browser` installs: the pinned nightly, wasm-bindgen-cli at the
# Cargo.lock version (it provides wasm-bindgen-test-runner), wasm-pack, chromium, chromedriver.
# Downloads nothing: `--mode no-install` makes wasm-pack use the tools on PATH or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

command -v wasm-pack >/dev/null || die "wasm-pack is missing; run scripts/setup.sh --browser"
command -v chromedriver >/dev/null || die "chromedriver is missing; run scripts/setup.sh --browser"
wb_version=$(wasm_bindgen_version)
[[ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" == "$wb_version" ]] ||
  die "wasm-bindgen-test-runner $wb_version is missing (it comes with wasm-bindgen-cli); run scripts/setup.sh"
# RUSTFLAGS would replace crate/.cargo/config.toml's flags and give a non-shared memory.
[[ -z "${RUSTFLAGS:-}" ]] || die "unset RUSTFLAGS (use CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS)"

# wasm-pack passes `--features no-bundler` to cargo: wasm-bindgen-rayon's default worker helper
# imports '../../..', which only a bundler resolves, and the pool would never start.
extra=()
if [[ "${1:-}" == "--" ]]; then
  shift
  extra=(-- "$@")
fi

say "running the wasm browser tests (headless Chromium, dedicated worker, pool of 2)"
# Run from crate/ so that crate/rust-toolchain.toml (nightly) and crate/.cargo/config.toml
# (atomics, shared memory, panic=unwind, build-std) apply. chromedriver is found on PATH.
# wasm-pack's own output goes to stderr, the runner's summary to stdout: both are shown, and
# wasm-pack exits non-zero when a test fails.
# The runner's default 20 s per test binary is
# too short for a loaded 2-core machine; a hang still fails, after 3 minutes.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
(cd crate && wasm-pack --log-level warn test --headless --chrome --mode no-install \
  -- --features no-bundler "${extra[@]}")
say "wasm browser tests passed"
