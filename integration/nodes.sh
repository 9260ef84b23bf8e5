# Virtual diskless nodes for the integration scripts and the boot benchmark: the nodes' software (Debian's
# kernel, unpacked with dpkg -x and never installed, and a busybox initramfs that asks DHCP again as root=dhcp
# does, prints what it got and powers off; the same for ARM64) and QEMU under TCG: with the iPXE ROM from
# ipxe-qemu, or OVMF/AAVMF's own network boot with Secure Boot on or off (boot_vm's modes).
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
# bootloaders (images/install-bootloaders). The initramfs prints the kernel's Secure Boot log lines as
# "NETROOT-DMESG …", then "NETROOT-RESULT image=IMAGE ip=… rootpath=… server=… domain=… lease=…" and
# "NETROOT-CMDLINE <kernel command line>" on the serial console.
build_node_software() {
  local root=$1; shift
  local initramfs image
  fetch_node_kernel || return 1
  initramfs=$(mktemp -d)
  _node_initramfs "$initramfs" "$node_busybox"
  # shellcheck disable=SC2086 # a list of module names
  copy_modules "$initramfs/modules" $virtio_modules
  _pack_images "$root" "$node_kernel" "$initramfs" "$@"
  images/install-bootloaders "$root" >/dev/null || { echo "cannot install bootloaders"; return 1; }
  rm -rf "$initramfs"
}

