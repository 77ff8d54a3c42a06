#!/usr/bin/env bash
# Builds the whole site into dist/: the threaded wasm engine, then the page with Vite.
# `npm run build` may be the first command on a fresh clone, so this installs what is missing
# first (scripts/setup.sh), unless its caller has just done so and says it with
# PLAYGROUND_SET_UP=1 (scripts/start.sh and scripts/test.sh do).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

[[ "${PLAYGROUND_SET_UP:-}" == 1 ]] || bash scripts/setup.sh

bash scripts/build-wasm.sh
say "building the site with Vite into dist/"
vite build --config www/vite.config.ts --logLevel warn
# The <concurrency-demo> element for other sites: dist/concurrency-demo.js (no wasm).
vite build --config www/vite.element.config.ts --logLevel warn
say "site built: dist/ ($(du -sk dist | cut -f1) KiB)"
