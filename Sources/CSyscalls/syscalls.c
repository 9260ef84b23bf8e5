#define _GNU_SOURCE
#include "netroot_syscalls.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/capability.h>

/// Set once openat2 said ENOSYS: from then on every open walks.
static int openat2_missing = 0;

int netroot_open_beneath(int dirfd, const char *path) {
#ifdef SYS_openat2
    if (!__atomic_load_n(&openat2_missing, __ATOMIC_RELAXED)) {
        struct open_how how = {
            .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
            .mode = 0,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd >= 0 || errno != ENOSYS) return fd;
        __atomic_store_n(&openat2_missing, 1, __ATOMIC_RELAXED);
    }
#endif
    return netroot_open_beneath_walk(dirfd, path);
}

enum { walk_max_depth = 128, walk_max_links = 40 };

/// Closes the directories the walk opened (not `dirfd`, at depth 0) and returns -1 with `error` in errno.
static int walk_fail(int *stack, int depth, int error) {
    for (int index = depth; index > 0; index--) close(stack[index]);
    errno = error;
    return -1;
}

int netroot_open_beneath_walk(int dirfd, const char *path) {
    int stack[walk_max_depth + 1];
    int depth = 0, links = 0;
    stack[0] = dirfd;
    // What is left to resolve: the path, and each link's target put in front of the rest.
    char pending[2 * PATH_MAX];
    if (path[0] == '/') { errno = EXDEV; return -1; }
    if (strlen(path) >= sizeof(pending)) { errno = ENAMETOOLONG; return -1; }
    strcpy(pending, path);
    size_t position = 0;
    for (;;) {
        while (pending[position] == '/') position++;
        if (pending[position] == 0) {
            // The path named a directory (empty, ".", or a trailing "/"): open the one reached.
            int fd = openat(stack[depth], ".", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
            int saved = errno;
            for (int index = depth; index > 0; index--) close(stack[index]);
            errno = saved;
            return fd;
        }
        size_t end = position;
        while (pending[end] != 0 && pending[end] != '/') end++;
        char name[NAME_MAX + 1];
        if (end - position > NAME_MAX) return walk_fail(stack, depth, ENAMETOOLONG);
        memcpy(name, pending + position, end - position);
        name[end - position] = 0;
        size_t next = end;
        while (pending[next] == '/') next++;
        int last = pending[next] == 0 && pending[end] != '/';
        position = end;
        if (strcmp(name, ".") == 0) continue;
        if (strcmp(name, "..") == 0) {
            if (depth == 0) return walk_fail(stack, depth, EXDEV);
            close(stack[depth--]);
            continue;
        }
        int fd = last ? openat(stack[depth], name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW)
                      : openat(stack[depth], name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            if (last) {
                for (int index = depth; index > 0; index--) close(stack[index]);
                return fd;
            }
            if (depth == walk_max_depth) { close(fd); return walk_fail(stack, depth, ENAMETOOLONG); }
            stack[++depth] = fd;
            continue;
        }
        if (errno != ELOOP && errno != ENOTDIR) return walk_fail(stack, depth, errno);
        // A symbolic link (O_NOFOLLOW refused it), or not a directory: read it as a link, or fail as the open did.
        int failure = errno;
        char target[PATH_MAX];
        ssize_t length = readlinkat(stack[depth], name, target, sizeof(target) - 1);
        if (length < 0) return walk_fail(stack, depth, failure);
        target[length] = 0;
        if (++links > walk_max_links) return walk_fail(stack, depth, ELOOP);
        // A link may lead anywhere beneath, never out: an absolute target leaves, ".." is checked as it comes.
        if (target[0] == '/') return walk_fail(stack, depth, EXDEV);
        // The rest starts with its "/" (or is empty: the link was the last component).
        char rest[2 * PATH_MAX];
        size_t restLength = strlen(pending + position);
        if ((size_t)length + restLength >= sizeof(rest)) return walk_fail(stack, depth, ENAMETOOLONG);
        memcpy(rest, target, (size_t)length);
        memcpy(rest + length, pending + position, restLength + 1);
        strcpy(pending, rest);
        position = 0;
    }
}

int netroot_enter_network_namespace(int fd) {
    return setns(fd, CLONE_NEWNET);
}

int netroot_open_in_root(int dirfd, const char *path, int flags, unsigned int mode) {
#ifdef SYS_openat2
    struct open_how how = {
        .flags = (unsigned long long)(flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int netroot_exchange_paths(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_EXCHANGE);
}

int netroot_make_node(int dirfd, const char *name, unsigned int mode, unsigned int major, unsigned int minor) {
    return mknodat(dirfd, name, (mode_t)mode, makedev(major, minor));
}

int netroot_allowed_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

int netroot_transfer_socket(uint32_t address) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = 0, .sin_addr = { .s_addr = address } };
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int netroot_request_socket(const char *interface, uint16_t port, int receive_buffer) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (receive_buffer > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof(receive_buffer)) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    int on = 1;
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = { .s_addr = INADDR_ANY } };
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0
        || (interface[0] != 0 && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface, strlen(interface) + 1) != 0)
        || bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int netroot_transfer_socket_pair(uint32_t address, int sockets[2]) {
    // The first is bound without SO_REUSEADDR, so the kernel picks a port no one holds; the option set
    // afterwards lets the second bind beside it, and no one else without it.
    int first = netroot_transfer_socket(address);
    if (first < 0) return -1;
    int on = 1;
    struct sockaddr_in local;
    socklen_t length = sizeof(local);
    int second = -1;
    if (setsockopt(first, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) goto failed;
    if (getsockname(first, (struct sockaddr *)&local, &length) != 0) goto failed;
    second = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (second < 0) goto failed;
    if (setsockopt(second, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) goto failed;
    if (bind(second, (struct sockaddr *)&local, sizeof(local)) != 0) goto failed;
    // The socket bound last heads the port's chain, and the kernel's early demultiplexing looks only at the
    // head: with the transfer's socket there, its client's ACKs skip the route lookup and the full socket
    // lookup (which would weigh both sockets).
    sockets[0] = second;
    sockets[1] = first;
    return 0;
failed: {
        int saved = errno;
        close(first);
        if (second >= 0) close(second);
        errno = saved;
        return -1;
    }
}

int netroot_connect(int fd, uint32_t address, uint16_t port) {
    struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = port, .sin_addr = { .s_addr = address } };
    return connect(fd, (struct sockaddr *)&peer, sizeof(peer));
}

long netroot_send_datagrams(int fd, const void *bytes, unsigned long length, uint32_t address, uint16_t port,
                            uint16_t segment_size) {
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = port, .sin_addr = { .s_addr = address } };
    struct iovec vector = { .iov_base = (void *)bytes, .iov_len = length };
    struct msghdr message = { .msg_name = address ? &to : NULL, .msg_namelen = address ? sizeof(to) : 0,
                              .msg_iov = &vector, .msg_iovlen = 1 };
    // The union aligns the buffer for struct cmsghdr, which CMSG_FIRSTHDR hands back as a pointer into it.
    union {
        char bytes[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } control;
    if (segment_size > 0 && length > segment_size) {
        memset(&control, 0, sizeof(control));
        message.msg_control = control.bytes;
        message.msg_controllen = sizeof(control.bytes);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_UDP;
        header->cmsg_type = UDP_SEGMENT;
        header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        memcpy(CMSG_DATA(header), &segment_size, sizeof(segment_size));
    }
    long sent;
    do { sent = sendmsg(fd, &message, 0); } while (sent < 0 && errno == EINTR);
    return sent;
}

int netroot_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

long netroot_receive_from(int fd, void *buffer, unsigned long capacity, uint32_t *address, uint16_t *port) {
    // Zeroed, so that a sender the kernel does not name (a short or non-IPv4 address) reads as 0.0.0.0:0.
    struct sockaddr_in from;
    memset(&from, 0, sizeof(from));
    socklen_t length = sizeof(from);
    long received;
    do {
        received = recvfrom(fd, buffer, capacity, MSG_DONTWAIT, (struct sockaddr *)&from, &length);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return received;
    int named = length >= sizeof(from) && from.sin_family == AF_INET;
    *address = named ? from.sin_addr.s_addr : 0;
    *port = named ? from.sin_port : 0;
    return received;
}

int netroot_frame_sender(const char *interface) {
    unsigned int index = if_nametoindex(interface);
    if (index == 0) return -1;
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_ll local = { .sll_family = AF_PACKET, .sll_protocol = 0, .sll_ifindex = (int)index };
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

long netroot_send_frame(int fd, const void *frame, unsigned long length) {
    long sent;
    do {
        sent = send(fd, frame, length, 0);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

long netroot_heap_in_use(void) { return (long)mallinfo2().uordblks; }

int netroot_drop_capabilities(uint64_t keep) {
    // The bounding set first: dropping from it needs CAP_SETPCAP, which the capset below removes.
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) continue;
        int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present < 0) break; // EINVAL: past the kernel's last capability
        if (present == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) return -1;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    uint64_t permitted = (((uint64_t)data[1].permitted << 32) | data[0].permitted) & keep;
    data[0].permitted = data[0].effective = (uint32_t)permitted;
    data[1].permitted = data[1].effective = (uint32_t)(permitted >> 32);
    data[0].inheritable = data[1].inheritable = 0;
    if (syscall(SYS_capset, &header, data) != 0) return -1;
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int netroot_raise_capabilities(void) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    data[0].effective = data[0].permitted;
    data[1].effective = data[1].permitted;
    return (int)syscall(SYS_capset, &header, data);
}

int netroot_capabilities(uint64_t *effective, uint64_t *permitted, uint64_t *bounding) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    *effective = ((uint64_t)data[1].effective << 32) | data[0].effective;
    *permitted = ((uint64_t)data[1].permitted << 32) | data[0].permitted;
    *bounding = 0;
    for (int cap = 0; cap < 64; cap++) {
        int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present < 0) break;
        if (present == 1) *bounding |= 1ULL << cap;
    }
    return 0;
}

int netroot_listen_socket(uint32_t address, uint16_t port, int backlog) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = address };
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0 || listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
