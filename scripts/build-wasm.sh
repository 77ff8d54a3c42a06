#!/usr/bin/env bash
# Builds the threaded wasm engines and their JS glue into www/pkg/<engine>/: one build per
# engine (crate/src/demos/mod.rs ENGINES, each a cargo feature), so that a page downloads the
# engine of its demo only.
#   scripts/build-wasm.sh          release builds for the site (bundler flavour, for Vite)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# The engines, as the registry names them (a test keeps www/src/generated/engines.ts in step).
ENGINES=(primitives hazards io data async memory)

# Extra cargo arguments per engine. The data engine's kernels are loops over pixels and
# numbers: opt-level 3 for this crate alone (std and the dependencies stay at "z") lets LLVM
# unroll and vectorise them, with the SIMD instructions that the image kernels enable
# (crate/src/demos/images/filters.rs). Measured by scripts/bench-data.mjs on a 2048 × 1536
# adaptive mean, one thread: 303 ms at "z", 41 ms at 3, 18-30 ms at 3 with SIMD; native 14-22
# ms. It costs 23 KB of gzipped wasm. A new engine gets "z" unless it says otherwise here.
cargo_args_of() {
  case "$1" in
    data) echo "--config profile.wasm-release.package.playground.opt-level=3" ;;
    *) echo "" ;;
  esac
}

# One engine: the cargo build (in target dir $2) and its JS glue.
build_engine() {
  local engine=$1 target=$2
  # Run from crate/ so that crate/rust-toolchain.toml and crate/.cargo/config.toml apply.
  # The wasm-release profile (Cargo.toml) optimises for size: every visitor downloads this.
  # shellcheck disable=SC2046 # the extra arguments are words
  (cd crate && CARGO_TARGET_DIR="$target" cargo build --lib --profile wasm-release --target wasm32-unknown-unknown --no-default-features --features "$engine" $(cargo_args_of "$engine"))
  local wasm=$target/wasm32-unknown-unknown/wasm-release/playground.wasm
  local out=www/pkg/$engine
  wasm-bindgen --target web --out-dir "$out" --remove-name-section --remove-producers-section "$wasm"
  # wasm-bindgen-rayon's worker helper imports its main module as '../../..'; Vite resolves
  # that folder to this package only if the folder has a package.json.
  cat > "$out/package.json" <<JSON
{ "name": "playground-engine-$engine", "version": "0.0.0", "type": "module", "main": "playground.js", "types": "playground.d.ts", "sideEffects": false }
JSON
  grep -q 'shared:true\|shared: true' "$out/playground.js" ||
    die "the generated JS does not create a shared memory: the atomics linker flags were not applied"
  say "$engine engine built: $(du -k "$out/playground_bg.wasm" | cut -f1) KiB wasm, $(gzip -9 -c "$out/playground_bg.wasm" | wc -c | awk '{printf "%d", $1/1024}') KiB gzipped"
}

# Two lanes of engines, built side by side in target dirs of their own (cargo locks a target
# dir for a whole build). Most of an engine's build is one crate compiled as one codegen unit
# and linked with fat LTO, on one core; a second lane keeps the other core busy. Each lane
# builds std once (build-std). Measured on 2 cores, idle: 3 min 41 s one after another.
# PLAYGROUND_ENGINE_LANES=1 builds them one after another in one target dir.
# PLAYGROUND_ONLY_ENGINES="memory" rebuilds the engines it names and keeps the others' builds
# (for working on one demo; the site needs every engine built once).
if [[ -n "${PLAYGROUND_ONLY_ENGINES:-}" ]]; then
  read -r -a ENGINES <<<"$PLAYGROUND_ONLY_ENGINES"
  for e in "${ENGINES[@]}"; do rm -rf "www/pkg/$e"; done
else
  rm -rf www/pkg
fi
lanes=${PLAYGROUND_ENGINE_LANES:-2}
say "building the engines ${ENGINES[*]} (nightly, build-std, shared memory) in $lanes lane(s)"
pids=()
for ((lane = 0; lane < lanes; lane++)); do
  target=$PWD/target/wasm
  ((lane == 0)) || target=$PWD/target/wasm-lane$lane
  (
    for ((i = lane; i < ${#ENGINES[@]}; i += lanes)); do
      build_engine "${ENGINES[$i]}" "$target"
    done
  ) &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
((failed == 0)) || die "an engine did not build (its cargo output is above)"
