#!/usr/bin/env bash
# Runs the browser tests of the threaded wasm build (crate/tests/web.rs) in headless Chromium,
# then the same build in headless Firefox ESR.
#   scripts/test-wasm.sh                 all tests, in both browsers
#   scripts/test-wasm.sh -- --nocapture  extra arguments go to the test runner (after `--`)
#   WASM_TEST_BROWSERS=firefox scripts/test-wasm.sh   one browser only (chrome, firefox)
# Needs what `scripts/setup.sh --browser` installs: the pinned nightly, wasm-bindgen-cli at the
# Cargo.lock version (it provides wasm-bindgen-test-runner), wasm-pack, chromium, chromedriver,
# firefox-esr and geckodriver.
# Downloads nothing: `--mode no-install` makes wasm-pack use the tools on PATH or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

command -v wasm-pack >/dev/null || die "wasm-pack is missing; run scripts/setup.sh --browser"
browsers=(${WASM_TEST_BROWSERS:-chrome firefox})
for b in "${browsers[@]}"; do
  case $b in
    chrome) command -v chromedriver >/dev/null || die "chromedriver is missing; run scripts/setup.sh --browser" ;;
    firefox)
      command -v firefox-esr >/dev/null || die "firefox-esr is missing; run scripts/setup.sh --browser"
      [[ -x "${GECKODRIVER:=$HOME/.cargo/bin/geckodriver}" ]] || die "geckodriver is missing at $GECKODRIVER; run scripts/setup.sh --browser" ;;
    *) die "WASM_TEST_BROWSERS: unknown browser \"$b\" (chrome, firefox)" ;;
  esac
done
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

# Run from crate/ so that crate/rust-toolchain.toml (nightly) and crate/.cargo/config.toml
# (atomics, shared memory, panic=unwind, build-std) apply. chromedriver is found on PATH,
# geckodriver through $GECKODRIVER (wasm-pack would otherwise try to download one). The test
# runner drives Firefox whenever GECKODRIVER is set, whatever wasm-pack was asked, so the
# Chromium run goes without it. Both browsers run the same test build: the second run
# compiles nothing.
# wasm-pack's own output goes to stderr, the runner's summary to stdout: both are shown, and
# wasm-pack exits non-zero when a test fails.
# The runner's default 20 s per test binary is
# too short for a loaded 2-core machine; a hang still fails, after 3 minutes.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
for b in "${browsers[@]}"; do
  name=$([[ $b == chrome ]] && echo Chromium || echo "Firefox ESR")
  say "running the wasm browser tests (headless $name, dedicated worker, pool of 2)"
  driver=(-u GECKODRIVER)
  [[ $b == firefox ]] && driver=("GECKODRIVER=$GECKODRIVER")
  # `--test web`: only crate/tests/web.rs. The library's own #[test]s are native tests (step 1);
  # built for wasm they were a second, 133 MB test module that ran nothing.
  (cd crate && env "${driver[@]}" wasm-pack --log-level warn test --headless "--$b" --mode no-install \
    -- --features no-bundler --test web "${extra[@]}")
done
say "wasm browser tests passed (${browsers[*]})"
