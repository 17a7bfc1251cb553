#!/usr/bin/env bash
# Writes docs/commands.md, the command reference, from the built CLI's help (`oclif readme`, between the
# file's <!-- commands --> markers). `--check` writes a temporary copy instead and fails when the committed
# file differs. Needs a build (`npm run build`). The width is fixed and the update check off, so every
# machine writes the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/swarmnet.cjs ] || { echo "docs/commands.md is generated from the build: run 'npm run build' first" >&2; exit 1; }
generate() {
  COLUMNS=120 OCLIF_SKIP_NEW_VERSION_CHECK=true node_modules/.bin/oclif readme --readme-path "$1" --no-source-links >/dev/null
}

if [ "${1:-}" != --check ]; then
  generate docs/commands.md
  exit 0
fi
copy=$(mktemp --suffix=.md)
trap 'rm -f "$copy"' EXIT
cp docs/commands.md "$copy"
generate "$copy"
if ! diff -u --label docs/commands.md --label 'generated from the build' docs/commands.md "$copy" >&2; then
  echo "docs/commands.md is stale: run 'npm run build && npm run docs' and commit it" >&2
  exit 1
fi
