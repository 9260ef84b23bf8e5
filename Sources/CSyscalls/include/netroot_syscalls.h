#ifndef NETROOT_SYSCALLS_H
#define NETROOT_SYSCALLS_H
#include <stdint.h>

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: opens `path` under `dirfd` read-only and fails
/// (errno EXDEV) if resolving it would leave the directory, symlinks included. Swift cannot call the
/// variadic syscall(2) itself. Returns the descriptor or -1 with errno set (ENOSYS before Linux 5.6).
int netroot_open_beneath(int dirfd, const char *path);

/// setns(fd, CLONE_NEWNET): moves the calling thread into the network namespace `fd` refers to. Returns 0,
/// or -1 with errno set. (Glibc hides setns from Swift behind _GNU_SOURCE.)
int netroot_enter_network_namespace(int fd);

#endif
