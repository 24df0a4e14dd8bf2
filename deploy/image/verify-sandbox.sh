#!/usr/bin/env bash
# Checks that the image's Chromium sandboxes its renderers as an unprivileged uid (as the
# server runs it: no --no-sandbox): starts it for a few seconds, headless, as uid 65000 with
# the root file system as its root, and reads each renderer's user and pid namespaces and
# seccomp mode. A chroot cannot do this (the kernel refuses new user namespaces to a chrooted
# process), so the root file system is made the root of a new mount namespace (pivot_root),
# as a container runtime does. No container runtime is involved, hence none of its seccomp
# profile or capability limits: this shows what the image's Chromium does where the kernel
# allows it (deploy/README.md, "Privileges", for what a pod must allow). Starts no server.
#   sudo deploy/image/verify-sandbox.sh [rootfs dir, default $OFFLOAD_IMAGE_OUT/rootfs]
set -euo pipefail
RFS="$(cd "${1:-${OFFLOAD_IMAGE_OUT:-${XDG_CACHE_HOME:-$HOME/.cache}/offload/image}/rootfs}" && pwd)"
[ "$(id -u)" = 0 ] || { echo "run as root (mount namespace, pivot_root)" >&2; exit 1; }
APP_UID=65000
mkdir -p "$RFS/.oldroot"
trap 'rmdir "$RFS/.oldroot" 2>/dev/null; rm -rf "$RFS/tmp/sandbox-check"' EXIT

# Inside: the new root, then as the app uid, Chromium in the background; its renderers are
# read after 5 s, then it is ended (its own pid only).
inner='
mkdir -p /tmp/sandbox-check && cd /tmp/sandbox-check
HOME=/tmp/sandbox-check chromium --headless=new --disable-gpu --no-first-run \
  --user-data-dir=/tmp/sandbox-check/profile --remote-debugging-port=0 \
  "data:text/html,<p>sandbox check</p>" 2>/tmp/sandbox-check/stderr &
browser=$!
sleep 5
own_userns=$(readlink /proc/self/ns/user)
found=0 ok=0
# (Anchored on the binary: this script'"'"'s own command line names the flag too.)
for pid in $(pgrep -u "$(id -u)" -f -- "^/usr/lib/chromium/chromium .*--type=renderer"); do
  found=$((found + 1))
  userns=$(readlink "/proc/$pid/ns/user")
  pidns=$(readlink "/proc/$pid/ns/pid")
  seccomp=$(sed -n "s/^Seccomp:[[:space:]]*//p" "/proc/$pid/status")
  echo "renderer $pid: user namespace $userns (the browser'"'"'s: $own_userns), pid namespace $pidns, seccomp mode $seccomp"
  [ "$userns" != "$own_userns" ] && [ "$seccomp" = 2 ] && ok=$((ok + 1))
done
kill "$browser" 2>/dev/null; wait "$browser" 2>/dev/null || true
grep -i -m 3 "sandbox" /tmp/sandbox-check/stderr || true
if [ "$found" -gt 0 ] && [ "$ok" = "$found" ]; then
  echo "sandboxed: $ok of $found renderers in a user namespace of their own under seccomp-bpf"
else
  echo "NOT sandboxed: $ok of $found renderers"; exit 1
fi
'
unshare -m --propagation private -- sh -c '
  set -e
  R="$1"
  mount --bind "$R" "$R"
  mount -t proc proc "$R/proc"
  mount --rbind /dev "$R/dev"
  mount -t tmpfs -o size=4g tmpfs "$R/dev/shm"
  cd "$R" && pivot_root . .oldroot && umount -l /.oldroot
  exec /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    setpriv --reuid="$2" --regid="$2" --clear-groups -- sh -c "$3"
' sh "$RFS" "$APP_UID" "$inner"
