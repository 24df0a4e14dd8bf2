#!/usr/bin/env bash
# Builds mediasoup-worker from the npm package's sources against Debian 12's system
# libraries (no GitHub, no meson wraps), with our patch applied, into a cache folder keyed
# by mediasoup version + patch hash. Prints the binary's path on the last line of stdout.
# Idempotent: a cached binary that runs is reused.
#   env: MEDIASOUP_VERSION (default: the one the server depends on),
#        OFFLOAD_CACHE_DIR (default: ~/.cache/offload)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MS_VERSION="${MEDIASOUP_VERSION:-$(node -p "require('$ROOT/apps/server/package.json').dependencies.mediasoup")}"
PATCH="$ROOT/patches/mediasoup@$MS_VERSION.patch"
[ -f "$PATCH" ] || { echo "no patch for mediasoup $MS_VERSION at $PATCH" >&2; exit 1; }
HASH="$(sha256sum "$PATCH" | cut -c1-12)"
CACHE="${OFFLOAD_CACHE_DIR:-$HOME/.cache/offload}/mediasoup-worker/$MS_VERSION-$HASH"
BIN="$CACHE/mediasoup-worker"

log() { echo "[mediasoup-worker] $*" >&2; }

if [ -x "$BIN" ]; then
  # Run it once: a binary whose shared libraries went missing must be rebuilt.
  set +e; "$BIN" >/dev/null 2>&1; rc=$?; set -e
  # ldd's output is read whole: `ldd | grep -q` under pipefail fails at random when grep exits
  # before ldd has written everything (SIGPIPE), which made a good cache look broken.
  libs="$(ldd "$BIN" 2>&1 || true)"
  # The worker exits 42 when it is not spawned by the Node library (no channel fds): it loaded fine.
  if [ "$rc" -ne 127 ] && ! grep -q 'not found' <<<"$libs"; then
    log "cached: $BIN"; echo "$BIN"; exit 0
  fi
  log "cached binary does not load; rebuilding"
fi

WORK="$CACHE.build"
rm -rf "$WORK"; mkdir -p "$WORK"
cd "$WORK"
log "building mediasoup $MS_VERSION worker in $WORK (about 10 minutes on 2 cores)"

# meson >= 1.1 and ninja (Debian's meson is 1.0.1): from the pip index this machine has.
python3 -m venv venv
venv/bin/pip install -q "meson==${MESON_VERSION:-1.12.1}" "ninja==${NINJA_VERSION:-1.13.2}" >&2
export PATH="$WORK/venv/bin:$PATH"

npm pack --silent "mediasoup@$MS_VERSION" >/dev/null
mkdir src && tar xzf "mediasoup-$MS_VERSION.tgz" -C src --strip-components=1
cd src && patch -s -p1 < "$PATCH"
cd worker
meson setup --buildtype release -Db_ndebug=true -Db_pie=true -Db_staticpic=true \
  --wrap-mode=nodownload out/Release/build >&2
start=$(date +%s)
# libwebrtc includes the flatbuffers headers but does not depend on their generator in
# meson.build (upstream race): generate them first.
ninja -C out/Release/build fbs/FBS >&2
ninja -C out/Release/build -j"$(nproc)" mediasoup-worker >&2
log "compiled in $(( $(date +%s) - start )) s"
install -D -m 755 out/Release/build/mediasoup-worker "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
cd / && rm -rf "$WORK"
echo "$BIN"
