/* gtsync: the district and provincial client; the commands live in the client library. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("usage: gtsync COMMAND [OPTIONS]\n"
		       "\n"
		       "The gtsync client for district and provincial task-force offices.\n"
		       "Commands are being built; see the README.\n");
		return argc < 2 ? 2 : 0;
	}
	fprintf(stderr, "gtsync: unknown command '%s' (try --help)\n", argv[1]);
	return 2;
}
