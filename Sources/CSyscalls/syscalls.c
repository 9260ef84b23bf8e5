#define _GNU_SOURCE
#include "netroot_syscalls.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

int netroot_open_beneath(int dirfd, const char *path) {
#ifdef SYS_openat2
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
        .mode = 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
#else
    errno = ENOSYS;
    return -1;
#endif
}

int netroot_enter_network_namespace(int fd) {
    return setns(fd, CLONE_NEWNET);
}
