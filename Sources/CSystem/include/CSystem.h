// Linux system interfaces that `import Glibc` does not expose (epoll, eventfd, timerfd, a
// thread's rusage), small inline helpers for the macros and packed structs Swift imports
// awkwardly, and the compiler's prefetch hint.
#ifndef VIGIL_CSYSTEM_H
#define VIGIL_CSYSTEM_H

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

// Flags that glibc declares as enum members or macros of enum members; exported as plain
// integer constants so Swift sees one spelling and one type.
static const uint32_t VIGIL_EPOLLIN = EPOLLIN;
static const uint32_t VIGIL_EPOLLOUT = EPOLLOUT;
static const uint32_t VIGIL_EPOLLERR = EPOLLERR;
static const uint32_t VIGIL_EPOLLHUP = EPOLLHUP;
static const uint32_t VIGIL_EPOLLRDHUP = EPOLLRDHUP;
static const int VIGIL_EPOLL_CLOEXEC = EPOLL_CLOEXEC;
static const int VIGIL_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int VIGIL_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int VIGIL_EPOLL_CTL_DEL = EPOLL_CTL_DEL;
static const int VIGIL_EFD_CLOEXEC = EFD_CLOEXEC;
static const int VIGIL_EFD_NONBLOCK = EFD_NONBLOCK;
static const int VIGIL_TFD_CLOEXEC = TFD_CLOEXEC;
static const int VIGIL_TFD_NONBLOCK = TFD_NONBLOCK;
static const int VIGIL_SOCK_STREAM = SOCK_STREAM;
static const int VIGIL_SOCK_NONBLOCK = SOCK_NONBLOCK;
static const int VIGIL_SOCK_CLOEXEC = SOCK_CLOEXEC;
static const int VIGIL_MSG_NOSIGNAL = MSG_NOSIGNAL;
static const int VIGIL_IPPROTO_TCP = IPPROTO_TCP;
static const int VIGIL_IPPROTO_IPV6 = IPPROTO_IPV6;
static const int VIGIL_SHUT_RD = SHUT_RD;
static const int VIGIL_SHUT_WR = SHUT_WR;
static const int VIGIL_SHUT_RDWR = SHUT_RDWR;

// GNU extensions, compiled in CSystem.c with _GNU_SOURCE (Swift's Glibc module is built without
// it, so `accept4`, `pipe2` and `pthread_setname_np` are not visible from Swift directly).

/// `accept4(fd, address, length, flags)`.
int vigil_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// `pipe2(fds, flags)`.
int vigil_pipe2(int fds[2], int flags);

/// Names the calling thread (at most 15 bytes are kept); returns 0 or an error number.
int vigil_set_thread_name(const char *name);

/// Copies the C library's text for `errnum` into `buffer` (always NUL-terminated).
void vigil_strerror(int errnum, char *buffer, size_t length);

/// System (kernel) CPU time of the calling thread so far, in nanoseconds (`RUSAGE_THREAD`; 0 if
/// it cannot be read). The kernel splits a thread's CPU time between user and system by sampling,
/// so it is exact only over spans of many milliseconds.
uint64_t vigil_thread_system_nanoseconds(void);

/// The largest number of buffers `readv`/`writev` accept (`IOV_MAX`).
int vigil_iov_max(void);

// `struct epoll_event` is packed on x86-64 (12 bytes); indexing and field access happen here so
// the layout is always the C compiler's.

/// Adds, modifies or removes `fd` with `events`, tagging it with `data`.
static inline int vigil_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}

/// The size in bytes of one `struct epoll_event`, for allocating `epoll_wait` buffers.
static inline int vigil_epoll_event_size(void) { return (int)sizeof(struct epoll_event); }

/// `epoll_wait` into a raw buffer of `max` events.
static inline int vigil_epoll_wait(int epfd, void *buffer, int max, int timeout_ms) {
    return epoll_wait(epfd, (struct epoll_event *)buffer, max, timeout_ms);
}

/// The event mask of the `index`-th event in a buffer filled by `vigil_epoll_wait`.
static inline uint32_t vigil_epoll_event_events(const void *buffer, int index) {
    return ((const struct epoll_event *)buffer)[index].events;
}

/// The 64-bit tag of the `index`-th event in a buffer filled by `vigil_epoll_wait`.
static inline uint64_t vigil_epoll_event_data(const void *buffer, int index) {
    return ((const struct epoll_event *)buffer)[index].data.u64;
}

/// Arms `fd` to expire once after `initial_ns` nanoseconds and then every `interval_ns`
/// (0: once); both 0 disarms it.
static inline int vigil_timerfd_settime(int fd, uint64_t initial_ns, uint64_t interval_ns) {
    struct itimerspec spec;
    spec.it_value.tv_sec = (time_t)(initial_ns / 1000000000u);
    spec.it_value.tv_nsec = (long)(initial_ns % 1000000000u);
    spec.it_interval.tv_sec = (time_t)(interval_ns / 1000000000u);
    spec.it_interval.tv_nsec = (long)(interval_ns % 1000000000u);
    return timerfd_settime(fd, 0, &spec, NULL);
}

/// Reads the soft and hard limits on open file descriptors (`RLIMIT_NOFILE`).
static inline int vigil_get_nofile_limit(uint64_t *soft, uint64_t *hard) {
    struct rlimit limit;
    int result = getrlimit(RLIMIT_NOFILE, &limit);
    if (result == 0) {
        *soft = (uint64_t)limit.rlim_cur;
        *hard = (uint64_t)limit.rlim_max;
    }
    return result;
}

/// Sets the soft and hard limits on open file descriptors (`RLIMIT_NOFILE`).
static inline int vigil_set_nofile_limit(uint64_t soft, uint64_t hard) {
    struct rlimit limit;
    limit.rlim_cur = (rlim_t)soft;
    limit.rlim_max = (rlim_t)hard;
    return setrlimit(RLIMIT_NOFILE, &limit);
}

/// Sets `SO_LINGER` to "on, 0 seconds" so the next `close` resets the connection (RST) and
/// discards unsent data instead of lingering in the kernel.
static inline int vigil_set_linger_zero(int fd) {
    struct linger value;
    value.l_onoff = 1;
    value.l_linger = 0;
    return setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, sizeof(value));
}

/// Asks the processor to start loading the cache line at `address` for a read, keeping it in
/// every cache level (`prefetcht0`). Unlike a load, it does not hold up the instructions after it
/// while the line is on its way; it never faults.
static inline void vigil_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
