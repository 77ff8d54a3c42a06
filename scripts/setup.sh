#!/usr/bin/env bash
# Installs whatever this machine lacks to build (and, with --browser, to test) the
# playground, and says what it is doing. Safe to run again: each step checks first.
#   scripts/setup.sh            toolchain, wasm-bindgen-cli, npm packages
#   scripts/setup.sh --browser  also Debian's chromium + chromium-driver, and wasm-pack
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
  # 4. Debian's Chromium and its driver (browser downloads by test tools fail here).
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing chromium and chromium-driver from Debian"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  # 5. wasm-pack, for the headless wasm tests.
  if ! command -v wasm-pack >/dev/null; then
    say "installing wasm-pack (about 3 minutes)"
    cargo install wasm-pack --locked
  fi
fi
say "set-up complete"
