#!/usr/bin/env bash
# The book's walkthrough (The DevOps 2.1 Toolkit: Docker Swarm, "Docker Swarm Networking and Reverse
# Proxy") on swarmnet's built-in lab: sets the machine up, starts a real 3-node Swarm, and runs the
# chapter's steps. Needs Debian and root. Leaves the lab running; `swarmnet lab down --yes` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
swarmnet() { printf '\n\033[1m$ swarmnet %s\033[0m\n' "$*" >&2; ./bin/run.js "$@"; }
shell() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; "$@"; }

swarmnet lab up
eval "$(./bin/run.js lab env)"
swarmnet node ls

# Start the chapter over if an earlier run left its services behind.
docker service rm proxy go-demo >/dev/null 2>&1 || true
until ! docker network inspect proxy >/dev/null 2>&1 || docker network rm proxy >/dev/null 2>&1; do sleep 0.5; done

swarmnet network create proxy
# No IPVS on this kernel: go-demo is reached by DNS round-robin, the proxy publishes in host mode on every node.
shell docker service create -d --name go-demo --network proxy --endpoint-mode dnsrr --replicas 2 swarmnet-lab/go-demo
shell docker service create -d --name proxy --network proxy --mode global -e SERVICE_NAME=proxy \
  --publish mode=host,target=80,published=80 --publish mode=host,target=8080,published=8080 swarmnet-lab/proxy

echo "waiting for the proxy on every node..." >&2
for ip in $(./bin/run.js node ls --json | node -e 'for (const n of JSON.parse(require("fs").readFileSync(0))) console.log(n.address)'); do
  for _ in $(seq 1 120); do curl -fs "http://$ip:8080/v1/docker-flow-proxy/ping" >/dev/null && break; sleep 0.5; done
done
swarmnet network inspect proxy

shell curl -s "http://$(./bin/run.js node ip node-1):8080/v1/docker-flow-proxy/reconfigure?serviceName=go-demo&servicePath=/demo&port=8080&distribute=true"
echo
for node in node-1 node-2 node-3; do
  shell curl -si "http://$(./bin/run.js node ip $node)/demo/hello"
  echo
done

printf '\nThe lab is still running. Try: eval "$(./bin/run.js lab env)"; ./bin/run.js node env node-2; ./bin/run.js lab status\nRemove it with: ./bin/run.js lab down --yes\n' >&2
