#!/usr/bin/env bash
# Checks the root file system build-rootfs.sh made, by running its programs in a chroot
# (with /proc, /dev and /sys bound in for the duration): Node and the app's modules load,
# the mediasoup worker's libraries resolve and the worker starts under mediasoup's Node
# library, Chromium, Xorg/Xvfb, PulseAudio, the GStreamer elements the sender uses, and the
# tools the server runs (setpriv, chrt, xrandr, xwininfo, ps, getent, tini). It starts no
# Offload server. Exit status 0 when every check passed.
#   sudo deploy/image/verify-rootfs.sh [rootfs dir, default $OFFLOAD_IMAGE_OUT/rootfs]
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RFS="$(cd "${1:-${OFFLOAD_IMAGE_OUT:-${XDG_CACHE_HOME:-$HOME/.cache}/offload/image}/rootfs}" && pwd)"
[ "$(id -u)" = 0 ] || { echo "run as root (chroot)" >&2; exit 1; }

mounts=()
cleanup() { for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null; done; }
trap cleanup EXIT
for m in proc sys dev; do
  case $m in
    proc) mount -t proc proc "$RFS/proc" ;;
    *) mount --rbind "/$m" "$RFS/$m" && mount --make-rslave "$RFS/$m" ;;
  esac
  mounts+=("$RFS/$m")
done

fails=0
# check <name> <command run in the chroot, as root, from /opt/offload/apps/server>
check() {
  local name="$1" out rc
  shift
  out="$(chroot "$RFS" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 \
    MEDIASOUP_WORKER_BIN=/usr/local/lib/offload/mediasoup-worker \
    /bin/sh -c "cd /opt/offload/apps/server && $*" 2>&1)"
  rc=$?
  if [ $rc = 0 ]; then
    printf 'ok   %-28s %s\n' "$name" "$(head -n 1 <<<"$out")"
  else
    printf 'FAIL %-28s (exit %s) %s\n' "$name" "$rc" "$(tail -n 3 <<<"$out" | tr '\n' ' ')"
    fails=$((fails + 1))
  fi
}

check "debian" 'cat /etc/debian_version'
check "image info" 'cat /etc/offload-image.json'
check "node --version" 'node --version'
check "worker libraries" '! ldd /usr/local/lib/offload/mediasoup-worker | grep "not found" && echo "all found"'
# Started by hand the worker refuses to run (exit 41 without MEDIASOUP_VERSION, 42 without its
# channel): it loaded. 127 would be a missing library.
check "worker runs alone" '/usr/local/lib/offload/mediasoup-worker >/dev/null 2>&1; rc=$?; [ $rc = 41 ] || [ $rc = 42 ] && echo "exit $rc (loaded; refuses to run without mediasoup)"'
check "worker under mediasoup" "node --input-type=module -e \"const m = await import('mediasoup'); const w = await m.createWorker({ logLevel: 'warn' }); const r = await w.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } }] }); console.log('mediasoup', m.version, 'worker pid', w.pid, 'router', r.id.slice(0, 8)); w.close();\""
check "server modules load" "node --import tsx --input-type=module -e \"const c = await import('./src/config.ts'); const cfg = c.loadConfig({ OFFLOAD_HOST: '0.0.0.0', OFFLOAD_AUTH_SECRET: 'x'.repeat(32), OFFLOAD_MAX_SESSIONS: '3' }); await import('./src/Offload.ts'); console.log('config + Offload.ts loaded; maxSessions', cfg.maxSessions);\""
check "client built" 'ls /opt/offload/apps/client/dist/index.html /opt/offload/packages/embed/dist >/dev/null && echo present'
check "no dev dependencies" '! [ -e /opt/offload/node_modules/vitest ] && ! [ -e /opt/offload/node_modules/@biomejs ] && echo "none at the root"'
check "chromium --version" 'chromium --version 2>/dev/null'
check "Xorg -version" '/usr/lib/xorg/Xorg -version 2>&1 | grep "X Server"'
check "dummy video driver" 'ls /usr/lib/xorg/modules/drivers/dummy_drv.so'
check "Xvfb present" 'command -v Xvfb'
check "pulseaudio --version" 'pulseaudio --version'
check "pactl --version" 'pactl --version | head -n 1'
for el in x264enc vp8enc opusenc ximagesrc pulsesrc appsrc appsink rtpbin rtph264pay rtpvp8pay rtpopuspay udpsink videoconvert videoscale; do
  check "gst-inspect-1.0 $el" "gst-inspect-1.0 $el | grep -m1 -E '^  (Long-name|Version)'"
done
check "python3 Gst bindings" "python3 -c \"import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstVideo', '1.0'); from gi.repository import Gst; Gst.init(None); print(Gst.version_string())\""
check "setpriv (run-as)" 'setpriv --version'
check "chrt (real time)" 'chrt --version'
check "xrandr / xwininfo" 'command -v xrandr && command -v xwininfo'
check "ps / getent" 'command -v ps && getent passwd offload'
check "tini" 'tini --version'
check "entry point syntax" 'sh -n /usr/local/bin/offload-entrypoint && echo ok'
check "fonts" 'fc-list | wc -l'

echo
if [ $fails = 0 ]; then echo "all checks passed"; else echo "$fails check(s) failed"; fi
echo "size: $(du -shx "$RFS" | cut -f1)"
exit $((fails > 0))
