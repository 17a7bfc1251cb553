#!/usr/bin/env bash
# swarmnet's speed targets, measured with hyperfine against the same lab in one run:
#   swarmnet --version                     within 1.6x of  node -e 0
#   swarmnet node ls --json                within 1.5x of  plain Node making the same request
#                                          (bench/floor-node-ls.mjs), over the unix socket and over TLS
#   network ls, network inspect, node ip   within 1.1x of  swarmnet node ls --json (the same start-up)
#   swarmnet lab up (3 nodes)              <= 60 s;   swarmnet lab down   <= 15 s
#   swarmnet proxy up                      notices convergence within 1 s of the last task running
#   swarmnet route add (one replica)       at most 200 ms more than a bare curl of the same reconfigure
#   swarmnet route add (3 replicas)        over SSH to each node (the API unpublished, the default) at most
#                                          300 ms more than the same call to the published port (--publish-api)
#   swarmnet route sync, 100 routes        <= 15 s onto 3 empty replicas; a second sync <= 1 s
#   swarmnet inspect cfg --raw             all replicas of a global proxy on 6 nodes: <= 0.6x the book's
#                                          shell pipeline looped over the replicas; one replica: <= 2x it
#   swarmnet doctor, mesh check            on 6 nodes at most 1.3x their time on 3; one SSH connection per node
#   swarmnet lb test --requests 1000       through the proxy: >= 80% of ab's throughput from here
# At scale (200 nodes, 100 networks, 5,000 tasks against a fake engine): bench/scale.sh.
# Needs root and the lab's requirements (scripts/setup.sh installs them). Prints a Markdown table: the report
# is docs/benchmarks.md, where the table goes between the <!-- bench --> markers, with what it shows.
# `bash bench/run.sh startup` runs only the start-up rows; `bash bench/run.sh api` only the private-API row.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench needs hyperfine: apt-get install -y hyperfine" >&2; exit 1; }
[ -f dist/swarmnet.cjs ] || npm run --silent build >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sn="node $PWD/bin/run.js"
sock=unix:///run/swarmnet-lab/node-1/docker.sock
dk() { docker -H "$sock" "$@"; }
say() { printf '\n== %s\n' "$*" >&2; }

scope=${1:-all}
$sn lab up >/dev/null 2>&1
env_lab="MACHINE_STORAGE_PATH=/var/lib/swarmnet-lab/machine DOCKER_CONFIG=/var/lib/swarmnet-lab/docker SWARMNET_SSH_CONFIG=/var/lib/swarmnet-lab/ssh/config"
clean() { dk service rm $(dk service ls -q) >/dev/null 2>&1 || true; until [ -z "$(dk network ls -q --filter name=^proxy$)" ]; do dk network rm proxy >/dev/null 2>&1 || sleep 0.5; done; }

# route add on the 3 replicas of a global proxy: to the published port (--publish-api), then privately
# (the default: SSH to each node, forwarded to the container's docker_gwbridge address). Same environment.
private_api() {
  say "route add on 3 replicas: the published API port vs over SSH (not published)"
  clean
  env $env_lab $sn proxy up --publish-api --env RELOAD_MIN_MS=0 -H "$sock" >/dev/null 2>&1
  dk service create -d --name go-demo --network proxy --endpoint-mode dnsrr swarmnet-lab/go-demo >/dev/null 2>&1
  until [ "$(dk service ps go-demo --filter desired-state=running --format '{{.CurrentState}}' | grep -c ^Running)" = 1 ]; do sleep 0.3; done
  env $env_lab $sn route add go-demo /demo 8080 --json -H "$sock" > "$out/api-published-via.json"
  hyperfine -N --warmup 2 --runs 20 --export-json "$out/api-published.json" "env $env_lab $sn route add go-demo /demo 8080 -H $sock" >&2
  env $env_lab $sn proxy up --update --no-sync --env RELOAD_MIN_MS=0 -H "$sock" >/dev/null 2>&1 || { echo "proxy up --update failed" >&2; exit 1; }
  env $env_lab $sn route add go-demo /demo 8080 --json -H "$sock" > "$out/api-private-via.json"
  hyperfine -N --warmup 2 --runs 20 --export-json "$out/api-private.json" "env $env_lab $sn route add go-demo /demo 8080 -H $sock" >&2
  clean
}

