/* Helpers shared by the cmocka tests. */
#define _GNU_SOURCE
#include "testutil.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"

char *gt_test_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *path = NULL;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&path, "%s/gtsync-test-%s-XXXXXX", base, tag) < 0)
		abort();
	if (mkdtemp(path) == NULL)
		abort();
	return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void gt_test_rmtree(const char *path)
{
	if (path != NULL)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

uint8_t *gt_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = 0;
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

int gt_test_have_shared(void)
{
	return access(GT_SHARED_DIR "/data/wilayah-kemendagri-2025.csv", R_OK) == 0;
}

int gt_test_has_controls(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		size_t n = gt_utf8_decode(p, &cp);
		if (n == 0 || (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F))
			return 1;
		p += n;
	}
	return 0;
}

int gt_test_free_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	if (fd < 0) {
		perror("gt_test_free_port: socket");
		abort();
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	if (port == 0) {
		perror("gt_test_free_port");
		abort();
	}
	return port;
}
