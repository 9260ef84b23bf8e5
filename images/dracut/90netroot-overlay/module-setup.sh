#!/bin/bash
# dracut module: a per-node tmpfs overlay over a read-only NFS root (see netroot-overlay.sh).
# Install: cp -rL images/dracut/90netroot-overlay /usr/lib/dracut/modules.d/ && dracut -f --add netroot-overlay

check() { return 255; }            # only when asked for (--add netroot-overlay)
depends() { echo nfs; }
installkernel() { instmods overlay; }
install() {
    inst_multiple grep mount mkdir
    inst_hook pre-pivot 90 "$moddir/netroot-overlay.sh"
}
