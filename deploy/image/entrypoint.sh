#!/bin/sh
# The image's entry point (under tini, which forwards SIGTERM and reaps orphans): prepares
# what the container needs and runs the Offload server in its place (it drains on SIGTERM).
set -eu

# Per-session cgroups on cgroup v2. The server makes its groups under /sys/fs/cgroup and must
# first enable the cpu, memory and pids controllers for the groups below it, which the kernel
# refuses while processes sit in that group itself ("no internal processes"). In a container
# with its own cgroup namespace /sys/fs/cgroup is the container's group and holds tini and
# this script, so move them into a child group first (as docker-in-docker does). Only when
# the group is writable (a privileged container; see deploy/README.md) and this really is the
# namespace's root ("0::/"), never on a host's own hierarchy.
if [ "$(id -u)" = 0 ] && [ -f /sys/fs/cgroup/cgroup.controllers ] &&
  [ -w /sys/fs/cgroup/cgroup.subtree_control ] && [ "$(cat /proc/self/cgroup)" = "0::/" ]; then
  mkdir -p /sys/fs/cgroup/init
  while read -r pid; do
    echo "$pid" >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  done </sys/fs/cgroup/cgroup.procs
fi

# The internal URL other nodes reach this one at, when the pod spec did not give it.
if [ -z "${OFFLOAD_NODE_URL:-}" ] && [ -n "${POD_IP:-}" ]; then
  case "$POD_IP" in
    *:*) OFFLOAD_NODE_URL="http://[$POD_IP]:${OFFLOAD_PORT:-8080}" ;;
    *) OFFLOAD_NODE_URL="http://$POD_IP:${OFFLOAD_PORT:-8080}" ;;
  esac
  export OFFLOAD_NODE_URL
fi

# The address to announce in ICE candidates, when something wrote it to a file before the
# server starts (the k8s component announce-external-ip: an init container reads the
# Kubernetes node's ExternalIP). It wins over OFFLOAD_RTC_ANNOUNCED_ADDRESS.
if [ -n "${ANNOUNCED_ADDRESS_FILE:-}" ] && [ -s "$ANNOUNCED_ADDRESS_FILE" ]; then
  OFFLOAD_RTC_ANNOUNCED_ADDRESS="$(head -n 1 "$ANNOUNCED_ADDRESS_FILE")"
  export OFFLOAD_RTC_ANNOUNCED_ADDRESS
fi

# HOME and state in the one writable folder the image prepares (a volume in Kubernetes).
export HOME="${HOME:-/var/lib/offload}"
[ "$HOME" = / ] && export HOME=/var/lib/offload
mkdir -p "${OFFLOAD_STATE_DIR:=/var/lib/offload/state}" 2>/dev/null || true
export OFFLOAD_STATE_DIR

cd /opt/offload/apps/server
exec node --import tsx src/main.ts "$@"