if [ "$scope" = api ]; then private_api; fi
if [ "$scope" != api ]; then
say "start-up"
# node-1's engine over TLS, with the client certificate `swarmnet lab env node-1` points at. Both sides
# of each comparison get the same environment. A command's first run (a warm-up) writes its code cache.
tls=tcp://10.213.0.11:2376
certs=/var/lib/swarmnet-lab/machine/machines/node-1
floor="node $PWD/bench/floor-node-ls.mjs"
hyperfine -N --warmup 3 --runs 30 --export-json "$out/version.json" 'node -e 0' "$sn --version" >&2
hyperfine -N --warmup 3 --runs 30 --export-json "$out/nodes-sock.json" \
  "$floor $sock" "$sn node ls --json -H $sock" "docker -H $sock node ls --format json" >&2
DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$certs hyperfine -N --warmup 3 --runs 30 --export-json "$out/nodes-tls.json" \
  "$floor $tls" "$sn node ls --json -H $tls" >&2
hyperfine -N --warmup 3 --runs 30 --export-json "$out/reads.json" "$sn node ls --json -H $sock" \
  "$sn network ls --json -H $sock" "$sn network inspect ingress --json -H $sock" "$sn node ip node-1 -H $sock" >&2
fi

if [ "$scope" = all ]; then
  say "lab up / lab down"
  hyperfine --runs 3 --prepare "$sn lab down --yes" --export-json "$out/up.json" "$sn lab up" >&2
  hyperfine --runs 3 --prepare "$sn lab up" --export-json "$out/down.json" "$sn lab down --yes" >&2
  $sn lab up >/dev/null 2>&1
  # The proxy's API is private by default: swarmnet reaches each replica over SSH with the lab's config.
  export $env_lab

  say "proxy up: from the last task running to swarmnet noticing"
  clean
  for run in 1 2 3; do
    $sn proxy up --json -H "$sock" > "$out/up-$run.json" || { cat "$out/up-$run.json" >&2; exit 1; }
    $sn proxy down --yes -H "$sock" >/dev/null
    until [ -z "$(dk ps -q --filter label=com.docker.swarm.service.name=proxy)" ]; do sleep 0.2; done
  done

  say "route add on one replica vs a bare curl of the same reconfigure call"
  clean
  $sn proxy up --replicas 1 --publish-mode host --publish-api --env RELOAD_MIN_MS=0 -H "$sock" >/dev/null 2>&1
  dk service create -d --name go-demo --network proxy --endpoint-mode dnsrr swarmnet-lab/go-demo >/dev/null 2>&1
  until [ "$(dk service ps go-demo --filter desired-state=running --format '{{.CurrentState}}' | grep -c ^Running)" = 1 ]; do sleep 0.3; done
  ip=$($sn node ip "$(dk service ps proxy --filter desired-state=running --format '{{.Node}}')" -H "$sock")
  hyperfine -N --warmup 2 --runs 20 --export-json "$out/route-add.json" \
    "curl -sf http://$ip:8080/v1/docker-flow-proxy/reconfigure?serviceName=go-demo&servicePath=/demo&port=8080" \
    "$sn route add go-demo /demo 8080 -H $sock" >&2

  private_api

  say "route sync: 100 routes (100 services, one task each) onto 3 empty replicas"
  clean
  $sn network create proxy -H "$sock" >/dev/null
  for i in $(seq -w 1 100); do
    dk service create -d --name "r$i" --network proxy --endpoint-mode dnsrr --label com.df.notify=true \
      --label "com.df.servicePath=/r$i" --label com.df.port=8080 swarmnet-lab/go-demo >/dev/null 2>&1
  done
  until [ "$(dk service ls --format '{{.Replicas}}' | grep -c '^1/1$')" = 100 ]; do sleep 1; done
  fresh() { echo "$sn proxy down --yes -H $sock >/dev/null; until [ -z \"\$(docker -H $sock ps -q --filter label=com.docker.swarm.service.name=proxy)\" ]; do sleep 0.2; done; $sn proxy up --no-sync --env RELOAD_MIN_MS=$1 -H $sock >/dev/null"; }
  hyperfine --runs 3 --prepare "$(fresh 0)" --export-json "$out/sync.json" "$sn route sync -H $sock" >&2
  hyperfine --runs 5 --export-json "$out/sync-again.json" "$sn route sync -H $sock" >&2
  # One replica alone, as on a cluster where each replica has its node's CPU (the lab's three share 2 cores).
  hyperfine --runs 1 --prepare "$(fresh 0) --mode replicated --replicas 1" --export-json "$out/sync-one.json" "$sn route sync -H $sock" >&2
  # The real proxy spends ~0.5 s per reconfigure (anchors §7): the same sync with the lab proxy doing so.
  hyperfine --runs 1 --prepare "$(fresh 500)" --export-json "$out/sync-500.json" "$sn route sync -H $sock" >&2
  # Concurrent calls to one replica: did every route land the first time? (read back, not assumed)
  eval "$(fresh 0)"
  $sn route sync --json -H "$sock" > "$out/sync-result.json" || { cat "$out/sync-result.json" >&2; exit 1; }
  clean

  say "lb test through the proxy vs ab, 1000 requests, 10 at a time"
  $sn proxy up -H "$sock" >/dev/null 2>&1
  dk service create -d --name go-demo --network proxy --endpoint-mode dnsrr --replicas 3 swarmnet-lab/go-demo >/dev/null 2>&1
  until [ "$(dk service ps go-demo --filter desired-state=running --format '{{.CurrentState}}' | grep -c ^Running)" = 3 ]; do sleep 0.3; done
  $sn route add go-demo /demo 8080 -H "$sock" >/dev/null
  url=http://10.213.0.12/demo/hello
  ab -q -n 1000 -c 10 "$url" 2>/dev/null | sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' > "$out/ab.txt"
  $sn lb test "$url" --requests 1000 --concurrency 10 --json -H "$sock" > "$out/lb.json"

  say "doctor and mesh check on 3 nodes"
  sshd_logins() { cat /var/lib/swarmnet-lab/nodes/*/ssh/sshd.log 2>/dev/null | grep -c 'Accepted publickey' || true; }
  # The whole machine's CPU time (user+nice+system+irq+softirq, in 1/100 s): the nodes' share of a run.
  cpu_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
  before=$(sshd_logins); ticks=$(cpu_ticks); env $env_lab $sn doctor --json -H "$sock" > "$out/doctor3.json" || true
  echo $(( $(cpu_ticks) - ticks )) > "$out/cpu3.txt"; echo $(( $(sshd_logins) - before )) > "$out/logins3.txt"
  hyperfine -N -i --warmup 1 --runs 5 --export-json "$out/diag3.json" "env $env_lab $sn doctor -H $sock" "$sn mesh check proxy -H $sock" >&2
  clean

  say "inspect cfg on 6 nodes vs the book's pipeline (docker service ps, docker-machine env, docker ps, docker exec cat)"
  $sn lab down --yes >/dev/null 2>&1
  $sn lab up --nodes 6 >/dev/null 2>&1
  $sn proxy up -H "$sock" >/dev/null 2>&1
  dk service create -d --name go-demo --network proxy --endpoint-mode dnsrr swarmnet-lab/go-demo >/dev/null 2>&1
  until [ "$(dk service ps go-demo --filter desired-state=running --format '{{.CurrentState}}' | grep -c ^Running)" = 1 ]; do sleep 0.3; done
  $sn route add go-demo /demo 8080 -H "$sock" >/dev/null
  machines=/var/lib/swarmnet-lab/machine
  env_lab="MACHINE_STORAGE_PATH=$machines DOCKER_CONFIG=/var/lib/swarmnet-lab/docker SWARMNET_SSH_CONFIG=/var/lib/swarmnet-lab/ssh/config"
  hyperfine -N --warmup 1 --runs 10 --export-json "$out/cfg-all.json" "bash bench/book-cfg.sh $sock $machines" "env $env_lab $sn inspect cfg --raw -H $sock" >&2
  hyperfine -N --warmup 1 --runs 10 --export-json "$out/cfg-one.json" "bash bench/book-cfg.sh $sock $machines node-2" "env $env_lab $sn inspect cfg --raw --node node-2 -H $sock" >&2

  say "doctor and mesh check on 6 nodes"
  before=$(sshd_logins); ticks=$(cpu_ticks); env $env_lab $sn doctor --json -H "$sock" > "$out/doctor6.json" || true
  echo $(( $(cpu_ticks) - ticks )) > "$out/cpu6.txt"; echo $(( $(sshd_logins) - before )) > "$out/logins6.txt"
  hyperfine -N -i --warmup 1 --runs 5 --export-json "$out/diag6.json" "env $env_lab $sn doctor -H $sock" "$sn mesh check proxy -H $sock" >&2
  $sn lab down --yes >/dev/null 2>&1
  $sn lab up >/dev/null 2>&1
fi

node - "$out" "${1:-all}" <<'JS'
const fs = require('fs')
const [dir, scope] = process.argv.slice(2)
const read = (file) => JSON.parse(fs.readFileSync(`${dir}/${file}`))
const mean = (file, i = 0) => read(file).results[i].mean * 1000
const ms = (v) => `${v.toFixed(v < 100 ? 1 : 0)} ms`
const s = (v) => `${(v / 1000).toFixed(1)} s`
const x = (a, b) => `${(a / b).toFixed(2)}x`
const rows = []
if (scope !== 'api') {
const [node0, version] = [mean('version.json', 0), mean('version.json', 1)]
const [floorSock, lsSock, dockerLs] = [0, 1, 2].map((i) => mean('nodes-sock.json', i))
const [floorTls, lsTls] = [0, 1].map((i) => mean('nodes-tls.json', i))
const [lsAgain, ...reads] = read('reads.json').results.map((r) => r.mean * 1000)
rows.push(
  ['`swarmnet --version` vs `node -e 0`', `${ms(version)} vs ${ms(node0)}`, x(version, node0), 'within 1.6x', version / node0 <= 1.6],
  ['`swarmnet node ls --json` vs plain Node\'s request (`bench/floor-node-ls.mjs`), unix socket', `${ms(lsSock)} vs ${ms(floorSock)}`, x(lsSock, floorSock), 'within 1.5x', lsSock / floorSock <= 1.5],
  ['`swarmnet node ls --json` vs plain Node\'s request, TLS', `${ms(lsTls)} vs ${ms(floorTls)}`, x(lsTls, floorTls), 'within 1.5x', lsTls / floorTls <= 1.5],
  ['`swarmnet node ls --json` vs `docker node ls --format json` (a Go binary)', `${ms(lsSock)} vs ${ms(dockerLs)}`, x(lsSock, dockerLs), 'reported', true],
  ...['network ls --json', 'network inspect ingress --json', 'node ip node-1'].map((command, i) => [
    `\`swarmnet ${command}\` vs \`swarmnet node ls --json\``, `${ms(reads[i])} vs ${ms(lsAgain)}`, x(reads[i], lsAgain), 'within 1.1x', reads[i] / lsAgain <= 1.1,
  ]),
)
}
if (scope !== 'startup') {
  const [published, privately] = [mean('api-published.json'), mean('api-private.json')]
  const vias = (file) => [...new Set(read(file).replicas.map((r) => r.via))].join(', ')
  rows.push(['`route add`, 3 replicas: over SSH (API not published) vs the published port', `${ms(privately)} (${vias('api-private-via.json')}) vs ${ms(published)} (${vias('api-published-via.json')})`, `+${ms(privately - published)}`, '<= +300 ms', privately - published <= 300 && vias('api-private-via.json') === 'ssh-tunnel'])
}
if (scope === 'all') {
  const [up, down] = [mean('up.json'), mean('down.json')]
  const lags = [1, 2, 3].map((run) => {
    const r = read(`up-${run}.json`)
    return Date.parse(r.convergence.noticedAt) - Date.parse(r.convergence.lastRunningAt)
  })
  const [curl, add] = [mean('route-add.json', 0), mean('route-add.json', 1)]
  const [sync, again, sync500, syncOne] = [mean('sync.json'), mean('sync-again.json'), mean('sync-500.json'), mean('sync-one.json')]
  const result = read('sync-result.json')
  const resent = result.replicas.reduce((n, r) => n + r.resent.length, 0)
  const held = result.replicas.every((r) => r.result === 'ok' && r.added.length === 100)
  rows.push(
    ['`swarmnet lab up` (3 nodes, from nothing)', s(up), '', '<= 60 s', up <= 60000],
    ['`swarmnet lab down`', s(down), '', '<= 15 s', down <= 15000],
    ['`proxy up`: last task running → noticed (3 runs)', lags.map((l) => `${l} ms`).join(', '), '', '<= 1 s', Math.max(...lags) <= 1000],
    ['`route add` (one replica) vs `curl` of the same reconfigure', `${ms(add)} vs ${ms(curl)}`, `+${ms(add - curl)}`, '<= +200 ms', add - curl <= 200],
    ['`route sync`: 100 routes onto 3 empty replicas', s(sync), '', '<= 15 s', sync <= 15000],
    ['`route sync` again, nothing to send', ms(again), '', '<= 1 s', again <= 1000],
    ['`route sync`: 100 routes onto 1 empty replica (the lab to itself)', s(syncOne), '', 'reported', true],
    ['`route sync`, 100 routes, proxy at 0.5 s per reconfigure (as the real one)', s(sync500), `${(sync500 / sync).toFixed(1)}x the fast proxy`, 'reported', true],
    ['concurrent reconfigures to one replica (4 in flight): routes lost and re-sent', `${resent} of 300`, '', 'reported', held],
  )
  const ab = Number(fs.readFileSync(`${dir}/ab.txt`, 'utf8'))
  const lb = read('lb.json').throughput
  const [doctor3, mesh3, doctor6, mesh6] = [mean('diag3.json', 0), mean('diag3.json', 1), mean('diag6.json', 0), mean('diag6.json', 1)]
  const opened = (n) => read(`doctor${n}.json`).error?.details?.sshConnections ?? read(`doctor${n}.json`).sshConnections
  const cpu = (n) => Number(fs.readFileSync(`${dir}/cpu${n}.txt`, 'utf8').trim()) * 10
  const logins = (n) => Number(fs.readFileSync(`${dir}/logins${n}.txt`, 'utf8').trim())
  const connections = (n) => `${opened(n)} (sshd saw ${logins(n)} logins)`
  rows.push(
    ['`lb test` 1000 requests through the proxy vs `ab` (10 at a time)', `${lb}/s vs ${ab}/s`, `${(lb / ab).toFixed(2)}x`, '>= 0.8x', lb / ab >= 0.8],
    ['`doctor`: 6 nodes vs 3 nodes', `${ms(doctor6)} vs ${ms(doctor3)}`, `${(doctor6 / doctor3).toFixed(2)}x`, '<= 1.3x', doctor6 / doctor3 <= 1.3],
    ['`mesh check proxy`: 6 nodes vs 3 nodes', `${ms(mesh6)} vs ${ms(mesh3)}`, `${(mesh6 / mesh3).toFixed(2)}x`, '<= 1.3x', mesh6 / mesh3 <= 1.3],
    ['`doctor`: the machine\'s CPU time for one run, 3 / 6 nodes (all nodes share 2 cores)', `${s(cpu(3))} / ${s(cpu(6))}`, `${(cpu(6) / cpu(3)).toFixed(2)}x`, 'reported', true],
    ['`doctor`: SSH connections on 3 / 6 nodes', `${connections(3)} / ${connections(6)}`, '', 'one per node', [3, 6].every((n) => opened(n) === n && logins(n) === n)],
  )
  const [bookAll, cfgAll] = [mean('cfg-all.json', 0), mean('cfg-all.json', 1)]
  const [bookOne, cfgOne] = [mean('cfg-one.json', 0), mean('cfg-one.json', 1)]
  rows.push(
    ['`inspect cfg --raw`, 6 replicas (6 nodes) vs the book\'s pipeline looped', `${ms(cfgAll)} vs ${ms(bookAll)}`, `${(cfgAll / bookAll).toFixed(2)}x`, '<= 0.6x', cfgAll / bookAll <= 0.6],
    ['`inspect cfg --raw --node`, one replica vs the book\'s pipeline', `${ms(cfgOne)} vs ${ms(bookOne)}`, `${(cfgOne / bookOne).toFixed(2)}x`, '<= 2x', cfgOne / bookOne <= 2],
  )
}
console.log(`Measured ${new Date().toISOString().slice(0, 10)} on ${require('os').cpus().length} cores, Node ${process.version}, hyperfine means.\n`)
console.log('| measurement | time | ratio | target | met |\n|---|---|---|---|---|')
for (const [what, time, ratio, target, met] of rows) console.log(`| ${what} | ${time} | ${ratio} | ${target} | ${met ? 'yes' : '**no**'} |`)
JS
