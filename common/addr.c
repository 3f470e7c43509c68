/* Socket addresses written as HOST:PORT, for --listen and --server. */
#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static int parse_port(const char *s, unsigned short *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return GT_EINVAL;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 65535 || end - s > 5)
		return GT_EINVAL;
	*port = (unsigned short)v;
	return GT_OK;
}

int gt_addr_parse(const char *hostport, struct sockaddr_storage *out)
{
	char host[64];
	const char *colon;
	unsigned short port;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (hostport == NULL)
		return GT_EINVAL;
	if (hostport[0] == '[') {
		const char *close = strchr(hostport, ']');
		if (close == NULL || close[1] != ':')
			return GT_EINVAL;
		hlen = (size_t)(close - hostport - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return GT_EINVAL;
		memcpy(host, hostport + 1, hlen);
		host[hlen] = '\0';
		if (parse_port(close + 2, &port) != GT_OK)
			return GT_EINVAL;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return GT_EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return GT_OK;
	}
	colon = strrchr(hostport, ':');
	if (colon == NULL)
		return GT_EINVAL;
	hlen = (size_t)(colon - hostport);
	if (hlen == 0 || hlen >= sizeof(host))
		return GT_EINVAL;
	memcpy(host, hostport, hlen);
	host[hlen] = '\0';
	if (parse_port(colon + 1, &port) != GT_OK)
		return GT_EINVAL;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;
	if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
		memset(out, 0, sizeof(*out));
		return GT_EINVAL;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	return GT_OK;
}

void gt_addr_format(const struct sockaddr *addr, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(a->sin6_port));
	} else if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(a->sin_port));
	} else {
		snprintf(buf, len, "?");
	}
}

int gt_addr_is_ip_literal(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}
