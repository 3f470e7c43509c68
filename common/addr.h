/* Socket addresses written as HOST:PORT, for --listen and --server. */
#ifndef GT_ADDR_H
#define GT_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* The documented default port of gtsync-server. */
#define GT_DEFAULT_PORT   7443
#define GT_DEFAULT_LISTEN "127.0.0.1:7443"

/* Parses "IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT" (127.0.0.1) into *out. No name
 * resolution is done. Returns GT_EINVAL with a malformed address or a port outside 0..65535. */
int gt_addr_parse(const char *hostport, struct sockaddr_storage *out);

/* Returns 1 if s is an IPv4 or IPv6 literal (no brackets, no port), else 0. */
int gt_addr_is_ip_literal(const char *s);

/* Writes addr as "IP:PORT" (or "[IP]:PORT") into buf. */
void gt_addr_format(const struct sockaddr *addr, char *buf, size_t len);

#endif
