// libpq, PostgreSQL's client library (Debian: libpq-dev, found with pkg-config), plus poll()
// for waiting on the connection's socket so that a running query can be cancelled.
#ifndef SEGSH_CLIBPQ_SHIM_H
#define SEGSH_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>

/// Waits up to `milliseconds` for the socket to become readable (or writable when
/// `for_write`). Returns >0 when ready, 0 on timeout, <0 on error (EINTR counts as timeout).
static inline int segsh_pq_wait_socket(int socket, int for_write, int milliseconds) {
    struct pollfd p;
    p.fd = socket;
    p.events = for_write ? POLLOUT : POLLIN;
    p.revents = 0;
    int rc = poll(&p, 1, milliseconds);
    if (rc < 0) return 0;
    return rc;
}

/// Shuts a socket down in both directions, so libpq sees the connection as lost.
static inline int segsh_pq_shutdown_socket(int socket) {
    return shutdown(socket, SHUT_RDWR);
}
#endif
