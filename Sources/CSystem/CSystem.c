// GNU extensions wrapped for Swift; everything else in CSystem is static inline in its header.
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sys/resource.h>
#include <string.h>
#include <unistd.h>
#include "CSystem.h"

int vigil_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int vigil_pipe2(int fds[2], int flags) {
    return pipe2(fds, flags);
}

int vigil_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof(truncated) - 1);
    truncated[sizeof(truncated) - 1] = '\0';
    return pthread_setname_np(pthread_self(), truncated);
}

uint64_t vigil_thread_system_nanoseconds(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) != 0) return 0;
    return (uint64_t)usage.ru_stime.tv_sec * 1000000000u + (uint64_t)usage.ru_stime.tv_usec * 1000u;
}

int vigil_iov_max(void) {
    return IOV_MAX;
}

void vigil_strerror(int errnum, char *buffer, size_t length) {
    if (length == 0) return;
    // The GNU strerror_r returns either `buffer` or a pointer to a static string.
    const char *text = strerror_r(errnum, buffer, length);
    if (text != buffer) {
        strncpy(buffer, text, length - 1);
        buffer[length - 1] = '\0';
    }
}
