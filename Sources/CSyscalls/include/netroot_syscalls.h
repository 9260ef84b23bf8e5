#ifndef NETROOT_SYSCALLS_H
#define NETROOT_SYSCALLS_H
#include <stdint.h>

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: opens `path` under `dirfd` read-only and fails
/// (errno EXDEV) if resolving it would leave the directory, symlinks included. Swift cannot call the
/// variadic syscall(2) itself. Returns the descriptor or -1 with errno set. Where openat2 is missing it walks
/// instead (`netroot_open_beneath_walk`).
int netroot_open_beneath(int dirfd, const char *path);

/// What `netroot_open_beneath` does where openat2 is missing (ENOSYS: before Linux 5.6, or under systemd's
/// RestrictSUIDSGID=, which filters it out): one component at a time, following only links that stay beneath
/// (at most 40); an absolute path or link target, or a ".." that would leave `dirfd`, fails with EXDEV.
int netroot_open_beneath_walk(int dirfd, const char *path);

/// setns(fd, CLONE_NEWNET): moves the calling thread into the network namespace `fd` refers to. Returns 0,
/// or -1 with errno set. (Glibc hides setns from Swift behind _GNU_SOURCE.)
int netroot_enter_network_namespace(int fd);

/// openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS: resolves `path` as if `dirfd` were `/` and fails
/// with ELOOP at any symlink, so an archive being unpacked cannot reach outside its root, nor through links.
int netroot_open_in_root(int dirfd, const char *path, int flags, unsigned int mode);

/// renameat2(2) with RENAME_EXCHANGE: swaps two paths atomically (an image's new root for the old one).
int netroot_exchange_paths(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// mknodat(2) for a character or block device or a FIFO (`mode` carries the file type).
int netroot_make_node(int dirfd, const char *name, unsigned int mode, unsigned int major, unsigned int minor);

/// A UDP socket bound to `address`:0 (network byte order), non-blocking and close-on-exec: a TFTP transfer's
/// own port. Returns the descriptor, or -1 with errno set.
int netroot_transfer_socket(uint32_t address);

/// The TFTP server's request socket: UDP 0.0.0.0:`port` (host byte order), SO_REUSEADDR, bound to `interface`
/// (SO_BINDTODEVICE) unless it is empty, non-blocking and close-on-exec, with `receive_buffer` bytes of receive
/// buffer: forced past net.core.rmem_max where the process may, else as much as the kernel allows; 0 leaves the
/// default. Returns it, or -1 with errno set.
int netroot_request_socket(const char *interface, uint16_t port, int receive_buffer);

/// Two non-blocking sockets on one new port of `address` (network byte order): `sockets[0]` for the transfer,
/// to be connected to its client (the kernel then delivers the client's packets there, early and without a
/// route lookup, and sends without one), and `sockets[1]`, which receives what anyone else sends to the port.
/// Returns 0, or -1 with errno set.
int netroot_transfer_socket_pair(uint32_t address, int sockets[2]);

/// connect(2) to `address`:`port` (network byte order). Returns 0, or -1 with errno set.
int netroot_connect(int fd, uint32_t address, uint16_t port);

/// Sends `length` bytes to `address`:`port` (network byte order) as datagrams of `segment_size` bytes each (the
/// last may be shorter) with one sendmsg and UDP generic segmentation offload (UDP_SEGMENT, Linux 4.18);
/// `segment_size` 0 sends one datagram. Returns the bytes sent, or -1 with errno set (EIO or EINVAL where the
/// path cannot segment: send the datagrams one by one instead).
/// `address` 0 sends to the socket's connected peer.
long netroot_send_datagrams(int fd, const void *bytes, unsigned long length, uint32_t address, uint16_t port,
                            uint16_t segment_size);

/// An eventfd (non-blocking, close-on-exec) to wake a polling thread, or -1 with errno set.
int netroot_eventfd(void);

/// One datagram from `fd` without blocking, and its sender (network byte order): 0.0.0.0 port 0 when the kernel
/// names no IPv4 sender. Returns its length, or -1 with errno set (EAGAIN when none is waiting); `address` and
/// `port` are left untouched then.
long netroot_receive_from(int fd, void *buffer, unsigned long capacity, uint32_t *address, uint16_t *port);

/// How many CPUs the calling process may run on (sched_getaffinity and CPU_COUNT, both behind _GNU_SOURCE),
/// or -1 with errno set.
int netroot_allowed_cpu_count(void);

/// A packet socket (AF_PACKET, SOCK_RAW) on `interface` that only sends: opened with protocol 0, the kernel
/// hands it none of the interface's traffic, so it costs nothing per packet received (a capture handle would be
/// called for every one). Returns the descriptor, or -1 with errno set.
int netroot_frame_sender(const char *interface);

/// Sends one whole Ethernet frame (header included) on a `netroot_frame_sender` socket. Returns the bytes sent,
/// or -1 with errno set.
long netroot_send_frame(int fd, const void *frame, unsigned long length);

/// Bytes malloc has handed out and not had back, all arenas (mallinfo2, glibc 2.33): how a test sees a leak
/// in C code such as libnl's.
long netroot_heap_in_use(void);

/// Drops every capability not in `keep` (bit N = capability N) from the calling thread: the bounding set (where
/// it may: that needs CAP_SETPCAP), the ambient, inheritable, permitted and effective sets; then sets
/// no_new_privs, so no later exec can gain any back. Capabilities belong to each thread: call it before any other
/// thread exists, which then inherit the result. Returns 0, or -1 with errno set.
int netroot_drop_capabilities(uint64_t keep);

/// Makes the calling thread's permitted capabilities effective: a binary with file capabilities and no effective
/// bit (`setcap …+p`, the container image's) starts with them permitted only. Returns 0, or -1 with errno set.
int netroot_raise_capabilities(void);

/// The calling thread's effective, permitted and bounding capability sets (bit N = capability N). Returns 0, or
/// -1 with errno set.
int netroot_capabilities(uint64_t *effective, uint64_t *permitted, uint64_t *bounding);

/// A listening TCP socket on `address`:`port` (network byte order address, host byte order port), SO_REUSEADDR,
/// non-blocking and close-on-exec, with `backlog`. Returns it, or -1 with errno set.
int netroot_listen_socket(uint32_t address, uint16_t port, int backlog);

#endif
