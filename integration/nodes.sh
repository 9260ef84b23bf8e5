# Virtual diskless nodes for the integration scripts and the boot benchmark: the nodes' software (Debian's
# kernel, unpacked with dpkg -x and never installed, and a busybox initramfs that asks DHCP again as root=dhcp
# does, prints what it got and powers off) and QEMU under TCG with the iPXE ROM from ipxe-qemu.
# Source it after lib.sh; the scripts set $work (scratch), $ns (the namespace) and vm_pids=().
# boot_vm puts each VM's end on lib.sh's exit stack.

# fetch_node_kernel: Debian's kernel and busybox-static, downloaded once into the cache (never installed);
# sets node_kernel, node_modules (the modules tree) and node_busybox.
fetch_node_kernel() {
  local cache=${NETROOT_DEMO_CACHE:-/var/cache/netroot-demo} kernel_package
  mkdir -p "$cache"
  if [ ! -d "$cache/kernel/boot" ]; then
    kernel_package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
    (cd "$cache" && apt-get download "$kernel_package" busybox-static >/dev/null 2>&1) || { echo "cannot download $kernel_package"; return 1; }
    rm -rf "$cache/kernel" "$cache/busybox"
    dpkg -x "$cache"/linux-image-*.deb "$cache/kernel"
    dpkg -x "$cache"/busybox-static_*.deb "$cache/busybox"
    rm -f "$cache"/*.deb
  fi
  node_kernel=$(ls "$cache"/kernel/boot/vmlinuz-* | head -1)
  node_modules=$(ls -d "$cache"/kernel/lib/modules/* | head -1)
  node_busybox=$cache/busybox/bin/busybox
}

# copy_modules DIRECTORY MODULE...: the modules' .ko files, in the order given (the order they must load in).
copy_modules() {
  local target=$1 module; shift
  mkdir -p "$target"
  for module in "$@"; do cp "$(find "$node_modules" -name "$module.ko" | head -1)" "$target/"; done
}
# Debian builds virtio-net as modules (FIRMWARE-FACTS); load order matters.
virtio_modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net"

# build_node_software ROOT IMAGE...: ROOT/IMAGE/vmlinuz and ROOT/IMAGE/initrd.gz for each image, plus the
# bootloaders. The initramfs prints "NETROOT-RESULT image=IMAGE ip=… rootpath=… server=… domain=… lease=…" and
# "NETROOT-CMDLINE <kernel command line>" on the serial console.
build_node_software() {
  local root=$1; shift
  local initramfs image
  fetch_node_kernel || return 1
  initramfs=$(mktemp -d)
  mkdir -p "$initramfs/bin" "$initramfs/etc"
  cp "$node_busybox" "$initramfs/bin/busybox"
  # shellcheck disable=SC2086 # a list of module names
  copy_modules "$initramfs/modules" $virtio_modules
  cat >"$initramfs/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for module in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
  insmod /modules/$module.ko 2>/dev/null
done
ip link set eth0 up
# root=dhcp: ask again, as dracut or an initramfs udhcpc would, for the address and option 17.
udhcpc -i eth0 -f -q -n -t 10 -T 2 -O rootpath -s /lease.sh
echo "NETROOT-RESULT image=$(cat /etc/netroot-image) ip=$(cat /tmp/ip) rootpath=$(cat /tmp/rootpath) server=$(cat /tmp/serverid) domain=$(cat /tmp/domain) lease=$(cat /tmp/lease)"
echo "NETROOT-CMDLINE $(cat /proc/cmdline)"
poweroff -f
INIT
  cat >"$initramfs/lease.sh" <<'LEASE'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "$ip" >/tmp/ip; echo "$rootpath" >/tmp/rootpath; echo "$serverid" >/tmp/serverid
echo "$domain" >/tmp/domain; echo "$lease" >/tmp/lease
LEASE
  chmod +x "$initramfs/init" "$initramfs/lease.sh"
  mkdir -p "$initramfs/proc" "$initramfs/sys" "$initramfs/dev" "$initramfs/tmp"
  # The images: the same kernel, initramfs that say which image they are.
  for image in "$@"; do
    mkdir -p "$root/$image"
    cp "$node_kernel" "$root/$image/vmlinuz"
    echo "$image" >"$initramfs/etc/netroot-image"
    (cd "$initramfs" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$root/$image/initrd.gz"
  done
  images/install-bootloaders "$root" >/dev/null || { echo "cannot install bootloaders"; return 1; }
  rm -rf "$initramfs"
}

# boot_vm NAME MAC TAP bios|uefi: starts the VM in the background (its PID appended to vm_pids, its kill on the exit
# stack); its serial console goes to $work/NAME.console.
boot_vm() {
  local firmware=() memory=128
  # syslinux.efi needs 256 MiB (FIRMWARE-FACTS); OVMF's iPXE driver (efi-virtio.rom) does the PXE part.
  if [ "$4" = uefi ]; then firmware=(-bios /usr/share/ovmf/OVMF.fd); memory=256; fi
  : >"$work/$1.console"
  ip netns exec "$ns" qemu-system-x86_64 -accel tcg -m "$memory" "${firmware[@]}" -display none \
    -machine graphics=off -no-reboot \
    -netdev tap,id=n0,ifname="$3",script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mac="$2",bootindex=1 \
    -serial file:"$work/$1.console" -monitor none >"$work/$1.qemu.log" 2>&1 &
  vm_pids+=($!)
  kill_on_exit $!
}