# _pack_images ROOT KERNEL INITRAMFS IMAGE...: ROOT/IMAGE/vmlinuz (the same kernel for each) and ROOT/IMAGE/initrd.gz,
# the initramfs saying which image it is.
_pack_images() {
  local root=$1 kernel=$2 initramfs=$3 image
  shift 3
  for image in "$@"; do
    mkdir -p "$root/$image"
    cp "$kernel" "$root/$image/vmlinuz"
    echo "$image" >"$initramfs/etc/netroot-image"
    (cd "$initramfs" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$root/$image/initrd.gz"
  done
}

# _node_initramfs DIRECTORY BUSYBOX: the initramfs's busybox, /init and udhcpc script (the modules go into
# DIRECTORY/modules; /init loads those of $virtio_modules that are there, in that order).
_node_initramfs() {
  mkdir -p "$1/bin" "$1/etc" "$1/modules" "$1/proc" "$1/sys" "$1/dev" "$1/tmp"
  cp "$2" "$1/bin/busybox"
  cat >"$1/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for module in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
  [ -e /modules/$module.ko ] && insmod /modules/$module.ko 2>/dev/null
done
ip link set eth0 up
# root=dhcp: ask again, as dracut or an initramfs udhcpc would, for the address and option 17.
udhcpc -i eth0 -f -q -n -t 10 -T 2 -O rootpath -s /lease.sh
# Secure Boot as the kernel saw it (in its log even with `quiet`): "secureboot: Secure boot enabled", lockdown.
dmesg | grep -i -e 'secure boot' -e 'locked down' | sed 's/^/NETROOT-DMESG /'
echo "NETROOT-RESULT image=$(cat /etc/netroot-image) ip=$(cat /tmp/ip) rootpath=$(cat /tmp/rootpath) server=$(cat /tmp/serverid) domain=$(cat /tmp/domain) lease=$(cat /tmp/lease)"
echo "NETROOT-CMDLINE $(cat /proc/cmdline)"
poweroff -f
INIT
  cat >"$1/lease.sh" <<'LEASE'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "$ip" >/tmp/ip; echo "$rootpath" >/tmp/rootpath; echo "$serverid" >/tmp/serverid
echo "$domain" >/tmp/domain; echo "$lease" >/tmp/lease
LEASE
  chmod +x "$1/init" "$1/lease.sh"
}

# arm64_apt_options DIRECTORY: sets arm64_apt, apt-get options that read arm64 package lists kept in DIRECTORY
# (the host's dpkg architectures, lists and status untouched), and fetches those lists.
arm64_apt_options() {
  arm64_apt=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::State::Lists=$1/lists"
    -o "Dir::Cache=$1/cache" -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
  mkdir -p "$1/lists/partial" "$1/cache/archives/partial"
  apt-get "${arm64_apt[@]}" update >/dev/null 2>&1
}

# fetch_arm64_node_software: Debian's signed arm64 kernel (`linux` from debian-installer-12-netboot-arm64), the
# virtio modules from that package's initrd (the same kernel build) and arm64 busybox-static, downloaded once into
# the cache (never installed); sets arm64_kernel, arm64_modules (a directory of .ko files) and arm64_busybox.
fetch_arm64_node_software() {
  local cache=${NETROOT_DEMO_CACHE:-/var/cache/netroot-demo}/arm64 tmp module
  if [ ! -s "$cache/linux" ] || [ ! -s "$cache/busybox" ]; then
    tmp=$(mktemp -d)
    arm64_apt_options "$tmp/apt"
    if ! (cd "$tmp" && apt-get "${arm64_apt[@]}" download debian-installer-12-netboot-arm64 busybox-static >/dev/null 2>&1); then
      echo "cannot download the arm64 kernel (debian-installer-12-netboot-arm64) and busybox-static:arm64"
      rm -rf "$tmp"; return 1
    fi
    dpkg -x "$tmp"/debian-installer-12-netboot-arm64_*.deb "$tmp/di"
    dpkg -x "$tmp"/busybox-static_*.deb "$tmp/busybox"
    mkdir -p "$tmp/initrd" "$cache/modules"
    (cd "$tmp/initrd" && zcat "$tmp"/di/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64/initrd.gz |
      cpio -idm 'lib/modules/*' 2>/dev/null)
    rm -f "$cache"/modules/*.ko
    # virtio_ring and virtio are built into the arm64 kernel: only the others are modules.
    for module in $virtio_modules; do
      find "$tmp/initrd/lib/modules" -name "$module.ko" -exec cp {} "$cache/modules/" \;
    done
    cp "$tmp/busybox/bin/busybox" "$cache/busybox"
    cp "$tmp"/di/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64/linux "$cache/linux"
    rm -rf "$tmp"
  fi
  arm64_kernel=$cache/linux arm64_modules=$cache/modules arm64_busybox=$cache/busybox
}

# build_arm64_node_software ROOT IMAGE...: ROOT/IMAGE/vmlinuz (Debian's signed arm64 kernel) and ROOT/IMAGE/initrd.gz
# (the same initramfs as build_node_software's, for arm64) for each image. The image's cmdline needs
# console=ttyAMA0 (QEMU virt's serial port). The arm64 bootloaders come from images/install-bootloaders.
build_arm64_node_software() {
  local root=$1; shift
  local initramfs image
  fetch_arm64_node_software || return 1
  initramfs=$(mktemp -d)
  _node_initramfs "$initramfs" "$arm64_busybox"
  cp "$arm64_modules"/*.ko "$initramfs/modules/"
  _pack_images "$root" "$arm64_kernel" "$initramfs" "$@"
  rm -rf "$initramfs"
}

# boot_vm NAME MAC TAP MODE [QEMU-ARGUMENT...]: starts the VM in the background (its PID appended to vm_pids, its kill on the exit
# stack); its serial console goes to $work/NAME.console (firmware text included: OVMF and AAVMF print to serial).
# MODE:
#   bios        SeaBIOS with the iPXE ROM, 128 MiB
#   uefi        OVMF with the iPXE EFI ROM (efi-virtio.rom), 256 MiB (syslinux.efi needs it)
#   uefi-grub   OVMF (q35, 4 MiB flash, Secure Boot off), its own virtio-net driver and PXE (romfile=: no iPXE
#               ROM, which is unsigned), 512 MiB
#   secureboot  the same with Secure Boot enforcing: OVMF_CODE_4M.secboot.fd (SMM) and Microsoft's keys
#               (a copy of OVMF_VARS_4M.ms.fd), so only signed loaders run (shim, Debian's GRUB and kernel)
#   uefi-http, secureboot-http
#               uefi-grub / secureboot with OVMF's PXE switched off (fw_cfg), so the NIC's first boot option is
#               UEFI HTTP boot (DHCP option 60 HTTPClient, architecture 16)
#   arm64       qemu-system-aarch64 virt, cortex-a57, AAVMF with Secure Boot enforcing (a copy of
#               AAVMF_VARS.ms.fd), OVMF-style PXE (architecture 11), 512 MiB; the kernel's console is ttyAMA0
#   arm64-http  the same, PXE switched off: UEFI HTTP boot (architecture 19)
# The QEMU arguments after MODE are added (e.g. -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n).
boot_vm() {
  local name=$1 mac=$2 tap=$3 mode=$4 qemu=qemu-system-x86_64 firmware=() memory=128 nic="" vars
  shift 4
  vars=$work/$name.vars.fd
  case $mode in
    bios) ;;
    # syslinux.efi needs 256 MiB (FIRMWARE-FACTS); OVMF's iPXE driver (efi-virtio.rom) does the PXE part.
    uefi) firmware=(-bios /usr/share/ovmf/OVMF.fd); memory=256 ;;
    uefi-grub | uefi-http)
      cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
      firmware=(-machine q35 -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
        -drive if=pflash,format=raw,unit=1,file="$vars")
      memory=512 nic=,romfile= ;;
    secureboot | secureboot-http)
      cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$vars"
      firmware=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on
        -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
        -drive if=pflash,format=raw,unit=1,file="$vars")
      memory=512 nic=,romfile= ;;
    arm64 | arm64-http)
      # Plain -cpu max emulates pointer authentication very slowly under TCG (FIRMWARE-FACTS).
      cp /usr/share/AAVMF/AAVMF_VARS.ms.fd "$vars"
      qemu=qemu-system-aarch64
      firmware=(-machine virt -cpu cortex-a57 -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd
        -drive if=pflash,format=raw,unit=1,file="$vars")
      memory=512 nic=,romfile= ;;
    *) echo "boot_vm: unknown mode $mode" >&2; return 1 ;;
  esac
  case $mode in
    *-http) firmware+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n
      -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n) ;;
  esac
  : >"$work/$name.console"
  ip netns exec "$ns" "$qemu" -accel tcg -m "$memory" "${firmware[@]}" -display none \
    -machine graphics=off -no-reboot \
    -netdev tap,id=n0,ifname="$tap",script=no,downscript=no \
    -device "virtio-net-pci,netdev=n0,mac=$mac,bootindex=1$nic" \
    -serial file:"$work/$name.console" -monitor none "$@" >"$work/$name.qemu.log" 2>&1 &
  vm_pids+=($!)
  kill_on_exit $!
}
