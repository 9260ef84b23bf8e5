#!/bin/sh
# netroot-overlay: many nodes share one read-only NFS root; each writes to its own tmpfs overlay on top.
# Runs in the initramfs after the NFS root is mounted from the DHCP root-path (root=dhcp / netroot=dhcp)
# and before switching to it:
#   initramfs-tools: as scripts/nfs-bottom/netroot-overlay (the root is at $rootmnt)
#   dracut:          as a pre-pivot hook from the 90netroot-overlay module (the root is at $NEWROOT)
# Needs the overlay module in the initramfs. Writes go to RAM and vanish at reboot.
case "${1:-}" in prereqs) exit 0 ;; esac
root=${rootmnt:-${NEWROOT:-}}
[ -n "$root" ] || exit 0
# Only over an NFS root, and only once.
grep -qE "^[^ ]+ $root nfs4? " /proc/mounts || exit 0

move() { mount --move "$1" "$2" 2>/dev/null || mount -o move "$1" "$2"; }
state=/run/netroot-overlay
mkdir -p "$state" && mount -t tmpfs -o mode=0755 netroot-overlay "$state" || exit 1
mkdir -p "$state/lower" "$state/upper" "$state/work"
move "$root" "$state/lower" || exit 1
if ! mount -t overlay netroot-overlay \
    -o "lowerdir=$state/lower,upperdir=$state/upper,workdir=$state/work" "$root"; then
  echo "netroot-overlay: cannot mount the overlay; booting the read-only root as it is" >&2
  move "$state/lower" "$root"
  exit 1
fi
