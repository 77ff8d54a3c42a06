#!/usr/bin/env bash
# Builds the threaded wasm engines and their JS glue into www/pkg/<engine>/: one build per
# engine (crate/src/demos/mod.rs ENGINES, each a cargo feature), so that a page downloads the
# engine of its demo only.
#   scripts/build-wasm.sh          release builds for the site (bundler flavour, for Vite)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# The engines, as the registry names them (a test keeps www/src/generated/engines.ts in step).
ENGINES=(primitives hazards io)

rm -rf www/pkg
for engine in "${ENGINES[@]}"; do
  say "building the $engine engine (nightly, build-std, shared memory)"
  # Run from crate/ so that crate/rust-toolchain.toml and crate/.cargo/config.toml apply.
  # The wasm-release profile (Cargo.toml) optimises for size: every visitor downloads this.
  (cd crate && cargo build --lib --profile wasm-release --target wasm32-unknown-unknown --no-default-features --features "$engine")
  wasm=target/wasm/wasm32-unknown-unknown/wasm-release/playground.wasm
  out=www/pkg/$engine
  wasm-bindgen --target web --out-dir "$out" --remove-name-section --remove-producers-section "$wasm"
  # wasm-bindgen-rayon's worker helper imports its main module as '../../..'; Vite resolves
  # that folder to this package only if the folder has a package.json.
  cat > "$out/package.json" <<JSON
{ "name": "playground-engine-$engine", "version": "0.0.0", "type": "module", "main": "playground.js", "types": "playground.d.ts", "sideEffects": false }
JSON
  grep -q 'shared:true\|shared: true' "$out/playground.js" ||
    die "the generated JS does not create a shared memory: the atomics linker flags were not applied"
  say "$engine engine built: $(du -k "$out/playground_bg.wasm" | cut -f1) KiB wasm, $(gzip -9 -c "$out/playground_bg.wasm" | wc -c | awk '{printf "%d", $1/1024}') KiB gzipped"
done
