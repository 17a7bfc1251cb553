#!/usr/bin/env bash
# swarmnet at scale, against bench/fake-docker.mjs (no lab, no SSH): a big cluster (200 nodes, 100 overlays,
# 5,000 running tasks) against a small one (3 nodes, 1 overlay, 10 tasks), each served by its own fake
# engine over a unix socket. Targets: each command at most 1.5x its small-cluster time, under 150 MB max RSS.
# Measured: node ls, network ls (with capacity), network inspect, and doctor's swarm-wide part
# (`doctor --check capacity --check task-errors`: the manager's lists and the checks; no node is reached,
# as the fake's nodes have no SSH). Prints a Markdown table (docs/benchmarks.md, "Scale").
# `RUNS=20 bash bench/scale.sh`; needs hyperfine and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench needs hyperfine: apt-get install -y hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench needs GNU time: apt-get install -y time" >&2; exit 1; }
[ -f dist/swarmnet.cjs ] || npm run --silent build >/dev/null
runs=${RUNS:-20}
out=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$out"' EXIT

serve() { # NAME NODES NETWORKS TASKS PORT
  mkdir -p "$out/$1"
  FAKE_NODES=$2 FAKE_NETWORKS=$3 FAKE_TASKS=$4 node bench/fake-docker.mjs "$out/$1" "$5" > "$out/$1.log" 2>&1 &
  pids+=($!)
  until [ -S "$out/$1/docker.sock" ] && grep -q unix "$out/$1.log"; do sleep 0.1; done
}
serve small 3 1 10 23771
serve big 200 100 5000 23772

sn="node $PWD/bin/run.js"
commands=('node ls --json' 'network ls --json' 'network inspect net-1 --json' 'doctor --check capacity --check task-errors --json' 'FLOOR')
for i in "${!commands[@]}"; do
  c=${commands[$i]}
  # The last row: plain Node fetching and parsing the same four lists (bench/floor-lists.mjs), no swarmnet.
  if [ "$c" = FLOOR ]; then sn="node $PWD/bench/floor-lists.mjs"; c=''; fi
  printf '\n== %s\n' "$c" >&2
  # -i: doctor exits 1 when a check fails; the fake clusters are healthy, but a timing must not hinge on it.
  target() { [ -z "$c" ] && echo "unix://$out/$1/docker.sock" || echo "$c -H unix://$out/$1/docker.sock"; }
  hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$out/t$i.json" -n small "$sn $(target small)" -n big "$sn $(target big)" >&2
  for size in small big; do
    rss=0
    for _ in 1 2 3; do
      r=$(/usr/bin/time -f '%M' sh -c "$sn $(target $size) >/dev/null 2>&1 || true" 2>&1 | tail -1)
      [ "$r" -gt "$rss" ] && rss=$r
    done
    echo "$rss" > "$out/rss$i-$size.txt"
  done
done

node - "$out" "$runs" "${commands[@]}" <<'JS'
const fs = require('fs')
const [dir, runs, ...commands] = process.argv.slice(2)
const ms = (v) => `${(v * 1000).toFixed(0)} ms`
console.log(`Measured ${new Date().toISOString().slice(0, 10)} on ${require('os').cpus().length} cores, Node ${process.version}; hyperfine medians of ${runs} runs (the machine is shared: medians resist the outliers); max RSS the largest of 3 runs (GNU time).\n`)
console.log('| command | 3 nodes, 10 tasks | 200 nodes, 100 networks, 5,000 tasks | ratio (target <= 1.5x) | CPU time (user+sys), small / big | max RSS small / big (target < 150 MB) | met |\n|---|---|---|---|---|---|---|')
commands.forEach((c, i) => {
  const results = JSON.parse(fs.readFileSync(`${dir}/t${i}.json`)).results
  const [small, big] = results.map((r) => r.median)
  // CPU time moves less than wall time when other work shares the cores.
  const [cpuSmall, cpuBig] = results.map((r) => r.user + r.system)
  const [rssSmall, rssBig] = ['small', 'big'].map((s) => Number(fs.readFileSync(`${dir}/rss${i}-${s}.txt`, 'utf8')) / 1024)
  const met = c === 'FLOOR' ? 'reported' : big / small <= 1.5 && rssBig < 150 ? 'yes' : '**no**'
  const what = c === 'FLOOR' ? 'plain Node: the four lists fetched and parsed (`bench/floor-lists.mjs`)' : `\`swarmnet ${c}\``
  console.log(`| ${what} | ${ms(small)} | ${ms(big)} | ${(big / small).toFixed(2)}x | ${ms(cpuSmall)} / ${ms(cpuBig)} (${(cpuBig / cpuSmall).toFixed(2)}x) | ${rssSmall.toFixed(0)} / ${rssBig.toFixed(0)} MB | ${met} |`)
})
JS
