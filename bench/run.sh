#!/usr/bin/env bash
# swarmnet's speed targets, measured with hyperfine against the same engine in one run:
#   swarmnet --version            within 2.5x of  node -e 0
#   swarmnet node ls --json       within 1.5x of  docker node ls --format json
#   swarmnet lab up (3 nodes)     <= 60 s;   swarmnet lab down   <= 15 s
# Needs root and the lab's requirements (scripts/setup.sh installs them). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench needs hyperfine: apt-get install -y hyperfine" >&2; exit 1; }
[ -f dist/lib/argv.js ] || npm run --silent build >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sn="node $PWD/bin/run.js"

$sn lab up >/dev/null 2>&1
sock=unix:///run/swarmnet-lab/node-1/docker.sock

hyperfine -N --warmup 3 --runs 30 --export-json "$out/version.json" 'node -e 0' "$sn --version" >&2
hyperfine -N --warmup 3 --runs 30 --export-json "$out/nodes.json" \
  "docker -H $sock node ls --format json" "$sn node ls --json -H $sock" >&2
hyperfine --runs 3 --prepare "$sn lab down --yes" --export-json "$out/up.json" "$sn lab up" >&2
hyperfine --runs 3 --prepare "$sn lab up" --export-json "$out/down.json" "$sn lab down --yes" >&2
$sn lab up >/dev/null 2>&1

node - "$out" <<'JS'
const fs = require('fs')
const dir = process.argv[2]
const mean = (file, i) => JSON.parse(fs.readFileSync(`${dir}/${file}`)).results[i].mean * 1000
const ms = (v) => `${v.toFixed(v < 100 ? 1 : 0)} ms`
const [node0, version] = [mean('version.json', 0), mean('version.json', 1)]
const [dockerLs, swarmnetLs] = [mean('nodes.json', 0), mean('nodes.json', 1)]
const [up, down] = [mean('up.json', 0), mean('down.json', 0)]
const rows = [
  ['`swarmnet --version` vs `node -e 0`', `${ms(version)} vs ${ms(node0)}`, `${(version / node0).toFixed(2)}x`, 'within 2.5x', version / node0 <= 2.5],
  ['`swarmnet node ls --json` vs `docker node ls --format json`', `${ms(swarmnetLs)} vs ${ms(dockerLs)}`, `${(swarmnetLs / dockerLs).toFixed(2)}x`, 'within 1.5x', swarmnetLs / dockerLs <= 1.5],
  ['`swarmnet lab up` (3 nodes, from nothing)', `${(up / 1000).toFixed(1)} s`, '', '<= 60 s', up <= 60000],
  ['`swarmnet lab down`', `${(down / 1000).toFixed(1)} s`, '', '<= 15 s', down <= 15000],
]
console.log(`Measured ${new Date().toISOString().slice(0, 10)} on ${require('os').cpus().length} cores, Node ${process.version}, hyperfine means.\n`)
console.log('| measurement | time | ratio | target | met |\n|---|---|---|---|---|')
for (const [what, time, ratio, target, met] of rows) console.log(`| ${what} | ${time} | ${ratio} | ${target} | ${met ? 'yes' : '**no**'} |`)
JS
