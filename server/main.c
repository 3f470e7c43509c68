/* gtsync-server: entry point; the commands live in the server library (admin.c). */
#include "admin.h"
#include "i18n.h"

int main(int argc, char **argv)
{
	gt_i18n_setup();
	return gt_admin_main(argc, argv);
}
