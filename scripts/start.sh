#!/usr/bin/env bash
# `npm start`: installs what is missing, builds everything, and serves the playground on
# localhost with the cross-origin isolation headers that real threads need.
#   PORT=9000 npm start      another port
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/setup.sh
# build.sh need not check again.
export PLAYGROUND_SET_UP=1
bash scripts/build.sh
exec node scripts/serve.mjs --port "${PORT:-8080}"
