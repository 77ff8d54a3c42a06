#!/usr/bin/env bash
# Builds the threaded wasm engine and its JS glue into www/pkg.
#   scripts/build-wasm.sh          release build for the site (bundler flavour, for Vite)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

say "building the wasm engine (nightly, build-std, shared memory)"
# Run from crate/ so that crate/rust-toolchain.toml and crate/.cargo/config.toml apply.
# The wasm-release profile (Cargo.toml) optimises for size: every visitor downloads this.
(cd crate && cargo build --lib --profile wasm-release --target wasm32-unknown-unknown)
wasm=target/wasm/wasm32-unknown-unknown/wasm-release/playground.wasm

rm -rf www/pkg
wasm-bindgen --target web --out-dir www/pkg --remove-name-section --remove-producers-section "$wasm"
# wasm-bindgen-rayon's worker helper imports its main module as '../../..'; Vite resolves
# that folder to this package only if the folder has a package.json.
cat > www/pkg/package.json <<'JSON'
{ "name": "playground-engine", "version": "0.0.0", "type": "module", "main": "playground.js", "types": "playground.d.ts", "sideEffects": false }
JSON
grep -q 'shared:true\|shared: true' www/pkg/playground.js ||
  die "the generated JS does not create a shared memory: the atomics linker flags were not applied"
say "engine built: $(du -k www/pkg/playground_bg.wasm | cut -f1) KiB wasm, $(gzip -9 -c www/pkg/playground_bg.wasm | wc -c | awk '{printf "%d", $1/1024}') KiB gzipped"
