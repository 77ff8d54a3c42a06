#!/usr/bin/env bash
# Installs whatever this machine lacks to build (and, with --browser, to test) the
# playground, and says what it is doing. Safe to run again: each step checks first.
#   scripts/setup.sh            toolchain, wasm-bindgen-cli, npm packages
#   scripts/setup.sh --browser  also what the tests drive: Debian's chromium + chromium-driver
#                               and firefox-esr, geckodriver, and wasm-pack
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

# 1. Rust: the nightly pinned in crate/rust-toolchain.toml, with rust-src and the wasm target.
if ! command -v rustup >/dev/null; then
  die "rustup is not installed; install Rust with rustup first (https://rustup.rs)"
fi
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' crate/rust-toolchain.toml)
if ! (cd crate && rustup component list --installed 2>/dev/null | grep -q '^rust-src') ||
   ! (cd crate && rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown'); then
  say "installing Rust $channel with rust-src and the wasm32 target (about 20 s)"
  (cd crate && rustup toolchain install)
fi

# 1b. clippy for the toolchain of the native tests (the workspace root's, stable): npm test
#     runs it to keep std::sync out of every module but crate/src/sync.rs.
if ! cargo clippy --version >/dev/null 2>&1; then
  say "installing clippy for the native toolchain"
  rustup component add clippy
fi

# 2. wasm-bindgen-cli at exactly the version Cargo.lock holds (the JS glue must match).
wb_version=$(wasm_bindgen_version)
if [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]]; then
  say "installing wasm-bindgen-cli $wb_version (about 4 minutes on 2 cores)"
  # No --locked: the CLI's own lock file names crate versions the registry mirror may lack.
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# 3. npm packages.
if [[ ! -d node_modules/.bin ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

if [[ $want_browser == 1 ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt_updated=0
  apt_install() {
    if [[ $apt_updated == 0 ]]; then
      $SUDO apt-get update -qq
      apt_updated=1
    fi
    $SUDO apt-get install -y -qq "$@" >/dev/null
  }
  # 4. Debian's Chromium and its driver (browser downloads by test tools fail here).
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing chromium and chromium-driver from Debian"
    apt_install chromium chromium-driver
  fi
  # 5. wasm-pack, for the headless wasm tests.
  if ! command -v wasm-pack >/dev/null; then
    say "installing wasm-pack (about 3 minutes)"
    cargo install wasm-pack --locked
  fi
  # 6. Debian's Firefox ESR: the wasm tests and the Firefox smoke (tests/firefox/) run in it.
  if ! command -v firefox-esr >/dev/null; then
    say "installing firefox-esr from Debian"
    apt_install firefox-esr
  fi
  # 7. geckodriver, which drives Firefox for wasm-pack and for selenium-webdriver.
  if [[ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$GECKODRIVER_VERSION" ]]; then
    say "installing geckodriver $GECKODRIVER_VERSION from crates.io (3 to 10 minutes on 2 cores)"
    cargo install geckodriver --version "$GECKODRIVER_VERSION"
  fi
  # 8. selenium-webdriver, the npm package that drives Firefox (playwright-core cannot drive
  #    Debian's Firefox). It is a devDependency, so step 3 installed it; this catches a
  #    node_modules/ that was installed from an older package-lock.json by hand.
  if [[ ! -f node_modules/selenium-webdriver/package.json ]]; then
    say "installing npm packages (selenium-webdriver is missing)"
    npm ci --no-audit --no-fund
  fi
fi
say "set-up complete"
