// Linux system interfaces that `import Glibc` does not expose: epoll, eventfd, timerfd.
#ifndef VIGIL_CSYSTEM_H
#define VIGIL_CSYSTEM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

#endif
