#!/usr/bin/env bash
# Installs everything Offload needs on a fresh Debian 12 machine, idempotently:
# Debian packages, pnpm, the mediasoup worker (built from Debian's libraries unless
# OFFLOAD_MEDIASOUP_WORKER=prebuilt), node modules, and the built client.
# Re-running it on a set-up machine takes a few seconds.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
log() { echo "[setup] $*" >&2; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# 1. Debian packages (only the missing ones; apt-get update only when something is missing).
mapfile -t PKGS < <(grep -v '^\s*#' scripts/apt-packages.txt | grep -v '^\s*$')
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. pnpm, the version pinned in package.json.
PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION"
  $SUDO npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

# 3. mediasoup worker + node modules.
if [ "${OFFLOAD_MEDIASOUP_WORKER:-debian}" = prebuilt ]; then
  # Machines that reach GitHub: mediasoup's postinstall downloads its prebuilt worker.
  pnpm install --frozen-lockfile
else
  # Our machines: pip has a local index with meson/ninja; skip the unreachable public one.
  [ -d /opt/pypi/simple ] && export PIP_INDEX_URL="${PIP_INDEX_URL:-file:///opt/pypi/simple}"
  WORKER_BIN="$(scripts/build-mediasoup-worker.sh | tail -n 1)"
  # With MEDIASOUP_WORKER_BIN set, mediasoup's postinstall downloads and builds nothing.
  MEDIASOUP_WORKER_BIN="$WORKER_BIN" pnpm install --frozen-lockfile
fi

# 4. The thin client, served by the server.
pnpm build >/dev/null
log "ready"
