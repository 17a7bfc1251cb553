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
until [ -z "$(docker network ls -q --filter name=^proxy$)" ]; do docker network rm proxy >/dev/null 2>&1 || sleep 0.5; done

# Step 3: the proxy, and the network it shares with the services it routes to.
# (No IPVS on this kernel: it runs on every node and publishes in host mode; it says so.)
# Unlike the book's -p 8080:8080, the API port is not published (it has no authentication): swarmnet
# reaches each replica over SSH to its node. --publish-api would publish it, and proxy up would warn.
swarmnet proxy up
# go-demo on the proxy network; dnsrr, since without IPVS a service's VIP does not answer.
shell docker service create -d --name go-demo --network proxy --endpoint-mode dnsrr --replicas 2 swarmnet-lab/go-demo
until [ "$(docker service ps go-demo --filter desired-state=running --format '{{.CurrentState}}' | grep -c ^Running)" = 2 ]; do sleep 0.5; done

# Step 4: the route, on every proxy replica, read back from each.
swarmnet route add go-demo /demo 8080 --verify --verify-path /demo/hello
for node in node-1 node-2 node-3; do
  shell curl -si "http://$(./bin/run.js node ip $node)/demo/hello"
  echo
done
# Step 5: the haproxy.cfg every replica wrote, read from each (the book's docker exec ... cat /cfg/haproxy.cfg).
swarmnet inspect cfg
swarmnet route ls
swarmnet proxy status
swarmnet network inspect proxy

printf '\nThe lab is still running. Try: eval "$(./bin/run.js lab env)"; ./bin/run.js route sync --dry-run; ./bin/run.js lab status\nRemove it with: ./bin/run.js lab down --yes\n' >&2
