#!/usr/bin/env bash
# Installs what swarmnet and its lab need on a Debian machine (as root), then builds the CLI.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in dockerd:docker.io sshd:openssh-server haproxy:haproxy busybox:busybox-static iptables:iptables ip:iproute2 openssl:openssl nsenter:util-linux hyperfine:hyperfine ab:apache2-utils chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
if ((${#need[@]})); then
  echo "setup: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building" >&2
npm run --silent build >/dev/null
