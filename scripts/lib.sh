# Shared helpers for the scripts in this folder (sourced, not run).
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
SUDO=""
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null; then SUDO=sudo; fi

# The wasm-bindgen version Cargo.lock resolved (the crate pins it with "=").
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# geckodriver, built from crates.io by `scripts/setup.sh --browser` into ~/.cargo/bin.
GECKODRIVER_VERSION=0.37.1
