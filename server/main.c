/* gtsync-server: entry point; the commands live in the server library. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("usage: gtsync-server COMMAND [OPTIONS]\n"
		       "\n"
		       "The central gtsync server of the anti-trafficking task forces.\n"
		       "Commands are being built; see the README.\n");
		return argc < 2 ? 2 : 0;
	}
	fprintf(stderr, "gtsync-server: unknown command '%s' (try --help)\n", argv[1]);
	return 2;
}
