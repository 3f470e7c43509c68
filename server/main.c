/* gtsync-server: entry point; the commands live in the server library (admin.c). */
#include "admin.h"

int main(int argc, char **argv)
{
	return gt_admin_main(argc, argv);
}
