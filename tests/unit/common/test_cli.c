/* Tests for common/cli.c: dispatch, option parsing, usage errors and --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "error.h"

struct seen {
	int calls;
	int argc;
	const char *data;
	const char *force;
	const char *first;
};

static int run_add(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct seen *s = arg;
	s->calls++;
	s->argc = argc;
	s->data = gt_cli_get(cmd, "data");
	s->force = gt_cli_get(cmd, "force");
	s->first = argc > 0 ? argv[0] : NULL;
	return 0;
}

static struct gt_cli_opt add_opts[] = {
    {"data", "DIR", "data folder", NULL},
    {"force", NULL, "a flag", NULL},
    {0},
};

static const struct gt_cli_cmd key_cmds[] = {
    {"add", "add a key", "--data DIR NAME", NULL, add_opts, 1, 1, run_add, NULL},
    {0},
};

static const struct gt_cli_cmd cmds[] = {
    {"key", "manage keys", "COMMAND", NULL, NULL, 0, 0, NULL, key_cmds},
    {"init", "initialise", "--data DIR", NULL, add_opts, 0, 0, run_add, NULL},
    {0},
};

static int call(struct seen *s, int argc, const char **argv)
{
	char *copy[16];
	for (int i = 0; i < argc; i++)
		copy[i] = (char *)argv[i];
	return gt_cli_main("prog", "a program", cmds, argc, copy, s);
}

static void dispatch_and_options(void **state)
{
	struct seen s = {0};
	const char *a1[] = {"prog", "key", "add", "--data", "/tmp/x", "name", "--force"};
	(void)state;
	assert_int_equal(call(&s, 7, a1), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.argc, 1);
	assert_string_equal(s.first, "name");
	assert_string_equal(s.data, "/tmp/x");
	assert_string_equal(s.force, "1");

	const char *a2[] = {"prog", "init", "--data=/d"};
	assert_int_equal(call(&s, 3, a2), 0);
	assert_string_equal(s.data, "/d");
	assert_null(s.force);
}

static void usage_errors(void **state)
{
	struct seen s = {0};
	(void)state;
	const char *a1[] = {"prog", "nope"};
	assert_int_equal(call(&s, 2, a1), GT_CLI_EXIT_USAGE);
	const char *a2[] = {"prog", "key", "add", "--data"};
	assert_int_equal(call(&s, 4, a2), GT_CLI_EXIT_USAGE);
	const char *a3[] = {"prog", "key", "add", "--bogus", "x"};
	assert_int_equal(call(&s, 5, a3), GT_CLI_EXIT_USAGE);
	const char *a4[] = {"prog", "key", "add"};
	assert_int_equal(call(&s, 3, a4), GT_CLI_EXIT_USAGE);
	const char *a5[] = {"prog", "key", "add", "a", "b"};
	assert_int_equal(call(&s, 5, a5), GT_CLI_EXIT_USAGE);
	const char *a6[] = {"prog", "init", "--force=1"};
	assert_int_equal(call(&s, 3, a6), GT_CLI_EXIT_USAGE);
	const char *a7[] = {"prog"};
	assert_int_equal(call(&s, 1, a7), GT_CLI_EXIT_USAGE);
	assert_int_equal(s.calls, 0);
}

static void help_everywhere(void **state)
{
	struct seen s = {0};
	(void)state;
	const char *a1[] = {"prog", "--help"};
	assert_int_equal(call(&s, 2, a1), 0);
	const char *a2[] = {"prog", "key", "--help"};
	assert_int_equal(call(&s, 3, a2), 0);
	const char *a3[] = {"prog", "key", "add", "--help"};
	assert_int_equal(call(&s, 4, a3), 0);
	const char *a4[] = {"prog", "key", "add", "x", "-h"};
	assert_int_equal(call(&s, 5, a4), 0);
	assert_int_equal(s.calls, 0);
}

/* gt_cli_get_u32 and gt_cli_get_or, the option readers the benchmarks shared (issue 16). */
static void typed_getters(void **state)
{
	struct gt_cli_opt opts[] = {
	    {"n", "N", "a number", NULL},
	    {"s", "S", "a string", NULL},
	    {0},
	};
	struct gt_cli_cmd cmd = {"c", "c", "", NULL, opts, 0, 0, NULL, NULL};
	const char *bad[] = {"", "x", "12x", "-1", "0", "101", "99999999999999999999"};
	uint32_t v = 0;

	(void)state;
	assert_int_equal(gt_cli_get_u32(&cmd, "prog", "n", 7, 1, 100, &v), GT_OK);
	assert_int_equal(v, 7);
	assert_string_equal(gt_cli_get_or(&cmd, "s", "dflt"), "dflt");
	opts[0].value = "100";
	opts[1].value = "given";
	assert_int_equal(gt_cli_get_u32(&cmd, "prog", "n", 7, 1, 100, &v), GT_OK);
	assert_int_equal(v, 100);
	assert_string_equal(gt_cli_get_or(&cmd, "s", "dflt"), "given");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		opts[0].value = bad[i];
		v = 0;
		assert_int_equal(gt_cli_get_u32(&cmd, "prog", "n", 7, 1, 100, &v), GT_EINVAL);
		assert_int_equal(v, 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dispatch_and_options),
	    cmocka_unit_test(usage_errors),
	    cmocka_unit_test(help_everywhere),
	    cmocka_unit_test(typed_getters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
