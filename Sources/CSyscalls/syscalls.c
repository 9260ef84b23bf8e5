#define _GNU_SOURCE
#include "netroot_syscalls.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
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
