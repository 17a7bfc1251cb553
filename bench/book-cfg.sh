#!/usr/bin/env bash
# The book's way to read the proxy's haproxy.cfg, looped over its replicas (or for the nodes given):
# docker service ps, then `eval $(docker-machine env $NODE)` (the same variables, read from the same
# store), docker ps --filter, docker exec cat. Usage: book-cfg.sh MANAGER_HOST MACHINE_STORE [NODE...]
set -e
manager=$1 store=$2
shift 2
nodes=("$@")
[ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(docker -H "$manager" service ps proxy --filter desired-state=running --format '{{.Node}}')
for NODE in "${nodes[@]}"; do
  DOCKER_HOST=tcp://$(docker -H "$manager" node inspect "$NODE" --format '{{.Status.Addr}}'):2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$store/machines/$NODE
  export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH
  ID=$(docker ps -q --filter label=com.docker.swarm.service.name=proxy)
  docker exec "$ID" cat /cfg/haproxy.cfg
done
